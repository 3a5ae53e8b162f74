#!/usr/bin/env bash
# Checks that the Debian packages a task needs are installed, and names the missing ones.
#
#   scripts/check-deps.sh [--quiet] [--list-missing] [SCOPE]
#
# SCOPE is what you want to do (default: test):
#   build      swift build: the hiredis, libcurl and libmicrohttpd headers
#   test       make test: build + redis-server (the tests start their own)
#   run-dir    make demo / make up with BACKEND=dir: build
#   run-redis  make demo / make up with BACKEND=redis: build + redis-server + redis-cli
#   all        everything make deps installs, docker-compose included
#
# Exit status 0 when nothing is missing, 1 otherwise, with the packages to install on
# standard error. --quiet drops the line saying all is well. --list-missing prints only
# the missing package names, on one line, and exits 0.
# It installs nothing: see scripts/install-deps.sh (make deps).
set -euo pipefail

quiet=false
list_only=false
scope="test"
for argument in "$@"; do
    case "$argument" in
        --quiet) quiet=true ;;
        --list-missing) list_only=true ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        build | test | run-dir | run-redis | all) scope=$argument ;;
        *)
            echo "error: unknown argument '$argument' (see --help)" >&2
            exit 64
            ;;
    esac
done

# One check per Debian package: a file it installs or a command it provides.
has_header() {
    local pattern
    for pattern in "$@"; do
        compgen -G "$pattern" >/dev/null && return 0
    done
    return 1
}
package_present() {
    case "$1" in
        libhiredis-dev) has_header /usr/include/hiredis/hiredis.h ;;
        libcurl4-openssl-dev) has_header /usr/include/curl/curl.h '/usr/include/*/curl/curl.h' ;;
        libmicrohttpd-dev) has_header /usr/include/microhttpd.h ;;
        redis-server) command -v redis-server >/dev/null 2>&1 ;;
        redis-tools) command -v redis-cli >/dev/null 2>&1 ;;
        docker-compose) command -v docker-compose >/dev/null 2>&1 ;;
        *) return 1 ;;
    esac
}

build_packages=(libhiredis-dev libcurl4-openssl-dev libmicrohttpd-dev)
case "$scope" in
    build | run-dir) needed=("${build_packages[@]}") ;;
    test) needed=("${build_packages[@]}" redis-server) ;;
    run-redis) needed=("${build_packages[@]}" redis-server redis-tools) ;;
    all) needed=("${build_packages[@]}" redis-server redis-tools docker-compose) ;;
esac

missing=()
for package in "${needed[@]}"; do
    package_present "$package" || missing+=("$package")
done

if $list_only; then
    echo "${missing[*]}"
    exit 0
fi

swift_missing=false
command -v swift >/dev/null 2>&1 || swift_missing=true

if ((${#missing[@]} == 0)) && ! $swift_missing; then
    $quiet || echo "check-deps: everything '$scope' needs is installed"
    exit 0
fi

if ((${#missing[@]} > 0)); then
    sudo=""
    ((EUID == 0)) || sudo="sudo "
    cat >&2 <<EOF
error: missing Debian packages needed for '$scope': ${missing[*]}
  Install them with:  make deps
  or by hand:         ${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${missing[*]}
EOF
fi
if $swift_missing; then
    cat >&2 <<EOF
error: no 'swift' on PATH. Install a Swift 6 toolchain (https://www.swift.org/install/linux/)
  and put its usr/bin on PATH; it is not a Debian package.
EOF
fi
exit 1
