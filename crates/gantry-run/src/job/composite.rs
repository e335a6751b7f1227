//! Composite actions: their steps run as a nested level of steps, with the
//! action's `inputs`, their own `steps` context and status, and the
//! action's outputs mapped from them.

use std::collections::BTreeMap;

use gantry_expr::{Object, Value};
use gantry_workflow::{Action, CompositeRuns};
use tokio::sync::watch;

use super::steps::{self, Frame, Scope, StepResult};
use super::{Ctx, State, contexts_now};
use crate::commands::AnnotationLevel;
use crate::eval::{self, RunHost};
use crate::event::Conclusion;
use crate::resolve::ResolvedAction;

/// Runs a composite action's steps for the step at display `index`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn run(
    cx: &Ctx<'_>,
    state: &mut State,
    outer: &Scope,
    index: usize,
    resolved: &ResolvedAction,
    action: &Action,
    runs: &CompositeRuns,
    inputs: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    cancel: watch::Receiver<bool>,
) -> StepResult {
    let spec = cx.spec;
    let dir = resolved.dir.to_string_lossy().into_owned();
    let repository = resolved.repository.clone().unwrap_or_default();
    let git_ref = resolved.git_ref.clone().unwrap_or_default();
    let base_github = match &outer.frame {
        Some(f) => f.github.clone(),
        None => spec
            .contexts
            .get("github")
            .cloned()
            .unwrap_or_else(|| Value::object(Object::new())),
    };
    let mut github = match &base_github {
        Value::Object(o) => (**o).clone(),
        _ => Object::new(),
    };
    github.set("action_path", Value::from(dir.as_str()));
    github.set("action_repository", Value::from(repository.as_str()));
    github.set("action_ref", Value::from(git_ref.as_str()));
    let mut scope = Scope {
        steps: Object::new(),
        status: gantry_expr::Status::Success,
        failed: false,
        depth: outer.depth + 1,
        frame: Some(Frame {
            index,
            inputs: eval::object(&inputs),
            github: Value::object(github),
            env,
            process_env: vec![
                ("GITHUB_ACTION_PATH".to_owned(), dir.clone()),
                ("GITHUB_ACTION_REPOSITORY".to_owned(), repository),
                ("GITHUB_ACTION_REF".to_owned(), git_ref),
            ],
        }),
    };
    for (position, step) in runs.steps.iter().enumerate() {
        Box::pin(steps::run_step(
            cx,
            state,
            &mut scope,
            index,
            position,
            step,
            cancel.clone(),
        ))
        .await;
    }
    // Outputs, from the action's own steps.
    let mut outputs = BTreeMap::new();
    let scope_env = scope.env(state);
    let ctx = contexts_now(spec, state, &scope, &scope_env);
    let host = RunHost {
        contexts: &ctx,
        status: scope.status,
        workspace: &spec.dirs.workspace,
    };
    for o in &action.outputs {
        let Some(value) = &o.value else { continue };
        match eval::string(value, &host) {
            Ok(v) => {
                outputs.insert(o.name.value.clone(), v);
            }
            Err(e) => cx.annotate(
                index,
                AnnotationLevel::Warning,
                format!("output `{}` of the action: {e}", o.name.value),
            ),
        }
    }
    let outcome = if scope.status == gantry_expr::Status::Cancelled {
        Conclusion::Cancelled
    } else if scope.failed {
        Conclusion::Failure
    } else {
        Conclusion::Success
    };
    StepResult { outcome, outputs }
}
