#!/usr/bin/env bash
# make up / down / logs / shell: Docker Compose when a Docker engine answers, else the
# same services as local processes (scripts/local-stack.sh).
#
#   scripts/stack.sh up|down|logs|shell|status
#
# Environment: BACKEND (dir|redis), STACK (auto|docker|local, default auto: docker when
# `docker info` succeeds), LOGS_FOLLOW (1; 0 prints the last lines and returns),
# LOGS_LINES (20), REDIS_PASSWORD (compose; default: generated once into run/redis-password).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

action=${1:-}
case "$action" in
    up | down | logs | shell | status) ;;
    *)
        echo "usage: scripts/stack.sh up|down|logs|shell|status" >&2
        exit 64
        ;;
esac
BACKEND="$(backend_or_die "${BACKEND:-dir}")"
export BACKEND

docker_answers() {
    command -v docker >/dev/null 2>&1 && timeout 15 docker info >/dev/null 2>&1
}
local_stack_running() {
    compgen -G "$REPO_ROOT/run/local/pids/*.pid" >/dev/null
}

compose=()
use_compose() {
    if docker compose version >/dev/null 2>&1; then
        compose=(docker compose)
    elif command -v docker-compose >/dev/null 2>&1; then
        compose=(docker-compose)
    else
        die "a Docker engine answers but neither 'docker compose' nor 'docker-compose' is installed (make deps)"
    fi
    compose+=(--project-directory "$REPO_ROOT" -f "$REPO_ROOT/docker-compose.yml")

    # A random Redis password, made once and kept out of the repository.
    if [[ -z ${REDIS_PASSWORD:-} ]]; then
        local file="$REPO_ROOT/run/redis-password"
        if [[ ! -s $file ]]; then
            mkdir -p "$REPO_ROOT/run"
            (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$file")
        fi
        REDIS_PASSWORD="$(cat "$file")"
    fi
    export REDIS_PASSWORD
}

compose_action() {
    use_compose
    case "$action" in
        up)
            say "docker compose up (BACKEND=$BACKEND)"
            "${compose[@]}" up -d --build
            "${compose[@]}" ps
            ;;
        down) "${compose[@]}" down ;;
        logs)
            if [[ ${LOGS_FOLLOW:-1} == 0 ]]; then
                "${compose[@]}" logs --no-color --tail "${LOGS_LINES:-20}"
            else
                "${compose[@]}" logs --follow --tail "${LOGS_LINES:-20}"
            fi
            ;;
        shell)
            # The monitor's container has the queue's environment and every program on PATH.
            local tty=()
            [[ -t 0 ]] || tty=(-T)
            "${compose[@]}" exec "${tty[@]}" monitor bash
            ;;
        status)
            "${compose[@]}" ps
            "${compose[@]}" exec -T monitor monitor --once || true
            ;;
    esac
}

case "${STACK:-auto}" in
    docker) compose_action ;;
    local) exec bash "$SCRIPTS_DIR/local-stack.sh" "$action" ;;
    auto)
        # A running local stack takes every action; otherwise Docker when it answers.
        if local_stack_running; then
            exec bash "$SCRIPTS_DIR/local-stack.sh" "$action"
        elif docker_answers; then
            compose_action
        else
            [[ $action == up ]] && say "no Docker engine answers (docker info); starting the services as local processes"
            exec bash "$SCRIPTS_DIR/local-stack.sh" "$action"
        fi
        ;;
    *) die "STACK must be auto, docker or local, not '$STACK'" ;;
esac
