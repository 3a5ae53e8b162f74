#!/usr/bin/env bash
# Installs the Debian packages the project needs, when some are missing (make deps).
#
#   scripts/install-deps.sh [SCOPE]     SCOPE as in check-deps.sh (default: all)
#
# Runs `apt-get update` once, then `apt-get install -y --no-install-recommends` with the
# missing packages. Needs root: uses sudo when we are not root and sudo is there, else
# prints the exact command to run and exits 1. Package scripts are not allowed to start
# services while it runs (the project starts its own redis-server when it needs one).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scope=${1:-all}
read -r -a missing <<<"$(bash "$SCRIPTS_DIR/check-deps.sh" --list-missing "$scope")"
if ((${#missing[@]} == 0)); then
    say "all Debian packages for '$scope' are installed"
    exit 0
fi
install_command="apt-get install -y --no-install-recommends ${missing[*]}"

if ! command -v apt-get >/dev/null 2>&1; then
    die "missing: ${missing[*]}. This is not a Debian-like system (no apt-get); install their equivalents by hand."
fi

sudo=()
if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
        die "missing Debian packages: ${missing[*]}. Run as root:
  apt-get update && $install_command"
    fi
    # Without a terminal (CI) sudo must not wait for a password that nobody can type.
    if [[ -t 0 ]]; then sudo=(sudo); else sudo=(sudo -n); fi
fi
as_root() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "$@"; }

# Debian's standard switch that keeps maintainer scripts from starting services. Only
# ours to add and remove when there is none already.
policy=/usr/sbin/policy-rc.d
added_policy=false
remove_policy() {
    if $added_policy; then
        as_root rm -f "$policy" || warn "could not remove $policy"
    fi
}
trap remove_policy EXIT
if [[ ! -e $policy ]]; then
    if as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"; then
        added_policy=true
    else
        die "cannot write $policy as root. Run as root:
  apt-get update && $install_command"
    fi
fi

say "installing: ${missing[*]}"
as_root apt-get update
as_root apt-get install -y --no-install-recommends "${missing[@]}"
bash "$SCRIPTS_DIR/check-deps.sh" "$scope"
