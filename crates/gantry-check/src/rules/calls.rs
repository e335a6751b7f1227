//! Rules: reusable-workflow calls (`jobs.<id>.uses`) checked against the
//! called workflow's `on.workflow_call` — for callees in the same repository
//! (`./.github/workflows/x.yml`, `$/.github/workflows/x.yml`) that the
//! [`Repo`](crate::Repo) can read.

use std::collections::HashMap;

use gantry_diagnostics::{Diagnostic, Span};
use gantry_workflow::{
    Action, CallInputType, CallJob, CallSecrets, Job, Scalar, TriggerConfig, UsesTarget, Workflow,
    WorkflowCall,
};

use gantry_expr::analysis::PathPart;

use crate::Cx;
use crate::rules::jobs::suggest_ci;
use crate::rules::uses::refs::{Texts, each_ref};

/// The rule ids this module reports, with one line each.
pub const RULES: &[(&str, &str)] = &[
    (
        "workflow-call",
        "a reusable-workflow call that does not fit the called workflow (inputs, secrets, `workflow_call`), or names a missing file or one outside `.github/workflows/`",
    ),
    (
        UNDECLARED_SECRET,
        "a `secrets.<name>` a reusable workflow uses but does not declare under `on.workflow_call.secrets` (warning)",
    ),
];

const UNDECLARED_SECRET: &str = "undeclared-secret";

enum Callee {
    Found(Box<Workflow>),
    Missing,
    Unreadable,
}

pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    let mut cache: HashMap<String, Callee> = HashMap::new();
    for job in &wf.jobs {
        if let Job::Call(call) = job {
            check_call(cx, &mut cache, call);
        }
    }
    check_declared_secrets(cx, wf);
}

/// In a workflow that only runs when called and declares its secrets,
/// `secrets.<name>` must name a declared secret (or `GITHUB_TOKEN`). A
/// caller can still pass every secret with `secrets: inherit`, so this is a
/// warning.
fn check_declared_secrets(cx: &mut Cx<'_>, wf: &Workflow) {
    let Some(on) = &wf.on else {
        return;
    };
    let mut declared: Option<Vec<&str>> = None;
    for t in &on.triggers {
        match &t.config {
            TriggerConfig::WorkflowCall(c) if c.secrets_declared => declared
                .get_or_insert_with(Vec::new)
                .extend(c.secrets.iter().map(|s| s.name.value.as_str())),
            // Another event runs the workflow with the repository's secrets.
            _ if t.event.value != "workflow_call" => return,
            _ => {}
        }
    }
    let Some(declared) = declared else {
        return;
    };
    let mut texts = Texts::default();
    texts.env(wf.env.as_ref());
    wf.jobs.iter().for_each(|j| texts.job_secrets(j));
    let mut found = Vec::new();
    for text in &texts.0 {
        each_ref(cx, *text, "secrets", &mut |c, locate| {
            let Some(PathPart::Property { name, span }) = c.path.first() else {
                return;
            };
            if name.eq_ignore_ascii_case("GITHUB_TOKEN")
                || declared.iter().any(|d| d.eq_ignore_ascii_case(name))
            {
                return;
            }
            let hint = match suggest_ci(&declared, name) {
                Some(d) => format!("did you mean `{d}`?"),
                None => "declare it under `on.workflow_call.secrets`, or pass it through an input"
                    .to_owned(),
            };
            found.push(
                Diagnostic::warning(
                    UNDECLARED_SECRET,
                    locate(*span),
                    format!(
                        "secret `{name}` is not declared under `on.workflow_call.secrets`, so it is empty unless the caller passes `secrets: inherit`"
                    ),
                )
                .with_hint(hint),
            );
        });
    }
    for d in found {
        cx.push(d);
    }
}

pub fn check_action(cx: &mut Cx<'_>, action: &Action) {
    let _ = (cx, action);
}

/// Whether `path` (relative to a repository root) is a file directly in
/// `.github/workflows/`. `None` when it is not a YAML file at all (the
/// loader reports that).
fn in_workflows_dir(path: &str) -> Option<bool> {
    if !(path.ends_with(".yml") || path.ends_with(".yaml")) {
        return None;
    }
    Some(
        path.strip_prefix(".github/workflows/")
            .is_some_and(|name| !name.is_empty() && !name.contains('/')),
    )
}

fn check_call(cx: &mut Cx<'_>, cache: &mut HashMap<String, Callee>, call: &CallJob) {
    let Some(uses) = &call.uses else {
        return;
    };
    let (path, local) = match &uses.target {
        UsesTarget::Local { path } => (crate::rules::uses::local_dir(path), true),
        UsesTarget::SelfRepo { path } => (path.trim_start_matches('/').to_owned(), true),
        UsesTarget::Repo {
            path: Some(path), ..
        } => (path.clone(), false),
        _ => return,
    };
    match in_workflows_dir(&path) {
        None => return,
        Some(false) => {
            // In another repository the file cannot be seen: a warning.
            let make = if local {
                Diagnostic::error
            } else {
                Diagnostic::warning
            };
            cx.push(
                make(
                    "workflow-call",
                    uses.span,
                    format!(
                        "`{path}` is not directly in `.github/workflows/`, where reusable workflows must be"
                    ),
                )
                .with_hint("move the file to `.github/workflows/` (subdirectories are not supported)"),
            );
            return;
        }
        Some(true) => {}
    }
    if !local {
        return;
    }
    let callee = cache
        .entry(path.clone())
        .or_insert_with(|| match cx.repo.read(&path) {
            None => Callee::Missing,
            Some(text) => match gantry_workflow::parse_workflow(&text).0 {
                Some(w) => Callee::Found(Box::new(w)),
                None => Callee::Unreadable,
            },
        });
    let wf = match callee {
        Callee::Found(w) => w,
        Callee::Unreadable => return,
        Callee::Missing => {
            if cx.path.is_some() {
                cx.push(Diagnostic::error(
                    "workflow-call",
                    uses.span,
                    format!("called workflow `{path}` does not exist in this repository"),
                ));
            }
            return;
        }
    };
    let Some(on) = &wf.on else {
        return;
    };
    let empty = WorkflowCall::default();
    let spec = match on.get("workflow_call") {
        None => {
            cx.push(
                Diagnostic::error(
                    "workflow-call",
                    uses.span,
                    format!("`{path}` cannot be called: its `on:` has no `workflow_call`"),
                )
                .with_hint(format!("add `workflow_call:` to the `on:` of {path}")),
            );
            return;
        }
        Some(t) => match &t.config {
            TriggerConfig::WorkflowCall(c) => c,
            _ => &empty,
        },
    };
    check_inputs(cx, call, uses.span, &path, spec);
    check_secrets(cx, call, uses.span, &path, spec);
}

