//! The harness of the `gantry run` integration tests: a fixture folder
//! (`tests/run-fixtures/<behaviour>`) copied into a fresh git repository on
//! `main`, `gantry run --format json` on it, and the event stream read back
//! as job results, outputs and text; and, for remote actions and reusable
//! workflows, a `file://` server of bare git repositories ([`publish`],
//! [`World`]). Included by each test file with
//! `#[path = "support/run_harness.rs"] mod harness;`.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/run-fixtures")
        .join(name)
}

pub fn copy(from: &Path, to: &Path) {
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

/// Runs `git` in `dir` (a new repository's branch is `main`); its output,
/// trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Gantry Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The JSON summary line the `services-real-clients` fixture's action
/// printed in `phase` (`save`, `restore`).
pub fn services_summary(output: &str, phase: &str) -> Value {
    output
        .lines()
        .filter_map(|l| l.split_once("services-job ").map(|(_, j)| j))
        .filter_map(|j| serde_json::from_str::<Value>(j).ok())
        .find(|v| v["phase"] == phase)
        .unwrap_or_else(|| panic!("no {phase} summary in:\n{output}"))
}

/// Whether `program --version` runs here.
pub fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Writes `files` (path under `dir`, text), creating folders.
pub fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Makes `dir` a git repository on `main` with everything in it committed.
pub fn commit_all(dir: &Path, message: &str) {
    git(dir, &["init", "--quiet"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "--quiet", "-m", message]);
}

/// Publishes the repository `name` (`owner/repo`) holding `files`, tagged
/// `tag`, on the `file://` server `server`: a bare clone at
/// `<server>/<owner>/<repo>`.
pub fn publish(server: &Path, name: &str, files: &[(&str, &str)], tag: &str) {
    let work = server.join(format!("src-{}", name.replace('/', "-")));
    write(&work, files);
    commit_all(&work, "publish");
    git(&work, &["tag", tag]);
    let bare = server.join(name);
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    git(
        server,
        &[
            "clone",
            "--quiet",
            "--bare",
            work.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
}

/// A repository, a `file://` server (see [`publish`]) and an empty cache
/// directory: `gantry run` in the repository fetches from the server.
pub struct World {
    pub repo: tempfile::TempDir,
    pub server: tempfile::TempDir,
    pub cache: tempfile::TempDir,
}

impl World {
    pub fn serve(repo: tempfile::TempDir, server: tempfile::TempDir) -> World {
        World {
            repo,
            server,
            cache: tempfile::tempdir().unwrap(),
        }
    }

    /// `gantry run --format json --github-server-url file://<server> ARGS`,
    /// with the user's cache directory replaced.
    pub fn run(&self, args: &[&str]) -> Ran {
        let server = format!("file://{}", self.server.path().display());
        let out = Command::new(env!("CARGO_BIN_EXE_gantry"))
            .current_dir(self.repo.path())
            .arg("run")
            .args(["--format", "json", "--github-server-url", &server])
            .args(args)
            .env("NO_COLOR", "1")
            .env("XDG_CACHE_HOME", self.cache.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        Ran {
            code: out.status.code(),
            events: stdout
                .lines()
                .filter(|l| l.starts_with('{'))
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// A fixture copied into a fresh git repository on `main`.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    pub fn new(name: &str) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        copy(&fixture_dir(name), dir.path());
        git(dir.path(), &["init", "--quiet", "--initial-branch=main"]);
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "--quiet", "-m", "fixture"]);
        Repo { dir }
    }

    pub fn command(&self, args: &[&str]) -> Command {
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

    pub fn run(&self, args: &[&str]) -> Ran {
        let out = self.command(args).output().unwrap();
        Ran::parse(
            out.status.code(),
            &String::from_utf8_lossy(&out.stdout),
            &String::from_utf8_lossy(&out.stderr),
        )
    }
}

pub struct Ran {
    pub code: Option<i32>,
    pub events: Vec<Value>,
    pub stderr: String,
}

impl Ran {
    /// The run of a finished `gantry run --format json` process.
    pub fn of(out: &std::process::Output) -> Ran {
        Ran::parse(
            out.status.code(),
            &String::from_utf8_lossy(&out.stdout),
            &String::from_utf8_lossy(&out.stderr),
        )
    }

    pub fn parse(code: Option<i32>, stdout: &str, stderr: &str) -> Ran {
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
    pub fn results(&self) -> BTreeMap<String, String> {
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

    pub fn result(&self, job: &str) -> String {
        self.results()
            .get(job)
            .cloned()
            .unwrap_or_else(|| panic!("no result for {job}: {:?}\n{}", self.results(), self.stderr))
    }

    /// Every output line of every job, in order.
    pub fn output(&self) -> String {
        self.events
            .iter()
            .filter(|e| e["type"] == "output")
            .map(|e| e["line"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn outputs_of(&self, job_name: &str) -> BTreeMap<String, String> {
        self.events
            .iter()
            .find(|e| e["type"] == "job_finished" && e["name"] == job_name)
            .map(|e| serde_json::from_value(e["outputs"].clone()).unwrap())
            .unwrap_or_default()
    }

    /// The field `field` of every event of type `kind`, as JSON, a line each.
    pub fn texts(&self, kind: &str, field: &str) -> String {
        self.events
            .iter()
            .filter(|e| e["type"] == kind)
            .map(|e| e[field].to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn annotations(&self) -> String {
        self.texts("annotation", "annotation")
    }

    /// The outputs of the first job that finished.
    pub fn job_outputs(&self) -> Value {
        self.events
            .iter()
            .find(|e| e["type"] == "job_finished")
            .map(|e| e["outputs"].clone())
            .unwrap_or(Value::Null)
    }

    pub fn all_text(&self) -> String {
        self.events
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }
}
