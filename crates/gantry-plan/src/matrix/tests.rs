#![allow(clippy::unwrap_used)]

use super::*;
use serde_json::json;

/// Parses `strategy.matrix` of the only job of a workflow.
fn matrix(yaml: &str) -> Matrix {
    let src = format!(
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n{}\n    steps: [{{run: x}}]\n",
        yaml.lines()
            .map(|l| format!("        {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let (wf, _) = gantry_workflow::parse_workflow(&src);
    let wf = wf.unwrap();
    wf.jobs[0]
        .common()
        .strategy
        .clone()
        .unwrap()
        .matrix
        .unwrap()
}

fn scope() -> Scope {
    let mut c = Object::new();
    c.insert("github", Value::object(Object::new()));
    let mut inputs = Object::new();
    inputs.insert(
        "m",
        Value::from(r#"{"os": ["a", "b"], "include": [{"os": "a", "x": 1}]}"#),
    );
    c.insert("inputs", Value::object(inputs));
    c.insert("vars", Value::object(Object::new()));
    Scope::new(c)
}

fn cells(yaml: &str) -> Vec<serde_json::Value> {
    match resolve(&matrix(yaml), &scope()) {
        Resolved::Cells(c) => c.into_iter().map(|o| Value::object(o).to_json()).collect(),
        other => panic!("{other:?}"),
    }
}

fn error(yaml: &str) -> String {
    match resolve(&matrix(yaml), &scope()) {
        Resolved::Error(e) => e.to_string(),
        other => panic!("{other:?}"),
    }
}

/// The order example of "Using a matrix strategy".
#[test]
fn order_is_first_axis_slowest() {
    assert_eq!(
        cells("version: [10, 12, 14]\nos: [ubuntu-latest, windows-latest]"),
        [
            json!({"version": 10, "os": "ubuntu-latest"}),
            json!({"version": 10, "os": "windows-latest"}),
            json!({"version": 12, "os": "ubuntu-latest"}),
            json!({"version": 12, "os": "windows-latest"}),
            json!({"version": 14, "os": "ubuntu-latest"}),
            json!({"version": 14, "os": "windows-latest"}),
        ]
    );
}

/// "Expanding or adding matrix configurations": the fruit/animal example
/// and the six combinations the documentation lists.
#[test]
fn documented_include_example() {
    let got = cells(
        "fruit: [apple, pear]
animal: [cat, dog]
include:
  - color: green
  - color: pink
    animal: cat
  - fruit: apple
    shape: circle
  - fruit: banana
  - fruit: banana
    animal: cat",
    );
    assert_eq!(
        got,
        [
            json!({"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"}),
            json!({"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"}),
            json!({"fruit": "pear", "animal": "cat", "color": "pink"}),
            json!({"fruit": "pear", "animal": "dog", "color": "green"}),
            json!({"fruit": "banana"}),
            json!({"fruit": "banana", "animal": "cat"}),
        ]
    );
}

/// "Example: Expanding configurations".
#[test]
fn documented_expanding_example() {
    let got = cells(
        "os: [windows-latest, ubuntu-latest]
node: [14, 16]
include:
  - os: windows-latest
    node: 16
    npm: 6",
    );
    assert_eq!(got.len(), 4);
    assert_eq!(
        got[1],
        json!({"os": "windows-latest", "node": 16, "npm": 6})
    );
    assert_eq!(got[3], json!({"os": "ubuntu-latest", "node": 16}));
}

/// "Example: Adding configurations".
#[test]
fn documented_adding_example() {
    let got = cells(
        "os: [windows-latest, ubuntu-latest]
version: [12, 14, 16]
include:
  - os: windows-latest
    version: 17",
    );
    assert_eq!(got.len(), 7);
    assert_eq!(got[6], json!({"os": "windows-latest", "version": 17}));
}

/// Include-only matrices ("you can specify just include").
#[test]
fn documented_include_only_example() {
    let got = cells(
        "include:
  - site: production
    datacenter: site-a
  - site: staging
    datacenter: site-b",
    );
    assert_eq!(
        got,
        [
            json!({"site": "production", "datacenter": "site-a"}),
            json!({"site": "staging", "datacenter": "site-b"}),
        ]
    );
}

/// "Excluding matrix configurations": 12 combinations, minus one full and
/// two partial (`os: windows-latest, version: 16` × 2 environments) = 9.
#[test]
fn documented_exclude_example() {
    let got = cells(
        "os: [macos-latest, windows-latest]
version: [12, 14, 16]
environment: [staging, production]
exclude:
  - os: macos-latest
    version: 12
    environment: production
  - os: windows-latest
    version: 16",
    );
    assert_eq!(got.len(), 9);
    assert!(
        !got.contains(&json!({"os": "macos-latest", "version": 12, "environment": "production"}))
    );
    assert!(
        got.iter()
            .all(|c| !(c["os"] == "windows-latest" && c["version"] == 16))
    );
}

/// Excluded combinations are gone before include runs, and an include
/// entry can add one back as a new combination.
#[test]
fn exclude_runs_before_include() {
    let got = cells(
        "os: [a, b]
exclude:
  - os: b
include:
  - os: b
    extra: yes",
    );
    assert_eq!(
        got,
        [json!({"os": "a"}), json!({"os": "b", "extra": "yes"})]
    );
}

#[test]
fn object_and_array_values() {
    let got = cells(
        "cfg:
  - {name: App One, repo: user/app1}
  - {name: App Two, repo: user/app2}
flags: [[a, b]]
exclude:
  - cfg: {name: App Two}",
    );
    assert_eq!(
        got,
        [json!({"cfg": {"name": "App One", "repo": "user/app1"}, "flags": ["a", "b"]})]
    );
    let cell = Value::from_json(&got[0]);
    assert_eq!(
        cell_label(cell.as_object().unwrap()),
        "App One, user/app1, a, b"
    );
}

#[test]
fn expressions() {
    // A literal fromJSON is evaluated.
    assert_eq!(
        cells("os: ${{ fromJSON('[\"x\", \"y\"]') }}"),
        [json!({"os": "x"}), json!({"os": "y"})]
    );
    // A whole matrix from known inputs.
    let m = Matrix::Expr(gantry_workflow::ExprString::new(
        "${{ fromJSON(inputs.m) }}",
        gantry_workflow::Span::default(),
    ));
    match resolve(&m, &scope()) {
        Resolved::Cells(c) => assert_eq!(
            c.into_iter()
                .map(|o| Value::object(o).to_json())
                .collect::<Vec<_>>(),
            [json!({"os": "a", "x": 1}), json!({"os": "b"})]
        ),
        other => panic!("{other:?}"),
    }
    // From job outputs: dynamic.
    let m = Matrix::Expr(gantry_workflow::ExprString::new(
        "${{ fromJSON(needs.setup.outputs.matrix) }}",
        gantry_workflow::Span::default(),
    ));
    assert!(
        matches!(resolve(&m, &scope()), Resolved::Dynamic(d) if d == "needs.setup.outputs.matrix")
    );
    assert!(matches!(
        resolve(&matrix("os: ${{ fromJSON(needs.a.outputs.os) }}"), &scope()),
        Resolved::Dynamic(_)
    ));
    assert_eq!(
        error("os: '${{ fromJSON(''{\"a\": 1}'') }}'"),
        "matrix: axis 'os' must be an array, not an object"
    );
}

#[test]
fn errors_and_limits() {
    assert_eq!(error("os: []"), "matrix: axis 'os' has no values");
    assert_eq!(
        error("os: [a]\nexclude:\n  - arch: x"),
        "matrix: exclude key 'arch' is not an axis of the matrix"
    );
    let big = "a: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]\nb: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]\nc: [1, 2]";
    assert_eq!(
        error(big),
        "matrix: it produces 512 jobs, more than GitHub's limit of 256"
    );
    let exactly =
        "a: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]\nb: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]";
    assert_eq!(cells(exactly).len(), 256);
    assert_eq!(
        expand(&MatrixSpec::default()).unwrap_err(),
        MatrixError::NoVectors
    );
    // Everything excluded: no combinations.
    assert!(cells("os: [a]\nexclude:\n  - os: a").is_empty());
}

#[test]
fn labels() {
    let cell =
        Value::from_json(&json!({"os": "ubuntu", "py": 3.1, "empty": "", "n": null, "b": true}));
    assert_eq!(cell_label(cell.as_object().unwrap()), "ubuntu, 3.1, true");
}
