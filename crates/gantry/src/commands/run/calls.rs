//! Reusable-workflow calls at run time: what a call gives its jobs when it
//! starts (`with:` typed against the callee's `on.workflow_call.inputs`,
//! `secrets:` mapped or inherited), and what it gives back (its outputs).

use std::path::PathBuf;

use gantry_expr::{Object, Status, Value};
use gantry_plan::inputs::{self, Given};
use gantry_run::call::{CallNode, CallStart};
use gantry_run::eval::{self as reval, RunHost};
use gantry_workflow::{CallJob, CallSecrets, Scalar, TriggerConfig, Workflow, WorkflowCall};

/// The callee's `on.workflow_call`.
pub(super) fn declaration(callee: &Workflow) -> WorkflowCall {
    match callee
        .on
        .as_ref()
        .and_then(|o| o.get("workflow_call"))
        .map(|t| &t.config)
    {
        Some(TriggerConfig::WorkflowCall(c)) => c.clone(),
        _ => WorkflowCall::default(),
    }
}

/// The call node of `call` (one matrix cell) to the workflow `callee`
/// (read from `file`). `withhold_secrets`: the run gives no secrets (a pull
/// request from a fork), so required secrets cannot be enforced.
pub(super) fn node(
    call: &CallJob,
    callee: &Workflow,
    file: &str,
    workspace: PathBuf,
    withhold_secrets: bool,
) -> CallNode {
    let decl = declaration(callee);
    let outputs = decl
        .outputs
        .iter()
        .filter_map(|o| o.value.clone().map(|v| (o.name.value.clone(), v)))
        .collect();
    let with = call.with.entries.clone();
    let secrets = call.secrets.clone();
    let file = file.to_owned();
    let start = move |contexts: &Object| -> Result<CallStart, String> {
        let host = RunHost {
            contexts,
            status: Status::Success,
            workspace: &workspace,
        };
        let mut given = Vec::new();
        for (k, v) in &with {
            let value = match v {
                Scalar::String(s) if s.has_expression() => reval::value(s, &host)
                    .map_err(|e| format!("with.{} of the call to '{file}': {e}", k.value))?,
                Scalar::String(s) => Value::from(s.raw.as_str()),
                Scalar::Null { .. } => Value::Null,
                Scalar::Bool(b) => Value::Bool(b.value),
                #[allow(clippy::cast_precision_loss)]
                Scalar::Int(i) => Value::Number(i.value as f64),
                Scalar::Float(f) => Value::Number(f.value),
            };
            given.push((k.value.clone(), Given::Known(value)));
        }
        let typed = inputs::call(&decl, &given).map_err(|errors| {
            let msg = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            format!("inputs of '{file}': {msg}")
        })?;
        let caller_secrets = contexts
            .get("secrets")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut out = Object::new();
        match &secrets {
            Some(CallSecrets::Inherit { .. }) => out = caller_secrets.clone(),
            Some(CallSecrets::Map { entries }) => {
                for (k, es) in entries {
                    if decl.secrets_declared
                        && !decl
                            .secrets
                            .iter()
                            .any(|s| s.name.value.eq_ignore_ascii_case(&k.value))
                    {
                        return Err(format!(
                            "the call passes secret '{}', which '{file}' does not declare",
                            k.value
                        ));
                    }
                    let v = reval::string(es, &host)
                        .map_err(|e| format!("secrets.{}: {e}", k.value))?;
                    out.set(k.value.clone(), Value::from(v));
                }
            }
            None => {}
        }
        for s in &decl.secrets {
            let required = s.required.as_ref().is_some_and(|r| r.value);
            if required && !withhold_secrets && !out.contains_key(&s.name.value) {
                return Err(format!(
                    "'{file}' requires secret '{}', which the call does not pass",
                    s.name.value
                ));
            }
        }
        // GitHub always provides the token (empty and read-only here).
        let token = caller_secrets
            .get("GITHUB_TOKEN")
            .cloned()
            .unwrap_or_else(|| Value::from(""));
        out.set("GITHUB_TOKEN", token);
        Ok(CallStart {
            inputs: Value::object(typed.inputs),
            secrets: out,
        })
    };
    CallNode {
        start: Box::new(start),
        outputs,
        error: None,
    }
}
