//! Where an expression is (which contexts GitHub makes available there) and
//! what is defined around it (inputs, jobs, needs, matrix keys, steps).

use std::cell::RefCell;

use gantry_workflow::Job;

use super::types::Ty;
use crate::availability::{Availability, Place};

/// A place's name (for messages) and what it allows.
#[derive(Clone, Copy, Debug)]
pub(super) struct At {
    pub key: &'static str,
    pub avail: Availability,
}

impl From<Place> for At {
    fn from(p: Place) -> Self {
        At {
            key: p.key(),
            avail: p.availability(),
        }
    }
}

impl At {
    /// A place GitHub's context table does not list. Keys without a
    /// `context` in GitHub's workflow schema allow no context at all.
    pub const fn custom(
        key: &'static str,
        contexts: &'static [&'static str],
        functions: &'static [&'static str],
    ) -> At {
        At {
            key,
            avail: Availability {
                contexts,
                functions,
            },
        }
    }
}

/// Keys of GitHub's workflow schema that take no context.
pub(super) const WORKFLOW_NAME: At = At::custom("name", &[], &[]);
pub(super) const WORKFLOW_DEFAULTS_RUN: At = At::custom("defaults.run", &[], &[]);
pub(super) const DISPATCH_INPUT_DEFAULT: At =
    At::custom("on.workflow_dispatch.inputs.<input_id>.default", &[], &[]);
pub(super) const STEP_ID: At = At::custom("jobs.<job_id>.steps.id", &[], &[]);
pub(super) const STEP_SHELL: At = At::custom("jobs.<job_id>.steps.shell", &[], &[]);
pub(super) const SNAPSHOT_IMAGE: At = At::custom("jobs.<job_id>.snapshot", &[], &[]);
/// `jobs.<job_id>.snapshot.if` (GitHub's schema: `snapshot-if`).
pub(super) const SNAPSHOT_IF: At = At::custom(
    "jobs.<job_id>.snapshot.if",
    &["github", "inputs", "vars", "needs", "strategy", "matrix"],
    &[],
);

/// `container.env` / `services.<id>.env`: GitHub's schema
/// (`string-runner-context`) allows `steps` there too, beyond the
/// documented table.
pub(super) const CONTAINER_ENV: At = At::custom(
    "jobs.<job_id>.container.env.<env_id>",
    &[
        "github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets",
        "inputs", "steps",
    ],
    &[],
);
pub(super) const SERVICE_ENV: At = At::custom(
    "jobs.<job_id>.services.<service_id>.env.<env_id>",
    CONTAINER_ENV.avail.contexts,
    &[],
);

/// The `inputs` a place can refer to.
#[derive(Debug)]
pub(super) enum Inputs<'a> {
    /// Not known (every name is accepted).
    Any,
    /// The declared input names.
    Declared(Vec<&'a str>),
    /// The workflow has neither `workflow_call` nor `workflow_dispatch`.
    NoTrigger,
}

/// A calling job's id and its callee's output names (`None`: unknown).
pub(super) type CalleeOutputs<'a> = (&'a str, Option<Vec<String>>);

/// What is defined around the expression being checked.
pub(super) struct Scope<'a> {
    pub inputs: Inputs<'a>,
    /// Every job of the workflow (empty for actions).
    pub jobs: &'a [Job],
    /// The job being checked.
    pub job: Option<&'a Job>,
    /// The job's matrix keys; `None` when they cannot be known (a matrix
    /// or `include` built by an expression).
    pub matrix: Option<Vec<&'a str>>,
    /// Step ids of the job (or composite action), in order.
    pub step_ids: Vec<&'a str>,
    /// How many of `step_ids` come before the place being checked.
    pub visible: usize,
    /// Whether this is an action's metadata rather than a workflow.
    pub in_action: bool,
    /// The `workflow_dispatch` input names, which are all that
    /// `github.event.inputs` can hold; `None` when it cannot be known (no
    /// `workflow_dispatch`, or a `workflow_call`, whose event payload is the
    /// caller's).
    pub dispatch_inputs: Option<Vec<&'a str>>,
    /// Outputs of called reusable workflows, by job id (read and parsed
    /// once per file).
    pub callee_outputs: RefCell<Vec<CalleeOutputs<'a>>>,
    /// The type of each declared input (`inputs.<name>`).
    pub input_types: Vec<(&'a str, Ty)>,
    /// The type of each matrix key; `None` when they cannot be known.
    pub matrix_types: Option<Vec<(&'a str, Ty)>>,
    /// Inputs declared at or after the input whose default is being
    /// checked: a default can use only the inputs before it.
    pub later_inputs: Vec<&'a str>,
}

impl<'a> Scope<'a> {
    pub fn new(inputs: Inputs<'a>, jobs: &'a [Job], in_action: bool) -> Self {
        Scope {
            inputs,
            jobs,
            job: None,
            matrix: None,
            step_ids: Vec::new(),
            visible: 0,
            in_action,
            dispatch_inputs: None,
            callee_outputs: RefCell::new(Vec::new()),
            input_types: Vec::new(),
            matrix_types: None,
            later_inputs: Vec::new(),
        }
    }
}
