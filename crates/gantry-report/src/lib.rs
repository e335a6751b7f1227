//! Reporters for gantry runs. Each is a [`Sink`] of the runner's
//! [`Event`]s:
//!
//! - [`ProgressReporter`]: live progress in a terminal (`indicatif`);
//! - [`PlainReporter`]: line-prefixed text, for output that is not a
//!   terminal and for `--no-progress`;
//! - [`JsonReporter`]: one JSON object per event per line (`--format json`);
//! - [`Fanout`]: sends each event to several sinks (terminal + store).
//!
//! The human reporters end with the summary of [`summary::render_summary`]:
//! step summaries rendered from markdown, a table of jobs, the run's result.
//! The formats are described in `docs/output.md`.

pub mod format;
pub mod json;
pub mod markdown;
pub mod plain;
pub mod progress;
pub mod summary;

use std::sync::Arc;

use gantry_run::event::{Event, Sink};

pub use json::{JsonReporter, SCHEMA_VERSION};
pub use plain::{PlainOptions, PlainReporter};
pub use progress::{ProgressOptions, ProgressReporter};
pub use summary::{RunOverview, SummaryOptions, render_summary, summarize};

/// Sends every event to each of its sinks, in order.
#[derive(Clone, Default)]
pub struct Fanout {
    sinks: Vec<Arc<dyn Sink>>,
}

impl Fanout {
    pub fn new(sinks: Vec<Arc<dyn Sink>>) -> Fanout {
        Fanout { sinks }
    }

    /// Adds a sink.
    pub fn with(mut self, sink: Arc<dyn Sink>) -> Fanout {
        self.sinks.push(sink);
        self
    }

    pub fn push(&mut self, sink: Arc<dyn Sink>) {
        self.sinks.push(sink);
    }

    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }
}

impl Sink for Fanout {
    fn emit(&self, event: Event) {
        if let Some((last, rest)) = self.sinks.split_last() {
            for s in rest {
                s.emit(event.clone());
            }
            last.emit(event);
        }
    }
}

/// A sink that keeps every event (for tests and for callers that render
/// afterwards).
#[derive(Default)]
pub struct Collect {
    events: std::sync::Mutex<Vec<Event>>,
}

impl Collect {
    pub fn new() -> Collect {
        Collect::default()
    }

    /// The events so far.
    pub fn events(&self) -> Vec<Event> {
        match self.events.lock() {
            Ok(e) => e.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

impl Sink for Collect {
    fn emit(&self, event: Event) {
        match self.events.lock() {
            Ok(mut e) => e.push(event),
            Err(p) => p.into_inner().push(event),
        }
    }
}
