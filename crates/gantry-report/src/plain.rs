//! Plain, line-prefixed output: for output that is not a terminal, and for
//! `--no-progress`. Every line of a job starts with `[job name]`, so that
//! interleaved jobs can be told apart and grepped.

use std::io::Write;
use std::sync::Mutex;

use gantry_run::event::{Conclusion, Event, Sink};

use crate::format::{
    Paint, annotation, duration, paint, result_mark, result_paint, result_word, step_result,
};
use crate::summary::{RunOverview, SummaryOptions, render_summary};

/// Options of [`PlainReporter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlainOptions {
    /// Colour as an aid (the caller decides: a terminal, and `NO_COLOR`
    /// unset). The words carry the meaning either way.
    pub colour: bool,
    /// Show `::debug::` messages, resolved commands, workspaces and job
    /// outputs.
    pub verbose: bool,
    /// Print the end-of-run summary when the run finishes.
    pub summary: bool,
}

impl Default for PlainOptions {
    fn default() -> Self {
        PlainOptions {
            colour: false,
            verbose: false,
            summary: true,
        }
    }
}

/// A [`Sink`] that writes plain, line-prefixed text to `W`.
pub struct PlainReporter<W> {
    state: Mutex<State<W>>,
}

struct State<W> {
    out: W,
    options: PlainOptions,
    overview: RunOverview,
    error: Option<String>,
}

impl<W: Write + Send> PlainReporter<W> {
    pub fn new(out: W, options: PlainOptions) -> Self {
        PlainReporter {
            state: Mutex::new(State {
                out,
                options,
                overview: RunOverview::default(),
                error: None,
            }),
        }
    }

    /// The writer back (for tests and for callers that buffer).
    pub fn into_inner(self) -> W {
        match self.state.into_inner() {
            Ok(s) => s.out,
            Err(poisoned) => poisoned.into_inner().out,
        }
    }

    /// The first write error, if writing failed (writing then stopped).
    pub fn error(&self) -> Option<String> {
        match self.state.lock() {
            Ok(s) => s.error.clone(),
            Err(poisoned) => poisoned.into_inner().error.clone(),
        }
    }
}

impl<W: Write + Send> Sink for PlainReporter<W> {
    fn emit(&self, event: Event) {
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        state.overview.observe(&event);
        if state.error.is_some() {
            return;
        }
        let text = render_event(&state.overview, &event, state.options);
        let flush = matches!(
            event,
            Event::StepFinished { .. } | Event::JobFinished { .. } | Event::RunFinished { .. }
        );
        let result = state
            .out
            .write_all(text.as_bytes())
            .and_then(|()| if flush { state.out.flush() } else { Ok(()) });
        if let Err(e) = result {
            state.error = Some(e.to_string());
        }
    }
}

/// The lines (each ending in `\n`) that an event shows, or nothing.
pub fn render_event(o: &RunOverview, event: &Event, options: PlainOptions) -> String {
    let colour = options.colour;
    let prefix = |key: &str| paint(&format!("[{}]", o.job_name(key)), Paint::Bold, colour);
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    match event {
        Event::RunStarted {
            run_id,
            event_name,
            jobs,
        } => {
            let n = jobs.len();
            let s = if n == 1 { "" } else { "s" };
            line(format!("Run {run_id} for {event_name}: {n} job{s}"));
        }
        Event::JobSkipped {
            job,
            reason,
            result,
        } => {
            let r = *result;
            line(format!(
                "{} {} job {}: {reason}",
                prefix(&job.0),
                paint(result_mark(r), result_paint(r), colour),
                result_word(r)
            ));
        }
        Event::JobWaiting { job, reason } => {
            line(format!("{} waiting: {reason}", prefix(&job.0)));
        }
        Event::JobEnvironment { job, name, url } => match url {
            Some(url) => line(format!("{} environment {name}: {url}", prefix(&job.0))),
            None => line(format!("{} environment {name}", prefix(&job.0))),
        },
        Event::JobStarted { job, workspace, .. } => {
            if options.verbose {
                line(format!("{} job started in {workspace}", prefix(&job.0)));
            } else {
                line(format!("{} job started", prefix(&job.0)));
            }
        }
        Event::StepStarted { job, name, .. } => {
            line(format!(
                "{} {} {name}",
                prefix(&job.0),
                paint("▶", Paint::Cyan, colour)
            ));
        }
        Event::StepCommand { job, command, .. } => {
            if options.verbose {
                for l in command.lines() {
                    line(format!(
                        "{}   {}",
                        prefix(&job.0),
                        paint(&format!("$ {l}"), Paint::Dim, colour)
                    ));
                }
            }
        }
        Event::Output { job, line: l, .. } => {
            line(format!("{}   | {l}", prefix(&job.0)));
        }
        Event::GroupStarted { job, title, .. } => {
            line(format!(
                "{}   {}",
                prefix(&job.0),
                paint(&format!("▸ {title}"), Paint::Bold, colour)
            ));
        }
        Event::GroupEnded { .. } | Event::StepSummary { .. } => {}
        Event::Debug {
            job,
            message,
            step_debug,
            ..
        } => {
            if options.verbose || *step_debug {
                line(format!(
                    "{}   {}",
                    prefix(&job.0),
                    paint(&format!("debug: {message}"), Paint::Dim, colour)
                ));
            }
        }
        Event::Annotation {
            job, annotation: a, ..
        } => {
            line(format!("{} {}", prefix(&job.0), annotation(a, colour)));
        }
        Event::StepFinished {
            job,
            name,
            outcome,
            conclusion,
            duration_ms,
            ..
        } => {
            let shown = if *outcome == Conclusion::Failure {
                Conclusion::Failure
            } else {
                *conclusion
            };
            let mark = paint(result_mark(shown), result_paint(shown), colour);
            let words = step_result(*outcome, *conclusion);
            if *conclusion == Conclusion::Skipped {
                line(format!("{} {mark} {name} {words}", prefix(&job.0)));
            } else {
                line(format!(
                    "{} {mark} {name} {words} in {}",
                    prefix(&job.0),
                    duration(*duration_ms)
                ));
            }
        }
        Event::JobFinished {
            job,
            result,
            outputs,
            duration_ms,
            ..
        } => {
            if options.verbose {
                for (k, v) in outputs {
                    line(format!("{}   output {k}={v}", prefix(&job.0)));
                }
            }
            line(format!(
                "{} {} job {} in {}",
                prefix(&job.0),
                paint(result_mark(*result), result_paint(*result), colour),
                paint(result_word(*result), result_paint(*result), colour),
                duration(*duration_ms)
            ));
        }
        Event::RunFinished { .. } => {
            if options.summary {
                let summary = render_summary(o, SummaryOptions { styled: colour });
                line(format!("\n{}", summary.trim_end_matches('\n')));
            }
        }
    }
    out
}
