//! `gantry plan` end to end, on a git repository built at test time from the
//! seed's workflows (tests/fixtures/plan-repo).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

struct Repo {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

impl Repo {
    /// The fixture's workflows plus a few source files, committed on `main`.
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("plan-repo");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan-repo");
        copy_dir(&fixture, &root);
        let repo = Repo { _dir: dir, root };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Mona Lisa"]);
        repo.git(&["config", "user.email", "mona@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo.write("shared/core.mojo", "fn core(): pass\n");
        repo.write("docs/index.md", "# Docs\n");
        repo.write("papers/paper.md", "# Paper\n");
        repo.commit("initial");
        repo
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", &self.root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn write(&self, path: &str, content: &str) {
        let p = self.root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// Changes one file and commits it.
    fn change(&self, path: &str, message: &str) {
        let p = self.root.join(path);
        let mut text = std::fs::read_to_string(&p).unwrap_or_default();
        text.push_str("// changed\n");
        self.write(path, &text);
        self.commit(message);
    }

    fn gantry(&self, args: &[&str]) -> Output {
        gantry_in(&self.root, args)
    }

    /// `gantry plan ARGS --format json`, which must succeed.
    fn plan_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["plan"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let out = self.gantry(&all);
        assert_eq!(
            out.code, 0,
            "stderr: {}\nstdout: {}",
            out.stderr, out.stdout
        );
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout))
    }
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn gantry_in(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_gantry"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn workflow<'a>(plan: &'a Value, name: &str) -> &'a Value {
    plan["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == name)
        .unwrap_or_else(|| panic!("no workflow {name} in {plan:#}"))
}

fn triggered(plan: &Value, name: &str) -> bool {
    workflow(plan, name)["triggered"].as_bool().unwrap()
}

fn job<'a>(wf: &'a Value, name: &str) -> &'a Value {
    wf["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == name)
        .unwrap_or_else(|| panic!("no job {name} in {wf:#}"))
}

#[test]
fn push_to_main_changing_core() {
    let repo = Repo::new();
    repo.change("shared/core.mojo", "Speed up the core");
    let plan = repo.plan_json(&[]);
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["event"]["name"], "push");
    assert!(triggered(&plan, "Tests"));
    assert!(triggered(&plan, "Pre-commit"));
    assert!(triggered(&plan, "Security Scan"));
    assert!(!triggered(&plan, "Benchmarks"));

    let tests = workflow(&plan, "Tests");
    assert_eq!(tests["file"], ".github/workflows/test.yml");
    let ubuntu = job(tests, "Test on ubuntu-latest");
    assert_eq!(ubuntu["id"], "test");
    assert_eq!(ubuntu["runnable"], true);
    assert_eq!(ubuntu["matrix"]["os"], "ubuntu-latest");
    assert_eq!(ubuntu["matrix"]["cache-path"], "~/.pixi");
    let mac = job(tests, "Test on macos-latest");
    assert_eq!(mac["runnable"], false);
}

#[test]
fn push_changing_only_docs_does_not_run_tests() {
    let repo = Repo::new();
    repo.change("docs/index.md", "Docs");
    let plan = repo.plan_json(&[]);
    assert!(!triggered(&plan, "Tests"));
    assert!(triggered(&plan, "Pre-commit"));
    let reason = workflow(&plan, "Tests")["reason"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(reason.contains("paths"), "{reason}");

    let out = repo.gantry(&["plan", "--explain"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Tests"), "{}", out.stdout);
    assert!(out.stdout.contains("paths"), "{}", out.stdout);
    assert!(out.stdout.contains("shared/**"), "{}", out.stdout);
    assert!(!out.stdout.contains('\x1b'), "NO_COLOR: {}", out.stdout);
}

#[test]
fn changed_overrides_git() {
    let repo = Repo::new();
    repo.change("docs/index.md", "Docs");
    let plan = repo.plan_json(&["push", "--changed", "shared/core.mojo"]);
    assert!(triggered(&plan, "Tests"));
}

#[test]
fn pull_request_changing_core_runs_benchmarks() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "feature/core"]);
    repo.change("shared/core.mojo", "Faster core");
    let plan = repo.plan_json(&["pull_request"]);
    assert_eq!(plan["event"]["name"], "pull_request");
    assert!(triggered(&plan, "Benchmarks"));
    assert!(triggered(&plan, "Tests"));
}

#[test]
fn pull_request_changing_papers_skips_benchmarks() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "papers"]);
    repo.change("papers/paper.md", "Paper");
    let plan = repo.plan_json(&["pull_request"]);
    assert!(!triggered(&plan, "Benchmarks"));
    let reason = workflow(&plan, "Benchmarks")["reason"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(reason.contains("paths"), "{reason}");
    // Against another base the pull request's branch filter fails.
    repo.git(&["branch", "develop", "main"]);
    let plan = repo.plan_json(&["pull_request", "--base", "develop"]);
    assert!(!triggered(&plan, "Tests"));
}

#[test]
fn schedule_only_runs_scheduled_workflows() {
    let repo = Repo::new();
    let plan = repo.plan_json(&["schedule", "--schedule", "0 0 * * 0"]);
    assert!(triggered(&plan, "Security Scan"));
    assert!(!triggered(&plan, "Tests"));
}

