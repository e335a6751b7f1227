//! The one stream of events the runner emits. Reporters (terminal, JSON
//! lines, log files, later the server) consume it; the runner never prints.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::commands::Annotation;
use crate::process::Stream;

/// Identifies a job within a run (unique, stable): `workflow-file:job-id`
/// plus the matrix cell's index when the job has a matrix.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct JobKey(pub String);

impl std::fmt::Display for JobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a step or job ended, in GitHub's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Conclusion {
    Success,
    Failure,
    Cancelled,
    Skipped,
}

impl Conclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::Success => "success",
            Conclusion::Failure => "failure",
            Conclusion::Cancelled => "cancelled",
            Conclusion::Skipped => "skipped",
        }
    }
}

/// Something that happened during a run. Every text in it is already
/// masked.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    RunStarted {
        run_id: u64,
        event_name: String,
        jobs: Vec<JobInfo>,
    },
    /// A job that does not run: skipped (its `if:`, a needed job that did
    /// not succeed, a runner not available here) or cancelled before it
    /// started (fail-fast, a newer job of its concurrency group).
    JobSkipped {
        job: JobKey,
        result: Conclusion,
        reason: String,
    },
    JobWaiting {
        job: JobKey,
        reason: String,
    },
    /// The deployment environment a job runs in (`environment:`,
    /// evaluated), and its URL when it has one.
    JobEnvironment {
        job: JobKey,
        name: String,
        url: Option<String>,
    },
    JobStarted {
        job: JobKey,
        name: String,
        workspace: String,
    },
    StepStarted {
        job: JobKey,
        step: usize,
        name: String,
    },
    /// The resolved command of a step (shown with `--dry-run` and in logs).
    StepCommand {
        job: JobKey,
        step: usize,
        command: String,
    },
    Output {
        job: JobKey,
        step: usize,
        stream: Stream,
        line: String,
    },
    GroupStarted {
        job: JobKey,
        step: usize,
        title: String,
    },
    GroupEnded {
        job: JobKey,
        step: usize,
    },
    Debug {
        job: JobKey,
        step: usize,
        message: String,
        /// The step's own environment turns step debug logging on
        /// (`ACTIONS_STEP_DEBUG=true`, e.g. through `$GITHUB_ENV`): shown
        /// even when the run's debug output is off.
        step_debug: bool,
    },
    Annotation {
        job: JobKey,
        step: usize,
        annotation: Annotation,
    },
    StepSummary {
        job: JobKey,
        step: usize,
        markdown: String,
    },
    StepFinished {
        job: JobKey,
        step: usize,
        name: String,
        outcome: Conclusion,
        conclusion: Conclusion,
        duration_ms: u64,
    },
    JobFinished {
        job: JobKey,
        name: String,
        result: Conclusion,
        outputs: BTreeMap<String, String>,
        duration_ms: u64,
    },
    RunFinished {
        result: Conclusion,
        duration_ms: u64,
    },
}

/// A job as announced at the start of a run.
#[derive(Clone, Debug, Serialize)]
pub struct JobInfo {
    pub key: JobKey,
    pub name: String,
    pub workflow: String,
    pub needs: Vec<JobKey>,
}

/// Where events go. Implementations must be cheap: they are called from
/// the runner's tasks.
pub trait Sink: Send + Sync {
    fn emit(&self, event: Event);
}

/// A sink that forwards to a channel.
pub struct ChannelSink(pub tokio::sync::mpsc::UnboundedSender<Event>);

impl Sink for ChannelSink {
    fn emit(&self, event: Event) {
        let _ = self.0.send(event);
    }
}
