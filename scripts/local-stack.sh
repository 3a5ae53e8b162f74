#!/usr/bin/env bash
# The pipeline as local background processes, for machines without a Docker engine.
#
#   scripts/local-stack.sh up|down|logs|shell|status
#
# up      builds the release binaries and starts, each in its own session with a pid file
#         and a log file under run/local/: redis-server (BACKEND=redis only, unix socket
#         run/local/redis.sock, AOF in run/local/redis/), threat-api on 127.0.0.1:8080 (or
#         a free port when 8080 is taken), processor, collector (one alert every
#         LOCAL_INTERVAL=5 s) and monitor (to run/local/monitor.log).
# down    stops them (SIGTERM, up to 15 s, then SIGKILL) and removes the pid files.
#         The queue and the logs stay in run/local/ for the next `up`; `make clean` removes them.
# logs    the last LOGS_LINES (20) lines of every log, then follows them unless LOGS_FOLLOW=0.
# shell   a bash with QUEUE_BACKEND, QUEUE_DIR, REDIS_URL, THREAT_API_URL and PATH set, so
#         `monitor --once` or `backfill --dry-run` work as they are.
# status  which services run, and `monitor --once`.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STACK_DIR="$REPO_ROOT/run/local"
PID_DIR="$STACK_DIR/pids"
ENV_FILE="$STACK_DIR/stack.env"
# Start order; `down` goes the other way, so the collector stops before the processor
# and the processor (which drains what it holds) before the API and Redis.
SERVICES=(redis-server threat-api processor collector monitor)

pid_of() {
    cat "$PID_DIR/$1.pid" 2>/dev/null || true
}

# Names of the services whose pid file points at a live process running that program.
running_services() {
    local service pid
    for service in "${SERVICES[@]}"; do
        pid="$(pid_of "$service")"
        if [[ -n $pid ]] && runs_program "$pid" "$service"; then
            echo "$service"
        fi
    done
}

# Starts a program in a new session (so neither Ctrl-C in this terminal nor closing it
# reaches it), with its pid file and log file. Args: service command [arguments...]
launch() {
    local service=$1
    shift
    setsid "$@" >>"$STACK_DIR/$service.log" 2>&1 </dev/null &
    echo $! >"$PID_DIR/$service.pid"
}

# Stops every service that runs, in reverse start order.
stop_services() {
    local i service pid
    for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
        service=${SERVICES[i]}
        pid="$(pid_of "$service")"
        if [[ -n $pid ]] && runs_program "$pid" "$service"; then
            printf '  stopping %-12s (pid %s)\n' "$service" "$pid"
            stop_process "$service" "$pid" 15
        fi
        rm -f "$PID_DIR/$service.pid"
    done
}

