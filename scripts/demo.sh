#!/usr/bin/env bash
# make demo: the whole pipeline as local processes for a short while, then a summary.
#
#   BACKEND=dir|redis DEMO_SECONDS=30 scripts/demo.sh
#
# Builds in release mode, starts the mock threat-intel API, a processor, the monitor and
# a fast collector in a throwaway run directory (run/demo-<time>/, logs and pid files
# inside), lets them run for DEMO_SECONDS, stops the collector, waits for the processor
# to drain the queue, stops everything and prints a few stored alerts, the processor's
# last lines and the reconciliation line from `monitor --once`.
#
# Exit status 0 only when the counts reconcile. Ctrl-C stops everything it started.
#
# Environment: BACKEND (dir), DEMO_SECONDS (30), DEMO_INTERVAL (0.2, seconds between two
# alerts), DRAIN_SECONDS (30, the longest wait for the queue to drain), MONITOR_INTERVAL (5),
# DEMO_KEEP (5: run directories kept, this one included; older ones are removed).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BACKEND="$(backend_or_die "${BACKEND:-dir}")"
DEMO_SECONDS=${DEMO_SECONDS:-30}
DEMO_INTERVAL=${DEMO_INTERVAL:-0.2}
DRAIN_SECONDS=${DRAIN_SECONDS:-30}
MONITOR_INTERVAL=${MONITOR_INTERVAL:-5}
DEMO_KEEP=${DEMO_KEEP:-5}
seconds_or_die DEMO_SECONDS "$DEMO_SECONDS"
seconds_or_die DEMO_KEEP "$DEMO_KEEP"
seconds_or_die DRAIN_SECONDS "$DRAIN_SECONDS"

# Processes we started, in start order: "name pid" pairs, and how long each may take to stop.
started=()
stop_timeout=15
sleep_pid=""

stop_all() {
    local i name pid
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do
        read -r name pid <<<"${started[i]}"
        stop_process "$name" "$pid" "$stop_timeout"
        rm -f "$RUN_DIR/pids/$name.pid"
    done
    started=()
}

# Stops one named process and forgets it.
stop_one() {
    local wanted=$1 i name pid
    for i in "${!started[@]}"; do
        read -r name pid <<<"${started[i]}"
        if [[ $name == "$wanted" ]]; then
            stop_process "$name" "$pid" "$stop_timeout"
            rm -f "$RUN_DIR/pids/$name.pid"
            unset 'started[i]'
        fi
    done
    started=("${started[@]}")
}

