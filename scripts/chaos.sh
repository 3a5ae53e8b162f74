#!/usr/bin/env bash
# The fault-injection run behind `make chaos`: the ChaosTests suite in a release build, at full size.
#
# For each backend (directory; Redis with AOF `always`; Redis with AOF `everysec`) a collector sends
# CHAOS_ALERTS alerts while four processors work the queue; processors are SIGKILLed and restarted at
# random (20 times at least, about twice a second), redis-server is SIGKILLed and restarted (3 times at
# least, once per 8 s of collection), and the mock API goes down and up, answers slower than the
# processors' timeout, and rate-limits. Then every collected alert must be stored exactly once, as a
# record or a dead letter, nothing left in flight, and the counts must reconcile. The suite also runs the
# crash-window checks and the disk-full / file-size-limit checks. docs/RELIABILITY.md explains it all.
#
#   scripts/chaos.sh                        100,000 alerts per scenario (about 9 minutes on 2 cores, plus the build)
#   CHAOS_ALERTS=20000 scripts/chaos.sh     a shorter run
#
# Environment (all optional):
#   CHAOS_ALERTS=N             alerts per scenario (default 100000; the plain test run uses 2000)
#   CHAOS_RATE=N               alerts per second the collector sends (default CHAOS_ALERTS/12, 150..1000)
#   CHAOS_PROCESSOR_KILLS=N    least number of processor SIGKILLs per scenario (default 20)
#   CHAOS_REDIS_KILLS=N        least number of redis-server SIGKILLs per Redis scenario (default 3)
#   CHAOS_SEED=N               replay the random choices of an earlier run (each run prints its seed)
#   CHAOS_FILTER=regex         which tests (default ChaosTests)
#   CHAOS_REPORT=path          where the figures go (default run/chaos-<time>.txt)
#   CHAOS_SCRATCH=path         SwiftPM scratch path (default .build)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_deps test
command -v prlimit >/dev/null 2>&1 || die "prlimit is missing (apt-get install util-linux)"

cd "$REPO_ROOT"
export CHAOS_ALERTS="${CHAOS_ALERTS:-100000}"
[[ $CHAOS_ALERTS =~ ^[0-9]+$ ]] || die "CHAOS_ALERTS must be a whole number, not '$CHAOS_ALERTS'"
stamp="$(date -u +%Y%m%d-%H%M%S)"
mkdir -p run
export CHAOS_REPORT="${CHAOS_REPORT:-$REPO_ROOT/run/chaos-$stamp.txt}"
log="${CHAOS_REPORT%.txt}.log"
: >"$CHAOS_REPORT"

scratch=()
[[ -n ${CHAOS_SCRATCH:-} ]] && scratch=(--scratch-path "$CHAOS_SCRATCH")

say "chaos: $CHAOS_ALERTS alerts per scenario, release build; log in $log"
started=$SECONDS
set +e
swift test -c release "${scratch[@]}" --filter "${CHAOS_FILTER:-ChaosTests}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

say "figures ($((SECONDS - started)) s in all):"
cat "$CHAOS_REPORT"
grep -E '^(CRASH|FAULT)' "$log" || true
if ((status == 0)); then
    say "chaos: every alert accounted for"
else
    warn "chaos: the run failed (status $status); see $log"
fi
exit "$status"
