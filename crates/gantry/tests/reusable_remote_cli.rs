//! `gantry run` calling reusable workflows of another repository
//! (`owner/repo/.github/workflows/x.yml@ref`), fetched through the action
//! resolver from a `file://` server (a folder of bare git repositories)
//! given with `--github-server-url`: inputs, secrets, outputs, a nested
//! `./` call inside the remote workflow, the cache, `--offline`, and the
//! errors.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

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

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

const REMOTE: &str = r#"name: remote
on:
  workflow_call:
    inputs:
      who: { type: string, required: true }
      times: { type: number, default: 2 }
    secrets:
      token: { required: true }
    outputs:
      greeting:
        value: ${{ jobs.hello.outputs.greeting }}
jobs:
  hello:
    runs-on: ubuntu-latest
    outputs:
      greeting: ${{ steps.g.outputs.greeting }}
    steps:
      - id: g
        run: |
          echo "remote hello ${{ inputs.who }} x${{ inputs.times }} token=${{ secrets.token }}"
          echo "ref=${{ github.workflow_ref }} sha-set=${{ github.job_workflow_sha != '' }} event=${{ github.event_name }}"
          echo "greeting=hi-${{ inputs.who }}" >> "$GITHUB_OUTPUT"
  nested:
    needs: hello
    uses: ./.github/workflows/inner.yml
"#;

const INNER: &str = r#"on: workflow_call
jobs:
  leaf:
    runs-on: ubuntu-latest
    steps:
      - run: echo "inner leaf ran"
"#;

const CALLER: &str = r#"name: ci
on: push
jobs:
  call:
    uses: octo/lib/.github/workflows/remote.yml@v1
    with:
      who: world
    secrets:
      token: ${{ secrets.T }}
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "got=${{ needs.call.outputs.greeting }} result=${{ needs.call.result }}"
"#;

/// A repository calling `octo/lib` (tagged `v1`) on a `file://` server,
/// and an empty cache directory.
struct World {
    repo: tempfile::TempDir,
    server: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl World {
    fn new(caller: &str) -> World {
        let server = tempfile::tempdir().unwrap();
        let work = server.path().join("src-lib");
        write(
            &work,
            &[
                (".github/workflows/remote.yml", REMOTE),
                (".github/workflows/inner.yml", INNER),
            ],
        );
        git(&work, &["init", "--quiet"]);
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "--quiet", "-m", "lib"]);
        git(&work, &["tag", "v1"]);
        let bare = server.path().join("octo/lib");
        std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
        git(
            server.path(),
            &[
                "clone",
                "--quiet",
                "--bare",
                work.to_str().unwrap(),
                bare.to_str().unwrap(),
            ],
        );
        let repo = tempfile::tempdir().unwrap();
        write(repo.path(), &[(".github/workflows/ci.yml", caller)]);
        git(repo.path(), &["init", "--quiet"]);
        git(repo.path(), &["add", "-A"]);
        git(repo.path(), &["commit", "--quiet", "-m", "caller"]);
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
    /// Job results by job name.
    fn results(&self) -> BTreeMap<String, String> {
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        for e in self.events.iter().filter(|e| e["type"] == "run_started") {
            for j in e["jobs"].as_array().unwrap() {
                names.insert(
                    j["key"].as_str().unwrap().to_owned(),
                    j["name"].as_str().unwrap().to_owned(),
                );
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

    fn output(&self) -> String {
        self.events
            .iter()
            .filter(|e| e["type"] == "output")
            .map(|e| e["line"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
            .join("\n")
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
fn a_remote_reusable_workflow_runs_like_a_local_one() {
    let w = World::new(CALLER);
    let r = w.run(&["--secret", "T=tok-r3mote-s3cret"]);
    let out = r.output();
    assert_eq!(r.code, Some(0), "{:?}\n{out}\n{}", r.results(), r.stderr);
    let results = r.results();
    assert_eq!(
        results.get("call / hello").map(String::as_str),
        Some("success"),
        "{results:?}"
    );
    assert_eq!(
        results.get("call / nested / leaf").map(String::as_str),
        Some("success"),
        "{results:?}"
    );
    assert_eq!(results.get("after").map(String::as_str), Some("success"));
    // Inputs typed and defaulted, the secret mapped and masked.
    assert!(out.contains("remote hello world x2 token=***"), "{out}");
    assert!(
        !r.all_text().contains("tok-r3mote-s3cret"),
        "a secret leaked"
    );
    // The callee's workflow_ref and commit; the caller's event.
    assert!(
        out.contains("ref=octo/lib/.github/workflows/remote.yml@v1 sha-set=true event=push"),
        "{out}"
    );
    // A `./` call inside the remote workflow is read from its repository.
    assert!(out.contains("inner leaf ran"), "{out}");
    // Outputs reach the caller's dependents.
    assert!(out.contains("got=hi-world result=success"), "{out}");
    // Cached by owner/repo and commit.
    let cached = w.cache.path().join("gantry/actions/octo/lib");
    assert!(cached.is_dir());

    // Offline now works from the cache.
    let r = w.run(&["--offline", "--secret", "T=x"]);
    assert_eq!(r.code, Some(0), "{:?}\n{}", r.results(), r.stderr);
    assert!(r.output().contains("got=hi-world"), "{}", r.output());
}

#[test]
fn offline_without_the_cache_is_a_clear_error_before_anything_runs() {
    let w = World::new(CALLER);
    let r = w.run(&["--offline", "--secret", "T=x"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.results().is_empty(), "{:?}", r.results());
    assert!(
        r.stderr.contains(
            "cannot fetch the reusable workflow 'octo/lib/.github/workflows/remote.yml@v1'"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--offline"), "{}", r.stderr);
}

#[test]
fn unknown_refs_files_and_bad_inputs_are_clear_errors() {
    let w = World::new(&CALLER.replace("remote.yml@v1", "remote.yml@v9"));
    let r = w.run(&["--secret", "T=x"]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("unable to find version `v9`"),
        "{}",
        r.stderr
    );

    let w = World::new(&CALLER.replace("remote.yml@v1", "missing.yml@v1"));
    let r = w.run(&["--secret", "T=x"]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr
            .contains("octo/lib has no file '.github/workflows/missing.yml'"),
        "{}",
        r.stderr
    );

    // The callee's input types are checked before anything runs.
    let w = World::new(&CALLER.replace("who: world", "who: world\n      times: many"));
    let r = w.run(&["--secret", "T=x"]);
    assert_eq!(r.code, Some(1));
    assert!(r.results().is_empty(), "{:?}", r.results());
    assert!(r.stderr.contains("times"), "{}", r.stderr);
}
