//! Property checks where the shape of a context is known: `github.*`,
//! `runner.*`, `job.*`, `strategy.*`, `matrix.*`, `needs.*`, `steps.*`,
//! `inputs.*` and `jobs.*`. Names compare ignoring ASCII case, as GitHub's
//! objects do.

use gantry_expr::Span;
use gantry_expr::analysis::{ContextRef, PathPart};
use gantry_workflow::{Job, TriggerConfig, UsesTarget};

use super::scope::{Inputs, Scope};
use crate::Cx;
use crate::contexts::{GITHUB, JOB, NEEDS, RUNNER, STEP, STRATEGY, edit_distance, known};

/// `runner.*` properties the runner sets without GitHub documenting them.
const RUNNER_UNDOCUMENTED: &[&str] = &["workspace"];

/// A problem with a property, at the property's span in the expression.
pub(super) struct Finding {
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
    /// Reported as a warning: GitHub evaluates the reference to null, and
    /// the name may legitimately be missing (a matrix key only some rows
    /// set, a property GitHub has not documented).
    pub warning: bool,
}

fn prop(part: Option<&PathPart>) -> Option<(&str, Span)> {
    match part {
        Some(PathPart::Property { name, span }) => Some((name.as_str(), *span)),
        _ => None,
    }
}

