//! `gantry run` with real actions (`tests/run-fixtures/actions-*`): a local
//! composite action, a JavaScript action replaced with `--local-action`, and a
//! remote action fetched from a `file://` server given with
//! `--github-server-url`; `--offline`, `--no-builtin` and their errors.

#![allow(clippy::unwrap_used)]

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

fn git(dir: &Path, args: &[&str]) -> String {
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

/// The fixture in a git repository, a `file://` server holding
/// `octo/remote` (tagged `v1`) and `actions/checkout` (tagged `v4`), and
/// an empty cache directory.
struct World {
    repo: tempfile::TempDir,
    server: tempfile::TempDir,
    cache: tempfile::TempDir,
}

fn publish(server: &Path, name: &str, action_yml: &str, tag: &str) {
    let work = server.join(format!("src-{}", name.replace('/', "-")));
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("action.yml"), action_yml).unwrap();
    git(&work, &["init", "--quiet"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "--quiet", "-m", "action"]);
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

impl World {
    fn new(name: &str) -> World {
        let repo = tempfile::tempdir().unwrap();
        copy(&fixture_dir(name), repo.path());
        git(repo.path(), &["init", "--quiet"]);
        git(repo.path(), &["add", "-A"]);
        git(repo.path(), &["commit", "--quiet", "-m", "fixture"]);
        let server = tempfile::tempdir().unwrap();
        publish(
            server.path(),
            "octo/remote",
            "name: remote\noutputs:\n  said:\n    value: ${{ steps.s.outputs.said }}\nruns:\n  using: composite\n  steps:\n    - id: s\n      shell: bash\n      run: |\n        echo \"remote ran from $GITHUB_ACTION_REPOSITORY@$GITHUB_ACTION_REF\"\n        echo \"said=remote-hi\" >> \"$GITHUB_OUTPUT\"\n",
            "v1",
        );
        publish(
            server.path(),
            "actions/checkout",
            "name: checkout\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo the-real-checkout\n",
            "v4",
        );
        World {
            repo,
            server,
            cache: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str]) -> Ran {
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

struct Ran {
    code: Option<i32>,
    events: Vec<Value>,
    stderr: String,
}

impl Ran {
    fn texts(&self, kind: &str, field: &str) -> String {
        self.events
            .iter()
            .filter(|e| e["type"] == kind)
            .map(|e| e[field].to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn output(&self) -> String {
        self.texts("output", "line")
    }

    fn annotations(&self) -> String {
        self.texts("annotation", "annotation")
    }

    fn job_outputs(&self) -> Value {
        self.events
            .iter()
            .find(|e| e["type"] == "job_finished")
            .map(|e| e["outputs"].clone())
            .unwrap_or(Value::Null)
    }
}

const JS: &str = "octo/js-action@v1=vendor/js-action";

#[test]
fn local_replaced_and_remote_actions_run() {
    let w = World::new("actions-basic");
    let r = w.run(&["--local-action", JS]);
    let out = r.output();
    assert_eq!(r.code, Some(0), "{out}\n{}\n{}", r.annotations(), r.stderr);
    assert!(out.contains("js main state=pre-J"), "{out}");
    assert!(out.contains("js post state=pre-J"), "{out}");
    assert!(out.contains("remote ran from octo/remote@v1"), "{out}");
    assert!(out.contains("The workspace already holds"), "{out}");
    assert_eq!(
        r.job_outputs()["summary"],
        "hello-cli|J-out|remote-hi",
        "{out}"
    );
    // Cached under the user's cache directory by owner/repo and commit.
    let cached = w.cache.path().join("gantry/actions/octo/remote");
    assert!(cached.is_dir());

    // Offline now works from the cache.
    let r = w.run(&["--local-action", JS, "--offline"]);
    assert_eq!(r.code, Some(0), "{}", r.annotations());

    // `--no-builtin` runs the real actions/checkout.
    let r = w.run(&["--local-action", JS, "--no-builtin"]);
    assert_eq!(r.code, Some(0), "{}", r.annotations());
    assert!(r.output().contains("the-real-checkout"), "{}", r.output());
}

#[test]
fn offline_with_an_empty_cache_fails_clearly() {
    let w = World::new("actions-basic");
    let r = w.run(&["--local-action", JS, "--offline"]);
    assert_eq!(r.code, Some(1));
    let a = r.annotations();
    assert!(
        a.contains("`octo/remote@v1` is not in the action cache")
            && a.contains("--offline forbids downloading it"),
        "{a}"
    );
}

#[test]
fn bad_action_flags_are_refused() {
    let w = World::new("actions-basic");
    let r = w.run(&["--local-action", "octo/js-action@v1"]);
    assert_ne!(r.code, Some(0));
    assert!(
        r.stderr.contains("is not OWNER/REPO@REF=DIR"),
        "{}",
        r.stderr
    );
    let r = w.run(&["--local-action", "octo/js-action@v1=no/such/dir"]);
    assert!(r.stderr.contains("is not a folder"), "{}", r.stderr);
    let r = w.run(&["--no-builtin=actions/nope"]);
    assert!(
        r.stderr.contains("there is no such built-in"),
        "{}",
        r.stderr
    );
}
