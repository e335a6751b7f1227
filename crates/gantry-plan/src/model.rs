//! The plan as data: what [`crate::plan`] returns and the renderers read.
//! Serialises to the versioned JSON of `gantry plan --format json`.

use serde::Serialize;

use crate::triggers::NotTriggered;

/// The version of the JSON form; bumped on incompatible changes.
pub const PLAN_VERSION: u32 = 1;

/// Options of planning.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Runner labels mapped to a platform (like act's `-P LABEL=target`):
    /// jobs asking for such a label run on its target.
    pub platforms: Vec<(String, String)>,
}

/// What an event runs.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// [`PLAN_VERSION`].
    pub version: u32,
    /// The event.
    pub event: EventSummary,
    /// Every workflow, triggered or not, ordered by file.
    pub workflows: Vec<WorkflowPlan>,
}

impl Plan {
    /// The workflows that run.
    pub fn triggered(&self) -> impl Iterator<Item = &WorkflowPlan> {
        self.workflows.iter().filter(|w| w.triggered)
    }

    /// Whether anything is wrong with what was asked or with a triggered
    /// workflow (bad inputs, invalid matrices, `needs` cycles, …).
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.workflows.iter().any(|w| {
            !w.errors.is_empty() || w.not_triggered.as_ref().is_some_and(NotTriggered::is_error)
        })
    }
}

/// The event, in short.
#[derive(Debug, Clone, Serialize)]
pub struct EventSummary {
    /// `push`, `pull_request`, …
    pub name: String,
    /// The activity type.
    pub action: Option<String>,
    /// The full ref.
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    /// `github.sha`, when known.
    pub sha: Option<String>,
}

/// One workflow file.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowPlan {
    /// The file, as given (`.github/workflows/test.yml`).
    pub file: String,
    /// The display name: `name:`, else the file.
    pub name: String,
    /// Whether the event triggers it.
    pub triggered: bool,
    /// Why not, when it does not.
    pub reason: Option<String>,
    /// The same, structured.
    #[serde(skip)]
    pub not_triggered: Option<NotTriggered>,
    /// `run-name`, evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_name: Option<String>,
    /// The workflow's concurrency group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<ConcurrencyPlan>,
    /// The `inputs` context (dispatch and call).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputs: Option<serde_json::Value>,
    /// Problems GitHub would reject the run for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// The jobs, in dependency order (level by level, source order within
    /// a level); a matrix job once per combination.
    pub jobs: Vec<JobPlan>,
}

/// What kind of job an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobKind {
    /// A job with steps.
    Job,
    /// A reusable-workflow call; its jobs follow it, with ids
    /// `caller/callee-job`.
    Call,
}

/// One job (one matrix combination of it).
#[derive(Debug, Clone, Serialize)]
pub struct JobPlan {
    /// The job's id; inside a called workflow `caller/job`.
    pub id: String,
    /// The display name GitHub would show (`test (ubuntu-latest, 3.11)`,
    /// `caller / callee-job`).
    pub name: String,
    /// The matrix combination, if any.
    pub matrix: Option<serde_json::Value>,
    /// Ids of the jobs it waits for.
    pub needs: Vec<String>,
    /// Whether it would run on this host.
    pub runnable: bool,
    /// The runner's labels, e.g. `ubuntu-latest`.
    pub runner: Option<String>,
    /// Why it does not run (here), when it does not.
    pub skip_reason: Option<String>,
    /// Job or call.
    pub kind: JobKind,
    /// Whether GitHub itself would skip it (`if:` false, a needed job
    /// skipped, every matrix combination excluded).
    pub skipped: bool,
    /// Dependency level (0: needs nothing); `None` in a `needs` cycle.
    pub level: Option<usize>,
    /// A platform mapping that applies to its runner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `if:` and what it evaluated to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<ConditionPlan>,
    /// `strategy.job-index` / `job-total` of a matrix combination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<StrategyPlan>,
    /// For a matrix only known at run time: what it depends on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dynamic_matrix: Option<String>,
    /// The job's concurrency group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<ConcurrencyPlan>,
    /// `uses:` of a call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<String>,
    /// The job's `container:` and `services:`, when it has any: they need a
    /// container engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<ContainersPlan>,
    /// The id of the call this job belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// The workflow file the job is defined in, for the jobs of a called
    /// workflow (`None` at the top: the plan's own file).
    #[serde(skip)]
    pub workflow_file: Option<String>,
    /// For a call of a workflow of this repository: the called file,
    /// relative to the root.
    #[serde(skip)]
    pub callee: Option<String>,
    /// For such a call: the callee's `inputs` as far as they are known
    /// when planning (values only known at run time are null).
    #[serde(skip)]
    pub call_inputs: Option<serde_json::Value>,
}

/// A job's `if:`.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionPlan {
    /// The condition as written.
    pub expression: String,
    /// `true`, `false`, `run-time` or `error`.
    pub result: ConditionResult,
    /// What a run-time condition depends on, or the error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What an `if:` is at plan time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConditionResult {
    /// True.
    True,
    /// False: the job is skipped.
    False,
    /// Decided at run time.
    RunTime,
    /// Evaluation failed.
    Error,
}

/// `strategy.job-index` and `strategy.job-total`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StrategyPlan {
    /// 0-based index of the combination.
    pub job_index: usize,
    /// Number of combinations.
    pub job_total: usize,
}

/// A job's containers.
#[derive(Debug, Clone, Serialize)]
pub struct ContainersPlan {
    /// The image the job's steps run in (as written when only known at run
    /// time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The service containers' names (`None`: `services: ${{ … }}`, known
    /// at run time).
    pub services: Option<Vec<String>>,
}

/// A concurrency group.
#[derive(Debug, Clone, Serialize)]
pub struct ConcurrencyPlan {
    /// The group, evaluated (or as written when only known at run time).
    pub group: String,
    /// What the group depends on when it is only known at run time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at_run_time: Option<String>,
    /// `cancel-in-progress`: `true`, `false`, or the expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_in_progress: Option<String>,
}