cleanup() {
    local status=$?
    # Nothing here may end the clean-up half way.
    set +e
    # A second Ctrl-C while cleaning up means: don't wait, kill.
    trap 'STOP_NOW=1' INT TERM
    [[ -n $sleep_pid ]] && kill "$sleep_pid" 2>/dev/null
    if ((${#started[@]} > 0)); then
        say "stopping the demo's processes"
        stop_all
    fi
    [[ -n ${SOCKET_DIR:-} ]] && rm -rf "$SOCKET_DIR"
    [[ -n ${RUN_DIR:-} ]] && echo "Logs: $RUN_DIR"
    exit "$status"
}
interrupted() {
    echo
    say "interrupted"
    exit 130
}
trap cleanup EXIT
trap interrupted INT TERM

# Starts a program in the background with its output in $RUN_DIR/<name>.log.
# Args: name command [arguments...]
start() {
    local name=$1
    shift
    "$@" >"$RUN_DIR/$name.log" 2>&1 </dev/null &
    record "$name" $!
}
record() {
    started+=("$1 $2")
    echo "$2" >"$RUN_DIR/pids/$1.pid"
}

# 1. Dependencies and binaries.
if [[ $BACKEND == redis ]]; then ensure_deps run-redis; else ensure_deps run-dir; fi
build_release

# 2. The run directory. Older demos' directories go, but for the last few.
shopt -s nullglob
old_runs=("$REPO_ROOT"/run/demo-*) # the names sort by start time
shopt -u nullglob
if ((${#old_runs[@]} >= DEMO_KEEP)); then
    rm -rf "${old_runs[@]:0:${#old_runs[@]}-DEMO_KEEP+1}"
fi
RUN_DIR="$REPO_ROOT/run/demo-$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$RUN_DIR/pids"
say "demo with the $BACKEND backend for ${DEMO_SECONDS}s in ${RUN_DIR#"$REPO_ROOT"/}"

export QUEUE_BACKEND=$BACKEND
export QUEUE_DIR="$RUN_DIR/queue"
unset REDIS_URL THREAT_API_URL
if [[ $BACKEND == redis ]]; then
    socket="$(short_socket_path "$RUN_DIR/redis.sock")"
    [[ $socket == "$RUN_DIR/redis.sock" ]] || SOCKET_DIR="$(dirname "$socket")"
    start_redis "$RUN_DIR/redis" "$socket" "$RUN_DIR/redis-server.log"
    record redis-server "$REDIS_PID"
    export REDIS_URL=$socket
    say "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on unix socket $socket"
else
    mkdir -p "$QUEUE_DIR"
fi

# 3. The mock API on a free loopback port; it logs the address it took.
start threat-api "$BIN_DIR/threat-api" --host 127.0.0.1 --port 0
wait_for_line "$RUN_DIR/threat-api.log" 'http\.url=http://' 10 "${started[-1]##* }" ||
    die "threat-api did not start: $(tail -n 5 "$RUN_DIR/threat-api.log")"
THREAT_API_URL="$(grep -o 'http\.url=http://[^ ]*' "$RUN_DIR/threat-api.log" | head -n 1 | cut -d= -f2)"
export THREAT_API_URL
say "threat-api on $THREAT_API_URL"

# 4. The pipeline. The processor first, so it is waiting when the first alert comes.
start processor "$BIN_DIR/processor"
start collector "$BIN_DIR/collector" --interval "$DEMO_INTERVAL"
# The monitor's snapshots go to its log and, indented, to the terminal.
"$BIN_DIR/monitor" --interval "$MONITOR_INTERVAL" </dev/null \
    > >(tee "$RUN_DIR/monitor.log" | sed -u 's/^/  monitor | /') 2>&1 &
record monitor $!
say "collector (one alert every ${DEMO_INTERVAL}s), processor and monitor running; Ctrl-C stops them"

sleep 1
for entry in "${started[@]}"; do
    read -r name pid <<<"$entry"
    is_alive "$pid" || die "$name exited at start-up: $(tail -n 5 "$RUN_DIR/$name.log")"
done

# `wait` returns at once when a signal arrives, where a plain sleep would finish first.
sleep "$DEMO_SECONDS" &
sleep_pid=$!
wait "$sleep_pid" || true

# 5. Stop producing, let the processor drain what is queued.
say "stopping the collector; waiting up to ${DRAIN_SECONDS}s for the processor to drain the queue"
stop_one collector
drained=false
deadline=$((SECONDS + DRAIN_SECONDS))
while ((SECONDS < deadline)); do
    json="$("$BIN_DIR/monitor" --once --json 2>/dev/null)" || true
    pending="$(json_count pending "$json")"
    in_flight="$(json_count in_flight "$json")"
    if [[ $pending == 0 && $in_flight == 0 ]]; then
        drained=true
        break
    fi
    sleep 0.5
done
$drained || warn "the queue did not drain within ${DRAIN_SECONDS}s (pending ${pending:-?}, in flight ${in_flight:-?})"

stop_one processor
stop_one monitor
stop_one threat-api

# 6. The summary, read from the store itself.
echo
echo "Stored alerts (enriched records):"
# One record per verdict seen, up to three, so the enrichment shows its range.
mapfile -t shown_ids < <(grep '^\[PROCESSED\]' "$RUN_DIR/processor.log" |
    awk '!seen[$3]++ { print $2 }' | head -n 3)
if ((${#shown_ids[@]} == 0)); then
    echo "  (none: the processor stored nothing)"
fi
for id in "${shown_ids[@]}"; do
    if [[ $BACKEND == redis ]]; then
        redis-cli -s "$REDIS_URL" --raw HGET "${REDIS_PREFIX}processed" "$id" | pretty_json
    else
        pretty_json <"$QUEUE_DIR/processed/$id.json"
    fi
done

echo
echo "Processor, last lines:"
grep -E '^\[(PROCESSED|ERROR)\]' "$RUN_DIR/processor.log" | tail -n 5 | sed 's/^/  /'
error_lines="$(grep -c '^\[ERROR\]' "$RUN_DIR/processor.log" || true)"
((error_lines == 0)) || echo "  ($error_lines dead letters; see $RUN_DIR/processor.log)"

echo
set +e
snapshot="$("$BIN_DIR/monitor" --once 2>&1)"
monitor_status=$?
set -e
line="$(grep -E '^[[:space:]]*(reconciled|NOT RECONCILED):' <<<"$snapshot" | sed 's/^[[:space:]]*//')"
if [[ -z $line ]]; then
    printf '%s\n' "$snapshot"
    die "monitor --once printed no reconciliation line (status $monitor_status)"
fi
echo "$line"

generated="$(json_count generated "$("$BIN_DIR/monitor" --once --json 2>/dev/null || true)")"
if ((monitor_status != 0)); then
    die "the counts do not reconcile (monitor --once exit status $monitor_status)"
fi
if [[ ${generated:-0} == 0 ]]; then
    die "the collector generated no alert"
fi
