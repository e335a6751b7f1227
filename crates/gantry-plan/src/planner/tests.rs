#![allow(clippy::unwrap_used)]

use super::*;
use crate::MemoryRepo;

fn wf(src: &str) -> Workflow {
    gantry_workflow::parse_workflow(src).0.unwrap()
}

fn push() -> Event {
    let mut gh = Object::new();
    gh.insert("ref", Value::from("refs/heads/main"));
    gh.insert("repository", Value::from("octo/repo"));
    Event {
        name: "push".into(),
        git_ref: Some("refs/heads/main".into()),
        default_branch: "main".into(),
        github: gh,
        ..Event::default()
    }
}

fn plan_one(src: &str, repo: &MemoryRepo) -> WorkflowPlan {
    let p = plan(
        &[(".github/workflows/main.yml".into(), wf(src))],
        &push(),
        &PlanOptions::default(),
        repo,
    );
    p.workflows.into_iter().next().unwrap()
}

fn names(w: &WorkflowPlan) -> Vec<&str> {
    w.jobs.iter().map(|j| j.name.as_str()).collect()
}

#[test]
fn github_context_and_names() {
    let w = plan_one(
        r"
on: push
concurrency: ${{ github.workflow }}-${{ github.ref }}
jobs:
  a:
    name: A on ${{ github.ref }} for ${{ github.job }}
    runs-on: ubuntu-latest
    steps: [{run: x}]
  b:
    name: Build
    strategy:
      matrix:
        os: [ubuntu-latest]
        cfg: [{name: one, opt: ''}]
    runs-on: ${{ matrix.os }}
    steps: [{run: x}]
  c:
    name: ${{ matrix.os }}-${{ strategy.job-index }}/${{ strategy.job-total }}
    strategy:
      matrix:
        os: [x, y]
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
        &MemoryRepo::default(),
    );
    assert_eq!(
        w.concurrency.as_ref().unwrap().group,
        ".github/workflows/main.yml-refs/heads/main"
    );
    assert_eq!(
        names(&w),
        [
            "A on refs/heads/main for a",
            "Build (ubuntu-latest, one)",
            "x-0/2",
            "y-1/2"
        ]
    );
}

#[test]
fn nested_calls_cycles_and_missing_files() {
    let repo = MemoryRepo(vec![
        (
            ".github/workflows/a.yml".into(),
            "on: workflow_call\njobs:\n  inner:\n    uses: ./.github/workflows/b.yml\n".into(),
        ),
        (
            ".github/workflows/b.yml".into(),
            "on: {workflow_call: {inputs: {n: {type: number, default: 1}}}}\njobs:\n  leaf:\n    name: leaf ${{ inputs.n }}\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n  back:\n    uses: ./.github/workflows/a.yml\n".into(),
        ),
        (
            ".github/workflows/push-only.yml".into(),
            "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n".into(),
        ),
    ]);
    let w = plan_one(
        r"
on: push
jobs:
  outer:
    uses: ./.github/workflows/a.yml
  missing:
    uses: ./.github/workflows/nope.yml
  not-callable:
    uses: ./.github/workflows/push-only.yml
  bad-input:
    uses: ./.github/workflows/b.yml
    with:
      n: text
",
        &repo,
    );
    assert_eq!(
        names(&w),
        [
            "outer",
            "outer / inner",
            "outer / inner / leaf 1",
            "outer / inner / back",
            "missing",
            "not-callable",
            "bad-input",
        ]
    );
    let ids: Vec<&str> = w.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids[2], "outer/inner/leaf");
    assert_eq!(w.jobs[2].level, Some(2));
    assert_eq!(
        w.errors,
        [
            ".github/workflows/b.yml: job 'back': reusable workflows call each other in a cycle: .github/workflows/a.yml → .github/workflows/b.yml → .github/workflows/a.yml",
            "job 'missing': cannot read the called workflow '.github/workflows/nope.yml'",
            "job 'not-callable': the called workflow '.github/workflows/push-only.yml' does not listen to workflow_call",
            "job 'bad-input': inputs of '.github/workflows/b.yml': input 'n' is a number, but got string 'text'",
        ]
    );
    assert!(!w.jobs[0].runnable, "a call with a failing call inside");
}

#[test]
fn nesting_limit() {
    let mut files = Vec::new();
    for i in 0..12 {
        files.push((
            format!(".github/workflows/w{i}.yml"),
            format!(
                "on: workflow_call\njobs:\n  j:\n    uses: ./.github/workflows/w{}.yml\n",
                i + 1
            ),
        ));
    }
    let w = plan_one(
        "on: push\njobs:\n  top:\n    uses: ./.github/workflows/w0.yml\n",
        &MemoryRepo(files),
    );
    assert_eq!(w.jobs.len(), 10);
    assert_eq!(
        w.errors,
        [".github/workflows/w8.yml: job 'j': reusable workflows nest more than 10 levels deep"]
    );
}

