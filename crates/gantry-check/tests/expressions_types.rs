//! `expression-type`, `constant-condition` and `untrusted-input` on small
//! inline workflows and actions: each finding's rule, exact line:column and
//! severity, and the places where nothing must be reported.

#![allow(clippy::unwrap_used)]

use gantry_check::{Config, Diagnostic, NoRepo, check_action, check_workflow};

const RULES: &[&str] = &["expression-type", "constant-condition", "untrusted-input"];

/// `(rule, line, column, is_error)`.
type Found = Vec<(&'static str, u32, u32, bool)>;

fn ours(diags: Vec<Diagnostic>) -> Found {
    diags
        .into_iter()
        .filter(|d| RULES.contains(&d.rule))
        .map(|d| (d.rule, d.span.start.line, d.span.start.column, d.is_error()))
        .collect()
}

fn wf(src: &str) -> Found {
    ours(check_workflow(src, None, &Config::default(), &NoRepo))
}

fn messages(src: &str) -> Vec<String> {
    check_workflow(src, None, &Config::default(), &NoRepo)
        .into_iter()
        .filter(|d| RULES.contains(&d.rule))
        .map(|d| d.message)
        .collect()
}

const E: bool = true;
const W: bool = false;
const T: &str = "expression-type";

/// A workflow whose one job has `matrix` (YAML under `matrix:`) and `steps`.
fn job(matrix: &str, steps: &str) -> String {
    format!(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n{matrix}    steps:\n{steps}"
    )
}

// ---- comparisons -----------------------------------------------------------

#[test]
fn comparisons_with_a_fixed_or_meaningless_result() {
    let src = job(
        "        o: [{ a: 1 }]\n        l: [[true]]\n",
        "      - run: echo ${{ 'x' == matrix.o }}
      - run: echo ${{ 1 != matrix.l }}
      - run: echo ${{ 1 > null }}
      - run: echo ${{ false < true }}
      - run: echo ${{ matrix.o.a >= 1 }}
",
    );
    // The steps start at line 10.
    assert_eq!(
        wf(&src),
        vec![
            (T, 10, 23, E),
            (T, 11, 23, E),
            (T, 12, 23, E),
            (T, 13, 23, E)
        ]
    );
    let m = messages(&src);
    assert!(m[0].contains("always false"), "{}", m[0]);
    assert!(m[1].contains("always true"), "{}", m[1]);
}

#[test]
fn ordinary_comparisons_are_fine() {
    let src = "on:
  workflow_dispatch:
    inputs:
      n:
        type: number
      flag:
        type: boolean
jobs:
  a:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        o: [{ a: 1 }]
    steps:
      - run: echo hi
        if: github.run_attempt > 1 && inputs.n >= 2 && inputs.flag == true
      - run: echo hi
        if: matrix.o == null || steps.x.outputs.y < '3' || fromJSON(env.X) > 2
      - run: echo ${{ github.event.commits == github.event.pages }}
";
    assert_eq!(wf(src), vec![]);
}

// ---- properties and indexes -----------------------------------------------

#[test]
fn properties_of_values_that_have_none() {
    let src = job(
        "        test: ['${{ github.retention_days }}']\n        o: [{ a: 1 }, { b: x }]\n",
        "      - run: echo ${{ vars.FOO.bar }}
      - run: echo ${{ matrix.test.foo }}
      - run: echo ${{ matrix.o.c }} ${{ matrix.o.b }}
",
    );
    assert_eq!(
        wf(&src),
        vec![(T, 10, 23, E), (T, 11, 23, E), (T, 12, 32, W)]
    );
}

#[test]
fn keys_of_the_wrong_type() {
    let src = "on:
  workflow_dispatch:
    inputs:
      flag:
        type: boolean
      name:
        type: string
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ github[inputs.flag] }} ${{ github[github.event.inputs.flag] }}
      - run: echo ${{ fromJSON('[1, 2]')[inputs.name] }} ${{ fromJSON('[1, 2]')[0] }}
";
    assert_eq!(wf(src), vec![(T, 12, 30, E), (T, 13, 42, E)]);
}

// ---- values that must be text, objects or labels ---------------------------

#[test]
fn objects_arrays_and_null_in_text() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: s
        run: echo \"${{ github.event }} ${{ steps.s.outputs }} ${{ github.event.commits.* }}\"
      - run: echo ${{ null }} ${{ toJSON(github.event) }} ${{ github.event.number }}
      - run: echo \"$X\"
        env: ${{ fromJSON('{\"X\":\"y\"}') }}
      - uses: actions/cache@v4
        with:
          key: ${{ vars }}
";
    assert_eq!(
        wf(src),
        vec![
            (T, 7, 20, E),
            (T, 7, 40, E),
            (T, 7, 63, E),
            (T, 8, 19, E),
            (T, 13, 16, E)
        ]
    );
}

