//! Whole plans of the seed's workflows (copied to `tests/fixtures/`), for
//! hand-built events, as snapshots and as known answers.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use gantry_expr::{Object, Value};
use gantry_plan::{
    Event, JobPlan, MemoryRepo, Plan, PlanOptions, WorkflowPlan, plan, render_dot, render_human,
    render_json, render_mermaid,
};
use gantry_workflow::Workflow;

fn fixtures(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                format!(".github/workflows/{name}"),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn workflows(files: &[(String, String)]) -> Vec<(String, Workflow)> {
    files
        .iter()
        .map(|(p, src)| (p.clone(), gantry_workflow::parse_workflow(src).0.unwrap()))
        .collect()
}

fn github(event: &str, git_ref: &str, payload: Object) -> Object {
    let mut gh = Object::new();
    gh.insert("event_name", Value::from(event));
    gh.insert("ref", Value::from(git_ref));
    gh.insert(
        "ref_name",
        Value::from(git_ref.rsplit('/').next().unwrap_or(git_ref)),
    );
    gh.insert(
        "sha",
        Value::from("0123456789abcdef0123456789abcdef01234567"),
    );
    gh.insert("repository", Value::from("octo/odyssey"));
    gh.insert("repository_owner", Value::from("octo"));
    gh.insert("event", Value::object(payload));
    gh
}

fn push(branch: &str, changed: &[&str]) -> Event {
    let git_ref = format!("refs/heads/{branch}");
    Event {
        name: "push".into(),
        action: None,
        git_ref: Some(git_ref.clone()),
        changed_files: Some(changed.iter().map(|s| (*s).to_owned()).collect()),
        default_branch: "main".into(),
        github: github("push", &git_ref, Object::new()),
        ..Event::default()
    }
}

fn pull_request(changed: &[&str]) -> Event {
    Event {
        name: "pull_request".into(),
        action: Some("synchronize".into()),
        git_ref: Some("refs/pull/7/merge".into()),
        head_ref: Some("feature/speedup".into()),
        base_ref: Some("main".into()),
        changed_files: Some(changed.iter().map(|s| (*s).to_owned()).collect()),
        default_branch: "main".into(),
        github: github("pull_request", "refs/pull/7/merge", Object::new()),
        ..Event::default()
    }
}

fn run(dir: &str, event: &Event) -> Plan {
    let files = fixtures(dir);
    plan(
        &workflows(&files),
        event,
        &PlanOptions::default(),
        &MemoryRepo(files.clone()),
    )
}

fn workflow<'p>(plan: &'p Plan, name: &str) -> &'p WorkflowPlan {
    plan.workflows
        .iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("no workflow {name}"))
}

fn job<'p>(wf: &'p WorkflowPlan, name: &str) -> &'p JobPlan {
    wf.jobs
        .iter()
        .find(|j| j.name == name)
        .unwrap_or_else(|| panic!("no job {name} in {:#?}", wf.jobs))
}

#[test]
fn push_to_main_changing_shared_code() {
    let p = run("seed", &push("main", &["shared/core.mojo"]));
    let triggered: Vec<&str> = p.triggered().map(|w| w.name.as_str()).collect();
    assert_eq!(triggered, ["Pre-commit", "Security Scan", "Tests"]);
    let bench = workflow(&p, "Benchmarks");
    assert_eq!(
        bench.reason.as_deref(),
        Some("event: the workflow does not listen to 'push'")
    );
    let tests = workflow(&p, "Tests");
    assert_eq!(tests.jobs.len(), 2);
    let ubuntu = job(tests, "Test on ubuntu-latest");
    assert!(ubuntu.runnable);
    assert_eq!(ubuntu.matrix.as_ref().unwrap()["cache-path"], "~/.pixi");
    let mac = job(tests, "Test on macos-latest");
    assert!(!mac.runnable);
    assert!(mac.skip_reason.as_deref().unwrap().contains("macOS"));
    assert_eq!(
        tests.concurrency.as_ref().unwrap().group,
        "Tests-refs/heads/main"
    );
    insta::assert_snapshot!("push_shared_human", render_human(&p, true, false));
    insta::assert_snapshot!("push_shared_json", render_json(&p));
}

