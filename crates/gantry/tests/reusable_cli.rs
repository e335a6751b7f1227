//! `gantry run` on fixture repositories for reusable workflows at run time
//! and deployment environments (`tests/run-fixtures/reusable-*`,
//! `environments-*`), asserted on job results, outputs and masked logs
//! from the JSON event stream. The harness is `run_cli.rs`'s.

#![allow(clippy::unwrap_used, dead_code)]

#[path = "support/run_harness.rs"]
mod harness;

use harness::Repo;

#[test]
fn the_seeds_reusable_test_workflow_returns_its_coverage() {
    let repo = Repo::new("reusable-seed");
    let r = repo.run(&[]);
    assert_eq!(r.code, Some(0), "{:?}\n{}", r.results(), r.stderr);
    assert_eq!(r.result("test-shared / test"), "success");
    assert_eq!(r.result("test-shared"), "success");
    let out = r.output();
    assert!(
        out.contains("testing tests/shared/ on python 3.12"),
        "{out}"
    );
    assert!(out.contains("coverage=87.5 result=success"), "{out}");
    assert_eq!(
        r.outputs_of("test-shared")
            .get("coverage")
            .map(String::as_str),
        Some("87.5")
    );
}

#[test]
fn calls_with_secrets_matrices_nesting_and_failures() {
    let repo = Repo::new("reusable-calls");
    let r = repo.run(&["--secret", "API_TOKEN=tok-sup3r-s3cret"]);
    assert_eq!(r.code, Some(1), "the failing callee fails the run");
    let out = r.output();
    // Mapped secrets: only what is mapped; inherited: all; both masked.
    assert!(out.contains("mapped token=*** api=[]"), "{out}");
    assert!(out.contains("inherited token=*** env=callee-env"), "{out}");
    assert!(
        !r.all_text().contains("tok-sup3r-s3cret"),
        "a secret leaked"
    );
    // The callee's workflow_ref, the caller's event.
    assert!(
        out.contains(".github/workflows/secrets.yml@refs/heads/main event=push"),
        "{out}"
    );
    // Inputs from the caller's needs; outputs back to its dependents.
    assert!(out.contains("mapped=mapped-hello"), "{out}");
    // A matrix of calls: the last successful cell's output.
    assert_eq!(r.result("cells (1) / double"), "success");
    assert_eq!(r.result("cells (2) / double"), "success");
    assert!(out.contains("cells=4 result=success"), "{out}");
    // A chain of three nested calls.
    assert_eq!(r.result("chain / two / three / leaf"), "success");
    assert!(out.contains("chain=deep-1-2-3"), "{out}");
    // A failing callee, seen by the caller's dependents.
    assert_eq!(r.result("failing / boom"), "failure");
    assert_eq!(r.result("failing"), "failure");
    assert!(out.contains("failing=failure"), "{out}");
    assert_eq!(r.result("report"), "success");
}

#[test]
fn a_missing_required_input_is_an_error_before_anything_runs() {
    let repo = Repo::new("reusable-missing-input");
    let r = repo.run(&[]);
    assert_eq!(r.code, Some(1));
    assert!(r.events.is_empty(), "nothing runs: {:?}", r.events);
    assert!(
        r.stderr
            .contains("required input 'required-path' was not given"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_protected_environment_needs_approval() {
    let repo = Repo::new("environments-production");
    // Not approved, no terminal: fails at once.
    let t0 = std::time::Instant::now();
    let r = repo.run(&["-j", "deploy"]);
    assert!(t0.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(r.code, Some(1));
    assert_eq!(r.result("deploy"), "failure");
    assert!(
        r.all_text().contains(
            "requires approval, and there is no terminal to ask: pass --approve production"
        ),
        "{}",
        r.all_text()
    );
    assert!(!r.output().contains("key="), "the job did not run");
    // Approved in advance: runs with the environment's secrets, masked.
    let r = repo.run(&["-j", "deploy", "--approve", "production"]);
    assert_eq!(r.code, Some(0), "{:?}\n{}", r.results(), r.stderr);
    let out = r.output();
    assert!(out.contains("key=*** secret=*** region=eu-west-1"), "{out}");
    let text = r.all_text();
    assert!(!text.contains("AKIA-env-key-1234") && !text.contains("env-secret-value-5678"));
    let env = r
        .events
        .iter()
        .find(|e| e["type"] == "job_environment")
        .unwrap();
    assert_eq!(env["name"], "production");
    assert_eq!(env["url"], "https://docs.example.com/main");
    // A flag overrides the file.
    let r = repo.run(&[
        "-j",
        "deploy",
        "--approve",
        "production",
        "--env-var",
        "production:REGION=ap-south-1",
    ]);
    assert!(r.output().contains("region=ap-south-1"), "{}", r.output());
}

#[test]
fn a_branch_the_environment_does_not_allow_fails_the_job() {
    let repo = Repo::new("environments-production");
    let r = repo.run(&["-j", "stage"]);
    assert_eq!(r.result("stage"), "failure");
    let text = r.all_text();
    assert!(
        text.contains("branch 'main' may not deploy") && text.contains("`branches`"),
        "{text}"
    );
}

#[test]
fn a_pull_request_from_a_fork_gets_no_secrets() {
    let repo = Repo::new("environments-fork");
    let r = repo.run(&[
        "pull_request",
        "--fork",
        "--secret",
        "API_TOKEN=abc-fork-123",
    ]);
    assert_eq!(r.result("show"), "success");
    assert!(
        r.output().contains("token=[] github_token=[]"),
        "{}",
        r.output()
    );
    // Without --fork, the same pull request has its secrets.
    let r = repo.run(&["pull_request", "--secret", "API_TOKEN=abc-fork-123"]);
    assert!(r.output().contains("token=[***]"), "{}", r.output());
}
