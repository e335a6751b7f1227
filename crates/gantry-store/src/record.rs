//! `result.json`: what a run did, readable without replaying its events.

use std::collections::BTreeMap;

use gantry_run::event::Conclusion;
use serde::{Deserialize, Serialize};

/// The version of the `result.json` format.
pub const RESULT_VERSION: u32 = 1;

/// How a job or run ended, in GitHub's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
    Cancelled,
    Skipped,
}

impl From<Conclusion> for Outcome {
    fn from(c: Conclusion) -> Outcome {
        match c {
            Conclusion::Success => Outcome::Success,
            Conclusion::Failure => Outcome::Failure,
            Conclusion::Cancelled => Outcome::Cancelled,
            Conclusion::Skipped => Outcome::Skipped,
        }
    }
}

impl From<Outcome> for Conclusion {
    fn from(o: Outcome) -> Conclusion {
        match o {
            Outcome::Success => Conclusion::Success,
            Outcome::Failure => Conclusion::Failure,
            Outcome::Cancelled => Conclusion::Cancelled,
            Outcome::Skipped => Conclusion::Skipped,
        }
    }
}

/// A run as recorded in `result.json`. Written when the run starts, after
/// each job, and when it ends: `result` is `null` until then (also when
/// gantry was killed mid-run).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The format's version ([`RESULT_VERSION`]).
    pub v: u32,
    /// The run's number (its directory under `runs/`).
    pub run: u64,
    /// The run id the runner announced (normally the same number).
    pub run_id: Option<u64>,
    pub event_name: String,
    /// When the run started, RFC 3339 in UTC.
    pub started_at: String,
    /// The same, in milliseconds since the Unix epoch.
    pub started_at_ms: u64,
    pub result: Option<Outcome>,
    pub duration_ms: Option<u64>,
    /// In the order the run announced them.
    pub jobs: Vec<JobRecord>,
}

/// A job of a recorded run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    /// The runner's job key (`workflow-file:job-id` plus the matrix cell).
    pub key: String,
    pub name: String,
    pub workflow: String,
    #[serde(default)]
    pub needs: Vec<String>,
    /// `null` while running, or when the job never ran.
    pub result: Option<Outcome>,
    pub duration_ms: Option<u64>,
    /// Why it was skipped, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
    /// Its log, relative to the run's directory: `jobs/<job-slug>.log`.
    pub log: String,
}