#[test]
fn push_changing_only_docs_does_not_run_tests() {
    let p = run("seed", &push("main", &["docs/index.md"]));
    let tests = workflow(&p, "Tests");
    assert!(!tests.triggered);
    assert_eq!(
        tests.reason.as_deref(),
        Some(
            "paths: no changed file matches 'shared/**', 'papers/**', 'tests/**', 'pixi.toml', 'pyproject.toml'"
        )
    );
    let human = render_human(&p, true, false);
    assert!(human.contains("paths: no changed file matches 'shared/**'"));
    insta::assert_snapshot!("push_docs_explain", human);
    let short = render_human(&p, false, false);
    assert!(short.contains("(--explain says why)"));
}

#[test]
fn pull_requests_and_benchmarks() {
    let p = run("seed", &pull_request(&["shared/core.mojo"]));
    let bench = workflow(&p, "Benchmarks");
    assert!(bench.triggered, "{:?}", bench.reason);
    assert_eq!(bench.jobs[0].name, "benchmark");
    let triggered: Vec<&str> = p.triggered().map(|w| w.name.as_str()).collect();
    assert_eq!(
        triggered,
        ["Benchmarks", "Pre-commit", "Security Scan", "Tests"]
    );
    insta::assert_snapshot!("pr_shared_human", render_human(&p, true, false));

    let p = run("seed", &pull_request(&["papers/attention/README.md"]));
    let bench = workflow(&p, "Benchmarks");
    assert!(!bench.triggered);
    assert_eq!(
        bench.reason.as_deref(),
        Some("paths: no changed file matches 'shared/**/*.mojo', 'benchmarks/**'")
    );
    // A closed pull request triggers nothing by default.
    let mut closed = pull_request(&["shared/core.mojo"]);
    closed.action = Some("closed".into());
    let p = run("seed", &closed);
    assert_eq!(p.triggered().count(), 0);
    assert_eq!(
        workflow(&p, "Tests").reason.as_deref(),
        Some("types: 'closed' is not one of opened, synchronize, reopened (the default)")
    );
}

#[test]
fn matrix_fragments() {
    let p = run("fragments", &push("main", &["x"]));
    let multi = workflow(&p, ".github/workflows/multi-platform-testing.yml");
    // 3 × 3 × 2 = 18, minus windows × nightly × 3 python versions = 15.
    assert_eq!(multi.jobs.len(), 15);
    assert_eq!(multi.jobs[0].name, "test (ubuntu-latest, 3.10, 24.5.0)");
    assert!(
        multi
            .jobs
            .iter()
            .all(|j| !(j.name.contains("windows") && j.name.contains("nightly")))
    );
    let runnable = multi.jobs.iter().filter(|j| j.runnable).count();
    assert_eq!(runnable, 6);
    let last = multi.jobs.last().unwrap();
    assert_eq!(
        last.strategy.map(|s| (s.job_index, s.job_total)),
        Some((14, 15))
    );
    let sharded = workflow(&p, ".github/workflows/parallel-job-execution.yml");
    assert_eq!(sharded.jobs.len(), 12);
    assert_eq!(sharded.jobs[0].name, "test (unit, 1)");
    assert_eq!(sharded.jobs[11].name, "test (e2e, 4)");
    let cond = workflow(&p, ".github/workflows/conditional-job-execution.yml");
    let shared = job(cond, "test-shared");
    assert_eq!(
        shared.condition.as_ref().unwrap().detail.as_deref(),
        Some("needs.check-changes.outputs.shared")
    );
    insta::assert_snapshot!("fragments_human", render_human(&p, true, false));
    insta::assert_snapshot!("fragments_mermaid", render_mermaid(&p));
}

