//! `gantry logs` end to end, on runs recorded by `gantry-store` in a
//! temporary state directory.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use gantry_run::event::{Conclusion, Event, JobInfo, JobKey, Sink};
use gantry_run::process::Stream;
use gantry_store::{Store, StoreSink};

fn key(s: &str) -> JobKey {
    JobKey(s.to_owned())
}

/// Records a run: `build` succeeds with a summary, the two `test` cells
/// fail and are cancelled.
fn record(state: &Path) -> u64 {
    let sink = StoreSink::create(&Store::new(state)).unwrap();
    let n = sink.run_number();
    let info = |k: &str, name: &str| JobInfo {
        key: key(k),
        name: name.to_owned(),
        workflow: "ci.yml".to_owned(),
        needs: vec![],
    };
    let events = vec![
        Event::RunStarted {
            run_id: n,
            event_name: "push".into(),
            jobs: vec![
                info("ci.yml:build", "build"),
                info("ci.yml:test:0", "test (ubuntu-latest)"),
                info("ci.yml:test:1", "test (macos-latest)"),
            ],
        },
        Event::JobStarted {
            job: key("ci.yml:build"),
            name: "build".into(),
            workspace: "/tmp/ws".into(),
        },
        Event::StepStarted {
            job: key("ci.yml:build"),
            step: 1,
            name: "Compile".into(),
        },
        Event::Output {
            job: key("ci.yml:build"),
            step: 1,
            stream: Stream::Stdout,
            line: "compiled with token ***".into(),
        },
        Event::StepSummary {
            job: key("ci.yml:build"),
            step: 1,
            markdown: "| crate | size |\n|---|---|\n| gantry | 4 MB |\n".into(),
        },
        Event::StepFinished {
            job: key("ci.yml:build"),
            step: 1,
            name: "Compile".into(),
            outcome: Conclusion::Success,
            conclusion: Conclusion::Success,
            duration_ms: 1_200,
        },
        Event::JobFinished {
            job: key("ci.yml:build"),
            name: "build".into(),
            result: Conclusion::Success,
            outputs: BTreeMap::new(),
            duration_ms: 1_300,
        },
        Event::JobStarted {
            job: key("ci.yml:test:0"),
            name: "test (ubuntu-latest)".into(),
            workspace: "/tmp/ws".into(),
        },
        Event::JobFinished {
            job: key("ci.yml:test:0"),
            name: "test (ubuntu-latest)".into(),
            result: Conclusion::Failure,
            outputs: BTreeMap::new(),
            duration_ms: 400,
        },
        Event::JobSkipped {
            job: key("ci.yml:test:1"),
            result: Conclusion::Cancelled,
            reason: "cancelled by fail-fast: another cell of the matrix failed".into(),
        },
        Event::RunFinished {
            result: Conclusion::Failure,
            duration_ms: 2_000,
        },
    ];
    for e in events {
        sink.emit(e);
    }
    n
}

fn logs(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gantry"))
        .arg("logs")
        .args(args)
        .arg("--state-dir")
        .arg(state)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn lists_the_latest_run_with_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path());
    assert_eq!(record(dir.path()), 2);
    let out = logs(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Run 2 for push, started "), "{stdout}");
    assert!(!stdout.contains("\x1b["), "no colour when not a terminal");
    assert!(stdout.contains("| crate  | size |"), "{stdout}");
    assert!(
        stdout.contains("ci.yml    build                 ✓ succeeded  1.3s"),
        "{stdout}"
    );
    assert!(
        stdout.contains("test (macos-latest)   ⊘ cancelled  -"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✗ Run failed in 2.0s: 1 failed, 1 cancelled, 1 succeeded"),
        "{stdout}"
    );
}

#[test]
fn prints_a_job_log() {
    let dir = tempfile::tempdir().unwrap();
    record(dir.path());
    for args in [
        &["1", "build"][..],
        &["build"][..],
        &["1", "ci.yml:build"][..],
    ] {
        let out = logs(dir.path(), args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains("── Step 1: Compile ──\ncompiled with token ***\n"),
            "{stdout}"
        );
    }
}

#[test]
fn missing_runs_and_jobs_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = logs(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error: no runs recorded"));
    record(dir.path());
    let out = logs(dir.path(), &["7"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error: run 7 does not exist (recorded runs: 1)"));
    let out = logs(dir.path(), &["1", "deploy"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no job matching `deploy`"));
    let out = logs(dir.path(), &["1", "test"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`test` matches several jobs of run 1"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("test (ubuntu-latest) (ci.yml:test:0), test (macos-latest) (ci.yml:test:1)"),
        "{stderr}"
    );
    let out = logs(dir.path(), &["one", "build"]);
    assert_eq!(out.status.code(), Some(2));
}
