//! `gantry run workflow_dispatch` with required inputs not given, outside
//! a terminal: a clear error naming them and `--input`, before anything
//! runs (the questions asked in a terminal are unit-tested in
//! `commands/run/prompt.rs`).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Stdio};

const WF: &str = r#"on:
  workflow_dispatch:
    inputs:
      level:
        type: choice
        required: true
        options: [info, debug]
      note:
        required: true
        default: hi
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: echo "level=${{ inputs.level }} note=${{ inputs.note }} event=${{ github.event.inputs.level }}"
"#;

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
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gantry"))
        .current_dir(dir)
        .args(["run", "workflow_dispatch", "--format", "json"])
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_required_inputs_outside_a_terminal() {
    let repo = tempfile::tempdir().unwrap();
    let wf = repo.path().join(".github/workflows/d.yml");
    std::fs::create_dir_all(wf.parent().unwrap()).unwrap();
    std::fs::write(&wf, WF).unwrap();
    git(repo.path(), &["init", "--quiet", "--initial-branch=main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "--quiet", "-m", "d"]);

    let (code, stdout, stderr) = run(repo.path(), &[]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert!(!stdout.contains("job_started"), "{stdout}");
    assert!(
        stderr.contains("required input 'level' not given"),
        "{stderr}"
    );
    assert!(stderr.contains("--input level=VALUE"), "{stderr}");

    let (code, stdout, stderr) = run(repo.path(), &["--input", "level=debug"]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("level=debug note=hi event=debug"),
        "{stdout}"
    );

    // Types are checked as before (the plan's error).
    let (code, stdout, stderr) = run(repo.path(), &["--input", "level=loud"]);
    assert_eq!(code, Some(1));
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("'loud' is not one of the options"), "{all}");
}
