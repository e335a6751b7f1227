#![allow(clippy::unwrap_used)]
//! Recording runs and reading them back, in temporary directories.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::{Arc, Mutex};

use gantry_run::commands::{Annotation, AnnotationLevel};
use gantry_run::event::{Conclusion, Event, JobInfo, JobKey, Sink};
use gantry_run::process::Stream;
use gantry_store::{Outcome, Store, StoreError, StoreSink, find_job};

fn key(s: &str) -> JobKey {
    JobKey(s.to_owned())
}

fn out(job: &str, step: usize, line: &str) -> Event {
    Event::Output {
        job: key(job),
        step,
        stream: Stream::Stdout,
        line: line.to_owned(),
    }
}

fn script(run_id: u64) -> Vec<Event> {
    use Conclusion::*;
    let info = |k: &str, name: &str| JobInfo {
        key: key(k),
        name: name.to_owned(),
        workflow: "ci.yml".to_owned(),
        needs: vec![],
    };
    vec![
        Event::RunStarted {
            run_id,
            event_name: "push".into(),
            jobs: vec![
                info("ci.yml:test:0", "test (ubuntu-latest)"),
                info("ci.yml:test:1", "test (macos-latest)"),
                info("lint.yml:test", "test (ubuntu-latest)"),
                info("ci.yml:deploy", "deploy"),
            ],
        },
        Event::JobStarted {
            job: key("ci.yml:test:0"),
            name: "test (ubuntu-latest)".into(),
            workspace: "/tmp/ws".into(),
        },
        Event::StepStarted {
            job: key("ci.yml:test:0"),
            step: 1,
            name: "Run tests".into(),
        },
        Event::StepCommand {
            job: key("ci.yml:test:0"),
            step: 1,
            command: "cargo test\necho done".into(),
        },
        Event::GroupStarted {
            job: key("ci.yml:test:0"),
            step: 1,
            title: "Build".into(),
        },
        out("ci.yml:test:0", 1, "compiling"),
        Event::GroupEnded {
            job: key("ci.yml:test:0"),
            step: 1,
        },
        out("ci.yml:test:0", 1, "token is ***"),
        Event::Debug {
            job: key("ci.yml:test:0"),
            step: 1,
            message: "debugging".into(),
            step_debug: false,
        },
        Event::Annotation {
            job: key("ci.yml:test:0"),
            step: 1,
            annotation: Annotation {
                level: AnnotationLevel::Error,
                message: "boom".into(),
                title: None,
                file: Some("a.rs".into()),
                line: Some(1),
                end_line: None,
                col: None,
                end_column: None,
            },
        },
        Event::StepSummary {
            job: key("ci.yml:test:0"),
            step: 1,
            markdown: "### Tests\n3 passed\n".into(),
        },
        Event::StepFinished {
            job: key("ci.yml:test:0"),
            step: 1,
            name: "Run tests".into(),
            outcome: Failure,
            conclusion: Failure,
            duration_ms: 1_500,
        },
        Event::StepFinished {
            job: key("ci.yml:test:0"),
            step: 2,
            name: "Upload".into(),
            outcome: Skipped,
            conclusion: Skipped,
            duration_ms: 0,
        },
        Event::JobFinished {
            job: key("ci.yml:test:0"),
            name: "test (ubuntu-latest)".into(),
            result: Failure,
            outputs: BTreeMap::from([("coverage".to_owned(), "81%".to_owned())]),
            duration_ms: 1_600,
        },
        Event::JobSkipped {
            job: key("ci.yml:test:1"),
            result: Conclusion::Cancelled,
            reason: "cancelled by fail-fast: another cell of the matrix failed".into(),
        },
        Event::JobStarted {
            job: key("lint.yml:test"),
            name: "test (ubuntu-latest)".into(),
            workspace: "/tmp/ws2".into(),
        },
        Event::JobFinished {
            job: key("lint.yml:test"),
            name: "test (ubuntu-latest)".into(),
            result: Success,
            outputs: BTreeMap::new(),
            duration_ms: 10,
        },
        Event::JobSkipped {
            job: key("ci.yml:deploy"),
            result: Conclusion::Skipped,
            reason: "a job it needs failed".into(),
        },
        Event::RunFinished {
            result: Failure,
            duration_ms: 2_000,
        },
    ]
}

fn record_run(store: &Store) -> u64 {
    let sink = StoreSink::create(store).unwrap();
    let n = sink.run_number();
    for e in script(n) {
        sink.emit(e);
    }
    assert_eq!(sink.error(), None);
    n
}

