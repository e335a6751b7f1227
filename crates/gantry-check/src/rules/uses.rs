//! Rules: uses.

use gantry_workflow::{Action, Workflow};

use crate::Cx;

/// The rule ids this module reports, with one line each.
pub const RULES: &[(&str, &str)] = &[];

pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    let _ = (cx, wf);
}

pub fn check_action(cx: &mut Cx<'_>, action: &Action) {
    let _ = (cx, action);
}