#[test]
fn object_where_labels_or_an_object_are_needed() {
    let src = "on: push
jobs:
  a:
    strategy:
      matrix:
        x: [{ foo: a }]
    runs-on: ${{ matrix.x }}
    services: ${{ 'redis' }}
    container:
      image: alpine
      credentials: ${{ 'user:pass' }}
    steps:
      - run: echo
  b:
    runs-on: ${{ fromJSON('[\"ubuntu-latest\"]') }}
    services: ${{ fromJSON('{}') }}
    container:
      image: alpine
      credentials: ${{ fromJSON('{}') }}
    steps:
      - run: echo
";
    assert_eq!(wf(src), vec![(T, 7, 14, E), (T, 8, 15, E), (T, 11, 20, E)]);
}

#[test]
fn function_arguments_and_matrix_values_from_json() {
    let src = job(
        "        include:\n          - o: ${{ fromJSON('{\"a\":[false]}') }}\n            s: ${{ fromJSON('\"x\"') }}\n",
        "      - run: echo ${{ contains(matrix.o, matrix.s) }} ${{ contains(matrix.o.a, false) }}
      - run: echo ${{ startsWith(matrix.o.a, 'x') }} ${{ matrix.o.a }}
",
    );
    assert_eq!(
        wf(&src),
        vec![(T, 11, 32, E), (T, 12, 34, E), (T, 12, 54, E)]
    );
}

#[test]
fn workflow_call_input_defaults() {
    let src = "on:
  workflow_call:
    inputs:
      a:
        type: string
        default: ${{ inputs.b }}
      b:
        type: string
        default: ${{ inputs.a }}
      c:
        type: boolean
        default: ${{ inputs.b }}
      d:
        type: number
        default: ${{ inputs.c }}
      e:
        type: boolean
        default: ${{ inputs.c }}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ inputs.c }}
";
    assert_eq!(wf(src), vec![(T, 12, 18, E), (T, 15, 18, E)]);
    let all = check_workflow(src, None, &Config::default(), &NoRepo);
    let order: Vec<_> = all
        .iter()
        .filter(|d| d.rule == "unknown-property")
        .map(|d| (d.span.start.line, d.is_error()))
        .collect();
    assert_eq!(order, vec![(6, W)]);
}

// ---- constant-condition ----------------------------------------------------

#[test]
fn constant_conditions_are_warnings() {
    let src = "on: push
jobs:
  a:
    if: false
    runs-on: ubuntu-latest
    steps:
      - run: echo
        if: ${{ true }}
      - run: echo
        if: '1 == 2'
      - run: echo
        if: |
          true
      - run: echo
        if: contains(format('{0}', 'ab'), 'b')
";
    assert_eq!(
        wf(src),
        vec![
            ("constant-condition", 4, 9, W),
            ("constant-condition", 8, 13, W),
            ("constant-condition", 10, 13, W),
            ("constant-condition", 12, 13, W),
            ("constant-condition", 15, 13, W)
        ]
    );
}

#[test]
fn conditions_that_depend_on_the_run() {
    let src = "on: push
jobs:
  a:
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - run: echo
        if: always()
      - run: echo
        if: ${{ hashFiles('x') != '' }}
      - run: echo
        if: ${{ !cancelled() && true }}
";
    assert_eq!(wf(src), vec![]);
}

// ---- untrusted-input -------------------------------------------------------

#[test]
fn untrusted_input_in_scripts() {
    let src = "on: pull_request_target
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo \"${{ github.event.pull_request.title }}\"
      - run: |
          echo start
          git checkout ${{ github.head_ref }}
      - uses: actions/github-script@v7
        with:
          script: |
            console.log('${{ github.event.commits[0].message }}')
      - run: echo ${{ github.event.issue.title == 'x' }} ${{ contains(github.event.comment.body, '/ok') }}
      - run: echo \"$TITLE\"
        env:
          TITLE: ${{ github.event.pull_request.title }}
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.head_ref }}
";
    assert_eq!(
        wf(src),
        vec![
            ("untrusted-input", 6, 24, W),
            ("untrusted-input", 9, 28, W),
            ("untrusted-input", 13, 30, W)
        ]
    );
    let m = messages(src);
    assert!(m[2].contains("github.event.commits.*.message"), "{}", m[2]);
}

#[test]
fn untrusted_input_in_composite_actions() {
    let src = "name: x
description: y
runs:
  using: composite
  steps:
    - run: echo ${{ github.event.review.body }}
      shell: bash
";
    let found = ours(check_action(src, None, &Config::default(), &NoRepo));
    assert_eq!(found, vec![("untrusted-input", 6, 21, W)]);
}

#[test]
fn format_arguments_never_used() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ format('{0}-{{1}}', github.sha, github.ref) }} ${{ format('{1}{0}', 'a', 'b') }}
";
    assert_eq!(wf(src), vec![(T, 6, 55, W)]);
}
