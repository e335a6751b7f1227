//! Live progress in a terminal: one line per running job (its current step
//! and how long it has run), and above the lines what is worth keeping:
//! finished jobs folded into one line each, annotations, and the last lines
//! of a failed step.
//!
//! What to show is decided by [`ProgressModel`], a plain state machine that
//! turns events into [`Action`]s (and is tested without a terminal);
//! [`ProgressReporter`] draws those actions with `indicatif`.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gantry_run::event::{Conclusion, Event, Sink};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::format::{
    Paint, annotation, duration, paint, result_mark, result_paint, result_word, step_result,
};
use crate::summary::{RunOverview, SummaryOptions, render_summary};

/// How many lines of a failed step are shown by default.
pub const DEFAULT_TAIL_LINES: usize = 40;

/// Options of [`ProgressReporter`] and [`ProgressModel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgressOptions {
    /// Colour as an aid (the caller decides: a terminal, and `NO_COLOR`
    /// unset).
    pub colour: bool,
    /// Show `::debug::` messages.
    pub verbose: bool,
    /// Print the end-of-run summary when the run finishes.
    pub summary: bool,
    /// How many of a failed step's last lines to show.
    pub tail_lines: usize,
}

impl Default for ProgressOptions {
    fn default() -> Self {
        ProgressOptions {
            colour: true,
            verbose: false,
            summary: true,
            tail_lines: DEFAULT_TAIL_LINES,
        }
    }
}

/// What the terminal should do for an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Print a line above the job lines.
    Print(String),
    /// Show a line for a job that started.
    Start { job: String, name: String },
    /// Set what a job's line says; `step_started` restarts the step clock.
    Message {
        job: String,
        message: String,
        step_started: bool,
    },
    /// Remove a job's line.
    Finish { job: String },
    /// The run ended: remove every line, then print this text (the summary).
    End(String),
}

/// The last lines of a step, bounded.
#[derive(Debug, Default)]
pub struct Ring {
    lines: VecDeque<String>,
    cap: usize,
    total: usize,
}

impl Ring {
    pub fn new(cap: usize) -> Ring {
        Ring {
            lines: VecDeque::with_capacity(cap.min(64)),
            cap,
            total: 0,
        }
    }

    pub fn push(&mut self, line: String) {
        self.total += 1;
        if self.cap == 0 {
            return;
        }
        if self.lines.len() == self.cap {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// The kept lines, oldest first.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(String::as_str)
    }

    /// How many lines were pushed in all.
    pub fn total(&self) -> usize {
        self.total
    }
}

#[derive(Default)]
struct JobState {
    step: Option<String>,
    group: Option<String>,
    last_line: Option<String>,
}

/// Decides what live progress shows; see [`Action`].
pub struct ProgressModel {
    options: ProgressOptions,
    overview: RunOverview,
    jobs: HashMap<String, JobState>,
    tails: HashMap<(String, usize), Ring>,
}

impl ProgressModel {
    pub fn new(options: ProgressOptions) -> ProgressModel {
        ProgressModel {
            options,
            overview: RunOverview::default(),
            jobs: HashMap::new(),
            tails: HashMap::new(),
        }
    }

    /// What has been gathered for the summary so far.
    pub fn overview(&self) -> &RunOverview {
        &self.overview
    }

    fn message(&self, job: &str) -> String {
        let Some(state) = self.jobs.get(job) else {
            return String::new();
        };
        let colour = self.options.colour;
        let mut m = state.step.clone().unwrap_or_else(|| "starting".to_owned());
        if let Some(title) = &state.group {
            m.push_str(&paint(&format!(" ▸ {title}"), Paint::Dim, colour));
        } else if let Some(last) = &state.last_line {
            m.push_str(&paint(&format!(" · {last}"), Paint::Dim, colour));
        }
        m
    }

    fn ring(&mut self, job: &str, step: usize) -> &mut Ring {
        let cap = self.options.tail_lines;
        self.tails
            .entry((job.to_owned(), step))
            .or_insert_with(|| Ring::new(cap))
    }

