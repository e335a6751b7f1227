//! `gantry run` on fixture repositories for reusable workflows at run time
//! and deployment environments (`tests/run-fixtures/reusable-*`,
//! `environments-*`), asserted on job results, outputs and masked logs
//! from the JSON event stream. The harness is `run_cli.rs`'s.

#![allow(clippy::unwrap_used, dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/run-fixtures")
        .join(name)
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Gantry Test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fixture copied into a fresh git repository on `main`.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new(name: &str) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        copy(&fixture_dir(name), dir.path());
        git(dir.path(), &["init", "--quiet", "--initial-branch=main"]);
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "--quiet", "-m", "fixture"]);
        Repo { dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_gantry"));
        c.current_dir(self.dir.path())
            .arg("run")
            .args(args)
            .arg("--format")
            .arg("json");
        c.env("NO_COLOR", "1");
        c
    }

    fn run(&self, args: &[&str]) -> Ran {
        let out = self.command(args).output().unwrap();
        Ran::parse(
            out.status.code(),
            &String::from_utf8_lossy(&out.stdout),
            &String::from_utf8_lossy(&out.stderr),
        )
    }
}

struct Ran {
    code: Option<i32>,
    events: Vec<Value>,
    stderr: String,
}

impl Ran {
    fn parse(code: Option<i32>, stdout: &str, stderr: &str) -> Ran {
        let events = stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        Ran {
            code,
            events,
            stderr: stderr.to_owned(),
        }
    }

    /// Job results by job name (finished or skipped).
    fn results(&self) -> BTreeMap<String, String> {
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        for e in &self.events {
            if e["type"] == "run_started" {
                for j in e["jobs"].as_array().unwrap() {
                    names.insert(
                        j["key"].as_str().unwrap().to_owned(),
                        j["name"].as_str().unwrap().to_owned(),
                    );
                }
            }
        }
        let mut out = BTreeMap::new();
        for e in &self.events {
            let key = e["job"].as_str().unwrap_or_default();
            let name = names.get(key).cloned().unwrap_or_else(|| key.to_owned());
            if let Some("job_finished" | "job_skipped") = e["type"].as_str() {
                out.insert(name, e["result"].as_str().unwrap().to_owned());
            }
        }
        out
    }

    fn result(&self, job: &str) -> String {
        self.results()
            .get(job)
            .cloned()
            .unwrap_or_else(|| panic!("no result for {job}: {:?}\n{}", self.results(), self.stderr))
    }

    /// Every output line of every job, in order.
    fn output(&self) -> String {
        self.events
            .iter()
            .filter(|e| e["type"] == "output")
            .map(|e| e["line"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn outputs_of(&self, job_name: &str) -> BTreeMap<String, String> {
        self.events
            .iter()
            .find(|e| e["type"] == "job_finished" && e["name"] == job_name)
            .map(|e| serde_json::from_value(e["outputs"].clone()).unwrap())
            .unwrap_or_default()
    }

    fn all_text(&self) -> String {
        self.events
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

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
