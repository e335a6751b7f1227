"""Runs every benchmark and writes the timings as JSON.

    python benchmarks/run_all.py --output results.json

Each benchmark runs at least `--repeat` times and for at least `--budget`
seconds; the best (minimum) time is kept, the usual way to damp noise. The output is
{"benchmarks": {"name": {"seconds": s, "repeat": n}}, "python": "3.11.7"}.

`--merge` keeps, per benchmark, the best of this run and the one already in
the output file: the benchmark workflow alternates rounds of the head and the
base so that both see the same machine load.

`SLOW_BENCH=name` (or a file `benchmarks/SLOW` holding the name) makes that
benchmark do extra work: the switch the example's regression demo uses.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from papers.attention import attend  # noqa: E402
from papers.linear_regression import fit_line  # noqa: E402
from papers.perceptron import Perceptron  # noqa: E402
from shared import Matrix, softmax  # noqa: E402


def slow_benchmark():
    name = os.environ.get("SLOW_BENCH", "")
    marker = Path(__file__).resolve().parent / "SLOW"
    if not name and marker.exists():
        name = marker.read_text().strip()
    return name


def bench_matmul():
    m = Matrix([[float(i * j % 7) for j in range(40)] for i in range(40)])
    m @ m


def bench_softmax():
    softmax([float(i % 13) for i in range(50000)])


def bench_attention():
    keys = [[float((i + j) % 5) for j in range(32)] for i in range(256)]
    attend([1.0] * 32, keys, keys)


def bench_perceptron():
    data = [([float(i % 3), float(i % 5)], int(i % 3 > 0)) for i in range(300)]
    Perceptron(2).fit(data, epochs=10)


def bench_linear_regression():
    xs = list(range(50))
    fit_line(xs, [3 * x + 1 for x in xs], steps=600, lr=0.0005)


BENCHMARKS = {
    "matmul_40": bench_matmul,
    "softmax_50000": bench_softmax,
    "attention_256x32": bench_attention,
    "perceptron_fit": bench_perceptron,
    "linear_regression_fit": bench_linear_regression,
}


def time_one(fn, repeat, budget, slow):
    """The best of at least `repeat` runs, more while under `budget` seconds.
    Times are the process's CPU time, not wall time: on a busy machine (the
    other jobs of the same run, say) waiting for a core is not counted, and
    the minimum is the run least disturbed by cache and frequency effects."""
    fn()  # warm-up
    best, runs, spent = float("inf"), 0, 0.0
    while runs < repeat or spent < budget:
        start = time.process_time()
        fn()
        if slow:
            fn()  # the regression demo: three times the work
            fn()
        elapsed = time.process_time() - start
        best, runs, spent = min(best, elapsed), runs + 1, spent + elapsed
    return best, runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="results.json")
    parser.add_argument("--repeat", type=int, default=7, help="at least this many runs of each benchmark")
    parser.add_argument("--budget", type=float, default=0.5, help="seconds to keep repeating each benchmark")
    parser.add_argument("--merge", action="store_true", help="keep the better of this run and the one already in --output")
    args = parser.parse_args(argv)
    slow = slow_benchmark()
    results = {}
    for name, fn in BENCHMARKS.items():
        seconds, runs = time_one(fn, args.repeat, args.budget, slow == name)
        results[name] = {"seconds": seconds, "repeat": runs}
        print(f"{name:24} {seconds * 1000:9.3f} ms  (best of {runs})")
    output = Path(args.output)
    if args.merge and output.exists():
        for name, old in json.loads(output.read_text())["benchmarks"].items():
            if name in results and old["seconds"] < results[name]["seconds"]:
                results[name]["seconds"] = old["seconds"]
            if name in results:
                results[name]["repeat"] += old["repeat"]
    output.write_text(
        json.dumps({"benchmarks": results, "python": platform.python_version()}, indent=2) + "\n"
    )
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
