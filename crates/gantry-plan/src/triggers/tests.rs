#![allow(clippy::unwrap_used)]

use super::*;
use crate::event::WorkflowRun;

fn wf(on: &str) -> Workflow {
    let src =
        format!("on:\n{on}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{{run: x}}]\n");
    let (wf, diags) = gantry_workflow::parse_workflow(&src);
    assert!(
        diags
            .iter()
            .all(|d| d.severity != gantry_workflow::Severity::Error),
        "{diags:?}"
    );
    wf.unwrap()
}

fn push(git_ref: &str, files: &[&str]) -> Event {
    Event {
        name: "push".into(),
        git_ref: Some(git_ref.into()),
        changed_files: Some(files.iter().map(|f| (*f).to_owned()).collect()),
        default_branch: "main".into(),
        ..Event::default()
    }
}

fn pr(action: &str, base: &str, files: &[&str]) -> Event {
    Event {
        name: "pull_request".into(),
        action: Some(action.into()),
        git_ref: Some(format!("refs/heads/{base}")),
        base_ref: Some(base.into()),
        head_ref: Some("feature".into()),
        changed_files: Some(files.iter().map(|f| (*f).to_owned()).collect()),
        default_branch: "main".into(),
        ..Event::default()
    }
}

fn reason(w: &Workflow, e: &Event) -> String {
    check(w, e).unwrap_err().to_string()
}

#[test]
fn event_names_in_every_form() {
    let e = push("refs/heads/main", &["a"]);
    assert!(check(&wf("  push"), &e).is_ok());
    assert!(check(&wf("  [pull_request, push]"), &e).is_ok());
    assert!(check(&wf("  push: {}"), &e).is_ok());
    assert!(check(&wf("  push:"), &e).is_ok());
    assert_eq!(
        reason(&wf("  [pull_request]"), &e),
        "event: the workflow does not listen to 'push'"
    );
    let release = Event {
        name: "release".into(),
        action: Some("published".into()),
        ..Event::default()
    };
    assert_eq!(
        reason(&wf("  push:\n    branches: [main]"), &release),
        "event: the workflow does not listen to 'release'"
    );
    assert!(check(&wf("  release"), &release).is_ok());
    assert!(check(&wf("  release:\n    types: [published]"), &release).is_ok());
    assert_eq!(
        reason(&wf("  release:\n    types: [created, edited]"), &release),
        "types: 'published' is not one of created, edited"
    );
}

#[test]
fn pull_request_default_types() {
    let w = wf("  pull_request");
    for ok in ["opened", "synchronize", "reopened"] {
        assert!(check(&w, &pr(ok, "main", &["a"])).is_ok(), "{ok}");
    }
    assert_eq!(
        reason(&w, &pr("closed", "main", &["a"])),
        "types: 'closed' is not one of opened, synchronize, reopened (the default)"
    );
    let t = wf("  pull_request_target:\n    types: [closed]");
    let mut e = pr("closed", "main", &["a"]);
    e.name = "pull_request_target".into();
    assert!(check(&t, &e).is_ok());
    e.action = Some("opened".into());
    assert_eq!(reason(&t, &e), "types: 'opened' is not one of closed");
    // Events whose default is every type.
    let issues = Event {
        name: "issues".into(),
        action: Some("labeled".into()),
        ..Event::default()
    };
    assert!(check(&wf("  issues"), &issues).is_ok());
}

#[test]
fn branch_and_tag_filters() {
    let branches = wf("  push:\n    branches: [main, 'releases/**']");
    assert!(check(&branches, &push("refs/heads/releases/v1/x", &["a"])).is_ok());
    assert_eq!(
        reason(&branches, &push("refs/heads/dev", &["a"])),
        "branches: branch 'dev' does not match 'main', 'releases/**'"
    );
    // Only branch filters: tag pushes do not run.
    assert!(matches!(
        check(&branches, &push("refs/tags/v1", &[])),
        Err(NotTriggered::Filter(SkipReason::RefKindNotFiltered { .. }))
    ));
    // Only tag filters: branch pushes do not run.
    let tags = wf("  push:\n    tags: ['v*']");
    assert!(check(&tags, &push("refs/tags/v1.2", &[])).is_ok());
    assert!(check(&tags, &push("refs/heads/main", &["a"])).is_err());
    let ignore = wf("  push:\n    branches-ignore: ['dependabot/**']");
    assert_eq!(
        reason(&ignore, &push("refs/heads/dependabot/npm/x", &["a"])),
        "branches-ignore: branch 'dependabot/npm/x' is ignored by 'dependabot/**'"
    );
    let neg = wf("  push:\n    branches: ['releases/**', '!releases/**-alpha']");
    assert_eq!(
        reason(&neg, &push("refs/heads/releases/2-alpha", &["a"])),
        "branches: branch 'releases/2-alpha' is excluded by '!releases/**-alpha'"
    );
}

