//! The typed model and its diagnostics.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap too

use gantry_workflow::{
    Action, BoolOrExpr, CallSecrets, ConcurrencyQueue, Condition, Diagnostic, DispatchInputType,
    Job, Matrix, MatrixValues, PermissionLevel, PermissionScope, Permissions, Runs, RunsOn, Scalar,
    Severity, Step, TriggerConfig, UsesTarget, Workflow, parse_action, parse_workflow, rules,
};

fn ok(src: &str) -> Workflow {
    let (wf, diags) = parse_workflow(src);
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
    wf.unwrap()
}

fn diags(src: &str) -> Vec<Diagnostic> {
    parse_workflow(src).1
}

fn rules_of(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.rule).collect()
}

fn action_ok(src: &str) -> Action {
    let (a, diags) = parse_action(src);
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
    a.unwrap()
}

const MINIMAL_JOBS: &str =
    "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";

#[test]
fn on_string_list_and_map_forms() {
    let wf = ok(&format!("on: push\n{MINIMAL_JOBS}"));
    let on = wf.on.unwrap();
    assert_eq!(on.triggers.len(), 1);
    assert_eq!(on.triggers[0].event.value, "push");

    let wf = ok(&format!("on: [push, pull_request]\n{MINIMAL_JOBS}"));
    assert_eq!(wf.on.unwrap().triggers.len(), 2);

    let wf = ok(&format!(
        "on:\n  push:\n    branches: [main]\n    paths-ignore: ['docs/**']\n  pull_request:\n    types: [opened, synchronize]\n  schedule:\n    - cron: '0 0 * * *'\n      timezone: Europe/Paris\n  workflow_run:\n    workflows: [CI]\n    types: [completed]\n  fork:\n  merge_group:\n{MINIMAL_JOBS}"
    ));
    let on = wf.on.unwrap();
    assert_eq!(on.triggers.len(), 6);
    let TriggerConfig::Filters(push) = &on.get("push").unwrap().config else {
        panic!("push filters");
    };
    assert_eq!(push.branches.as_ref().unwrap().items[0].value, "main");
    assert_eq!(
        push.paths_ignore.as_ref().unwrap().items[0].value,
        "docs/**"
    );
    let TriggerConfig::Schedule(s) = &on.get("schedule").unwrap().config else {
        panic!("schedule");
    };
    assert_eq!(s[0].cron.value, "0 0 * * *");
    assert_eq!(s[0].timezone.as_ref().unwrap().value, "Europe/Paris");
    assert_eq!(on.get("fork").unwrap().config, TriggerConfig::None);
}

#[test]
fn unknown_event_and_filter() {
    let d = diags(&format!("on: pushh\n{MINIMAL_JOBS}"));
    assert_eq!(rules_of(&d), [rules::UNKNOWN_EVENT]);
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `push`?"));

    let d = diags(&format!("on:\n  push:\n    types: [x]\n{MINIMAL_JOBS}"));
    assert_eq!(rules_of(&d), [rules::UNKNOWN_KEY]);

    let d = diags(&format!(
        "on:\n  push:\n    branches: [a]\n    branches-ignore: [b]\n{MINIMAL_JOBS}"
    ));
    assert_eq!(rules_of(&d), [rules::CONFLICTING_KEYS]);
}

#[test]
fn workflow_dispatch_and_call() {
    let wf = ok(&format!(
        "on:
  workflow_dispatch:
    inputs:
      level:
        type: choice
        options: [a, b]
        default: a
      dry:
        type: boolean
        default: false
        required: true
      n:
        type: number
      env:
        type: environment
      plain:
        description: x
  workflow_call:
    inputs:
      flag:
        type: boolean
        default: true
    outputs:
      out:
        value: ${{{{ jobs.a.outputs.x }}}}
    secrets:
      token:
        required: true
{MINIMAL_JOBS}"
    ));
    let on = wf.on.unwrap();
    let TriggerConfig::WorkflowDispatch(d) = &on.get("workflow_dispatch").unwrap().config else {
        panic!("dispatch");
    };
    assert_eq!(d.inputs.len(), 5);
    assert!(
        matches!(&d.inputs[0].kind, DispatchInputType::Choice { options } if options.len() == 2)
    );
    assert_eq!(d.inputs[1].kind, DispatchInputType::Boolean);
    assert!(matches!(d.inputs[1].default, Some(Scalar::Bool(ref b)) if !b.value));
    assert_eq!(d.inputs[4].kind, DispatchInputType::String);
    let TriggerConfig::WorkflowCall(c) = &on.get("workflow_call").unwrap().config else {
        panic!("call");
    };
    assert_eq!(c.inputs[0].name.value, "flag");
    assert!(c.outputs[0].value.as_ref().unwrap().has_expression());
    assert!(c.secrets[0].required.as_ref().unwrap().value);

    let d = diags(&format!(
        "on:\n  workflow_call:\n    inputs:\n      x:\n        required: true\n{MINIMAL_JOBS}"
    ));
    assert_eq!(rules_of(&d), [rules::MISSING_KEY]);
    let d = diags(&format!(
        "on:\n  workflow_dispatch:\n    inputs:\n      x:\n        type: choice\n{MINIMAL_JOBS}"
    ));
    assert_eq!(rules_of(&d), [rules::MISSING_KEY]);
}

