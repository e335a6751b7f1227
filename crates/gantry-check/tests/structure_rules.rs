//! The structure rules (jobs, matrix, triggers, uses, runner, calls) on
//! small workflows: each finding's rule id, severity and `line:column`.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use gantry_check::{Config, Diagnostic, Repo, Severity, check_action, check_workflow};

/// A repository held in memory.
#[derive(Default)]
struct Mem(HashMap<&'static str, &'static str>);

impl Repo for Mem {
    fn read(&self, path: &str) -> Option<String> {
        self.0.get(path).map(|s| (*s).to_owned())
    }
}

/// The structure findings of a workflow at `.github/workflows/test.yml`.
fn check_with(src: &str, repo: &Mem, config: &Config) -> Vec<Diagnostic> {
    only_mine(check_workflow(
        src,
        Some(".github/workflows/test.yml"),
        config,
        repo,
    ))
}

fn only_mine(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.into_iter().filter(|d| mine(d.rule)).collect()
}

fn check(src: &str) -> Vec<Diagnostic> {
    check_with(src, &Mem::default(), &Config::default())
}

/// The ids of the structure rules (other modules' findings are ignored).
fn mine(rule: &str) -> bool {
    use gantry_check::rules::{calls, containers, jobs, matrix, runner, triggers, uses};
    [
        containers::RULES,
        jobs::RULES,
        matrix::RULES,
        triggers::RULES,
        uses::RULES,
        runner::RULES,
        calls::RULES,
    ]
    .iter()
    .any(|t| t.iter().any(|(id, _)| *id == rule))
}

/// `rule@line:col` of every structure finding, errors marked `E`, warnings
/// `W`.
fn found(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| mine(d.rule))
        .map(|d| {
            format!(
                "{}{}@{}:{}",
                if d.severity == Severity::Error {
                    "E "
                } else {
                    "W "
                },
                d.rule,
                d.span.start.line,
                d.span.start.column
            )
        })
        .collect()
}

#[track_caller]
fn assert_found(diags: &[Diagnostic], expected: &[&str]) {
    let got = found(diags);
    assert_eq!(
        got,
        expected.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        "{diags:#?}"
    );
}

// ---- containers -----------------------------------------------------------

#[test]
fn container_options_and_ports_the_engine_refuses() {
    let d = check(
        "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    container:
      image: node:20
      options: --network host --cpus 2
    services:
      db:
        image: postgres
        ports:
          - 5432
          - \"70000:5432\"
          - ${{ matrix.port }}
        options: --health-cmd pg_isready --health-interval 10x -p 8000-8010:80
    steps:
      - run: true
",
    );
    assert_found(
        &d,
        &[
            "E container-options@7:16",
            "E container-options@13:13",
            "E container-options@15:18",
        ],
    );
    assert!(
        d[0].message.contains("`--network` is not supported"),
        "{}",
        d[0].message
    );
    assert!(d[0].hint.is_some());
    assert!(d[1].message.contains("70000"), "{}", d[1].message);
    assert!(d[2].message.contains("10x"), "{}", d[2].message);
}

#[test]
fn containers_on_macos_or_windows_runners() {
    let d = check(
        "on: push
jobs:
  mac:
    runs-on: macos-latest
    container: node:20
    steps:
      - run: true
  win:
    runs-on: [self-hosted, windows]
    services:
      redis: redis
    steps:
      - run: true
  linux:
    runs-on: ubuntu-latest
    container: node:20
    steps:
      - run: true
  matrix:
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest]
    runs-on: ${{ matrix.os }}
    container: node:20
    steps:
      - run: true
",
    );
    assert_found(&d, &["E container-runner@5:16", "E container-runner@11:7"]);
    assert!(d[0].message.contains("macOS"), "{}", d[0].message);
    assert!(d[1].message.contains("Windows"), "{}", d[1].message);
}

