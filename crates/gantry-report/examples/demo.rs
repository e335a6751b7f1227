//! Plays a made-up run through a reporter, slowly, to see what it looks
//! like: `cargo run -p gantry-report --example demo -- [progress|plain|json]`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::thread::sleep;
use std::time::Duration;

use gantry_report::{JsonReporter, PlainOptions, PlainReporter, ProgressOptions, ProgressReporter};
use gantry_run::commands::{Annotation, AnnotationLevel};
use gantry_run::event::{Conclusion, Event, JobInfo, JobKey, Sink};
use gantry_run::process::Stream;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "progress".into());
    let colour = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    let sink: Box<dyn Sink> = match mode.as_str() {
        "json" => Box::new(JsonReporter::new(std::io::stdout())),
        "plain" => Box::new(PlainReporter::new(
            std::io::stdout(),
            PlainOptions {
                colour,
                ..PlainOptions::default()
            },
        )),
        _ => Box::new(ProgressReporter::new(ProgressOptions {
            colour,
            ..ProgressOptions::default()
        })),
    };
    let k = |s: &str| JobKey(s.to_owned());
    let jobs = [
        ("build", "build"),
        ("test", "test (ubuntu-latest)"),
        ("lint", "lint"),
    ];
    sink.emit(Event::RunStarted {
        run_id: 1,
        event_name: "push".into(),
        jobs: jobs
            .iter()
            .map(|(key, name)| JobInfo {
                key: k(key),
                name: (*name).into(),
                workflow: "ci.yml".into(),
                needs: vec![],
            })
            .collect(),
    });
    for (key, name) in jobs {
        sink.emit(Event::JobStarted {
            job: k(key),
            name: name.into(),
            workspace: format!("/tmp/{key}"),
        });
    }
    for step in 1..=3 {
        for (i, (key, name)) in jobs.iter().enumerate() {
            sink.emit(Event::StepStarted {
                job: k(key),
                step,
                name: format!("Step {step} of {name}"),
            });
            if step == 2 && i == 0 {
                sink.emit(Event::GroupStarted {
                    job: k(key),
                    step,
                    title: "Installing dependencies".into(),
                });
            }
            for line in 0..15 {
                sink.emit(Event::Output {
                    job: k(key),
                    step,
                    stream: Stream::Stdout,
                    line: format!("{key}: working on line {line}"),
                });
                sleep(Duration::from_millis(40));
            }
            if step == 2 && i == 0 {
                sink.emit(Event::GroupEnded { job: k(key), step });
            }
        }
        for (i, (key, _)) in jobs.iter().enumerate() {
            let failed = step == 3 && i == 1;
            if step == 2 && i == 2 {
                sink.emit(Event::Annotation {
                    job: k(key),
                    step,
                    annotation: Annotation {
                        level: AnnotationLevel::Warning,
                        message: "unused variable `x`".into(),
                        title: None,
                        file: Some("src/main.rs".into()),
                        line: Some(3),
                        end_line: None,
                        col: Some(9),
                        end_column: None,
                    },
                });
            }
            let c = if failed {
                Conclusion::Failure
            } else {
                Conclusion::Success
            };
            sink.emit(Event::StepFinished {
                job: k(key),
                step,
                name: format!("Step {step}"),
                outcome: c,
                conclusion: c,
                duration_ms: 600,
            });
        }
    }
    sink.emit(Event::StepSummary {
        job: k("build"),
        step: 3,
        markdown: "## Build\n| target | size |\n|---|--:|\n| gantry | 4 MB |\n\n- **ok**\n".into(),
    });
    for (i, (key, name)) in jobs.iter().enumerate() {
        let result = if i == 1 {
            Conclusion::Failure
        } else {
            Conclusion::Success
        };
        sink.emit(Event::JobFinished {
            job: k(key),
            name: (*name).into(),
            result,
            outputs: BTreeMap::new(),
            duration_ms: 1_900,
        });
        sleep(Duration::from_millis(300));
    }
    sink.emit(Event::RunFinished {
        result: Conclusion::Failure,
        duration_ms: 2_100,
    });
}
