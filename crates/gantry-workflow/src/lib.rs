//! The closed, typed model of GitHub Actions workflow files and action metadata.
//!
//! [`parse_workflow`] and [`parse_action`] load YAML with `gantry-yaml` and lower the tree
//! into the model, collecting [`Diagnostic`]s (unknown keys with suggestions, wrong types,
//! missing keys, …). Lowering never panics; it returns a model whenever the document's root
//! is a mapping, even when there are errors (fields that failed to lower are left out).
//!
//! Strings that may contain `${{ }}` are kept as [`ExprString`] templates; parsing them is
//! left to a later pass.

mod action;
pub mod activity;
pub mod container;
mod job;
mod lower;
mod on;
mod permissions;
mod step;
mod value;
mod workflow;

pub use action::{
    Action, ActionInput, ActionOutput, Branding, CompositeRuns, DockerRuns, NodeRuns, NodeVersion,
    Runs,
};
pub use gantry_diagnostics::{Diagnostic, Pos, Related, Severity, Span};
pub use job::{
    CallJob, CallSecrets, Container, Credentials, Environment, Job, JobCommon, JobId, Matrix,
    MatrixAxis, MatrixMap, MatrixRow, MatrixRows, MatrixValues, NormalJob, Port, RunsOn, Services,
    Snapshot, Strategy,
};
pub use lower::rules;
pub use on::{
    CallInput, CallInputType, CallOutput, CallSecret, DispatchInput, DispatchInputType, EVENTS,
    FilterList, Filters, On, Schedule, Trigger, TriggerConfig, WorkflowCall, WorkflowDispatch,
};
pub use permissions::{PermissionLevel, PermissionScope, Permissions};
pub use step::{
    ParallelGroup, RunStep, Step, StepCommon, StepId, Uses, UsesStep, UsesTarget, parse_uses,
};
pub use value::{
    BoolOrExpr, Concurrency, ConcurrencyQueue, Condition, Defaults, Env, ExprString, NumberOrExpr,
    Scalar, Spanned, SpannedNumber, Value, With,
};
pub use workflow::Workflow;

use gantry_yaml::Node;
use lower::Ctx;

/// Loads YAML and turns loader problems into diagnostics.
fn load(cx: &mut Ctx<'_>, src: &str) -> Option<Node> {
    match gantry_yaml::load(src) {
        Ok(loaded) => {
            for issue in loaded.issues {
                match issue {
                    gantry_yaml::Issue::DuplicateKey {
                        key,
                        first,
                        duplicate,
                    } => cx.push(
                        Diagnostic::error(
                            rules::DUPLICATE_KEY,
                            duplicate,
                            format!("key `{key}` is defined twice"),
                        )
                        .with_related(first, "first defined here")
                        .with_hint("remove or rename one of them"),
                    ),
                    gantry_yaml::Issue::UnusedAnchor { name, span } => cx.push(
                        Diagnostic::warning(
                            rules::UNUSED_ANCHOR,
                            span,
                            if name.is_empty() {
                                "this anchor is never used by an alias".to_owned()
                            } else {
                                format!("anchor `&{name}` is never used by an alias")
                            },
                        )
                        .with_hint("remove the anchor, or refer to it with `*name`"),
                    ),
                    gantry_yaml::Issue::ExtraDocument { span } => cx.push(
                        Diagnostic::warning(
                            rules::EXTRA_DOCUMENT,
                            span,
                            "only the first YAML document is used; this one is ignored",
                        )
                        .with_hint("remove the `---` separator and what follows it"),
                    ),
                }
            }
            Some(loaded.root)
        }
        Err(e) => {
            cx.push(Diagnostic::error(
                rules::YAML_SYNTAX,
                e.span(),
                e.to_string(),
            ));
            None
        }
    }
}

/// Parses and lowers a workflow file.
///
/// Returns the model (when the YAML is well-formed and its root is a mapping) and every
/// diagnostic, in source order.
#[must_use]
pub fn parse_workflow(src: &str) -> (Option<Workflow>, Vec<Diagnostic>) {
    let mut cx = Ctx::new(src);
    let workflow = load(&mut cx, src).and_then(|root| workflow::lower_workflow(&mut cx, &root));
    (workflow, finish(cx))
}

/// Parses and lowers action metadata (`action.yml` / `action.yaml`).
#[must_use]
pub fn parse_action(src: &str) -> (Option<Action>, Vec<Diagnostic>) {
    let mut cx = Ctx::new(src);
    let action = load(&mut cx, src).and_then(|root| action::lower_action(&mut cx, &root));
    (action, finish(cx))
}

fn finish(cx: Ctx<'_>) -> Vec<Diagnostic> {
    let mut diags = cx.diags;
    diags.sort_by_key(|d| d.span.start.offset);
    // Aliased nodes are lowered once per alias: report each problem once.
    diags.dedup();
    diags
}