#[test]
fn valid_container_options_and_expressions_are_left_alone() {
    let d = check(
        "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    services:
      redis:
        image: redis
        ports: [6379, \"8080:80/udp\", \"127.0.0.1::53\"]
        options: >-
          --health-cmd \"redis-cli ping\"
          --health-interval 10s
          --health-timeout 5s
          --health-retries 5
          --memory 512m -e A=1
      other:
        image: x
        options: ${{ vars.OPTS }}
    steps:
      - run: true
",
    );
    assert_found(&d, &[]);
}

// ---- jobs -----------------------------------------------------------------

#[test]
fn duplicate_step_ids() {
    let d = check(
        "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: build
        run: make
      - id: Build
        run: make
      - parallel:
          - id: build
            run: make
  b:
    runs-on: ubuntu-latest
    steps:
      - id: build
        run: make
",
    );
    assert_found(
        &d,
        &["E duplicate-step-id@8:13", "E duplicate-step-id@11:17"],
    );
}

#[test]
fn needs_unknown_duplicate_and_cycles() {
    let d = check(
        "on: push
jobs:
  a:
    needs: [b, c, b, biuld]
    runs-on: ubuntu-latest
    steps: [{run: x}]
  b:
    needs: c
    runs-on: ubuntu-latest
    steps: [{run: x}]
  c:
    needs: a
    runs-on: ubuntu-latest
    steps: [{run: x}]
  d:
    needs: d
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
    );
    assert_found(
        &d,
        &[
            "E needs-cycle@3:3",
            "W duplicate-needs@4:19",
            "E unknown-needs@4:22",
            "E needs-cycle@15:3",
        ],
    );
    let cycle = d.iter().find(|d| d.rule == "needs-cycle").unwrap();
    assert!(
        cycle.message.contains("`a` → `c` → `a`"),
        "{}",
        cycle.message
    );
    let unknown = d.iter().find(|d| d.rule == "unknown-needs").unwrap();
    assert!(unknown.message.contains("`biuld`"), "{}", unknown.message);
}

#[test]
fn numbers_must_be_positive() {
    let d = check(
        "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 0
    strategy:
      max-parallel: -1
    steps:
      - run: x
        timeout-minutes: -3.5
  b:
    runs-on: ubuntu-latest
    timeout-minutes: 2.5
    strategy:
      max-parallel: 1.5
    steps: [{run: x}]
",
    );
    assert_found(
        &d,
        &[
            "E number-range@5:22",
            "E number-range@7:21",
            "E number-range@10:26",
            "E number-range@15:21",
        ],
    );
}

#[test]
fn shells() {
    let d = check(
        "on: push
defaults:
  run:
    shell: fish
jobs:
  a:
    runs-on: ubuntu-latest
    defaults:
      run:
        shell: bash
    steps:
      - run: x
        shell: pwsh
      - run: x
        shell: perl {0}
      - run: x
        shell: bsh
      - run: x
        shell: ${{ matrix.shell }}
",
    );
    assert_found(&d, &["E shell-name@4:12", "E shell-name@17:16"]);
    assert_eq!(d[1].hint.as_deref(), Some("did you mean `bash`?"));
}

#[test]
fn empty_steps() {
    let d = check("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n");
    assert_found(&d, &["E empty-steps@5:12"]);
}

// ---- matrix ---------------------------------------------------------------

#[test]
fn matrix_exclude_keys_and_matches() {
    let d = check(
        "on: push
jobs:
  a:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        node: [18, 20]
        include:
          - os: ubuntu-latest
            experimental: true
        exclude:
          - os: windows-latest
            node: '20'
          - experimental: true
          - os: macos-latest
          - os: WINDOWS-LATEST
            node: 18
    runs-on: ${{ matrix.os }}
    steps: [{run: x}]
",
    );
    assert_found(
        &d,
        &[
            "E matrix-include-exclude@14:13",
            "W matrix-include-exclude@15:17",
        ],
    );
}

#[test]
fn empty_and_large_matrices() {
    let d = check(
        "on: push
jobs:
  a:
    strategy:
      matrix:
        os: []
    runs-on: ubuntu-latest
    steps: [{run: x}]
  b:
    strategy:
      matrix:
        os: [a, b]
        exclude:
          - os: a
          - os: b
    runs-on: ubuntu-latest
    steps: [{run: x}]
  c:
    strategy:
      matrix:
        x: [1, 2, 3, 4, 5, 6, 7, 8]
        y: [1, 2, 3, 4, 5, 6, 7, 8]
        z: [1, 2, 3, 4, 5]
    runs-on: ubuntu-latest
    steps: [{run: x}]
  d:
    strategy:
      matrix:
        x: ${{ fromJSON(inputs.xs) }}
        y: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
    );
    assert_found(
        &d,
        &[
            "E empty-matrix@6:13",
            "E empty-matrix@12:9",
            "E matrix-too-large@21:9",
        ],
    );
    assert!(d[2].message.contains("320 jobs"), "{}", d[2].message);
}

#[test]
fn include_adds_jobs_and_exclude_is_partial() {
    // 2×2 − 1 excluded + 1 new include = 4 jobs: nothing to report.
    let d = check(
        "on: push
jobs:
  a:
    strategy:
      matrix:
        os: [{name: linux, arch: x64}, {name: mac, arch: arm64}]
        py: ['3.12', '3.13']
        exclude:
          - os: {name: mac}
            py: '3.12'
        include:
          - os: {name: windows}
            py: '3.13'
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
    );
    assert_found(&d, &[]);
}

#[test]
fn duplicate_axis_values() {
    let d = check(
        "on: push
jobs:
  a:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest, ubuntu-latest]
    runs-on: ${{ matrix.os }}
    steps: [{run: x}]
",
    );
    assert_found(&d, &["W matrix-duplicate@6:45"]);
}

