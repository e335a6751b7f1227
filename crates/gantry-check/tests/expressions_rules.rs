//! The expression rules on small inline workflows and actions: each finding's
//! rule id, severity and exact line:column.

#![allow(clippy::unwrap_used)]

use gantry_check::rules::expressions::RULES;
use gantry_check::{Config, Diagnostic, NoRepo, Repo, check_action, check_workflow};

/// `(rule, line, column, is_error)` of every finding of this module's rules.
type Found = Vec<(&'static str, u32, u32, bool)>;

fn ours(diags: Vec<Diagnostic>) -> Found {
    diags
        .into_iter()
        .filter(|d| RULES.iter().any(|(id, _)| *id == d.rule))
        .map(|d| (d.rule, d.span.start.line, d.span.start.column, d.is_error()))
        .collect()
}

fn wf(src: &str) -> Found {
    ours(check_workflow(src, None, &Config::default(), &NoRepo))
}

fn full(src: &str) -> Vec<Diagnostic> {
    check_workflow(src, None, &Config::default(), &NoRepo)
        .into_iter()
        .filter(|d| RULES.iter().any(|(id, _)| *id == d.rule))
        .collect()
}

fn action(src: &str) -> Found {
    ours(check_action(src, None, &Config::default(), &NoRepo))
}

const E: bool = true;
const W: bool = false;

// ---- expression-syntax ----------------------------------------------------

#[test]
fn syntax_error_at_exact_column() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        continue-on-error: ${{ env.OS == \"macos-latest\" }}
";
    let d = full(src);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].rule, "expression-syntax");
    assert_eq!((d[0].span.start.line, d[0].span.start.column), (7, 42));
    assert!(
        d[0].message.starts_with("Unexpected symbol"),
        "{}",
        d[0].message
    );
    assert!(d[0].hint.as_deref().unwrap().contains("single quotes"));
}

#[test]
fn unclosed_and_empty_expressions() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo \"${{ github.sha\"
      - run: echo ${{ }} and ${{ 1 == }}
";
    assert_eq!(
        wf(src),
        vec![
            ("expression-syntax", 6, 20, E),
            ("expression-syntax", 7, 19, E),
            ("expression-syntax", 7, 36, E),
        ]
    );
}

#[test]
fn syntax_in_bare_if_env_key_and_matrix_value() {
    let src = "on: push
env:
  ${{ github.sha ]] }}: x
jobs:
  a:
    if: github.ref ==
    runs-on: ubuntu-latest
    strategy:
      matrix:
        os: ['${{ (1 }}']
    steps:
      - run: echo
";
    assert_eq!(
        wf(src),
        vec![
            ("expression-syntax", 3, 18, E),
            ("expression-syntax", 6, 20, E),
            ("expression-syntax", 10, 20, E),
        ]
    );
}

#[test]
fn every_expression_of_a_template_is_checked() {
    // An error in the first `${{ }}` does not hide one in the second.
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ 1 + }} ${{ githb.sha }}
";
    assert_eq!(
        wf(src),
        vec![
            ("expression-syntax", 6, 25, E),
            ("unknown-context", 6, 34, E)
        ]
    );
}

// ---- unknown-context / unknown-function -----------------------------------

#[test]
fn unknown_context_with_suggestion() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ githb.sha }}
";
    let d = full(src);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].rule, "unknown-context");
    assert_eq!((d[0].span.start.line, d[0].span.start.column), (6, 23));
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `github`?"));
}

#[test]
fn unknown_function_with_suggestion() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ fromJosn('{}') }} ${{ toJSON(github) }}
";
    let d = full(src);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].rule, "unknown-function");
    assert_eq!((d[0].span.start.line, d[0].span.start.column), (6, 23));
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `fromJSON`?"));
}

// ---- context-availability / function-availability --------------------------

#[test]
fn contexts_not_available_at_their_place() {
    let src = "on: push
run-name: Deploy ${{ matrix.os }}
env:
  A: ${{ runner.os }}
  B: ${{ secrets.TOKEN }}
jobs:
  a:
    if: ${{ steps.x.outputs.y == 'z' }}
    runs-on: ${{ env.RUNNER }}
    steps:
      - id: x
        run: echo
        if: secrets.TOKEN != ''
        shell: ${{ matrix.shell }}
";
    assert_eq!(
        wf(src),
        vec![
            ("context-availability", 2, 22, E),
            ("context-availability", 4, 10, E),
            ("context-availability", 8, 13, E),
            ("context-availability", 9, 18, E),
            ("context-availability", 13, 13, E),
            ("context-availability", 14, 20, E),
        ]
    );
}

#[test]
fn special_functions_only_where_allowed() {
    let src = "on: push
jobs:
  a:
    if: always() && hashFiles('x') != ''
    runs-on: ${{ hashFiles('x') }}
    env:
      A: ${{ success() }}
    steps:
      - run: echo ${{ hashFiles('**/lock') }} ${{ failure() }}
        if: failure() || hashFiles('x') != ''
";
    assert_eq!(
        wf(src),
        vec![
            ("function-availability", 4, 21, E),
            ("function-availability", 5, 18, E),
            ("function-availability", 7, 14, E),
            ("function-availability", 9, 51, E),
        ]
    );
}