command_up() {
    local backend running
    backend="$(backend_or_die "${BACKEND:-dir}")"
    running="$(running_services)"
    if [[ -n $running ]]; then
        local current
        current="$(sed -n 's/^export QUEUE_BACKEND=//p' "$ENV_FILE" 2>/dev/null)"
        if [[ $current != "$backend" ]]; then
            die "the local stack already runs with BACKEND=$current; run 'make down' first"
        fi
        say "the local stack is already up (BACKEND=$backend)"
        command_status
        return 0
    fi

    if [[ $backend == redis ]]; then ensure_deps run-redis; else ensure_deps run-dir; fi
    build_release
    mkdir -p "$PID_DIR" "$STACK_DIR/queue"
    rm -f "$PID_DIR"/*.pid
    # Fresh logs for this run; the previous run's stay as <service>.log.1.
    local service
    for service in "${SERVICES[@]}"; do
        if [[ -f $STACK_DIR/$service.log ]]; then
            mv -f "$STACK_DIR/$service.log" "$STACK_DIR/$service.log.1"
        fi
    done

    # Whatever fails from here on, nothing stays half started.
    trap 'status=$?; if ((status != 0)); then warn "start-up failed; stopping what started"; stop_services; fi' EXIT

    local redis_url=""
    if [[ $backend == redis ]]; then
        local socket
        socket="$(short_socket_path "$STACK_DIR/redis.sock")"
        start_redis "$STACK_DIR/redis" "$socket" "$STACK_DIR/redis-server.log" detach
        echo "$REDIS_PID" >"$PID_DIR/redis-server.pid"
        redis_url=$socket
    fi

    local port=${LOCAL_API_PORT:-8080}
    if port_in_use "$port"; then
        warn "127.0.0.1:$port is taken; the threat-api takes a free port instead"
        port=0
    fi
    launch threat-api "$BIN_DIR/threat-api" --host 127.0.0.1 --port "$port"
    wait_for_line "$STACK_DIR/threat-api.log" 'http\.url=http://' 10 "$(pid_of threat-api)" ||
        die "threat-api did not start: $(tail -n 5 "$STACK_DIR/threat-api.log")"
    local api_url
    api_url="$(grep -o 'http\.url=http://[^ ]*' "$STACK_DIR/threat-api.log" | tail -n 1 | cut -d= -f2)"

    {
        echo "# Written by scripts/local-stack.sh up; source it to reach the local stack."
        echo "export QUEUE_BACKEND=$backend"
        echo "export QUEUE_DIR=$(printf '%q' "$STACK_DIR/queue")"
        if [[ -n $redis_url ]]; then
            echo "export REDIS_URL=$(printf '%q' "$redis_url")"
        else
            echo "unset REDIS_URL"
        fi
        echo "export THREAT_API_URL=$api_url"
        echo "export PATH=$(printf '%q' "$BIN_DIR"):\$PATH"
    } >"$ENV_FILE"
    # shellcheck source=/dev/null
    source "$ENV_FILE"

    launch processor "$BIN_DIR/processor"
    launch collector "$BIN_DIR/collector" --interval "${LOCAL_INTERVAL:-5}"
    launch monitor "$BIN_DIR/monitor" --interval 5

    sleep 1
    for service in "${SERVICES[@]}"; do
        [[ $backend == dir && $service == redis-server ]] && continue
        runs_program "$(pid_of "$service")" "$service" ||
            die "$service exited at start-up: $(tail -n 5 "$STACK_DIR/$service.log")"
    done
    trap - EXIT

    say "local stack up (BACKEND=$backend) in ${STACK_DIR#"$REPO_ROOT"/}"
    echo "  threat-api  $api_url"
    [[ -n $redis_url ]] && echo "  redis       $redis_url"
    echo "  queue       $([[ $backend == dir ]] && echo "$STACK_DIR/queue" || echo "redis, keys $REDIS_PREFIX*")"
    echo "  make logs  (LOGS_FOLLOW=0 to print and return),  make shell,  make down"
}

command_down() {
    if [[ -z "$(running_services)" ]]; then
        rm -f "$PID_DIR"/*.pid 2>/dev/null || true
        say "the local stack is not running"
        return 0
    fi
    say "stopping the local stack"
    stop_services
    say "stopped; queue and logs kept in ${STACK_DIR#"$REPO_ROOT"/}"
}

command_logs() {
    local logs=() service backend
    backend="$(sed -n 's/^export QUEUE_BACKEND=//p' "$ENV_FILE" 2>/dev/null)"
    for service in "${SERVICES[@]}"; do
        [[ $service == redis-server && $backend != redis ]] && continue
        [[ -f $STACK_DIR/$service.log ]] && logs+=("$STACK_DIR/$service.log")
    done
    ((${#logs[@]} > 0)) || die "no logs in ${STACK_DIR#"$REPO_ROOT"/}: run 'make up' first"
    if [[ ${LOGS_FOLLOW:-1} == 0 ]]; then
        tail -n "${LOGS_LINES:-20}" "${logs[@]}"
    else
        exec tail -n "${LOGS_LINES:-20}" -F "${logs[@]}"
    fi
}

command_shell() {
    [[ -n "$(running_services)" && -f $ENV_FILE ]] || die "the local stack is not running: run 'make up' first"
    local rc="$STACK_DIR/shellrc"
    cat >"$rc" <<EOF
[[ -f ~/.bashrc ]] && source ~/.bashrc
source $(printf '%q' "$ENV_FILE")
PS1="(enrich:\$QUEUE_BACKEND) \${PS1:-\\\$ }"
EOF
    if [[ -t 0 ]]; then
        echo "Shell for the local stack: QUEUE_BACKEND, QUEUE_DIR, REDIS_URL, THREAT_API_URL and PATH are set."
        echo "Try: monitor --once, backfill --dry-run, curl \$THREAT_API_URL/health. Leave with exit."
        exec bash --rcfile "$rc" -i
    fi
    # No terminal: run the commands given on standard input in that environment.
    # shellcheck source=/dev/null
    source "$ENV_FILE"
    exec bash -s
}

command_status() {
    local service pid any=false
    for service in "${SERVICES[@]}"; do
        pid="$(pid_of "$service")"
        if [[ -n $pid ]] && runs_program "$pid" "$service"; then
            printf '  %-12s running (pid %s)\n' "$service" "$pid"
            any=true
        elif [[ -n $pid ]]; then
            printf '  %-12s DEAD (stale pid %s; see run/local/%s.log)\n' "$service" "$pid" "$service"
        fi
    done
    $any || {
        echo "  the local stack is not running"
        return 0
    }
    (
        # shellcheck source=/dev/null
        source "$ENV_FILE"
        monitor --once || true
    )
}

case "${1:-}" in
    up) command_up ;;
    down) command_down ;;
    logs) command_logs ;;
    shell) command_shell ;;
    status) command_status ;;
    *)
        echo "usage: scripts/local-stack.sh up|down|logs|shell|status" >&2
        exit 64
        ;;
esac