// ---- triggers -------------------------------------------------------------

#[test]
fn cron_syntax_and_frequency() {
    let d = check(
        "on:
  schedule:
    - cron: '0 24 * * *'
    - cron: \"*/4 * * * *\"
    - cron: '*/5 * * * *'
    - cron: '@daily'
    - cron: '0 0 31 2 *'
    - cron: '0 0 * * 1-7'
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
    );
    assert_found(
        &d,
        &[
            "E cron-syntax@3:16",
            "W cron-frequency@4:13",
            "E cron-syntax@6:14",
            "W cron-never-fires@7:13",
            "E cron-syntax@8:24",
        ],
    );
}

#[test]
fn filter_patterns() {
    let d = check(
        "on:
  push:
    branches: ['main', 'release/[0-9', 'feature branch']
    tags: ['v*']
    paths-ignore: ['docs/**', '!docs/keep.md']
  pull_request:
    branches: ['!main']
    paths: ['!a', 'b', './c']
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
    );
    assert_found(
        &d,
        &[
            "E filter-pattern@3:33",
            "W filter-pattern@3:40",
            "W ignore-negation@5:31",
            "W only-negations@7:15",
            "W ineffective-negation@8:13",
            "W filter-pattern@8:24",
        ],
    );
}

#[test]
fn tags_only_negated_next_to_branches_is_an_idiom() {
    let d = check(
        "on:
  push:
    branches: ['**']
    tags: ['!**']
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
    );
    assert_found(&d, &[]);
}

#[test]
fn activity_types() {
    let d = check(
        "on:
  pull_request:
    types: [opened, synchronise, ready_for_review]
  merge_group:
    types: [checks_requested, opened]
  repository_dispatch:
    types: [anything-goes]
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
    );
    assert_found(&d, &["E activity-types@3:21", "E activity-types@5:31"]);
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `synchronize`?"));
}

#[test]
fn dispatch_inputs() {
    let d = check(
        "on:
  workflow_dispatch:
    inputs:
      level:
        type: choice
        options: [info, warn, info]
        default: debug
      dry:
        type: boolean
        default: maybe
      count:
        type: number
        default: ten
      ok:
        type: boolean
        default: false
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
    );
    assert_found(
        &d,
        &[
            "W workflow-dispatch-input@6:31",
            "E workflow-dispatch-input@7:18",
            "E workflow-dispatch-input@10:18",
            "E workflow-dispatch-input@13:18",
        ],
    );
}

#[test]
fn too_many_dispatch_inputs() {
    let mut src = String::from("on:\n  workflow_dispatch:\n    inputs:\n");
    for i in 0..26 {
        src.push_str(&format!("      in{i}:\n        type: string\n"));
    }
    src.push_str("jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n");
    assert_found(&check(&src), &["E workflow-dispatch-input@2:3"]);
}

#[test]
fn call_inputs_defaults() {
    let d = check(
        "on:
  workflow_call:
    inputs:
      n:
        type: number
        default: abc
      b:
        type: boolean
        default: 1
      r:
        type: string
        required: true
        default: x
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
    );
    assert_found(
        &d,
        &[
            "E workflow-call-input@6:18",
            "E workflow-call-input@9:18",
            "W workflow-call-input@13:18",
        ],
    );
}

// ---- uses -----------------------------------------------------------------

