#!/usr/bin/env bash
# monitor.sh [--duration=SECONDS] [--interval=SECONDS] — probes the live
# environment until the duration is over; fails when a probe fails.
# MONITOR_FAIL=1 makes the probes report errors: the rollback demo.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/deploy-common.sh"
duration=300 interval=1
for arg in "$@"; do
  case "$arg" in
    --duration=*) duration="${arg#*=}" ;;
    --interval=*) interval="${arg#*=}" ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
color="$(live_color)"
[ "$color" != none ] || { echo "no live environment" >&2; exit 1; }
dir="$DEPLOY_ROOT/$color"
echo "monitoring $color (release $(cat "$dir/RELEASE")) for ${duration}s"
end=$(( $(date +%s) + duration ))
probes=0
while :; do
  probes=$((probes + 1))
  if [ "${MONITOR_FAIL:-0}" = 1 ]; then
    echo "::error title=Monitoring::probe $probes on $color: error rate 37% (MONITOR_FAIL=1)"
    exit 1
  fi
  PYTHONPATH="$dir" PYTHONDONTWRITEBYTECODE=1 python3 -c "from shared import mean; assert mean([2, 4]) == 3" \
    || { echo "::error title=Monitoring::probe $probes on $color failed"; exit 1; }
  [ "$(date +%s)" -lt "$end" ] || break
  sleep "$interval"
done
echo "$color healthy: $probes probes, no errors"
