#![allow(clippy::unwrap_used)]
//! The reporters over one scripted run: snapshots of the plain output, the
//! summary and the live progress's printed lines; the JSON lines; fan-out.

use std::collections::BTreeMap;
use std::sync::Arc;

use gantry_report::progress::{Action, ProgressModel, ProgressOptions};
use gantry_report::{
    Collect, Fanout, JsonReporter, PlainOptions, PlainReporter, RunOverview, SummaryOptions,
    render_summary, summarize,
};
use gantry_run::commands::{Annotation, AnnotationLevel};
use gantry_run::event::{Conclusion, Event, JobInfo, JobKey, Sink};
use gantry_run::process::Stream;

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

fn step_started(job: &str, step: usize, name: &str) -> Event {
    Event::StepStarted {
        job: key(job),
        step,
        name: name.to_owned(),
    }
}

fn step_finished(
    job: &str,
    step: usize,
    name: &str,
    outcome: Conclusion,
    conclusion: Conclusion,
    ms: u64,
) -> Event {
    Event::StepFinished {
        job: key(job),
        step,
        name: name.to_owned(),
        outcome,
        conclusion,
        duration_ms: ms,
    }
}

fn annotation(job: &str, step: usize, level: AnnotationLevel, message: &str) -> Event {
    Event::Annotation {
        job: key(job),
        step,
        annotation: Annotation {
            level,
            message: message.to_owned(),
            title: None,
            file: Some("src/lib.rs".into()),
            line: Some(12),
            end_line: None,
            col: Some(5),
            end_column: None,
        },
    }
}

/// A run of four jobs: one succeeds with a summary, one fails after 45
/// lines of output, one fails a step that continues on error, one is
/// skipped.
fn script() -> Vec<Event> {
    use Conclusion::*;
    let info = |k: &str, name: &str, needs: &[&str]| JobInfo {
        key: key(k),
        name: name.to_owned(),
        workflow: "ci.yml".to_owned(),
        needs: needs.iter().map(|n| key(n)).collect(),
    };
    let mut e = vec![
        Event::RunStarted {
            run_id: 7,
            event_name: "push".into(),
            jobs: vec![
                info("ci.yml:build", "build", &[]),
                info("ci.yml:test:0", "test (ubuntu-latest)", &[]),
                info("ci.yml:lint", "lint", &[]),
                info("ci.yml:deploy", "deploy", &["ci.yml:build", "ci.yml:test:0"]),
            ],
        },
        Event::JobStarted {
            job: key("ci.yml:build"),
            name: "build".into(),
            workspace: "/tmp/ws/build".into(),
        },
        step_started("ci.yml:build", 1, "Checkout"),
        Event::StepCommand {
            job: key("ci.yml:build"),
            step: 1,
            command: "gantry checkout\n--fast".into(),
        },
        out("ci.yml:build", 1, "checked out abc123"),
        step_finished("ci.yml:build", 1, "Checkout", Success, Success, 120),
        Event::JobStarted {
            job: key("ci.yml:test:0"),
            name: "test (ubuntu-latest)".into(),
            workspace: "/tmp/ws/test".into(),
        },
        step_started("ci.yml:build", 2, "Build"),
        Event::GroupStarted {
            job: key("ci.yml:build"),
            step: 2,
            title: "Compiling".into(),
        },
        out("ci.yml:build", 2, "compiling gantry"),
        out("ci.yml:build", 2, "compiling gantry-run"),
        Event::GroupEnded {
            job: key("ci.yml:build"),
            step: 2,
        },
        Event::Debug {
            job: key("ci.yml:build"),
            step: 2,
            message: "cache hit for ***".into(),
            step_debug: false,
        },
        out("ci.yml:build", 2, "built in release mode"),
        Event::StepSummary {
            job: key("ci.yml:build"),
            step: 2,
            markdown: "## Build times\n\n| crate | tests |\n|---|--:|\n| gantry | 120 |\n| gantry-run | 31 |\n\n- **all** crates built\n- see [the docs](https://example.invalid/docs)\n".into(),
        },
        step_finished("ci.yml:build", 2, "Build", Success, Success, 4_200),
        step_started("ci.yml:test:0", 1, "Run tests"),
    ];
    for i in 1..=45 {
        e.push(out("ci.yml:test:0", 1, &format!("test line {i}")));
    }
    e.extend([
        annotation(
            "ci.yml:test:0",
            1,
            AnnotationLevel::Error,
            "assertion failed",
        ),
        step_finished("ci.yml:test:0", 1, "Run tests", Failure, Failure, 2_100),
        step_finished("ci.yml:test:0", 2, "Upload report", Skipped, Skipped, 0),
        Event::JobFinished {
            job: key("ci.yml:test:0"),
            name: "test (ubuntu-latest)".into(),
            result: Failure,
            outputs: BTreeMap::new(),
            duration_ms: 2_300,
        },
        Event::JobStarted {
            job: key("ci.yml:lint"),
            name: "lint".into(),
            workspace: "/tmp/ws/lint".into(),
        },
        step_started("ci.yml:lint", 1, "Clippy"),
        out("ci.yml:lint", 1, "warning: unused variable"),
        annotation(
            "ci.yml:lint",
            1,
            AnnotationLevel::Warning,
            "unused variable `x`",
        ),
        step_finished("ci.yml:lint", 1, "Clippy", Failure, Success, 800),
        Event::JobFinished {
            job: key("ci.yml:lint"),
            name: "lint".into(),
            result: Success,
            outputs: BTreeMap::new(),
            duration_ms: 900,
        },
        Event::StepSummary {
            job: key("ci.yml:build"),
            step: 3,
            markdown: "Deployed **nothing**.".into(),
        },
        Event::JobFinished {
            job: key("ci.yml:build"),
            name: "build".into(),
            result: Success,
            outputs: BTreeMap::from([("version".to_owned(), "1.2.3".to_owned())]),
            duration_ms: 4_500,
        },
        Event::JobSkipped {
            job: key("ci.yml:deploy"),
            result: Conclusion::Skipped,
            reason: "a job it needs did not succeed: test (ubuntu-latest)".into(),
        },
        Event::RunFinished {
            result: Failure,
            duration_ms: 7_000,
        },
    ]);
    e
}