#[test]
fn reusable_workflow_calls() {
    let p = run("calls", &push("main", &["src/a.rs"]));
    let ci = workflow(&p, "CI");
    assert_eq!(ci.run_name.as_deref(), Some("CI for main"));
    let names: Vec<&str> = ci.jobs.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "setup",
            "remote",
            "test-shared",
            "test-shared / test",
            "test-dynamic",
            "test-dynamic / test",
            "report",
            "deploy",
            "after-deploy",
        ]
    );
    let called = job(ci, "test-shared / test");
    assert_eq!(called.id, "test-shared/test");
    assert_eq!(called.needs, ["setup"]);
    assert!(called.runnable);
    let remote = job(ci, "remote");
    assert!(!remote.runnable);
    assert!(
        remote
            .skip_reason
            .as_deref()
            .unwrap()
            .contains("not expanded")
    );
    let deploy = job(ci, "deploy");
    assert!(deploy.skipped);
    assert_eq!(
        deploy.skip_reason.as_deref(),
        Some("if: `github.ref == 'refs/heads/release'` is false")
    );
    let after = job(ci, "after-deploy");
    assert!(after.skipped);
    assert_eq!(
        after.skip_reason.as_deref(),
        Some("needs: 'deploy' is skipped")
    );
    let report = job(ci, "report");
    assert!(!report.skipped);
    assert_eq!(
        report.condition.as_ref().unwrap().detail.as_deref(),
        Some("the results of the jobs it needs")
    );
    insta::assert_snapshot!("calls_human", render_human(&p, true, false));
    insta::assert_snapshot!("calls_json", render_json(&p));
    insta::assert_snapshot!("calls_mermaid", render_mermaid(&p));
    insta::assert_snapshot!("calls_dot", render_dot(&p));
}

#[test]
fn dispatch_with_inputs() {
    let mut e = Event {
        name: "workflow_dispatch".into(),
        git_ref: Some("refs/heads/main".into()),
        default_branch: "main".into(),
        github: github("workflow_dispatch", "refs/heads/main", Object::new()),
        raw_inputs: vec![("python".into(), "3.12".into())],
        ..Event::default()
    };
    let p = run("calls", &e);
    let ci = workflow(&p, "CI");
    assert_eq!(ci.inputs, Some(serde_json::json!({"python": "3.12"})));
    let called = job(ci, "test-shared / test");
    assert!(called.runnable);
    e.raw_inputs = vec![("python".into(), "2.7".into())];
    let p = run("calls", &e);
    let ci = workflow(&p, "CI");
    assert!(!ci.triggered);
    assert_eq!(
        ci.reason.as_deref(),
        Some("inputs: input 'python': '2.7' is not one of the options '3.11', '3.12'")
    );
    assert!(p.has_errors());
}

#[test]
fn platform_mapping() {
    let files = fixtures("seed");
    let options = PlanOptions {
        platforms: vec![(
            "macos-latest".into(),
            "catthehacker/ubuntu:act-latest".into(),
        )],
    };
    let p = plan(
        &workflows(&files),
        &push("main", &["shared/core.mojo"]),
        &options,
        &MemoryRepo(files.clone()),
    );
    let mac = job(workflow(&p, "Tests"), "Test on macos-latest");
    assert!(mac.runnable);
    assert_eq!(
        mac.platform.as_deref(),
        Some("catthehacker/ubuntu:act-latest")
    );
}

#[test]
fn schedule_runs_security_and_cleanup() {
    let e = Event {
        name: "schedule".into(),
        git_ref: Some("refs/heads/main".into()),
        default_branch: "main".into(),
        schedule: Some("0 0 * * 0".into()),
        github: github("schedule", "refs/heads/main", Object::new()),
        ..Event::default()
    };
    let p = run("seed", &e);
    let triggered: Vec<&str> = p.triggered().map(|w| w.name.as_str()).collect();
    assert_eq!(triggered, ["Cleanup Old Artifacts", "Security Scan"]);
}