#[test]
fn a_broken_workflow_is_listed_not_planned() {
    let repo = Repo::new();
    repo.write(
        ".github/workflows/broken.yml",
        "name: Broken\non: push\njobs: [\n",
    );
    repo.commit("broken");
    let plan = repo.plan_json(&[]);
    let broken = plan["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["file"] == ".github/workflows/broken.yml")
        .unwrap_or_else(|| panic!("{plan:#}"));
    assert_eq!(broken["triggered"], false);
    assert!(!broken["reason"].as_str().unwrap_or("").is_empty());
    assert!(triggered(&plan, "Pre-commit"));
}

#[test]
fn dispatch_inputs() {
    let repo = Repo::new();
    repo.write(
        ".github/workflows/deploy.yml",
        "name: Deploy\non:\n  workflow_dispatch:\n    inputs:\n      environment:\n        required: true\n        type: string\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ inputs.environment }}\n",
    );
    repo.commit("deploy");
    let deploy = ".github/workflows/deploy.yml";
    let out = repo.gantry(&["plan", "workflow_dispatch", "-W", deploy]);
    assert_eq!(
        out.code, 1,
        "missing required input: {}{}",
        out.stdout, out.stderr
    );
    let plan = repo.plan_json(&[
        "workflow_dispatch",
        "-W",
        deploy,
        "--input",
        "environment=prod",
    ]);
    assert!(triggered(&plan, "Deploy"));
    assert_eq!(plan["workflows"].as_array().unwrap().len(), 1);
}

#[test]
fn graph_output() {
    let repo = Repo::new();
    repo.change("shared/core.mojo", "core");
    let out = repo.gantry(&["plan", "--graph", "mermaid"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("pre-commit"), "{}", out.stdout);
    let out = repo.gantry(&["plan", "--graph", "dot"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("digraph"), "{}", out.stdout);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = gantry_in(dir.path(), &["plan"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not inside a git repository"),
        "{}",
        out.stderr
    );

    let repo = Repo::new();
    for args in [
        &["plan", "--input", "novalue"][..],
        &["plan", "--eventpath", "missing.json"],
        &["plan", "-W", "missing.yml"],
        &["plan", "--before", "no-such-commit"],
        &["plan", "pull_request", "--base", "no-such-branch"],
        &["plan", "--format", "xml"],
        &["plan", "--platform", "macos-latest"],
    ] {
        let out = repo.gantry(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.starts_with("error"), "{args:?}: {}", out.stderr);
    }
}

/// Every project of the shared real-world corpus (when it is there) plans
/// for push, pull_request and workflow_dispatch without failing to run:
/// exit 0, or 1 with the failure in the plan (a required dispatch input).
#[test]
fn corpus_plans() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        eprintln!("skipped: no corpus at {}", corpus.display());
        return;
    };
    let mut projects: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.join(".github/workflows").is_dir())
        .collect();
    projects.sort();
    for project in projects {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        copy_dir(&project.join(".github"), &root.join(".github"));
        let repo = Repo {
            _dir: dir,
            root: root.clone(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Mona Lisa"]);
        repo.git(&["config", "user.email", "mona@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo.commit("initial");
        let files = std::fs::read_dir(root.join(".github/workflows"))
            .unwrap()
            .filter(|e| {
                let p = e.as_ref().unwrap().path();
                p.is_file() && p.extension().is_some_and(|x| x == "yml" || x == "yaml")
            })
            .count();
        for event in ["push", "pull_request", "workflow_dispatch"] {
            let out = repo.gantry(&["plan", event, "--format", "json"]);
            let name = project.file_name().unwrap().to_string_lossy();
            assert!(
                out.code == 0 || out.code == 1,
                "{name} {event}: exit {}: {}",
                out.code,
                out.stderr
            );
            let plan: Value = serde_json::from_str(&out.stdout)
                .unwrap_or_else(|e| panic!("{name} {event}: not JSON ({e})"));
            let workflows = plan["workflows"].as_array().unwrap();
            assert_eq!(workflows.len(), files, "{name} {event}");
            if out.code == 1 {
                assert!(
                    workflows.iter().any(|w| {
                        w.get("errors").is_some_and(|e| !e.is_null())
                            || w["reason"]
                                .as_str()
                                .is_some_and(|r| r.starts_with("inputs"))
                    }),
                    "{name} {event}: exit 1 without a failure in the plan"
                );
            }
        }
    }
}

#[test]
fn vars_given_to_plan_decide_conditions_on_them() {
    let repo = Repo::new();
    repo.write(
        ".github/workflows/vars.yml",
        "name: Vars\non: push\njobs:\n  deploy:\n    if: vars.DEPLOY == 'yes'\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo deploy\n",
    );
    repo.commit("vars workflow");
    // Without `--var`, `vars` is decided at run time.
    let plan = repo.plan_json(&[]);
    let cond = &job(workflow(&plan, "Vars"), "deploy")["condition"];
    assert_eq!(cond["result"], "run-time", "{cond}");
    // With it, as `gantry run --var` would decide.
    let plan = repo.plan_json(&["--var", "DEPLOY=yes"]);
    let deploy = job(workflow(&plan, "Vars"), "deploy");
    assert_eq!(deploy["condition"]["result"], "true", "{deploy}");
    assert_eq!(deploy["skipped"], false, "{deploy}");
    let plan = repo.plan_json(&["--var", "DEPLOY=no"]);
    let deploy = job(workflow(&plan, "Vars"), "deploy");
    assert_eq!(deploy["condition"]["result"], "false", "{deploy}");
    assert_eq!(deploy["skipped"], true, "{deploy}");
}