#[test]
fn conditions_and_needs() {
    let w = plan_one(
        r"
on: push
jobs:
  never:
    if: false
    runs-on: ubuntu-latest
    steps: [{run: x}]
  after:
    needs: never
    runs-on: ubuntu-latest
    steps: [{run: x}]
  anyway:
    needs: never
    if: ${{ always() }}
    runs-on: ubuntu-latest
    steps: [{run: x}]
  main-only:
    if: github.ref == 'refs/heads/main' && vars.MISSING == ''
    runs-on: ubuntu-latest
    steps: [{run: x}]
  loop-a:
    needs: loop-b
    runs-on: ubuntu-latest
    steps: [{run: x}]
  loop-b:
    needs: loop-a
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
        &MemoryRepo::default(),
    );
    let find = |id: &str| w.jobs.iter().find(|j| j.id == id).unwrap();
    assert!(find("never").skipped);
    assert_eq!(
        find("after").skip_reason.as_deref(),
        Some("needs: 'never' is skipped")
    );
    assert!(!find("anyway").skipped);
    let main_only = find("main-only");
    assert_eq!(
        main_only.condition.as_ref().unwrap().detail.as_deref(),
        Some("vars.MISSING")
    );
    assert!(find("loop-a").level.is_none());
    assert_eq!(
        w.errors,
        ["needs: jobs 'loop-a', 'loop-b' depend on each other in a cycle"]
    );
}

#[test]
fn runs_on_forms() {
    let w = plan_one(
        r"
on: push
jobs:
  group:
    runs-on:
      group: big
      labels: [linux]
    steps: [{run: x}]
  from-matrix:
    strategy:
      matrix:
        labels: [[self-hosted, linux, x64]]
    runs-on: ${{ matrix.labels }}
    steps: [{run: x}]
  from-needs:
    runs-on: ${{ needs.x.outputs.runner }}
    steps: [{run: x}]
  empty-matrix:
    strategy:
      matrix:
        os: [a]
        exclude: [{os: a}]
    runs-on: ubuntu-latest
    steps: [{run: x}]
  too-big:
    strategy:
      matrix:
        a: ${{ fromJSON(format('[{0}]', join(fromJSON('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]'), ','))) }}
        b: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
        &MemoryRepo::default(),
    );
    assert_eq!(w.jobs[0].runner.as_deref(), Some("group big: linux"));
    assert!(w.jobs[0].runnable);
    assert_eq!(w.jobs[1].runner.as_deref(), Some("self-hosted, linux, x64"));
    assert!(w.jobs[1].runnable);
    assert_eq!(
        w.jobs[2].skip_reason.as_deref(),
        Some("runs-on: decided at run time (depends on needs.x.outputs.runner)")
    );
    assert_eq!(
        w.jobs[3].skip_reason.as_deref(),
        Some("matrix: every combination is excluded")
    );
    assert_eq!(
        w.jobs[4].skip_reason.as_deref(),
        Some("matrix: it produces 272 jobs, more than GitHub's limit of 256")
    );
}

#[test]
fn dispatch_inputs_in_both_contexts() {
    let src = r#"
on:
  workflow_dispatch:
    inputs:
      flag: {type: boolean, default: true}
      level: {type: number}
      os: {type: choice, options: [ubuntu-latest, macos-latest], default: ubuntu-latest}
jobs:
  a:
    name: ${{ github.event.inputs.flag }}-${{ inputs.flag == true }}-${{ github.event.inputs.level == '0' }}
    if: inputs.flag
    strategy:
      matrix: '${{ fromJSON(format(''{{"os": ["{0}"]}}'', inputs.os)) }}'
    runs-on: ${{ matrix.os }}
    steps: [{run: x}]
"#;
    let mut e = push();
    e.name = "workflow_dispatch".into();
    e.raw_inputs = vec![("os".into(), "macos-latest".into())];
    let p = plan(
        &[(".github/workflows/d.yml".into(), wf(src))],
        &e,
        &PlanOptions::default(),
        &MemoryRepo::default(),
    );
    let w = &p.workflows[0];
    assert!(w.triggered, "{:?}", w.reason);
    assert_eq!(w.jobs.len(), 1);
    assert_eq!(w.jobs[0].name, "true-true-true");
    assert_eq!(w.jobs[0].runner.as_deref(), Some("macos-latest"));
    assert!(!w.jobs[0].runnable);
    assert!(!p.has_errors());
    let coloured = crate::render_human(&p, false, true);
    assert!(coloured.contains("\x1b[32m✓\x1b[0m"));
}

#[test]
fn containers_and_services_are_planned_with_the_matrix_evaluated() {
    let w = plan_one(
        r"
on: push
jobs:
  a:
    strategy:
      matrix:
        image: ['node:20', '']
    runs-on: ubuntu-latest
    container: ${{ matrix.image }}
    services:
      redis: redis:7
      db:
        image: postgres
    steps: [{run: x}]
  b:
    runs-on: ubuntu-latest
    services: ${{ fromJSON(needs.x.outputs.s) }}
    steps: [{run: x}]
  c:
    runs-on: ubuntu-latest
    steps: [{run: x}]
",
        &MemoryRepo::default(),
    );
    let c: Vec<_> = w.jobs.iter().map(|j| j.containers.clone()).collect();
    let first = c[0].as_ref().unwrap();
    assert_eq!(first.image.as_deref(), Some("node:20"));
    assert_eq!(
        first.services.as_deref(),
        Some(&["redis".to_owned(), "db".to_owned()][..])
    );
    // The empty image is no container; the services remain.
    let second = c[1].as_ref().unwrap();
    assert_eq!(second.image, None);
    assert_eq!(second.services.as_ref().unwrap().len(), 2);
    assert!(c[2].as_ref().unwrap().services.is_none());
    assert!(c[3].is_none());
}
