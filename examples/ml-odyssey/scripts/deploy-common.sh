# Sourced by the deployment scripts. The "environments" are local folders:
#   $DEPLOY_ROOT/blue/, $DEPLOY_ROOT/green/   one release each
#   $DEPLOY_ROOT/live -> blue|green           the traffic pointer (a symlink)
#   $DEPLOY_ROOT/traffic.log                  every switch, with time and release
DEPLOY_ROOT="${DEPLOY_ROOT:-$PWD/.deploy}"
mkdir -p "$DEPLOY_ROOT"

color_arg() {
  case "${1:-}" in
    blue|green) echo "$1" ;;
    *) echo "usage: $(basename "$0") blue|green" >&2; exit 2 ;;
  esac
}

live_color() {
  if [ -L "$DEPLOY_ROOT/live" ]; then basename "$(readlink "$DEPLOY_ROOT/live")"; else echo none; fi
}
