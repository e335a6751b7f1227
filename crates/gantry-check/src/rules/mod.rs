//! The rules, one module per concern. Each module exposes `RULES` (its rule
//! ids), `check_workflow(cx, wf)` and `check_action(cx, action)`.

pub mod calls;
pub mod containers;
pub mod expressions;
pub mod jobs;
pub mod matrix;
pub mod runner;
pub mod triggers;
pub mod uses;

use gantry_workflow::{Action, Workflow};

use crate::Cx;

/// Every module's rule table.
pub(crate) const TABLES: &[&[(&str, &str)]] = &[
    expressions::RULES,
    jobs::RULES,
    matrix::RULES,
    triggers::RULES,
    uses::RULES,
    runner::RULES,
    calls::RULES,
    containers::RULES,
];

/// Runs every workflow rule.
pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    expressions::check_workflow(cx, wf);
    jobs::check_workflow(cx, wf);
    matrix::check_workflow(cx, wf);
    triggers::check_workflow(cx, wf);
    uses::check_workflow(cx, wf);
    runner::check_workflow(cx, wf);
    calls::check_workflow(cx, wf);
    containers::check_workflow(cx, wf);
}

/// Runs every action rule.
pub fn check_action(cx: &mut Cx<'_>, action: &Action) {
    expressions::check_action(cx, action);
    jobs::check_action(cx, action);
    matrix::check_action(cx, action);
    triggers::check_action(cx, action);
    uses::check_action(cx, action);
    runner::check_action(cx, action);
    calls::check_action(cx, action);
    containers::check_action(cx, action);
}
