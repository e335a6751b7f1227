#!/usr/bin/env bash
# smoke-test.sh blue|green — imports the release in that environment and runs
# a few calculations with it, before any traffic reaches it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/deploy-common.sh"
color="$(color_arg "${1:-}")"
dir="$DEPLOY_ROOT/$color"
[ -f "$dir/RELEASE" ] || { echo "no release in $color" >&2; exit 1; }
PYTHONPATH="$dir" PYTHONDONTWRITEBYTECODE=1 python3 - <<'PY'
from shared import Matrix, mean, softmax
from papers.attention import attend
from papers.perceptron import Perceptron
assert mean([1, 2, 3]) == 2
assert abs(sum(softmax([1.0, 2.0])) - 1) < 1e-9
assert Matrix.identity(2) @ Matrix.identity(2) == Matrix.identity(2)
assert len(attend([1.0], [[1.0]], [[2.0]])) == 1
p = Perceptron(2); p.fit([([0, 0], 0), ([1, 1], 1)])
assert p.predict([1, 1]) == 1
print("smoke tests passed")
PY
echo "$color: release $(cat "$dir/RELEASE") is healthy"
