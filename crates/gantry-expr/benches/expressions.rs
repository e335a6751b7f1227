//! Parse + evaluate time for typical expressions.
//! Run: `cargo bench -p gantry-expr --bench expressions`.

use gantry_expr::{Contexts, ParseOptions, Value, evaluate, parse};

fn main() {
    divan::main();
}

fn host() -> Contexts<'static> {
    let json = serde_json::json!({
        "github": {
            "event_name": "push",
            "ref": "refs/heads/main",
            "sha": "2ce6b095f4cceb616efed52266e3e3c0367ba795",
            "repository": "octo/demo",
            "event": {"head_commit": {"message": "fix: thing [skip ci]"}}
        },
        "matrix": {"os": "ubuntu-latest", "python": "3.12", "shard": 2, "include": [{"a": 1}]},
        "runner": {"os": "Linux", "arch": "X64"},
    });
    match Value::from_json(&json) {
        Value::Object(o) => Contexts::new((*o).clone()),
        _ => unreachable!(),
    }
}

const CASES: &[(&str, &str)] = &[
    (
        "push_and_main",
        "github.event_name == 'push' && contains(github.ref, 'main')",
    ),
    (
        "format_five",
        "format('{0}-{1}-{2}-{3}-{4}', runner.os, matrix.python, matrix.shard, github.sha, github.repository)",
    ),
    ("json_round_trip", "fromJSON(toJSON(matrix))"),
    (
        "skip_ci",
        "!contains(github.event.head_commit.message, '[skip ci]') || startsWith(github.ref, 'refs/tags/')",
    ),
];

#[divan::bench(args = CASES.iter().map(|c| c.0))]
fn parse_and_evaluate(bencher: divan::Bencher, name: &str) {
    let src = CASES
        .iter()
        .find(|c| c.0 == name)
        .map(|c| c.1)
        .unwrap_or_default();
    let h = host();
    bencher.bench_local(|| {
        let e = parse(divan::black_box(src), &ParseOptions::default())
            .ok()
            .flatten();
        evaluate(e.as_ref(), &h).ok()
    });
}

#[divan::bench(args = CASES.iter().map(|c| c.0))]
fn parse_only(bencher: divan::Bencher, name: &str) {
    let src = CASES
        .iter()
        .find(|c| c.0 == name)
        .map(|c| c.1)
        .unwrap_or_default();
    bencher.bench_local(|| parse(divan::black_box(src), &ParseOptions::default()).ok());
}