#[test]
fn retired_actions() {
    let d = check(
        "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v2
      - uses: actions/checkout@v4
      - uses: actions/upload-artifact@v3.1.0
",
    );
    // upload-artifact also lacks its required `path`.
    assert_found(
        &d,
        &[
            "W retired-action@6:15",
            "E action-input@8:15",
            "W retired-action@8:15",
        ],
    );
    assert_eq!(d[0].hint.as_deref(), Some("use `actions/checkout@v4`"));
}

const LOCAL_ACTION: &str = "name: build
description: builds
inputs:
  target:
    required: true
  mode:
    required: true
    default: fast
  old-flag:
    deprecationMessage: use mode instead
runs:
  using: composite
  steps:
    - run: make
      shell: bash
";

#[test]
fn local_action_inputs() {
    let repo = Mem(HashMap::from([(
        ".github/actions/build/action.yml",
        LOCAL_ACTION,
    )]));
    let d = check_with(
        "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/build
        with:
          targt: x
          old-flag: y
          args: z
      - uses: ./.github/actions/build/
        with:
          TARGET: x
  b:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/missing
",
        &repo,
        &Config::default(),
    );
    assert_found(
        &d,
        &[
            "E local-action@7:15",
            "E local-action@9:11",
            "W local-action@10:11",
            "E local-action@11:11",
            "W local-action@18:15",
        ],
    );
    assert_eq!(d[1].hint.as_deref(), Some("did you mean `target`?"));
}

#[test]
fn missing_local_action_after_another_checkout_is_not_reported() {
    let d = check(
        "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          repository: org/tools
      - uses: ./tools/action
",
    );
    assert_found(&d, &[]);
    // And nothing when the repository is unknown.
    let d = check_workflow(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./x\n",
        None,
        &Config::default(),
        &gantry_check::NoRepo,
    );
    assert_found(&d, &[]);
}

#[test]
fn action_metadata_runtime_and_steps() {
    let d = only_mine(check_action(
        "name: a
description: d
runs:
  using: node16
  main: index.js
",
        Some("action.yml"),
        &Config::default(),
        &Mem::default(),
    ));
    assert_found(&d, &["W action-runtime@4:10"]);
    let d = only_mine(check_action(
        "name: a
description: d
runs:
  using: composite
  steps:
    - uses: actions/cache@v2
    - id: x
      run: echo
      shell: fish
    - id: x
      run: echo
      shell: bash
",
        Some("action.yml"),
        &Config::default(),
        &Mem::default(),
    ));
    assert_found(
        &d,
        &[
            // actions/cache also lacks its required `path` and `key`.
            "E action-input@6:13",
            "E action-input@6:13",
            "W retired-action@6:13",
            "E shell-name@9:14",
            "E duplicate-step-id@10:11",
        ],
    );
}

// ---- runner ---------------------------------------------------------------

#[test]
fn runner_labels() {
    let config = Config {
        self_hosted_labels: vec!["gpu".into()],
        ..Config::default()
    };
    let d = check_with(
        "on: push
jobs:
  a:
    runs-on: ubuntu-lates
    steps: [{run: x}]
  b:
    runs-on: [self-hosted, linux, GPU]
    steps: [{run: x}]
  c:
    runs-on: ubuntu-20.04
    steps: [{run: x}]
  d:
    runs-on: [ubuntu-latest, windows-latest, gpu]
    steps: [{run: x}]
  e:
    strategy:
      matrix:
        os: [macos-12, windows-latest, my-box]
    runs-on: [ubuntu-latest, '${{ matrix.os }}']
    steps: [{run: x}]
  f:
    runs-on:
      group: big
      labels: [ubuntu-latest, custom]
    steps: [{run: x}]
  g:
    runs-on: ${{ inputs.runner }}
    steps: [{run: x}]
",
        &Mem::default(),
        &config,
    );
    assert_found(
        &d,
        &[
            "E runner-label@4:14",
            "E runner-label@10:14",
            "W runner-label@13:30",
            "W runner-label@13:46",
            "E runner-label@18:14",
            "W runner-label@18:24",
            "E runner-label@18:40",
            "E runner-label@24:31",
        ],
    );
    assert!(
        d[0].hint
            .as_deref()
            .unwrap()
            .starts_with("did you mean `ubuntu-latest`?")
    );
    assert_eq!(
        d[1].hint.as_deref(),
        Some("use ubuntu-22.04 or ubuntu-latest")
    );
}