fn plain(options: PlainOptions) -> String {
    let r = PlainReporter::new(Vec::new(), options);
    for e in script() {
        r.emit(e);
    }
    assert_eq!(r.error(), None);
    String::from_utf8(r.into_inner()).unwrap()
}

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => vec![
            (r"\b\d+m \d\ds\b", "[DURATION]"),
            (r"\b\d+(\.\d)?(ms|s)\b", "[DURATION]"),
        ]}, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

#[test]
fn plain_output() {
    snapshot!("plain", plain(PlainOptions::default()));
}

#[test]
fn plain_verbose_output() {
    let text = plain(PlainOptions {
        verbose: true,
        summary: false,
        ..PlainOptions::default()
    });
    assert!(text.contains("[build]   debug: cache hit for ***\n"));
    assert!(text.contains("[build]   $ gantry checkout\n[build]   $ --fast\n"));
    assert!(text.contains("[build]   output version=1.2.3\n"));
    assert!(text.contains("[build] job started in /tmp/ws/build\n"));
    assert!(!text.contains("WORKFLOW"));
}

#[test]
fn plain_colour_is_only_an_aid() {
    let coloured = plain(PlainOptions {
        colour: true,
        ..PlainOptions::default()
    });
    assert!(coloured.contains("\x1b["));
    assert_eq!(
        gantry_report::format::strip_ansi(&coloured)
            .lines()
            .filter(|l| l.starts_with('['))
            .collect::<Vec<_>>(),
        plain(PlainOptions::default())
            .lines()
            .filter(|l| l.starts_with('['))
            .collect::<Vec<_>>()
    );
}

#[test]
fn summary_plain() {
    snapshot!(
        "summary_plain",
        summarize(&script(), SummaryOptions { styled: false })
    );
}

#[test]
fn summary_styled() {
    let styled = summarize(&script(), SummaryOptions { styled: true });
    assert!(styled.contains("\x1b[1m"));
    snapshot!(
        "summary_styled_without_escapes",
        gantry_report::format::strip_ansi(&styled)
    );
}

#[test]
fn summary_of_an_unfinished_run() {
    let events = script();
    let o = RunOverview::from_events(&events[..events.len() - 3]);
    let text = render_summary(&o, SummaryOptions::default());
    assert!(
        text.ends_with("Run did not finish: 1 failed, 1 succeeded, 2 not run\n"),
        "{text}"
    );
}