#[test]
fn path_filters() {
    let w = wf("  push:\n    branches: [main]\n    paths: ['shared/**', 'pixi.toml']");
    assert!(
        check(
            &w,
            &push("refs/heads/main", &["docs/a.md", "shared/core.mojo"])
        )
        .is_ok()
    );
    assert_eq!(
        reason(&w, &push("refs/heads/main", &["docs/index.md"])),
        "paths: no changed file matches 'shared/**', 'pixi.toml'"
    );
    // Not evaluated for tag pushes.
    let p = wf("  push:\n    paths: ['src/**']");
    assert!(check(&p, &push("refs/tags/v1", &["docs/x"])).is_ok());
    // Unknown changed files: the filter passes.
    let mut e = push("refs/heads/main", &[]);
    e.changed_files = None;
    assert!(check(&p, &e).is_ok());
    // Only the first 300 files count.
    let mut files: Vec<String> = (0..300).map(|i| format!("docs/{i}.md")).collect();
    files.push("src/late.rs".into());
    let mut e = push("refs/heads/main", &[]);
    e.changed_files = Some(files);
    assert!(check(&p, &e).is_err());
    let ign = wf("  push:\n    paths-ignore: ['docs/**']");
    assert_eq!(
        reason(&ign, &push("refs/heads/main", &["docs/a.md"])),
        "paths-ignore: every changed file matches 'docs/**'"
    );
    assert!(check(&ign, &push("refs/heads/main", &["docs/a.md", "x"])).is_ok());
}

#[test]
fn pull_request_filters_test_the_base_branch() {
    let w = wf("  pull_request:\n    branches: [main]\n    paths: ['shared/**/*.mojo']");
    assert!(check(&w, &pr("opened", "main", &["shared/a/core.mojo"])).is_ok());
    assert_eq!(
        reason(&w, &pr("opened", "dev", &["shared/core.mojo"])),
        "branches: branch 'dev' does not match 'main'"
    );
    assert_eq!(
        reason(&w, &pr("synchronize", "main", &["papers/p.md"])),
        "paths: no changed file matches 'shared/**/*.mojo'"
    );
}

#[test]
fn schedules() {
    let w = wf("  schedule:\n    - cron: '0 0 * * 0'\n    - cron: '30 5 * * 1'");
    let mut e = Event {
        name: "schedule".into(),
        git_ref: Some("refs/heads/main".into()),
        default_branch: "main".into(),
        ..Event::default()
    };
    assert!(check(&w, &e).is_ok());
    e.schedule = Some("30  5 * * 1".into());
    assert!(check(&w, &e).is_ok());
    e.schedule = Some("0 1 * * *".into());
    assert_eq!(
        reason(&w, &e),
        "schedule: '0 1 * * *' is not one of the workflow's schedules ('0 0 * * 0', '30 5 * * 1')"
    );
    e.schedule = None;
    e.git_ref = Some("refs/heads/dev".into());
    assert_eq!(
        reason(&w, &e),
        "schedule: runs only on the default branch ('main'), not on 'dev'"
    );
}

#[test]
fn workflow_run_filters() {
    let w =
        wf("  workflow_run:\n    workflows: [Build]\n    types: [completed]\n    branches: [main]");
    let mut e = Event {
        name: "workflow_run".into(),
        action: Some("completed".into()),
        workflow_run: Some(WorkflowRun {
            workflow: "Build".into(),
            head_branch: Some("main".into()),
        }),
        ..Event::default()
    };
    assert!(check(&w, &e).is_ok());
    e.workflow_run = Some(WorkflowRun {
        workflow: "Lint".into(),
        head_branch: Some("main".into()),
    });
    assert_eq!(reason(&w, &e), "workflows: 'Lint' is not one of 'Build'");
    e.workflow_run = Some(WorkflowRun {
        workflow: "Build".into(),
        head_branch: Some("dev".into()),
    });
    assert_eq!(
        reason(&w, &e),
        "branches: branch 'dev' does not match 'main'"
    );
    e.action = Some("requested".into());
    assert_eq!(reason(&w, &e), "types: 'requested' is not one of completed");
}

#[test]
fn merge_group_and_dispatch() {
    let w = wf("  merge_group:\n    branches: [main]");
    let e = Event {
        name: "merge_group".into(),
        action: Some("checks_requested".into()),
        git_ref: Some("refs/heads/gh-readonly-queue/main/pr-1-abc".into()),
        base_ref: Some("refs/heads/main".into()),
        ..Event::default()
    };
    assert!(check(&w, &e).is_ok());
    let d = wf("  workflow_dispatch:\n    inputs:\n      level:\n        required: true");
    let mut e = Event {
        name: "workflow_dispatch".into(),
        ..Event::default()
    };
    assert_eq!(
        reason(&d, &e),
        "inputs: required input 'level' was not given"
    );
    assert!(check(&d, &e).unwrap_err().is_error());
    e.raw_inputs = vec![("level".into(), "3".into())];
    let t = check(&d, &e).unwrap();
    assert_eq!(
        t.inputs.unwrap().inputs.get("level").unwrap().as_str(),
        Some("3")
    );
}