    /// Takes an event; returns what to show.
    pub fn handle(&mut self, event: &Event) -> Vec<Action> {
        self.overview.observe(event);
        let colour = self.options.colour;
        let name = |o: &RunOverview, key: &str| o.job_name(key);
        let mut actions = Vec::new();
        match event {
            Event::RunStarted {
                run_id,
                event_name,
                jobs,
            } => {
                let n = jobs.len();
                let s = if n == 1 { "" } else { "s" };
                actions.push(Action::Print(paint(
                    &format!("Run {run_id} for {event_name}: {n} job{s}"),
                    Paint::Bold,
                    colour,
                )));
            }
            Event::JobSkipped {
                job,
                reason,
                result,
            } => {
                let r = *result;
                actions.push(Action::Print(format!(
                    "{} {} {}: {reason}",
                    paint(result_mark(r), result_paint(r), colour),
                    paint(&name(&self.overview, &job.0), Paint::Bold, colour),
                    result_word(r),
                )));
            }
            Event::JobWaiting { job, reason } => {
                actions.push(Action::Print(paint(
                    &format!("… {} waiting: {reason}", name(&self.overview, &job.0)),
                    Paint::Dim,
                    colour,
                )));
            }
            Event::JobEnvironment { job, name, url } => {
                let url = url.as_ref().map(|u| format!(": {u}")).unwrap_or_default();
                actions.push(Action::Print(paint(
                    &format!("{} environment {name}{url}", self.overview.job_name(&job.0)),
                    Paint::Dim,
                    colour,
                )));
            }
            Event::JobStarted { job, name, .. } => {
                self.jobs.insert(job.0.clone(), JobState::default());
                actions.push(Action::Start {
                    job: job.0.clone(),
                    name: name.clone(),
                });
            }
            Event::StepStarted { job, name, .. } => {
                let state = self.jobs.entry(job.0.clone()).or_default();
                state.step = Some(name.clone());
                state.group = None;
                state.last_line = None;
                actions.push(Action::Message {
                    job: job.0.clone(),
                    message: self.message(&job.0),
                    step_started: true,
                });
            }
            Event::StepCommand { .. } | Event::StepSummary { .. } => {}
            Event::Output {
                job, step, line, ..
            } => {
                self.ring(&job.0, *step).push(line.clone());
                let state = self.jobs.entry(job.0.clone()).or_default();
                if state.group.is_none() {
                    state.last_line = Some(line.trim().to_owned()).filter(|l| !l.is_empty());
                    actions.push(Action::Message {
                        job: job.0.clone(),
                        message: self.message(&job.0),
                        step_started: false,
                    });
                }
            }
            Event::GroupStarted { job, step, title } => {
                self.ring(&job.0, *step).push(format!("▸ {title}"));
                self.jobs.entry(job.0.clone()).or_default().group = Some(title.clone());
                actions.push(Action::Message {
                    job: job.0.clone(),
                    message: self.message(&job.0),
                    step_started: false,
                });
            }
            Event::GroupEnded { job, .. } => {
                let state = self.jobs.entry(job.0.clone()).or_default();
                state.group = None;
                state.last_line = None;
                actions.push(Action::Message {
                    job: job.0.clone(),
                    message: self.message(&job.0),
                    step_started: false,
                });
            }
            Event::Debug {
                job,
                message,
                step_debug,
                ..
            } => {
                if self.options.verbose || *step_debug {
                    actions.push(Action::Print(paint(
                        &format!("[{}] debug: {message}", name(&self.overview, &job.0)),
                        Paint::Dim,
                        colour,
                    )));
                }
            }
            Event::Annotation {
                job, annotation: a, ..
            } => {
                actions.push(Action::Print(format!(
                    "{} {}",
                    paint(
                        &format!("[{}]", name(&self.overview, &job.0)),
                        Paint::Bold,
                        colour
                    ),
                    annotation(a, colour)
                )));
            }
            Event::StepFinished {
                job,
                step,
                name: step_name,
                outcome,
                conclusion,
                duration_ms,
            } => {
                let ring = self.tails.remove(&(job.0.clone(), *step));
                if *outcome == Conclusion::Failure {
                    let job_name = name(&self.overview, &job.0);
                    let words = step_result(*outcome, *conclusion);
                    let head = format!(
                        "✗ [{job_name}] {step_name} {words} in {}",
                        duration(*duration_ms)
                    );
                    actions.push(Action::Print(paint(&head, Paint::BoldRed, colour)));
                    if let Some(ring) = ring.filter(|r| r.total() > 0) {
                        let kept = ring.lines().count();
                        let note = if kept < ring.total() {
                            format!("  its last {kept} of {} lines:", ring.total())
                        } else {
                            "  its output:".to_owned()
                        };
                        actions.push(Action::Print(paint(&note, Paint::Dim, colour)));
                        for l in ring.lines() {
                            actions.push(Action::Print(format!(
                                "  {} {l}",
                                paint("│", Paint::Red, colour)
                            )));
                        }
                    }
                }
                if let Some(state) = self.jobs.get_mut(&job.0) {
                    state.group = None;
                    state.last_line = None;
                }
            }
            Event::JobFinished {
                job,
                name: job_name,
                result,
                duration_ms,
                ..
            } => {
                self.jobs.remove(&job.0);
                self.tails.retain(|(j, _), _| *j != job.0);
                actions.push(Action::Finish { job: job.0.clone() });
                actions.push(Action::Print(format!(
                    "{} {} {} in {}",
                    paint(result_mark(*result), result_paint(*result), colour),
                    paint(job_name, Paint::Bold, colour),
                    paint(result_word(*result), result_paint(*result), colour),
                    duration(*duration_ms)
                )));
            }
            Event::RunFinished { .. } => {
                self.jobs.clear();
                self.tails.clear();
                let text = if self.options.summary {
                    actions.push(Action::Print(String::new()));
                    render_summary(&self.overview, SummaryOptions { styled: colour })
                } else {
                    String::new()
                };
                actions.push(Action::End(text));
            }
        }
        actions
    }
}

/// Where the progress is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Stdout,
    Stderr,
}