fn type_name(t: CallInputType) -> &'static str {
    match t {
        CallInputType::Boolean => "boolean",
        CallInputType::Number => "number",
        CallInputType::String => "string",
    }
}

fn check_inputs(cx: &mut Cx<'_>, call: &CallJob, span: Span, path: &str, spec: &WorkflowCall) {
    let names: Vec<&str> = spec.inputs.iter().map(|i| i.name.value.as_str()).collect();
    for (key, value) in &call.with.entries {
        let k = key.value.as_str();
        let Some(input) = spec
            .inputs
            .iter()
            .find(|i| i.name.value.eq_ignore_ascii_case(k))
        else {
            let mut d = Diagnostic::error(
                "workflow-call",
                key.span,
                format!("`{path}` has no input `{k}`"),
            );
            d = match suggest_ci(&names, k) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None if names.is_empty() => {
                    d.with_hint("the called workflow declares no `workflow_call` inputs")
                }
                None => d.with_hint(format!(
                    "its inputs are: {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            cx.push(d);
            continue;
        };
        let Some(kind) = &input.kind else {
            continue;
        };
        let fits = match (kind.value, value) {
            (_, Scalar::Null { .. }) => true,
            (_, Scalar::String(s)) if s.has_expression() => true,
            (CallInputType::String, _) => true,
            (CallInputType::Boolean, Scalar::Bool(_)) => true,
            (CallInputType::Number, Scalar::Int(_) | Scalar::Float(_)) => true,
            _ => false,
        };
        if !fits {
            let written = match value {
                Scalar::String(s) => format!("the string `{}`", s.raw),
                other => format!("`{}`", other.to_github_string()),
            };
            cx.push(
                Diagnostic::error(
                    "workflow-call",
                    value.span(),
                    format!(
                        "input `{k}` of `{path}` is a {}, but it is given {written}",
                        type_name(kind.value)
                    ),
                )
                .with_hint(match kind.value {
                    CallInputType::Boolean => "write `true` or `false` without quotes",
                    _ => "write a number without quotes",
                }),
            );
        }
    }
    for input in &spec.inputs {
        let required = input.required.as_ref().is_some_and(|r| r.value);
        if !required || input.default.is_some() {
            continue;
        }
        let name = input.name.value.as_str();
        if !call
            .with
            .entries
            .iter()
            .any(|(k, _)| k.value.eq_ignore_ascii_case(name))
        {
            cx.push(
                Diagnostic::error(
                    "workflow-call",
                    span,
                    format!("`{path}` requires input `{name}`, which is not given in `with:`"),
                )
                .with_hint(format!("add `{name}: …` under `with:`")),
            );
        }
    }
}

fn check_secrets(cx: &mut Cx<'_>, call: &CallJob, span: Span, path: &str, spec: &WorkflowCall) {
    let given = match &call.secrets {
        Some(CallSecrets::Inherit { .. }) => return,
        Some(CallSecrets::Map { entries }) => entries.as_slice(),
        None => &[],
    };
    let names: Vec<&str> = spec.secrets.iter().map(|s| s.name.value.as_str()).collect();
    for (key, _) in given {
        let k = key.value.as_str();
        if names.iter().any(|n| n.eq_ignore_ascii_case(k)) {
            continue;
        }
        let mut d = Diagnostic::error(
            "workflow-call",
            key.span,
            format!("`{path}` has no secret `{k}`"),
        );
        d = match suggest_ci(&names, k) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None if names.is_empty() => d.with_hint(
                "the called workflow declares no `workflow_call` secrets; use `secrets: inherit` to pass all secrets",
            ),
            None => d.with_hint(format!(
                "its secrets are: {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        cx.push(d);
    }
    for secret in &spec.secrets {
        let required = secret.required.as_ref().is_some_and(|r| r.value);
        let name = secret.name.value.as_str();
        if required
            && !given
                .iter()
                .any(|(k, _)| k.value.eq_ignore_ascii_case(name))
        {
            cx.push(
                Diagnostic::error(
                    "workflow-call",
                    span,
                    format!("`{path}` requires secret `{name}`, which is not passed"),
                )
                .with_hint(format!(
                    "add `{name}: ${{{{ secrets.… }}}}` under `secrets:`, or use `secrets: inherit`"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_locations() {
        assert_eq!(in_workflows_dir(".github/workflows/a.yml"), Some(true));
        assert_eq!(in_workflows_dir(".github/workflows/sub/a.yml"), Some(false));
        assert_eq!(in_workflows_dir("ci/a.yaml"), Some(false));
        assert_eq!(in_workflows_dir(".github/workflows/a"), None);
    }
}
