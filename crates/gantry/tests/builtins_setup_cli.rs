//! The native built-ins setup-python, dorny/paths-filter and
//! github-script, run by `gantry run` on fixture repositories
//! (`tests/run-fixtures/setup-*`, `paths-filter-*`, `github-script-*`).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
        // Keep the cache and artifact stores of test runs out of the user's.
        c.env("GANTRY_DATA_DIR", self.dir.path().join(".gantry-data"));
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

fn rev_parse(dir: &Path, rev: &str) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", rev])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn python_311_installed() -> bool {
    Command::new("python3.11")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn node_installed() -> bool {
    Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn setup_python_uses_the_installed_version() {
    if !python_311_installed() {
        eprintln!("skipped: no python3.11 here");
        return;
    }
    let repo = Repo::new("setup-python");
    let t0 = Instant::now();
    let r = repo.run(&[]);
    assert!(t0.elapsed() < Duration::from_secs(120));
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let py = r.outputs_of("py");
    assert!(py["version"].starts_with("3.11."), "{py:?}");
    assert_eq!(py["hit"], "false");
    assert!(r.outputs_of("file")["version"].starts_with("3.11."));
    let out = r.output();
    assert!(out.contains("Python 3.11."), "{out}");
    assert!(out.contains("minor 11"), "{out}");
    assert!(out.contains("cache built-in"), "{out}");
    assert!(out.contains("location=/"), "{out}");
}

#[test]
fn setup_python_fails_clearly_without_the_version() {
    let repo = Repo::new("setup-missing");
    let r = repo.run(&[]);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.result("missing"), "failure");
    let text = r.all_text();
    assert!(
        text.contains("no installed Python satisfies `3.99` (python-version)"),
        "{text}"
    );
    assert!(text.contains("installed: ") || text.contains("no Python is installed"));
    assert!(!r.output().contains("never runs"));
}

#[test]
fn paths_filter_outputs_follow_the_pushed_changes() {
    let repo = Repo::new("paths-filter-push");
    let dir = repo.dir.path();
    let first = rev_parse(dir, "HEAD");
    std::fs::write(dir.join("shared/x.py"), "print(2)\n").unwrap();
    git(dir, &["commit", "--quiet", "-am", "shared"]);
    let second = rev_parse(dir, "HEAD");
    let r = repo.run(&["push", "--before", &first, "--after", &second]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let o = r.outputs_of("changes");
    assert_eq!(o["shared"], "true", "{o:?}");
    assert_eq!(o["python"], "true");
    assert_eq!(o["python_count"], "1");
    assert_eq!(o["python_files"], r#"["shared/x.py"]"#);
    assert_eq!(o["docs"], "false");
    assert_eq!(o["code"], "true");
    assert_eq!(o["changes"], r#"["shared","python","code"]"#);

    std::fs::write(dir.join("docs/a.md"), "# more docs\n").unwrap();
    git(dir, &["commit", "--quiet", "-am", "docs"]);
    let third = rev_parse(dir, "HEAD");
    let r = repo.run(&["push", "--before", &second, "--after", &third]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let o = r.outputs_of("changes");
    assert_eq!(o["shared"], "false", "{o:?}");
    assert_eq!(o["python"], "false");
    assert_eq!(o["python_count"], "0");
    assert_eq!(o["python_files"], "[]");
    assert_eq!(o["docs"], "true");
    assert_eq!(o["code"], "false");
    assert_eq!(o["changes"], r#"["docs"]"#);

    // `--changed` gives the files directly.
    let r = repo.run(&["push", "--changed", "docs/b.md", "lib/y.py"]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let o = r.outputs_of("changes");
    assert_eq!(o["changes"], r#"["python","docs","code"]"#, "{o:?}");
}

#[test]
fn github_script_outputs_summaries_and_recorded_comments() {
    if !node_installed() {
        eprintln!("skipped: no node here");
        return;
    }
    let repo = Repo::new("github-script-basic");
    let r = repo.run(&[]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let o = r.outputs_of("script");
    assert_eq!(o["result"], r#"{"answer":42}"#, "{o:?}");
    assert!(o["custom"].ends_with("event=push"), "{o:?}");
    assert!(o["custom"].starts_with("repo="), "{o:?}");
    assert_eq!(o["text"], "plain true");
    let out = r.output();
    assert!(
        out.contains("comments on 7: 1 first=Hello from the workflow"),
        "{out}"
    );
    let summary = r
        .events
        .iter()
        .find(|e| e["type"] == "step_summary")
        .unwrap();
    let md = summary["markdown"].as_str().unwrap();
    assert!(
        md.contains("<h1>From github-script</h1>") && md.contains("summary body"),
        "{md}"
    );
    let anns: Vec<&Value> = r
        .events
        .iter()
        .filter(|e| e["type"] == "annotation")
        .collect();
    assert!(
        anns.iter().any(
            |a| a["annotation"]["level"] == "warning" && a["annotation"]["title"] == "Heads up"
        )
    );
    assert!(anns.iter().any(|a| {
        a["annotation"]["level"] == "error"
            && a["annotation"]["message"]
                .as_str()
                .unwrap()
                .contains("Unhandled error: Error: boom from the script")
    }));
}
