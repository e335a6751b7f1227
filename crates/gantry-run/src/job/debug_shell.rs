//! `--debug-on-failure`: a shell in the job's workspace, with the failed
//! step's environment, before the job's remaining steps run.

use std::collections::BTreeMap;

use gantry_expr::Status;
use gantry_workflow::Step;
use tokio::sync::watch;

use super::steps::Scope;
use super::{Ctx, State, process_step};
use crate::commands::AnnotationLevel;
use crate::debug_shell::{self, ON_FAILURE_NO_TERMINAL, ShellReason, ShellRequest};
use crate::event::Conclusion;

/// A step of the job that opens a shell if it fails: what it saw.
pub(super) struct Pending {
    env: BTreeMap<String, String>,
    cancel: watch::Receiver<bool>,
}

/// Set for a step of the job's own level (not inside a composite action,
/// not a group, whose steps count one by one) when `--debug-on-failure` is
/// on; `env` is the step's (the scope's and its `env:`).
pub(super) fn watch_step(
    cx: &Ctx<'_>,
    scope: &Scope,
    step: &Step,
    env: &BTreeMap<String, String>,
    cancel: &watch::Receiver<bool>,
) -> Option<Pending> {
    cx.registry.debug_on_failure()?;
    if scope.frame.is_some() || matches!(step, Step::Parallel(_)) {
        return None;
    }
    Some(Pending {
        env: env.clone(),
        cancel: cancel.clone(),
    })
}

impl Pending {
    /// After the step: a failure (not a cancellation) opens the shell, or,
    /// without a terminal, warns that it cannot.
    pub(super) fn after(
        self,
        cx: &Ctx<'_>,
        state: &State,
        scope: &Scope,
        index: usize,
        step_name: &str,
        conclusion: Conclusion,
    ) {
        if conclusion != Conclusion::Failure
            || scope.status == Status::Cancelled
            || *self.cancel.borrow()
        {
            return;
        }
        let Some(shell) = cx.registry.debug_on_failure() else {
            return;
        };
        if !shell.interactive() {
            cx.annotate(
                index,
                AnnotationLevel::Warning,
                ON_FAILURE_NO_TERMINAL.to_owned(),
            );
            return;
        }
        let spec = cx.spec;
        let request = ShellRequest {
            job: spec.key.0.clone(),
            job_name: spec.name.clone(),
            workspace: spec.dirs.workspace.clone(),
            env: process_step::full_env(spec, state, self.env),
            reason: ShellReason::StepFailed {
                step: step_name.to_owned(),
            },
        };
        if let Err(e) = debug_shell::blocking(|| shell.open(&request)) {
            cx.annotate(
                index,
                AnnotationLevel::Warning,
                format!("--debug-on-failure: cannot open a shell: {e}"),
            );
        }
    }
}
