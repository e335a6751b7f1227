//! `constant-condition`: an `if:` whose value is fixed before the run (no
//! context, no status function, no `hashFiles`), so it either never runs
//! its job or step, or means the same as no `if:` at all.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_expr::{Contexts, Expr, ExprKind, Function, evaluate};

use super::CONSTANT_CONDITION;
use crate::Cx;

/// The truthiness of `expr` when it is the same on every run.
pub(super) fn value(expr: &Expr) -> Option<bool> {
    let mut varies = false;
    expr.walk(&mut |e| match &e.kind {
        ExprKind::Context(_) => varies = true,
        ExprKind::Call { function, .. }
            if function.is_status() || *function == Function::HashFiles =>
        {
            varies = true;
        }
        _ => {}
    });
    if varies {
        return None;
    }
    evaluate(Some(expr), &Contexts::default())
        .ok()
        .map(|v| v.is_truthy())
}

/// Reports a condition `shown` that is always `truthy`, at `span`.
pub(super) fn report(cx: &mut Cx<'_>, span: Span, shown: &str, truthy: bool) {
    let (message, hint) = if truthy {
        (
            format!("the condition `{shown}` is always true"),
            "remove the `if:`: without it the job or step runs in the same cases (when the earlier ones succeed)",
        )
    } else {
        (
            format!("the condition `{shown}` is always false, so this never runs"),
            "remove the job or step, or write the condition it should depend on",
        )
    };
    cx.push(Diagnostic::warning(CONSTANT_CONDITION, span, message).with_hint(hint));
}