#[test]
fn call_job_and_workflow_call_places() {
    let src = "on:
  workflow_call:
    inputs:
      x:
        type: string
        default: ${{ env.X }}
    outputs:
      o:
        value: ${{ jobs.b.outputs.r }}
jobs:
  b:
    runs-on: ubuntu-latest
    outputs:
      r: ${{ steps.s.outputs.r }}
    steps:
      - id: s
        run: echo
  c:
    uses: ./.github/workflows/w.yml
    with:
      i: ${{ runner.os }}
    secrets:
      t: ${{ secrets.T }}
";
    assert_eq!(
        wf(src),
        vec![
            ("context-availability", 6, 22, E),
            ("context-availability", 21, 14, E)
        ]
    );
}

// ---- unknown-property -----------------------------------------------------

#[test]
fn builtin_context_properties() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ github.event_nme }} ${{ GITHUB.Event.whatever.x }} ${{ runner.workspace }}
      - run: echo ${{ runner.osx }} ${{ job.status }} ${{ strategy.job-index }} ${{ env.ANY }} ${{ vars.X }}
";
    let d = full(src);
    let found: Vec<_> = d
        .iter()
        .map(|d| (d.span.start.line, d.span.start.column, d.is_error()))
        .collect();
    assert_eq!(found, vec![(6, 23, W), (7, 23, W)]);
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `event_name`?"));
}

#[test]
fn matrix_keys_from_axes_and_include() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        os: [ubuntu-latest]
        include:
          - os: windows-latest
            extra: x
    steps:
      - run: echo ${{ matrix.os }} ${{ matrix.EXTRA }} ${{ matrix.oss }}
  b:
    runs-on: ubuntu-latest
    strategy:
      matrix: ${{ fromJSON(needs.x.outputs.m) }}
    steps:
      - run: echo ${{ matrix.anything }}
  c:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ matrix.os }}
";
    let found = wf(src);
    assert!(
        found.contains(&("unknown-property", 12, 60, W)),
        "{found:?}"
    );
    assert!(
        found.contains(&("unknown-property", 22, 23, W)),
        "{found:?}"
    );
    assert_eq!(
        found
            .iter()
            .filter(|f| f.0 == "unknown-property" && f.1 != 16)
            .count(),
        2,
        "{found:?}"
    );
}

#[test]
fn needs_are_direct_only_and_outputs_declared() {
    let src = "on: push
jobs:
  first:
    runs-on: ubuntu-latest
    outputs:
      one: x
    steps:
      - run: echo
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.first.outputs.one }} ${{ needs.FIRST.result }}
      - run: echo ${{ needs.first.outputs.two }}
  third:
    needs: [second]
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.first.outputs.one }} ${{ needs.nope.result }}
      - run: echo ${{ needs.second.status }} ${{ toJSON(needs.second.outputs) }}
";
    assert_eq!(
        wf(src),
        vec![
            ("unknown-property", 14, 23, E),
            ("unknown-property", 19, 23, E),
            ("unknown-property", 19, 54, E),
            ("unknown-property", 20, 23, E),
        ]
    );
}

#[test]
fn steps_must_come_earlier() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      v: ${{ steps.late.outputs.v }}
    steps:
      - run: echo ${{ steps.late.outputs.v }}
      - id: early
        run: echo
      - run: echo ${{ steps.early.outputs.anything }} ${{ steps.Early.outcome }} ${{ steps.early.result }}
      - id: late
        run: echo ${{ steps.late.conclusion }} ${{ steps.missing.outcome }}
";
    assert_eq!(
        wf(src),
        vec![
            ("unknown-property", 8, 23, E),
            ("unknown-property", 11, 86, E),
            ("unknown-property", 13, 23, E),
            ("unknown-property", 13, 52, E),
        ]
    );
}

#[test]
fn inputs_of_call_and_dispatch() {
    let src = "on:
  workflow_call:
    inputs:
      a:
        type: string
  workflow_dispatch:
    inputs:
      b:
        type: string
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ inputs.a }} ${{ inputs.B }} ${{ inputs.c }} ${{ github.event.inputs.zz }}
";
    assert_eq!(wf(src), vec![("unknown-property", 14, 55, E)]);
    let dispatch_only = "on:
  workflow_dispatch:
    inputs:
      b:
        type: string
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ github.event.inputs.b }} ${{ github.event.inputs.zz }}
";
    assert_eq!(wf(dispatch_only), vec![("unknown-property", 10, 52, W)]);
    let no_trigger = "on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ inputs.x }}
";
    assert_eq!(wf(no_trigger), vec![("unknown-property", 6, 23, W)]);
}

#[test]
fn workflow_call_outputs_name_job_outputs() {
    let src = "on:
  workflow_call:
    outputs:
      a:
        value: ${{ jobs.j.outputs.out }}
      b:
        value: ${{ jobs.j.outputs.nope }}
      c:
        value: ${{ jobs.k.result }}
jobs:
  j:
    runs-on: ubuntu-latest
    outputs:
      out: x
    steps:
      - run: echo
";
    assert_eq!(
        wf(src),
        vec![
            ("unknown-property", 7, 20, E),
            ("unknown-property", 9, 20, E)
        ]
    );
}

