# shellcheck shell=bash
# Shared helpers for the scripts in this directory. Source it; don't run it.
#
# Every helper is plain bash with no dependency beyond coreutils and procps, so
# the scripts work on a fresh Debian machine before `make deps` has run.

# The repository root: the parent of this scripts/ directory.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPTS_DIR="$REPO_ROOT/scripts"

# The five programs, in the order they are started.
PROGRAMS=(threat-api collector processor monitor backfill)

# The default key prefix of the Redis backend (see `processor --help`).
# shellcheck disable=SC2034 # used by the scripts that source this file
REDIS_PREFIX='{enrich}:'

say() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Checks BACKEND (dir or redis) and prints it.
backend_or_die() {
    case "${1:-dir}" in
        dir | redis) printf '%s\n' "${1:-dir}" ;;
        *) die "BACKEND must be dir or redis, not '$1'" ;;
    esac
}

# Checks that a value is a positive whole number of seconds.
seconds_or_die() {
    local name=$1 value=$2
    [[ $value =~ ^[0-9]+$ && $value -gt 0 ]] || die "$name must be a positive whole number of seconds, not '$value'"
}

# Makes sure the Debian packages a task needs are there, installing them when we can.
# $1 is a scope of check-deps.sh (build, test, run-dir, run-redis, all).
ensure_deps() {
    local scope=$1 missing
    missing="$(bash "$SCRIPTS_DIR/check-deps.sh" --list-missing "$scope")"
    if [[ -n $missing ]]; then
        say "missing Debian packages: $missing; running scripts/install-deps.sh"
        bash "$SCRIPTS_DIR/install-deps.sh" "$scope"
    fi
    bash "$SCRIPTS_DIR/check-deps.sh" --quiet "$scope"
}

# Builds the five programs in release mode and sets BIN_DIR to where they are. Only those
# products, so a test fixture or tool that does not build yet does not stop a demo.
build_release() {
    say "building the release binaries (swift build -c release)"
    local program
    for program in "${PROGRAMS[@]}"; do
        (cd "$REPO_ROOT" && swift build -c release --quiet --product "$program") ||
            die "swift build -c release --product $program failed"
    done
    BIN_DIR="$(cd "$REPO_ROOT" && swift build -c release --show-bin-path)"
    for program in "${PROGRAMS[@]}"; do
        [[ -x $BIN_DIR/$program ]] || die "$BIN_DIR/$program was not built"
    done
}

# True when the process with this pid still runs the named program, so a stale pid
# file never makes us signal an unrelated process that reused the pid.
runs_program() {
    local pid=$1 program=$2 cmdline
    is_alive "$pid" || return 1
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ $cmdline == *"$program"* ]]
}

# True while the process runs: it exists and is not a zombie. An exited child of ours
# may be reaped by bash at any moment (every command substitution does), so its /proc
# entry can vanish between two checks: read the state once per question.
is_running() {
    local state
    state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
    [[ -n $state && $state != Z ]]
}

is_alive() {
    [[ -n ${1:-} ]] && is_running "$1"
}

# Stops a process: SIGTERM, up to $3 seconds (default 15) for it to exit, then SIGKILL.
# Reaps it when it is our child. Quiet when it has already gone.
stop_process() {
    local name=$1 pid=$2 timeout=${3:-15} waited=0
    if is_running "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        # STOP_NOW (set by a second Ctrl-C) cuts the wait short.
        while is_running "$pid" && ((waited < timeout * 10)) && [[ -z ${STOP_NOW:-} ]]; do
            sleep 0.1
            waited=$((waited + 1))
        done
        if is_running "$pid"; then
            warn "$name (pid $pid) still running $((waited / 10))s after SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
}

# Waits until a line matching an extended regex appears in a file. Fails early when
# the process that should write it has died. Args: file regex timeout-seconds pid.
wait_for_line() {
    local file=$1 regex=$2 timeout=$3 pid=$4 waited=0
    while ((waited < timeout * 10)); do
        grep -Eq -- "$regex" "$file" 2>/dev/null && return 0
        is_alive "$pid" || return 1
        sleep 0.1
        waited=$((waited + 1))
    done
    return 1
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Starts redis-server in the foreground of a background job, on a unix socket only
# (port 0: no TCP), with the persistence and eviction settings the pipeline relies on.
# Args: data-dir socket-path log-file [detach]. With `detach` it runs in a session of its
# own (it outlives the script, and Ctrl-C in the terminal does not reach it) and appends
# to its log. Sets REDIS_PID; on failure stops it and exits.
start_redis() {
    local data_dir=$1 socket=$2 log=$3 launcher=()
    [[ ${4:-} == detach ]] && launcher=(setsid)
    mkdir -p "$data_dir"
    [[ ${4:-} == detach ]] || : >"$log"
    "${launcher[@]}" redis-server "$REPO_ROOT/redis/redis.conf" \
        --port 0 --bind 127.0.0.1 --unixsocket "$socket" --unixsocketperm 700 \
        --dir "$data_dir" --daemonize no --logfile '' \
        --save '' --appendonly yes --appendfsync everysec --maxmemory-policy noeviction \
        >>"$log" 2>&1 </dev/null &
    REDIS_PID=$!
    local waited=0
    until [[ $(redis-cli -s "$socket" ping 2>/dev/null) == PONG ]]; do
        if ! is_alive "$REDIS_PID" || ((waited >= 100)); then
            stop_process redis-server "$REDIS_PID" 5
            tail -n 20 "$log" >&2 || true
            die "redis-server did not start (log: $log)"
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

# A unix socket path must fit in sun_path (108 bytes). Prints $1 when it fits, else a
# short path in a fresh temporary directory.
short_socket_path() {
    if ((${#1} < 100)); then
        printf '%s\n' "$1"
    else
        printf '%s/redis.sock\n' "$(mktemp -d /tmp/enrich-redis.XXXXXX)"
    fi
}

# Reads one whole-number field from the JSON object `monitor --once --json` prints.
json_count() {
    local field=$1 json=$2
    sed -n "s/.*\"$field\":\\([0-9][0-9]*\\).*/\\1/p" <<<"$json"
}

# Pretty-prints JSON from stdin with whatever is installed, else passes it through.
pretty_json() {
    if command -v jq >/dev/null 2>&1; then
        jq .
    elif command -v python3 >/dev/null 2>&1 && python3 -c '' 2>/dev/null; then
        python3 -m json.tool
    else
        cat
        echo
    fi
}
