//! What the scheduler needs for reusable-workflow calls and deployment
//! environments, without knowing how either is configured: a call is a
//! node whose member jobs run once it starts and whose result and outputs
//! are computed when they have all finished; an environment is a gate a
//! job passes (protection rules) before it starts, gaining the
//! environment's secrets and variables.

use std::collections::BTreeMap;
use std::time::Duration;

use gantry_expr::{Object, Status, Value};
use gantry_workflow::ExprString;

use crate::eval::{self, RunHost};
use crate::event::Conclusion;

/// What a call gives its jobs once it starts.
#[derive(Clone, Debug, Default)]
pub struct CallStart {
    /// The callee's `inputs` context, typed and defaulted.
    pub inputs: Value,
    /// The callee's `secrets` context (mapped or inherited, with
    /// `GITHUB_TOKEN`).
    pub secrets: Object,
}

/// Evaluates a call's `with:` and `secrets:` when it starts, with the
/// caller's contexts (`needs` filled in): the callee's inputs and secrets,
/// or why the call fails.
pub type CallStarter = dyn Fn(&Object) -> Result<CallStart, String> + Send + Sync;

/// A reusable-workflow call (one matrix cell of the calling job). Its jobs
/// are the run's jobs whose `member_of` is the call's key.
pub struct CallNode {
    pub start: Box<CallStarter>,
    /// `on.workflow_call.outputs`: name and value (over `jobs`, `inputs`,
    /// `github`, `vars`).
    pub outputs: Vec<(String, ExprString)>,
    /// Why the call cannot run at all (a remote workflow, an unreadable
    /// callee): it fails when it would start.
    pub error: Option<String>,
}

/// What an environment gives a job that may enter it.
#[derive(Clone, Debug, Default)]
pub struct Admission {
    /// Environment secrets (they override the repository's).
    pub secrets: Vec<(String, String)>,
    /// Environment variables (`vars`, overriding the repository's).
    pub vars: Vec<(String, String)>,
    /// The wait timer: how long the job waits before it starts.
    pub wait: Duration,
}

/// Protection rules and contents of deployment environments. `admit` is
/// called on a blocking thread as a job with `environment:` is about to
/// start; it may ask for approval, and must never wait for an answer that
/// cannot come (no terminal).
pub trait EnvironmentGate: Send + Sync {
    /// # Errors
    /// Why the job may not enter (a refused or missing approval, a branch
    /// that may not deploy, an unknown environment when that is an error).
    fn admit(
        &self,
        environment: &str,
        job_name: &str,
        github: &Object,
    ) -> Result<Admission, String>;
}

/// The result of a call from the results of its jobs: a failure if any
/// failed, cancelled if any was cancelled, else a success.
pub fn call_result(members: impl IntoIterator<Item = Conclusion>) -> Conclusion {
    let mut out = Conclusion::Success;
    for r in members {
        match r {
            Conclusion::Failure => return Conclusion::Failure,
            Conclusion::Cancelled => out = Conclusion::Cancelled,
            _ => {}
        }
    }
    out
}

/// `jobs.<id>.result` and `.outputs` of a called workflow's jobs, from
/// `(local id, result, outputs)` of each finished member (matrix cells
/// combined: the last cell's outputs win, the worst result counts).
pub fn jobs_context(members: &[(String, Conclusion, BTreeMap<String, String>)]) -> Value {
    let mut jobs: Vec<(String, Conclusion, BTreeMap<String, String>)> = Vec::new();
    for (id, result, outputs) in members {
        match jobs.iter_mut().find(|(j, _, _)| j == id) {
            Some(entry) => {
                entry.1 = worst(entry.1, *result);
                entry.2.extend(outputs.clone());
            }
            None => jobs.push((id.clone(), *result, outputs.clone())),
        }
    }
    let mut o = Object::new();
    for (id, result, outputs) in jobs {
        let mut j = Object::new();
        j.insert("result", Value::from(result.as_str()));
        j.insert("outputs", eval::object(&outputs));
        o.insert(id, Value::object(j));
    }
    Value::object(o)
}

fn worst(a: Conclusion, b: Conclusion) -> Conclusion {
    match (a, b) {
        (Conclusion::Failure, _) | (_, Conclusion::Failure) => Conclusion::Failure,
        (Conclusion::Cancelled, _) | (_, Conclusion::Cancelled) => Conclusion::Cancelled,
        (Conclusion::Skipped, _) | (_, Conclusion::Skipped) => Conclusion::Skipped,
        _ => Conclusion::Success,
    }
}

/// Evaluates a call's outputs with the `jobs` context of its finished
/// jobs; an output that cannot be evaluated is left out (with its error).
pub fn call_outputs(
    outputs: &[(String, ExprString)],
    contexts: &Object,
    jobs: Value,
    workspace: &std::path::Path,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut cx = contexts.clone();
    cx.set("jobs", jobs);
    let host = RunHost {
        contexts: &cx,
        status: Status::Success,
        workspace,
    };
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, es) in outputs {
        match eval::string(es, &host) {
            Ok(v) => {
                out.insert(name.clone(), v);
            }
            Err(e) => errors.push(format!("output '{name}': {e}")),
        }
    }
    (out, errors)
}

/// The outputs of a matrix of calls, as GitHub defines them: for each
/// output, the value of the last successful call (in the order they
/// finished) that set it to something non-empty.
pub fn matrix_call_outputs<'a>(
    finished_in_order: impl IntoIterator<Item = (Conclusion, &'a BTreeMap<String, String>)>,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (result, outputs) in finished_in_order {
        for (k, v) in outputs {
            if result == Conclusion::Success && !v.is_empty() {
                out.insert(k.clone(), v.clone());
            } else {
                out.entry(k.clone()).or_default();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_and_matrix_outputs() {
        use Conclusion::*;
        assert_eq!(call_result([Success, Skipped]), Success);
        assert_eq!(call_result([Cancelled, Success]), Cancelled);
        assert_eq!(call_result([Cancelled, Failure]), Failure);
        let a: BTreeMap<String, String> = [("v".to_owned(), "1".to_owned())].into();
        let b: BTreeMap<String, String> = [("v".to_owned(), String::new())].into();
        let c: BTreeMap<String, String> = [("v".to_owned(), "3".to_owned())].into();
        let out = matrix_call_outputs([(Success, &a), (Success, &b)]);
        assert_eq!(out["v"], "1");
        let out = matrix_call_outputs([(Success, &a), (Failure, &c)]);
        assert_eq!(out["v"], "1");
        let out = matrix_call_outputs([(Success, &a), (Success, &c)]);
        assert_eq!(out["v"], "3");
    }
}