struct Files<'a>(&'a [(&'a str, &'a str)]);

impl Repo for Files<'_> {
    fn read(&self, path: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, t)| (*t).to_owned())
    }
}

#[test]
fn outputs_of_reusable_workflows() {
    let src = "on: push
jobs:
  local:
    uses: ./.github/workflows/callee.yml
  remote:
    uses: owner/repo/.github/workflows/w.yml@v1
  use:
    needs: [local, remote]
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.local.outputs.built }} ${{ needs.local.outputs.nope }} ${{ needs.remote.outputs.any }}
";
    const CALLEE: &str = "on:
  workflow_call:
    outputs:
      built:
        value: ${{ jobs.b.outputs.x }}
jobs:
  b:
    runs-on: ubuntu-latest
    outputs:
      x: y
    steps:
      - run: echo
";
    let repo = Files(&[(".github/workflows/callee.yml", CALLEE)]);
    let found = ours(check_workflow(src, None, &Config::default(), &repo));
    assert_eq!(found, vec![("unknown-property", 11, 56, E)]);
    // Without the callee, its outputs are unknown: nothing is reported.
    assert_eq!(wf(src), vec![]);
}

// ---- if-always-true -------------------------------------------------------

#[test]
fn if_with_text_outside_braces() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo
        if: ${{ github.ref }} == 'refs/heads/main'
      - run: echo
        if: |
          ${{ false }}
      - run: echo
        if: ${{ github.ref == 'x' }}
      - run: echo
        if: \"!${{ true }}\"
";
    assert_eq!(
        wf(src),
        vec![
            ("if-always-true", 7, 13, E),
            ("if-always-true", 9, 13, E),
            ("if-always-true", 14, 13, E),
        ]
    );
}

// ---- deprecated-command ---------------------------------------------------

#[test]
fn deprecated_and_disabled_commands() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo '::set-output name=a::b'
      - run: |
          echo ok
          echo \"::set-env name=A::b\"
          echo \"::save-state name=a::b\"
          echo \"::add-path::/x\"
          echo \"::debug::fine\"
      - run: echo '::set-env name=A::b'
        env:
          ACTIONS_ALLOW_UNSECURE_COMMANDS: true
";
    assert_eq!(
        wf(src),
        vec![
            ("deprecated-command", 6, 20, W),
            ("deprecated-command", 9, 17, E),
            ("deprecated-command", 10, 17, W),
            ("deprecated-command", 11, 17, E),
            ("deprecated-command", 13, 20, W),
        ]
    );
    let d = full(src);
    assert!(d[0].hint.as_deref().unwrap().contains("$GITHUB_OUTPUT"));
}

// ---- invalid-literal-argument ---------------------------------------------

#[test]
fn literal_arguments_that_always_fail() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ fromJSON('{\"a\":') }} ${{ fromJSON('[1]')[0] }}
      - run: echo ${{ format('{1}', github.sha) }} ${{ format('{0}', github.sha) }}
";
    assert_eq!(
        wf(src),
        vec![
            ("invalid-literal-argument", 6, 32, E),
            ("invalid-literal-argument", 7, 30, E)
        ]
    );
}

// ---- actions --------------------------------------------------------------

#[test]
fn composite_action_steps_and_inputs() {
    let src = "name: a
description: d
inputs:
  shell:
    description: s
outputs:
  out:
    description: o
    value: ${{ steps.s.outputs.v }}
runs:
  using: composite
  steps:
    - id: s
      run: echo ${{ inputs.shell }} ${{ inputs.nope }} ${{ steps.s.outputs.v }}
      shell: ${{ inputs.shell }}
    - run: echo \"::set-output name=v::x\" ${{ steps.s.outputs.v }} ${{ githb.x }}
      shell: bash
      if: ${{ success() }} && true
";
    assert_eq!(
        action(src),
        vec![
            ("unknown-property", 14, 41, E),
            ("unknown-property", 14, 60, E),
            ("deprecated-command", 16, 18, W),
            ("unknown-context", 16, 71, E),
            ("if-always-true", 18, 11, E),
        ]
    );
}

#[test]
fn rule_table_lists_every_id() {
    let ids: Vec<&str> = RULES.iter().map(|(id, _)| *id).collect();
    for id in [
        "expression-syntax",
        "unknown-context",
        "context-availability",
        "unknown-function",
        "function-availability",
        "unknown-property",
        "if-always-true",
        "deprecated-command",
        "invalid-literal-argument",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
}

#[test]
fn steps_in_parallel_groups() {
    let src = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ steps.p1.outputs.x }}
      - parallel:
          - id: p1
            run: echo
          - id: p2
            run: echo ${{ matrix.nope }}
      - run: echo ${{ steps.p1.outputs.x }} ${{ steps.p2.outcome }}
";
    assert_eq!(
        wf(src),
        vec![
            ("unknown-property", 6, 23, E),
            ("unknown-property", 11, 27, W)
        ]
    );
}
