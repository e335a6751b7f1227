#!/usr/bin/env bash
# deploy.sh blue|green — installs this checkout as a release in that environment.
# The first deployment also creates the other colour as the "previous release"
# and points traffic at it, so there is always something to roll back to.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/deploy-common.sh"
color="$(color_arg "${1:-}")"
src="$(cd "$here/.." && pwd)"
release="${GITHUB_SHA:-$(git -C "$src" rev-parse HEAD 2>/dev/null || echo local)}"

install_release() { # $1 colour, $2 release id
  local dir="$DEPLOY_ROOT/$1"
  rm -rf "$dir.new"
  mkdir -p "$dir.new"
  cp -r "$src/shared" "$src/papers" "$dir.new/"
  find "$dir.new" -name __pycache__ -prune -exec rm -rf {} +
  echo "$2" > "$dir.new/RELEASE"
  date -u +%Y-%m-%dT%H:%M:%SZ > "$dir.new/DEPLOYED_AT"
  rm -rf "$dir"
  mv "$dir.new" "$dir"
}

if [ "$(live_color)" = none ]; then
  other=blue; [ "$color" = blue ] && other=green
  install_release "$other" "previous-release"
  ln -sfn "$other" "$DEPLOY_ROOT/live"
  echo "bootstrapped $other as the live environment (previous release)"
fi
if [ "$(live_color)" = "$color" ]; then
  echo "refusing to deploy over the live environment ($color)" >&2
  exit 1
fi
install_release "$color" "$release"
echo "deployed release $release to $color ($DEPLOY_ROOT/$color); traffic still on $(live_color)"
