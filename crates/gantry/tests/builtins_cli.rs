//! Native built-ins (`actions/cache`, `upload-artifact`, `download-artifact`)
//! through `gantry run` on fixture repositories, and `gantry artifacts`.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

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

impl Repo {
    fn artifacts(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_gantry"))
            .current_dir(self.dir.path())
            .arg("artifacts")
            .args(args)
            .env("NO_COLOR", "1")
            .env("GANTRY_DATA_DIR", self.dir.path().join(".gantry-data"))
            .output()
            .unwrap()
    }
}

fn out(r: &Ran, job: &str, key: &str) -> String {
    r.outputs_of(job).get(key).cloned().unwrap_or_default()
}

#[test]
fn cache_hits_on_the_second_run_and_artifacts_pass_between_jobs() {
    let repo = Repo::new("builtins-tests");
    let first = repo.run(&["--env", "VARIANT=a"]);
    assert_eq!(first.result("test"), "success", "{}", first.all_text());
    assert_eq!(first.result("consume"), "success", "{}", first.all_text());
    // A miss leaves `cache-hit` unset, as the real action does.
    assert_eq!(out(&first, "test", "hit"), "");
    let primary = out(&first, "test", "primary");
    assert!(primary.starts_with("pip-Linux-a-"), "{primary}");
    assert!(
        first.output().contains("restored=none"),
        "{}",
        first.output()
    );
    assert!(
        first.output().contains("Cache saved with key"),
        "{}",
        first.output()
    );
    assert!(!out(&first, "test", "artifact").is_empty());

    // The second run hits the primary key exactly and does not save again.
    let second = repo.run(&["--env", "VARIANT=a"]);
    assert_eq!(second.result("test"), "success", "{}", second.all_text());
    assert_eq!(out(&second, "test", "hit"), "true");
    assert_eq!(out(&second, "test", "matched"), primary);
    assert!(
        second.output().contains("restored=a"),
        "{}",
        second.output()
    );
    assert!(
        second.output().contains("not saving cache"),
        "{}",
        second.output()
    );

    // `gantry artifacts list` shows both runs' artifacts.
    let listed = repo.artifacts(&["list"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{text}");
    assert_eq!(text.matches("test-report").count(), 2, "{text}");
    let dest = repo.dir.path().join("downloaded");
    let dl = repo.artifacts(&["download", "test-report", "--dir", dest.to_str().unwrap()]);
    assert!(
        dl.status.success(),
        "{}",
        String::from_utf8_lossy(&dl.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dest.join("report.txt"))
            .unwrap()
            .trim(),
        "tool-ok"
    );

    // A restore key's prefix hit: not a hit, with the matched key.
    let third = repo.run(&["--env", "VARIANT=b"]);
    assert_eq!(third.result("test"), "success", "{}", third.all_text());
    assert_eq!(out(&third, "test", "hit"), "false");
    assert!(out(&third, "test", "matched").starts_with("pip-Linux-"));
    assert!(
        third
            .output()
            .contains("Cache saved with key: pip-Linux-b-")
    );

    // A failed job saves nothing.
    let failed = repo.run(&["--env", "VARIANT=c", "--env", "FAIL=yes"]);
    assert_eq!(failed.result("test"), "failure", "{}", failed.all_text());
    assert!(!failed.output().contains("Cache saved with key"));
    let again = repo.run(&["--env", "VARIANT=c"]);
    assert_ne!(out(&again, "test", "hit"), "true");
    assert!(!out(&again, "test", "matched").starts_with("pip-Linux-c-"));
}