#[test]
fn progress_prints_failures_annotations_and_folded_jobs() {
    let mut model = ProgressModel::new(ProgressOptions {
        colour: false,
        ..ProgressOptions::default()
    });
    let mut printed = Vec::new();
    let mut messages = Vec::new();
    for e in script() {
        for a in model.handle(&e) {
            match a {
                Action::Print(l) => printed.push(l),
                Action::Message { job, message, .. } => messages.push(format!("{job}: {message}")),
                Action::End(text) => printed.push(text),
                Action::Start { .. } | Action::Finish { .. } => {}
            }
        }
    }
    snapshot!("progress_printed", printed.join("\n"));
    // Group content is folded: the line shows the group's title, not its
    // output.
    assert!(messages.contains(&"ci.yml:build: Build ▸ Compiling".to_owned()));
    assert!(!messages.iter().any(|m| m.contains("compiling gantry")));
    assert!(messages.contains(&"ci.yml:build: Build · built in release mode".to_owned()));
}

#[test]
fn progress_tail_is_bounded() {
    let mut model = ProgressModel::new(ProgressOptions {
        colour: false,
        tail_lines: 3,
        summary: false,
        ..ProgressOptions::default()
    });
    let printed: Vec<String> = script()
        .iter()
        .flat_map(|e| model.handle(e))
        .filter_map(|a| match a {
            Action::Print(l) => Some(l),
            _ => None,
        })
        .collect();
    let at = printed
        .iter()
        .position(|l| l.contains("Run tests failed"))
        .unwrap();
    assert_eq!(
        printed[at + 1..at + 5],
        [
            "  its last 3 of 45 lines:",
            "  │ test line 43",
            "  │ test line 44",
            "  │ test line 45",
        ]
    );
}

#[test]
fn json_lines_are_versioned_events() {
    let r = JsonReporter::new(Vec::new());
    let events = script();
    for e in events.clone() {
        r.emit(e);
    }
    let text = String::from_utf8(r.into_inner()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), events.len());
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["v"], 1);
        assert_eq!(l["seq"], i as u64);
        assert!(l["ts"].as_u64().unwrap() > 0);
    }
    assert_eq!(lines[0]["type"], "run_started");
    assert_eq!(lines[0]["jobs"][1]["name"], "test (ubuntu-latest)");
    let first_key = text.lines().next().unwrap();
    assert!(
        first_key.starts_with(r#"{"v":1,"seq":0,"ts":"#),
        "{first_key}"
    );
    let ann = lines.iter().find(|l| l["type"] == "annotation").unwrap();
    assert_eq!(ann["annotation"]["level"], "error");
    assert_eq!(ann["annotation"]["line"], 12);
    assert_eq!(lines.last().unwrap()["type"], "run_finished");
    assert_eq!(lines.last().unwrap()["result"], "failure");
}

#[test]
fn fanout_sends_every_event_to_every_sink() {
    let a = Arc::new(Collect::new());
    let b = Arc::new(Collect::new());
    let fan = Fanout::new(vec![a.clone()]).with(b.clone());
    for e in script() {
        fan.emit(e);
    }
    assert_eq!(a.events().len(), script().len());
    assert_eq!(b.events().len(), script().len());
    Fanout::default().emit(script().remove(0));
}

#[test]
fn write_errors_are_kept_not_raised() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "closed",
            ))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let r = PlainReporter::new(Broken, PlainOptions::default());
    let j = JsonReporter::new(Broken);
    for e in script() {
        r.emit(e.clone());
        j.emit(e);
    }
    assert_eq!(r.error().as_deref(), Some("closed"));
    assert_eq!(j.error().as_deref(), Some("closed"));
}

#[test]
fn step_debug_messages_show_without_verbose_when_the_step_turned_debug_on() {
    let r = PlainReporter::new(Vec::new(), PlainOptions::default());
    for (message, step_debug) in [("quiet", false), ("loud", true)] {
        r.emit(Event::Debug {
            job: key("ci.yml:build"),
            step: 1,
            message: message.into(),
            step_debug,
        });
    }
    let text = String::from_utf8(r.into_inner()).unwrap();
    assert!(text.contains("debug: loud"), "{text}");
    assert!(!text.contains("debug: quiet"), "{text}");
}
