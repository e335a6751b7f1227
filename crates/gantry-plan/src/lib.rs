//! Planning: given workflows and an event, decide exactly what GitHub would
//! run — which workflows trigger, which jobs exist after matrix expansion, in
//! what order, on which runner — and why anything is left out.
//!
//! Pure and synchronous: the facts about the event (refs, changed files, the
//! `github` context) come in as an [`Event`], built elsewhere (from git, by
//! `gantry-events`), and files of the repository are read through
//! [`Repo`].
//!
//! * [`triggers`]: whether a workflow runs for an event, and why not
//!   ([`NotTriggered`]).
//! * [`inputs`]: typed `workflow_dispatch` / `workflow_call` inputs.
//! * [`matrix`]: GitHub's matrix expansion.
//! * [`graph`]: the job graph from `needs`.
//! * [`runner`]: where a job runs.
//! * [`plan`] puts it together into a [`Plan`]; [`render`] turns a plan
//!   into text (human, JSON, mermaid, dot).

pub mod eval;
pub mod event;
pub mod graph;
pub mod inputs;
pub mod matrix;
pub mod model;
mod planner;
pub mod remote;
pub mod render;
pub mod runner;
pub mod triggers;

pub use event::{Event, Repo, WorkflowRun};
/// Activity types and their defaults; the table lives in `gantry-workflow`.
pub use gantry_workflow::activity;
pub use model::{
    ConcurrencyPlan, ConditionPlan, ConditionResult, ContainersPlan, EventSummary, JobKind,
    JobPlan, PLAN_VERSION, Plan, PlanOptions, StrategyPlan, WorkflowPlan,
};
pub use planner::{MAX_NESTING, plan};
pub use remote::RemoteWorkflow;
pub use render::{render_dot, render_human, render_json, render_mermaid};
pub use triggers::NotTriggered;

/// A [`Repo`] with no files.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFiles;

impl Repo for NoFiles {
    fn read(&self, _path: &str) -> Option<String> {
        None
    }
}

/// A [`Repo`] over in-memory files (`path`, `contents`).
#[derive(Debug, Clone, Default)]
pub struct MemoryRepo(pub Vec<(String, String)>);

impl Repo for MemoryRepo {
    fn read(&self, path: &str) -> Option<String> {
        let path = path.trim_start_matches("./");
        self.0
            .iter()
            .find(|(p, _)| p.trim_start_matches("./") == path)
            .map(|(_, c)| c.clone())
    }
}