struct Bar {
    bar: ProgressBar,
    step_started: Arc<Mutex<Instant>>,
}

struct Inner {
    model: ProgressModel,
    bars: HashMap<String, Bar>,
}

/// A [`Sink`] that shows live progress with `indicatif`. Use it only when
/// the target is a terminal (otherwise use [`crate::PlainReporter`]).
pub struct ProgressReporter {
    multi: MultiProgress,
    target: Target,
    inner: Mutex<Inner>,
}

impl ProgressReporter {
    /// Progress drawn on standard output.
    pub fn new(options: ProgressOptions) -> ProgressReporter {
        ProgressReporter::with_target(Target::Stdout, options)
    }

    pub fn with_target(target: Target, options: ProgressOptions) -> ProgressReporter {
        let draw = match target {
            Target::Stdout => ProgressDrawTarget::stdout(),
            Target::Stderr => ProgressDrawTarget::stderr(),
        };
        ProgressReporter {
            multi: MultiProgress::with_draw_target(draw),
            target,
            inner: Mutex::new(Inner {
                model: ProgressModel::new(options),
                bars: HashMap::new(),
            }),
        }
    }

    /// Runs `f` with the progress lines hidden and not redrawn (an
    /// interactive shell owns the terminal meanwhile); other jobs' events
    /// wait until it returns.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.multi.suspend(f)
    }

    fn style(colour: bool, step_started: Arc<Mutex<Instant>>) -> ProgressStyle {
        let template = if colour {
            "{spinner:.cyan} {prefix:.bold} {wide_msg} {step_elapsed:.dim} {elapsed:>4}"
        } else {
            "{spinner} {prefix} {wide_msg} {step_elapsed} {elapsed:>4}"
        };
        let step_elapsed = move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
            let since = match step_started.lock() {
                Ok(t) => *t,
                Err(p) => *p.into_inner(),
            };
            let secs = since.elapsed().as_secs();
            let _ = write!(w, "step {secs}s");
        };
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ")
            .with_key("step_elapsed", step_elapsed)
    }

    fn apply(&self, inner: &mut Inner, action: Action) {
        let colour = inner.model.options.colour;
        match action {
            Action::Print(line) => {
                let _ = self.multi.println(line);
            }
            Action::Start { job, name } => {
                let step_started = Arc::new(Mutex::new(Instant::now()));
                let bar = self.multi.add(ProgressBar::new_spinner());
                bar.set_style(ProgressReporter::style(colour, step_started.clone()));
                bar.set_prefix(name);
                bar.set_message("starting");
                bar.enable_steady_tick(Duration::from_millis(120));
                inner.bars.insert(job, Bar { bar, step_started });
            }
            Action::Message {
                job,
                message,
                step_started,
            } => {
                if let Some(b) = inner.bars.get(&job) {
                    if step_started && let Ok(mut t) = b.step_started.lock() {
                        *t = Instant::now();
                    }
                    b.bar.set_message(message);
                }
            }
            Action::Finish { job } => {
                if let Some(b) = inner.bars.remove(&job) {
                    b.bar.finish_and_clear();
                    self.multi.remove(&b.bar);
                }
            }
            Action::End(text) => {
                for (_, b) in inner.bars.drain() {
                    b.bar.finish_and_clear();
                    self.multi.remove(&b.bar);
                }
                let _ = self.multi.clear();
                if !text.is_empty() {
                    let _ = self.multi.suspend(|| match self.target {
                        Target::Stdout => {
                            let mut out = std::io::stdout().lock();
                            out.write_all(text.as_bytes()).and_then(|()| out.flush())
                        }
                        Target::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
                    });
                }
            }
        }
    }
}

impl Sink for ProgressReporter {
    fn emit(&self, event: Event) {
        let mut inner = match self.inner.lock() {
            Ok(i) => i,
            Err(p) => p.into_inner(),
        };
        let actions = inner.model.handle(&event);
        for a in actions {
            self.apply(&mut inner, a);
        }
    }
}
