//! What the planner needs to know about an event. `gantry-events` builds
//! this from a git repository (or a payload file); tests build it by hand.

use gantry_expr::{Object, Value};

/// Read access to the repository's files at the event's commit (called
/// reusable workflows, local actions). Paths are relative to the root, `/`.
pub trait Repo {
    fn read(&self, path: &str) -> Option<String>;
}

/// An event, with everything the triggers, filters and expressions need.
#[derive(Clone, Debug, Default)]
pub struct Event {
    /// The event name, e.g. `push`, `pull_request`, `workflow_dispatch`.
    pub name: String,
    /// The activity type (`opened`, `synchronize`, `published`, …), for
    /// events that have them; `None` for events that do not.
    pub action: Option<String>,
    /// The full ref the event is about: for push `refs/heads/x` or
    /// `refs/tags/v1`; for pull requests the base branch's ref
    /// (`refs/heads/main`), which branch filters test.
    pub git_ref: Option<String>,
    /// For pull requests: the head branch name (`feature/x`).
    pub head_ref: Option<String>,
    /// For pull requests: the base branch name (`main`).
    pub base_ref: Option<String>,
    /// Changed files, repository-relative, in git's order. `None` when not
    /// known (path filters then pass, as GitHub does when it cannot diff).
    pub changed_files: Option<Vec<String>>,
    /// For `schedule`: the cron expression that fired; `None` means every
    /// schedule of every workflow fires.
    pub schedule: Option<String>,
    /// The repository's default branch (`main`); schedules only run there.
    pub default_branch: String,
    /// For `workflow_run`: the name of the workflow that ran, and its branch.
    pub workflow_run: Option<WorkflowRun>,
    /// Raw `--input key=value` pairs for `workflow_dispatch` / `workflow_call`;
    /// the planner types them against the workflow's declared inputs.
    pub raw_inputs: Vec<(String, String)>,
    /// The `github` context as GitHub would give it, with `event` holding
    /// the payload. Per-workflow and per-job fields (`workflow`, `job`,
    /// `workflow_ref`) are filled in by the planner.
    pub github: Object,
    /// `vars` (configuration variables), when known.
    pub vars: Object,
}

/// Facts about the run that triggered a `workflow_run` event.
#[derive(Clone, Debug, Default)]
pub struct WorkflowRun {
    pub workflow: String,
    pub head_branch: Option<String>,
}

impl Event {
    /// The payload (`github.event`).
    pub fn payload(&self) -> Value {
        self.github.get("event").cloned().unwrap_or(Value::Null)
    }
}