// ---- calls ----------------------------------------------------------------

const CALLEE: &str = "on:
  workflow_call:
    inputs:
      target:
        type: string
        required: true
      debug:
        type: boolean
      level:
        type: number
        default: 1
    secrets:
      token:
        required: true
      other:
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
";

#[test]
fn reusable_workflow_calls() {
    let repo = Mem(HashMap::from([
        (".github/workflows/build.yml", CALLEE),
        (
            ".github/workflows/plain.yml",
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n",
        ),
    ]));
    let d = check_with(
        "on: push
jobs:
  a:
    uses: ./.github/workflows/build.yml
    with:
      targt: x
      debug: 'true'
      level: ${{ inputs.level }}
    secrets:
      tokn: ${{ secrets.T }}
  b:
    uses: ./.github/workflows/build.yml
    with:
      target: x
      level: high
    secrets: inherit
  c:
    uses: ./.github/workflows/plain.yml
  d:
    uses: ./.github/workflows/missing.yml
  e:
    uses: ./ci/build.yml
  f:
    uses: org/repo/ci/build.yml@v1
  g:
    uses: $/.github/workflows/build.yml
    with:
      target: x
    secrets:
      token: ${{ secrets.T }}
",
        &repo,
        &Config::default(),
    );
    assert_found(
        &d,
        &[
            "E workflow-call@4:11",
            "E workflow-call@4:11",
            "E workflow-call@6:7",
            "E workflow-call@7:14",
            "E workflow-call@10:7",
            "E workflow-call@15:14",
            "E workflow-call@18:11",
            "E workflow-call@20:11",
            "E workflow-call@22:11",
            "W workflow-call@24:11",
        ],
    );
}

#[test]
fn calls_need_a_known_repository_to_report_missing_files() {
    let d = check_workflow(
        "on: push\njobs:\n  a:\n    uses: ./.github/workflows/x.yml\n",
        None,
        &Config::default(),
        &gantry_check::NoRepo,
    );
    assert_found(&d, &[]);
}

// ---- popular actions, declared secrets, anchors ---------------------------

#[test]
fn popular_action_inputs_and_outputs() {
    let d = check(
        "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      c: ${{ steps.co.outputs.commit }}
      x: ${{ steps.co.outputs.sha }}
    steps:
      - id: co
        uses: actions/checkout@v4
        with:
          fetch-dept: 0
          entrypoint: sh
      - uses: actions/cache@v4
        with:
          path: target
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          packages_dir: out
      - uses: actions/checkout@main
        with:
          anything: 1
      - uses: dtolnay/rust-toolchain@stable
        with:
          toolchain: stable
      - run: echo ${{ steps.co.outputs.ref }} ${{ steps.co.outputs.nope }}
",
    );
    assert_found(
        &d,
        &[
            "W action-output@7:31",
            "E action-input@12:11",
            "E action-input@13:11",
            "E action-input@14:15",
            "W action-input@19:11",
            "W action-output@26:68",
        ],
    );
    assert_eq!(d[1].hint.as_deref(), Some("did you mean `fetch-depth`?"));
}

#[test]
fn undeclared_secrets_of_called_workflows() {
    let d = check(
        "on:
  workflow_call:
    secrets:
      token:
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ secrets.TOKEN }} ${{ secrets.GITHUB_TOKEN }} ${{ secrets.other }}
",
    );
    assert_found(&d, &["W undeclared-secret@9:80"]);
    // Another trigger runs the workflow with the repository's secrets.
    let d = check(
        "on:
  push:
  workflow_call:
    secrets:
      token:
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ secrets.other }}
",
    );
    assert_found(&d, &[]);
}

#[test]
fn unused_anchors_and_empty_mappings() {
    let d = check_workflow(
        "on: &a push
jobs:
  t:
    runs-on: &l ubuntu-latest
    env:
      X: *l
    steps:
      - run: echo
        env:
",
        None,
        &Config::default(),
        &gantry_check::NoRepo,
    );
    let got: Vec<String> = d
        .iter()
        .map(|d| format!("{}@{}:{}", d.rule, d.span.start.line, d.span.start.column))
        .collect();
    assert_eq!(got, ["unused-anchor@1:5", "wrong-type@9:12"], "{d:#?}");
    assert_eq!(d[0].message, "anchor `&a` is never used by an alias");
}