#[test]
fn permissions_forms() {
    let wf = ok(&format!(
        "on: push\npermissions:\n  contents: read\n  id-token: write\n  models: read\n{MINIMAL_JOBS}"
    ));
    let p = wf.permissions.unwrap();
    assert_eq!(
        p.level(PermissionScope::Contents),
        Some(PermissionLevel::Read)
    );
    assert_eq!(
        p.level(PermissionScope::IdToken),
        Some(PermissionLevel::Write)
    );
    assert_eq!(p.level(PermissionScope::Issues), None);
    let wf = ok(&format!("on: push\npermissions: read-all\n{MINIMAL_JOBS}"));
    assert!(matches!(wf.permissions, Some(Permissions::ReadAll { .. })));
    let wf = ok(&format!("on: push\npermissions: {{}}\n{MINIMAL_JOBS}"));
    assert!(
        matches!(wf.permissions, Some(Permissions::Scopes { ref scopes, .. }) if scopes.is_empty())
    );

    let d = diags(&format!(
        "on: push\npermissions:\n  id-token: read\n  models: write\n  content: read\n{MINIMAL_JOBS}"
    ));
    assert_eq!(
        rules_of(&d),
        [
            rules::INVALID_VALUE,
            rules::INVALID_VALUE,
            rules::UNKNOWN_KEY
        ]
    );
    assert_eq!(d[2].hint.as_deref(), Some("did you mean `contents`?"));
}

#[test]
fn concurrency_forms() {
    let wf = ok(&format!(
        "on: push\nconcurrency:\n  group: ci-${{{{ github.ref }}}}\n  cancel-in-progress: ${{{{ github.ref != 'main' }}}}\n  queue: max\n{MINIMAL_JOBS}"
    ));
    let c = wf.concurrency.unwrap();
    assert!(c.group.unwrap().has_expression());
    assert!(matches!(c.cancel_in_progress, Some(BoolOrExpr::Expr(_))));
    assert_eq!(c.queue.unwrap().value, ConcurrencyQueue::Max);
    let wf = ok(&format!("on: push\nconcurrency: ci\n{MINIMAL_JOBS}"));
    assert!(wf.concurrency.unwrap().short_form);
    let d = diags(&format!(
        "on: push\nconcurrency:\n  cancel-in-progress: yes\n{MINIMAL_JOBS}"
    ));
    assert_eq!(rules_of(&d), [rules::MISSING_KEY, rules::WRONG_TYPE]);
}