#[test]
fn records_every_file_of_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::for_repository(dir.path());
    let n = record_run(&store);
    assert_eq!(n, 1);
    let root = dir.path().join(".gantry");
    assert!(
        std::fs::read_to_string(root.join(".gitignore"))
            .unwrap()
            .lines()
            .any(|l| l == "*")
    );
    let run = root.join("runs/1");
    let events = std::fs::read_to_string(run.join("events.jsonl")).unwrap();
    assert_eq!(events.lines().count(), script(1).len());
    for line in events.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["v"], 1);
    }

    let record = store.load_run(1).unwrap();
    assert_eq!(record.run, 1);
    assert_eq!(record.run_id, Some(1));
    assert_eq!(record.event_name, "push");
    assert_eq!(record.result, Some(Outcome::Failure));
    assert_eq!(record.duration_ms, Some(2_000));
    assert!(record.started_at.ends_with('Z') && record.started_at.len() == 24);
    let logs: Vec<&str> = record.jobs.iter().map(|j| j.log.as_str()).collect();
    assert_eq!(
        logs,
        [
            "jobs/test-ubuntu-latest.log",
            "jobs/test-macos-latest.log",
            "jobs/test-ubuntu-latest-2.log",
            "jobs/deploy.log",
        ]
    );
    let test = &record.jobs[0];
    assert_eq!(test.result, Some(Outcome::Failure));
    assert_eq!(test.duration_ms, Some(1_600));
    assert_eq!(test.outputs["coverage"], "81%");
    assert_eq!(record.jobs[1].result, Some(Outcome::Cancelled));
    assert_eq!(record.jobs[3].result, Some(Outcome::Skipped));
    assert_eq!(
        record.jobs[3].reason.as_deref(),
        Some("a job it needs failed")
    );

    let log = std::fs::read_to_string(run.join("jobs/test-ubuntu-latest.log")).unwrap();
    assert_eq!(
        log,
        "Job: test (ubuntu-latest)\n\
         Workflow: ci.yml\n\
         Workspace: /tmp/ws\n\
         \n── Step 1: Run tests ──\n\
         $ cargo test\n  echo done\n\
         ▸ Build\n\
         compiling\n\
         token is ***\n\
         debug: debugging\n\
         error: boom (a.rs:1)\n\
         ✗ Step 1: Run tests failed in 1.5s\n\
         \n- Step 2: Upload skipped\n\
         \noutput coverage=81%\n\
         ✗ Job test (ubuntu-latest) failed in 1.6s\n"
    );
    let skipped = std::fs::read_to_string(run.join("jobs/deploy.log")).unwrap();
    assert_eq!(
        skipped,
        "Job: deploy\nWorkflow: ci.yml\n- skipped: a job it needs failed\n"
    );
    assert_eq!(
        store.summary(1).unwrap().as_deref(),
        Some("## test (ubuntu-latest)\n\n### Tests\n3 passed\n\n")
    );
}

#[test]
fn run_numbers_increase_and_runs_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("state"));
    assert!(matches!(store.latest_run(), Err(StoreError::NoRuns { .. })));
    assert!(store.list_runs().unwrap().is_empty());
    assert_eq!(record_run(&store), 1);
    assert_eq!(record_run(&store), 2);
    // A gap (a deleted run) does not reuse numbers below the highest.
    std::fs::create_dir_all(dir.path().join("state/runs/9")).unwrap();
    assert_eq!(record_run(&store), 10);
    assert_eq!(store.run_numbers().unwrap(), [1, 2, 9, 10]);
    assert_eq!(store.latest_run().unwrap(), 10);
    let runs = store.list_runs().unwrap();
    assert_eq!(runs.len(), 4);
    assert!(runs[2].record.is_err(), "run 9 has no result.json");
    assert_eq!(runs[3].record.as_ref().unwrap().run, 10);
    match store.load_run(5) {
        Err(StoreError::RunNotFound { run: 5, known }) => assert_eq!(known, [1, 2, 9, 10]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn job_logs_stream_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let n = record_run(&store);
    let record = store.load_run(n).unwrap();
    let job = find_job(&record, "macos").unwrap();
    assert_eq!(job.key, "ci.yml:test:1");
    let lines: Vec<String> = store
        .open_job_log(n, job)
        .unwrap()
        .lines()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        lines[2],
        "⊘ cancelled: cancelled by fail-fast: another cell of the matrix failed"
    );
    let mut buf = Vec::new();
    let bytes = store.copy_job_log(n, &record.jobs[0], &mut buf).unwrap();
    assert_eq!(bytes as usize, buf.len());
    assert!(String::from_utf8(buf).unwrap().contains("token is ***"));
}

#[test]
fn jobs_are_found_by_name_or_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let n = record_run(&store);
    let record = store.load_run(n).unwrap();
    assert_eq!(find_job(&record, "DEPLOY").unwrap().key, "ci.yml:deploy");
    assert_eq!(find_job(&record, "lint.yml").unwrap().key, "lint.yml:test");
    assert_eq!(
        find_job(&record, "ci.yml:test:0").unwrap().key,
        "ci.yml:test:0"
    );
    match find_job(&record, "test (ubuntu") {
        Err(e @ StoreError::AmbiguousJob { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("test (ubuntu-latest) (ci.yml:test:0)"),
                "{text}"
            );
            assert!(
                text.contains("test (ubuntu-latest) (lint.yml:test)"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    match find_job(&record, "release") {
        Err(e @ StoreError::JobNotFound { .. }) => assert!(e.to_string().contains("deploy")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unfinished_run_is_flushed_when_the_sink_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let sink = StoreSink::create(&store).unwrap();
    let events = script(1);
    for e in events.iter().take(8).cloned() {
        sink.emit(e);
    }
    // Buffered: the step has not ended yet.
    let record = store.load_run(1).unwrap();
    assert_eq!(record.result, None);
    assert_eq!(record.jobs.len(), 4);
    drop(sink);
    let log =
        std::fs::read_to_string(dir.path().join("runs/1/jobs/test-ubuntu-latest.log")).unwrap();
    assert!(log.ends_with("token is ***\n"), "{log}");
    let events = std::fs::read_to_string(dir.path().join("runs/1/events.jsonl")).unwrap();
    assert_eq!(events.lines().count(), 8);
    assert_eq!(store.load_run(1).unwrap().result, None);
}

#[test]
fn errors_are_reported_once_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let sink = StoreSink::create(&store)
        .unwrap()
        .with_error_handler(move |e| seen2.lock().unwrap().push(e.to_string()));
    // The run's directory goes away under the sink.
    std::fs::remove_dir_all(sink.dir()).unwrap();
    for e in script(1) {
        sink.emit(e);
    }
    drop(sink);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains("runs/1"), "{}", seen[0]);
}
