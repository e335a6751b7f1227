"""Compares benchmark timings against a baseline (the seed's comparison).

    python scripts/compare_benchmarks.py --current current.json \
        --baseline baseline.json --output comparison.md --threshold 0.1

Writes a Markdown table headed "## Benchmark Comparison" to --output. When
any benchmark is slower than its baseline by more than --threshold (0.1 =
10%), it also writes `regression.flag` (listing the regressions) next to
the output; the workflow's next step fails on that file. Exit status is 0
either way, as in the seed, so the comparison is still posted.
"""

import argparse
import json
import sys
from pathlib import Path


def load(path):
    return {name: entry["seconds"] for name, entry in json.loads(Path(path).read_text())["benchmarks"].items()}


def compare(current, baseline, threshold):
    rows, regressions = [], []
    for name in sorted(set(current) | set(baseline)):
        cur, base = current.get(name), baseline.get(name)
        if cur is None or base is None:
            rows.append((name, base, cur, None, "new" if base is None else "removed"))
            continue
        change = (cur - base) / base if base > 0 else 0.0
        if change > threshold:
            status = "regression"
            regressions.append((name, change))
        elif change < -threshold:
            status = "faster"
        else:
            status = "ok"
        rows.append((name, base, cur, change, status))
    return rows, regressions


def fmt_ms(seconds):
    return "–" if seconds is None else f"{seconds * 1000:.3f} ms"


def render(rows, regressions, threshold):
    icon = {"regression": "❌ regression", "faster": "🚀 faster", "ok": "✅ ok", "new": "🆕 new", "removed": "➖ removed"}
    lines = [
        "## Benchmark Comparison",
        "",
        f"Threshold: a benchmark more than {threshold:.0%} slower than the base is a regression.",
        "",
        "| benchmark | base | head | change | status |",
        "|---|---:|---:|---:|---|",
    ]
    for name, base, cur, change, status in rows:
        delta = "–" if change is None else f"{change:+.1%}"
        lines.append(f"| `{name}` | {fmt_ms(base)} | {fmt_ms(cur)} | {delta} | {icon[status]} |")
    lines.append("")
    if regressions:
        names = ", ".join(f"`{n}` ({c:+.1%})" for n, c in regressions)
        lines.append(f"**{len(regressions)} regression(s):** {names}")
    else:
        lines.append("No regression.")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--current", required=True)
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--output", default="comparison.md")
    parser.add_argument("--threshold", type=float, default=0.1)
    args = parser.parse_args(argv)
    rows, regressions = compare(load(args.current), load(args.baseline), args.threshold)
    output = Path(args.output)
    output.write_text(render(rows, regressions, args.threshold))
    flag = output.parent / "regression.flag"
    if regressions:
        flag.write_text("".join(f"{n} {c:+.3f}\n" for n, c in regressions))
        print(f"regression: {', '.join(n for n, _ in regressions)} (see {output})")
    else:
        flag.unlink(missing_ok=True)
        print(f"no regression (see {output})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