#[test]
fn normal_job_fields() {
    let wf = ok("on: push
jobs:
  build:
    name: Build ${{ matrix.os }}
    needs: [lint]
    if: github.event_name == 'push'
    runs-on: ${{ matrix.os }}
    environment:
      name: prod
      url: https://example.com
    outputs:
      v: ${{ steps.x.outputs.v }}
    timeout-minutes: 30
    continue-on-error: ${{ matrix.experimental }}
    strategy:
      fail-fast: false
      max-parallel: 2
      matrix:
        os: [ubuntu-latest, windows-latest]
        experimental: [false]
        include:
          - os: macos-latest
            experimental: true
        exclude: ${{ fromJSON('[]') }}
    container:
      image: node:20
      ports: [80, '8080:80']
    services:
      redis: redis:7
    defaults:
      run:
        shell: bash
    steps:
      - run: echo
  lint:
    runs-on: [self-hosted, linux]
    steps:
      - run: echo
  grouped:
    runs-on:
      group: big
      labels: linux
    steps:
      - run: echo
");
    let Job::Normal(build) = wf.job("build").unwrap() else {
        panic!("normal job");
    };
    assert_eq!(build.common.needs[0].value.as_str(), "lint");
    assert!(matches!(build.common.condition, Some(Condition::Expr(_))));
    assert!(matches!(build.runs_on, Some(RunsOn::Labels { ref labels, .. }) if labels.len() == 1));
    assert_eq!(
        build
            .environment
            .as_ref()
            .unwrap()
            .name
            .as_ref()
            .unwrap()
            .raw,
        "prod"
    );
    let strategy = build.common.strategy.as_ref().unwrap();
    let Some(Matrix::Map(m)) = &strategy.matrix else {
        panic!("matrix map");
    };
    assert_eq!(m.axes.len(), 2);
    assert!(matches!(&m.axes[0].values, MatrixValues::List { items, .. } if items.len() == 2));
    assert!(m.include.is_some() && m.exclude.is_some());
    assert_eq!(build.container.as_ref().unwrap().ports.len(), 2);
    assert_eq!(
        build.defaults.as_ref().unwrap().shell.as_ref().unwrap().raw,
        "bash"
    );
    let Job::Normal(grouped) = wf.job("grouped").unwrap() else {
        panic!("normal job");
    };
    assert!(matches!(grouped.runs_on, Some(RunsOn::Group { ref group, .. }) if group.is_some()));
}

#[test]
fn reusable_call_jobs() {
    let wf = ok("on: push
jobs:
  a:
    uses: octo/repo/.github/workflows/build.yml@v1
    with:
      x: 1
    secrets: inherit
  b:
    uses: ./.github/workflows/local.yml
    secrets:
      token: ${{ secrets.T }}
  c:
    uses: $/.github/workflows/self.yml
");
    let Job::Call(a) = wf.job("a").unwrap() else {
        panic!("call job");
    };
    assert!(matches!(a.secrets, Some(CallSecrets::Inherit { .. })));
    assert!(matches!(
        a.uses.as_ref().unwrap().target,
        UsesTarget::Repo { ref path, .. } if path.as_deref() == Some(".github/workflows/build.yml")
    ));
    let Job::Call(c) = wf.job("c").unwrap() else {
        panic!("call job");
    };
    assert!(matches!(
        c.uses.as_ref().unwrap().target,
        UsesTarget::SelfRepo { .. }
    ));

    // Keys of the other kind of job.
    let d = diags(
        "on: push\njobs:\n  a:\n    uses: ./.github/workflows/x.yml\n    runs-on: ubuntu-latest\n    steps: []\n",
    );
    assert_eq!(rules_of(&d), [rules::UNKNOWN_KEY, rules::UNKNOWN_KEY]);
    assert!(d[0].message.contains("not allowed"), "{}", d[0].message);
    let d = diags(
        "on: push\njobs:\n  a:\n    runs-on: x\n    with: {a: 1}\n    steps:\n      - run: x\n",
    );
    assert_eq!(rules_of(&d), [rules::UNKNOWN_KEY]);
    let d = diags("on: push\njobs:\n  a:\n    uses: octo/repo@v1\n");
    assert_eq!(rules_of(&d), [rules::INVALID_USES]);
}

#[test]
fn steps_are_an_enum() {
    let wf = ok("on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: co
        uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - run: make
        shell: bash
        working-directory: src
        env:
          N: 1
      - uses: docker://alpine:3
        with:
          args: echo hi
          entrypoint: /bin/sh
      - uses: ./local
      - uses: $/actions/mine
      - name: both
        parallel:
          - run: a
          - run: b
");
    let Job::Normal(job) = wf.job("a").unwrap() else {
        panic!("normal job");
    };
    let steps = &job.steps;
    assert_eq!(steps.len(), 6);
    let Step::Uses(co) = &steps[0] else {
        panic!("uses")
    };
    assert_eq!(co.common.id.as_ref().unwrap().value.as_str(), "co");
    assert!(matches!(co.with.get("fetch-depth"), Some(Scalar::Int(i)) if i.value == 0));
    let Step::Run(run) = &steps[1] else {
        panic!("run")
    };
    assert_eq!(run.run.raw, "make");
    assert!(matches!(
        run.common.env.as_ref().unwrap().get("N"),
        Some(Scalar::Int(_))
    ));
    let Step::Uses(docker) = &steps[2] else {
        panic!("uses")
    };
    assert!(matches!(
        docker.uses.as_ref().unwrap().target,
        UsesTarget::Docker { .. }
    ));
    assert!(docker.with.args().is_some() && docker.with.entrypoint().is_some());
    let Step::Uses(local) = &steps[3] else {
        panic!("uses")
    };
    assert!(matches!(
        local.uses.as_ref().unwrap().target,
        UsesTarget::Local { .. }
    ));
    let Step::Uses(own) = &steps[4] else {
        panic!("uses")
    };
    assert!(
        matches!(own.uses.as_ref().unwrap().target, UsesTarget::SelfRepo { ref path } if path == "actions/mine")
    );
    let Step::Parallel(group) = &steps[5] else {
        panic!("parallel")
    };
    assert_eq!(group.steps.len(), 2);
}

#[test]
fn step_with_uses_and_run_is_an_error() {
    let d = diags(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        run: echo\n",
    );
    assert_eq!(rules_of(&d), [rules::CONFLICTING_KEYS]);
    assert_eq!(d[0].severity, Severity::Error);
    let d = diags("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - name: nothing\n");
    assert_eq!(rules_of(&d), [rules::MISSING_KEY]);
}

#[test]
fn unknown_keys_are_case_sensitive_with_suggestions() {
    let d = diags(
        "on: push\njobs:\n  a:\n    Runs-On: ubuntu-latest\n    steps:\n      - run: x\n        timeout-minute: 3\n",
    );
    let unknown: Vec<&Diagnostic> = d.iter().filter(|d| d.rule == rules::UNKNOWN_KEY).collect();
    assert_eq!(unknown.len(), 2);
    assert_eq!(unknown[0].hint.as_deref(), Some("did you mean `runs-on`?"));
    assert_eq!(
        (unknown[0].span.start.line, unknown[0].span.start.column),
        (4, 5)
    );
    assert_eq!(
        unknown[1].hint.as_deref(),
        Some("did you mean `timeout-minutes`?")
    );
    // And `runs-on` is then missing.
    assert!(d.iter().any(|d| d.rule == rules::MISSING_KEY));
}

#[test]
fn merge_key_is_unknown() {
    let d = diags(
        "on: push\njobs:\n  a:\n    runs-on: x\n    env: &e\n      A: 1\n    steps:\n      - run: x\n  b:\n    <<: {runs-on: x}\n    steps:\n      - run: x\n",
    );
    let unknown: Vec<&Diagnostic> = d.iter().filter(|d| d.rule == rules::UNKNOWN_KEY).collect();
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0].hint.as_deref().unwrap().contains("merge keys"));
}

#[test]
fn anchors_are_expanded_in_the_model() {
    let wf = ok("on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - &checkout
        uses: actions/checkout@v4
      - run: x
  b:
    runs-on: ubuntu-latest
    steps:
      - *checkout
");
    let Job::Normal(b) = wf.job("b").unwrap() else {
        panic!("normal job");
    };
    assert!(matches!(b.steps[0], Step::Uses(_)));
}

#[test]
fn duplicate_keys_point_at_both() {
    let d = diags(
        "on: push\non: pull_request\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n",
    );
    assert_eq!(rules_of(&d), [rules::DUPLICATE_KEY]);
    assert_eq!(d[0].span.start.line, 2);
    assert_eq!(d[0].related[0].span.start.line, 1);
    // Names GitHub compares case-insensitively.
    let d = diags(
        "on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      FOO: 1\n      foo: 2\n    steps:\n      - run: x\n",
    );
    assert_eq!(rules_of(&d), [rules::DUPLICATE_KEY]);
}

#[test]
fn unquoted_versions_warn() {
    let d = diags(
        "on: push
jobs:
  a:
    runs-on: x
    strategy:
      matrix:
        python: [3.9, 3.10, '3.11']
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: 3.10
      - uses: actions/setup-node@v4
        with:
          node-version: 18.0
      - uses: actions/setup-node@v4
        with:
          node-version: 18
",
    );
    assert_eq!(
        rules_of(&d),
        [
            rules::NUMBER_VERSION,
            rules::NUMBER_VERSION,
            rules::NUMBER_VERSION
        ]
    );
    assert!(d.iter().all(|d| d.severity == Severity::Warning));
    assert_eq!(d[0].span.start.line, 7);
    assert_eq!(
        d[1].hint.as_deref(),
        Some("quote it: `python-version: '3.10'`")
    );
    assert!(d[2].message.contains("18.0"));
}

#[test]
fn missing_required_keys() {
    let d = diags("name: x\n");
    assert_eq!(rules_of(&d), [rules::MISSING_KEY, rules::MISSING_KEY]);
    let d = diags("on: push\njobs:\n  a:\n    steps:\n      - run: x\n");
    assert_eq!(rules_of(&d), [rules::MISSING_KEY]);
    assert!(d[0].message.contains("runs-on"));
    let d = diags("on: push\njobs:\n  a:\n    runs-on: x\n");
    assert_eq!(rules_of(&d), [rules::MISSING_KEY]);
    assert!(d[0].message.contains("steps"));
}

#[test]
fn wrong_types() {
    let d = diags(
        "on: push\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: soon\n    continue-on-error: maybe\n    steps: {}\n",
    );
    assert_eq!(
        rules_of(&d),
        [rules::WRONG_TYPE, rules::WRONG_TYPE, rules::WRONG_TYPE]
    );
}

#[test]
fn yaml_errors_become_diagnostics() {
    let (wf, d) = parse_workflow("on: push\njobs: [\n");
    assert!(wf.is_none());
    assert_eq!(rules_of(&d), [rules::YAML_SYNTAX]);
    assert!(d[0].span.start.line >= 2);
    let (wf, d) = parse_workflow(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n---\nfoo: 1\n",
    );
    assert!(wf.is_some());
    assert_eq!(rules_of(&d), [rules::EXTRA_DOCUMENT]);
    assert_eq!(d[0].severity, Severity::Warning);
}

#[test]
fn invalid_ids() {
    let d = diags(
        "on: push\njobs:\n  1a:\n    runs-on: x\n    steps:\n      - id: 'a b'\n        run: x\n",
    );
    assert_eq!(rules_of(&d), [rules::INVALID_ID, rules::INVALID_ID]);
}

#[test]
fn actions_of_every_kind() {
    let a = action_ok(
        "name: n
description: d
inputs:
  token:
    description: t
    required: true
    default: ${{ github.token }}
    deprecationMessage: use x
outputs:
  o:
    description: o
runs:
  using: node24
  main: dist/index.js
  post: dist/post.js
  post-if: success()
branding:
  icon: check
  color: green
",
    );
    assert_eq!(
        a.inputs[0].deprecation_message.as_ref().unwrap().raw,
        "use x"
    );
    assert!(matches!(&a.runs, Some(Runs::Node(n)) if n.post.is_some()));

    let a = action_ok(
        "name: c
runs:
  using: composite
  steps:
    - run: echo
      shell: bash
    - uses: actions/checkout@v4
outputs:
  x:
    value: ${{ steps.a.outputs.x }}
",
    );
    assert!(matches!(&a.runs, Some(Runs::Composite(c)) if c.steps.len() == 2));

    let a = action_ok(
        "name: d
runs:
  using: docker
  image: Dockerfile
  args: [a, '${{ inputs.x }}']
  entrypoint: /e.sh
  pre-entrypoint: /pre.sh
  env:
    A: b
",
    );
    assert!(matches!(&a.runs, Some(Runs::Docker(d)) if d.args.len() == 2));

    let (_, d) = parse_action("name: c\nruns:\n  using: composite\n  steps:\n    - run: echo\n");
    assert_eq!(rules_of(&d), [rules::MISSING_KEY]);
    let (_, d) = parse_action("name: c\nruns:\n  using: node14\n  main: x.js\n");
    assert_eq!(rules_of(&d), [rules::INVALID_VALUE]);
    let (_, d) = parse_action("name: c\nruns:\n  using: node20\n");
    assert_eq!(rules_of(&d), [rules::MISSING_KEY]);
}

#[test]
fn model_serializes() {
    let wf = ok(&format!("on: push\n{MINIMAL_JOBS}"));
    let json = serde_json::to_value(&wf).unwrap();
    assert_eq!(json["jobs"][0]["kind"], "normal");
}
