#!/usr/bin/env bash
# switch-traffic.sh blue|green — points the traffic pointer at that environment
# (an atomic symlink swap) and logs the switch.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/deploy-common.sh"
color="$(color_arg "${1:-}")"
[ -f "$DEPLOY_ROOT/$color/RELEASE" ] || { echo "nothing deployed in $color" >&2; exit 1; }
from="$(live_color)"
ln -sfn "$color" "$DEPLOY_ROOT/live.next"
mv -Tf "$DEPLOY_ROOT/live.next" "$DEPLOY_ROOT/live"
line="$(date -u +%Y-%m-%dT%H:%M:%SZ) traffic $from -> $color (release $(cat "$DEPLOY_ROOT/$color/RELEASE"))"
echo "$line" | tee -a "$DEPLOY_ROOT/traffic.log"