fn is(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The entry of `list` closest to `name` ignoring ASCII case, if close
/// enough to be a likely typo.
pub(super) fn closest<'l>(list: &[&'l str], name: &str) -> Option<&'l str> {
    let lower = name.to_ascii_lowercase();
    list.iter()
        .map(|k| (edit_distance(&k.to_ascii_lowercase(), &lower), *k))
        .filter(|(d, k)| *d > 0 && *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn did_you_mean(list: &[&str], name: &str) -> Option<String> {
    closest(list, name).map(|s| format!("did you mean `{s}`?"))
}

fn finding(span: Span, message: String, hint: Option<String>) -> Option<Finding> {
    Some(Finding {
        span,
        message,
        hint,
        warning: false,
    })
}

fn warning(span: Span, message: String, hint: Option<String>) -> Option<Finding> {
    Some(Finding {
        span,
        message,
        hint,
        warning: true,
    })
}

/// Checks `c`'s property path; `None` when it is fine (or cannot be known).
pub(super) fn check(scope: &Scope<'_>, cx: &Cx<'_>, c: &ContextRef) -> Option<Finding> {
    let (p, span) = prop(c.path.first())?;
    let name = c.name.as_str();
    let documented = |list: &[&str], ctx: &str| {
        if known(list, p) || (ctx == "runner" && known(RUNNER_UNDOCUMENTED, p)) {
            None
        } else {
            warning(
                span,
                format!("`{p}` is not a documented property of the `{ctx}` context"),
                did_you_mean(list, p)
                    .or_else(|| Some(format!("its properties are {}", list.join(", ")))),
            )
        }
    };
    if is(name, "github") {
        if is(p, "event") {
            return event_inputs(scope, c);
        }
        documented(GITHUB, "github")
    } else if is(name, "runner") {
        documented(RUNNER, "runner")
    } else if is(name, "job") {
        documented(JOB, "job")
    } else if is(name, "strategy") {
        documented(STRATEGY, "strategy")
    } else if is(name, "matrix") {
        matrix(scope, p, span)
    } else if is(name, "needs") {
        needs(scope, cx, c, p, span)
    } else if is(name, "steps") {
        steps(scope, c, p, span)
    } else if is(name, "inputs") {
        inputs(scope, p, span)
    } else if is(name, "jobs") {
        jobs(scope, cx, c, p, span)
    } else {
        None
    }
}

/// `github.event.inputs.<name>` against the `workflow_dispatch` inputs.
fn event_inputs(scope: &Scope<'_>, c: &ContextRef) -> Option<Finding> {
    let names = scope.dispatch_inputs.as_ref()?;
    let (q, _) = prop(c.path.get(1))?;
    if !is(q, "inputs") {
        return None;
    }
    let (r, rspan) = prop(c.path.get(2))?;
    if names.iter().any(|n| is(n, r)) {
        return None;
    }
    warning(
        rspan,
        format!(
            "input `{r}` is not declared under `on.workflow_dispatch.inputs`, so `github.event.inputs.{r}` is always null"
        ),
        did_you_mean(names, r)
            .or_else(|| Some("declare it under `on.workflow_dispatch.inputs`".into())),
    )
}

fn matrix(scope: &Scope<'_>, p: &str, span: Span) -> Option<Finding> {
    let keys = scope.matrix.as_ref()?;
    if keys.iter().any(|k| is(k, p)) {
        return None;
    }
    if keys.is_empty() {
        return warning(
            span,
            format!("this job has no matrix, so `matrix.{p}` is always null"),
            Some("define it under `strategy.matrix`".into()),
        );
    }
    warning(
        span,
        format!("`{p}` is not a key of this job's matrix, so `matrix.{p}` is always null"),
        did_you_mean(keys, p).or_else(|| Some(format!("the matrix keys are {}", keys.join(", ")))),
    )
}

fn needs(scope: &Scope<'_>, cx: &Cx<'_>, c: &ContextRef, p: &str, span: Span) -> Option<Finding> {
    let job = scope.job?;
    let listed = &job.common().needs;
    let Some(needed) = listed.iter().find(|n| is(n.value.as_str(), p)) else {
        let exists = scope.jobs.iter().any(|j| is(j.id().as_str(), p));
        let names: Vec<&str> = listed.iter().map(|n| n.value.as_str()).collect();
        let hint = if exists {
            Some(format!(
                "add `{p}` to this job's `needs:`; only jobs listed there (not their own needs) are in the `needs` context"
            ))
        } else if names.is_empty() {
            Some("this job has no `needs:`".into())
        } else {
            did_you_mean(&names, p).or_else(|| Some(format!("this job needs {}", names.join(", "))))
        };
        let message = if exists {
            format!("job `{p}` is not in this job's `needs`")
        } else {
            format!("there is no job `{p}` in this job's `needs`")
        };
        return finding(span, message, hint);
    };
    let target = scope
        .jobs
        .iter()
        .find(|j| is(j.id().as_str(), needed.value.as_str()))?;
    job_result(scope, cx, c, target, "needs")
}

/// `<ctx>.<job>.outputs.<name>` / `<ctx>.<job>.result` for `needs` and `jobs`.
fn job_result<'a>(
    scope: &Scope<'a>,
    cx: &Cx<'_>,
    c: &ContextRef,
    target: &'a Job,
    ctx: &str,
) -> Option<Finding> {
    let (q, qspan) = prop(c.path.get(1))?;
    if !known(NEEDS, q) {
        return finding(
            qspan,
            format!(
                "`{q}` is not a property of `{ctx}.{}`",
                target.id().as_str()
            ),
            did_you_mean(NEEDS, q).or_else(|| Some("use `outputs` or `result`".into())),
        );
    }
    if !is(q, "outputs") {
        return None;
    }
    let (r, rspan) = prop(c.path.get(2))?;
    let names: Vec<String> = match target {
        Job::Normal(j) => j.outputs.iter().map(|(k, _)| k.value.clone()).collect(),
        Job::Call(_) => {
            let id = target.id().as_str();
            let mut cache = scope.callee_outputs.borrow_mut();
            let outputs = match cache.iter().find(|(k, _)| *k == id) {
                Some((_, o)) => o.clone(),
                None => {
                    let o = callee_outputs(cx, target);
                    cache.push((id, o.clone()));
                    o
                }
            };
            outputs?
        }
    };
    if names.iter().any(|o| is(o, r)) {
        return None;
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let hint = if names.is_empty() {
        Some(format!(
            "job `{}` declares no `outputs:`",
            target.id().as_str()
        ))
    } else {
        did_you_mean(&names, r).or_else(|| Some(format!("its outputs are {}", names.join(", "))))
    };
    finding(
        rspan,
        format!("job `{}` has no output `{r}`", target.id().as_str()),
        hint,
    )
}

/// The outputs a called reusable workflow declares; `None` when they cannot
/// be known (a remote workflow, or one that cannot be read).
fn callee_outputs(cx: &Cx<'_>, job: &Job) -> Option<Vec<String>> {
    match job {
        Job::Normal(_) => None,
        Job::Call(j) => {
            let path = match &j.uses.as_ref()?.target {
                UsesTarget::Local { path } => path.trim_start_matches("./"),
                UsesTarget::SelfRepo { path } => path.as_str(),
                _ => return None,
            };
            let text = cx.repo.read(path)?;
            let (wf, _) = gantry_workflow::parse_workflow(&text);
            let wf = wf?;
            match &wf.on.as_ref()?.get("workflow_call")?.config {
                TriggerConfig::WorkflowCall(call) => {
                    Some(call.outputs.iter().map(|o| o.name.value.clone()).collect())
                }
                _ => Some(Vec::new()),
            }
        }
    }
}

fn steps(scope: &Scope<'_>, c: &ContextRef, p: &str, span: Span) -> Option<Finding> {
    let visible = &scope.step_ids[..scope.visible.min(scope.step_ids.len())];
    if !visible.iter().any(|s| is(s, p)) {
        let later = scope.step_ids[visible.len()..].iter().any(|s| is(s, p));
        return if later {
            finding(
                span,
                format!("step `{p}` has not run yet here"),
                Some("only steps that come before this place can be referred to".into()),
            )
        } else {
            finding(
                span,
                format!("there is no step with id `{p}` before this place"),
                did_you_mean(visible, p).or_else(|| {
                    Some("give the step an `id:` and refer to it from a later step".into())
                }),
            )
        };
    }
    let (q, qspan) = prop(c.path.get(1))?;
    if known(STEP, q) {
        return None;
    }
    finding(
        qspan,
        format!("`{q}` is not a property of `steps.{p}`"),
        did_you_mean(STEP, q).or_else(|| Some("use `outputs`, `outcome` or `conclusion`".into())),
    )
}

fn inputs(scope: &Scope<'_>, p: &str, span: Span) -> Option<Finding> {
    match &scope.inputs {
        Inputs::Any => None,
        Inputs::Declared(names) if names.iter().any(|n| is(n, p)) => None,
        Inputs::Declared(_) if scope.later_inputs.iter().any(|n| is(n, p)) => warning(
            span,
            format!(
                "input `{p}` is not set yet here: an input's default can use only the inputs declared before it"
            ),
            Some("declare the input this default depends on first".into()),
        ),
        Inputs::Declared(names) => {
            let hint = did_you_mean(names, p).or_else(|| {
                Some(if scope.in_action {
                    "declare it under `inputs:`".into()
                } else {
                    "declare it under `on.workflow_call.inputs` or `on.workflow_dispatch.inputs`"
                        .into()
                })
            });
            finding(span, format!("input `{p}` is not declared"), hint)
        }
        Inputs::NoTrigger => warning(
            span,
            format!(
                "input `{p}` is not declared: the workflow has no `workflow_call` or `workflow_dispatch` trigger"
            ),
            Some("`inputs` holds the inputs of `workflow_call` and `workflow_dispatch`".into()),
        ),
    }
}

fn jobs(scope: &Scope<'_>, cx: &Cx<'_>, c: &ContextRef, p: &str, span: Span) -> Option<Finding> {
    let Some(target) = scope.jobs.iter().find(|j| is(j.id().as_str(), p)) else {
        let names: Vec<&str> = scope.jobs.iter().map(|j| j.id().as_str()).collect();
        return finding(
            span,
            format!("there is no job `{p}` in this workflow"),
            did_you_mean(&names, p),
        );
    };
    job_result(scope, cx, c, target, "jobs")
}
