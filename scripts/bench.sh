#!/usr/bin/env bash
# The benchmark behind `make bench`: builds the release binaries, then runs the driver
# (Sources/bench), which starts its own redis-server and mock API, runs every scenario for
# both backends, prints the table and writes it into docs/BENCHMARKS.md.
#
#   scripts/bench.sh                  full run: about 35 minutes on 2 cores
#   BENCH_QUICK=1 scripts/bench.sh    smoke check: small counts, one repetition, about 2 minutes
#
# Environment (all optional):
#   BENCH_QUICK=1           small counts, one repetition, limits at concurrency 8 only
#   BENCH_REPS=N            repetitions of every figure (default 3; quick 1)
#   BENCH_N=N               alerts per drain (default 20000; quick 2000)
#   BENCH_SLOW_N=N          alerts per drain at API 5 ms and concurrency 1 (default 2000)
#   BENCH_FOOTPRINT_N=N     alerts of the footprint drain (default 100000; quick 5000)
#   BENCH_IDLE_ALERTS=N     alerts per run of the idle (12/min) latency scenario (default 20)
#   BENCH_SECTIONS=a,b      some of drain,latency,footprint,limits,monitor (default: all)
#   BENCH_BACKENDS=a,b      redis,dir (default: both)
#   BENCH_LATENCIES=0,5     API latencies (ms) of the drain matrix; BENCH_CONCURRENCY=1,8,32 its concurrencies
#   BENCH_OUTPUT=path       where the results go (default docs/BENCHMARKS.md; quick: a temporary file)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_deps run-redis
command -v redis-benchmark >/dev/null 2>&1 || die "redis-benchmark is missing (apt-get install redis-tools)"

cd "$REPO_ROOT"
say "building the release binaries (swift build -c release)"
swift build -c release || die "swift build -c release failed"
BIN_DIR="$(swift build -c release --show-bin-path)"
for program in bench processor monitor threat-api; do
    [[ -x $BIN_DIR/$program ]] || die "$BIN_DIR/$program was not built"
done

# A quick run is a smoke check: its figures do not replace the full run's in the docs.
if [[ ${BENCH_QUICK:-0} != 0 && -z ${BENCH_OUTPUT:-} ]]; then
    export BENCH_OUTPUT="${TMPDIR:-/tmp}/BENCHMARKS.quick.md"
fi
settings="$(env | grep -E '^BENCH_(QUICK|REPS|N|SLOW_N|FOOTPRINT_N|IDLE_ALERTS|SECTIONS|BACKENDS|LATENCIES|CONCURRENCY)=' | sort | tr '\n' ' ' || true)"
export BENCH_COMMAND="${settings}scripts/bench.sh"

# The driver runs in a process group of its own; whatever happens to this script, the
# group (driver, redis-server, mock API, processor) is stopped with it.
set -m
"$BIN_DIR/bench" &
driver=$!
set +m
trap 'kill -TERM -- -"$driver" 2>/dev/null || true' EXIT INT TERM
status=0
wait "$driver" || status=$?
exit "$status"
