//! One step, at the job's level or inside a composite action: its name,
//! `if`, `env`, `continue-on-error`, `timeout-minutes`, outcome and
//! conclusion, and `run:` scripts.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gantry_expr::{Object, Status, Value};
use gantry_workflow::{RunStep, Step};
use tokio::sync::watch;

use super::process_step::{self, ProcessStep};
use super::{Ctx, State, contexts_now, never_cancelled, uses};
use crate::commands::AnnotationLevel;
use crate::eval::{self, RunHost};
use crate::event::{Conclusion, Event};
use crate::shell;

/// One level of steps: the job's, or a composite action's.
pub(super) struct Scope {
    /// The `steps` context of this level.
    pub steps: Object,
    /// What `success()` and `failure()` see: the job's status at the job's
    /// level, the action's own status (`github.action_status`) inside a
    /// composite action, as on GitHub.
    pub status: Status,
    pub failed: bool,
    /// How many composite actions this level is nested in (0: the job).
    pub depth: usize,
    /// Inside a composite action: what its steps see.
    pub frame: Option<Frame>,
}

/// What the steps of a composite action see.
pub(super) struct Frame {
    /// The display index of the step that runs the action: its steps'
    /// output and annotations go there.
    pub index: usize,
    /// The `inputs` context.
    pub inputs: Value,
    /// The `github` context, with `action_path`, `action_repository`,
    /// `action_ref`.
    pub github: Value,
    /// The environment the action's step got (job env and step env when it
    /// started): it stands over the job's current env for inner steps.
    pub env: BTreeMap<String, String>,
    /// `GITHUB_ACTION_PATH`, `GITHUB_ACTION_REPOSITORY`, `GITHUB_ACTION_REF`.
    pub process_env: Vec<(String, String)>,
}

impl Scope {
    pub fn job() -> Scope {
        Scope {
            steps: Object::new(),
            status: Status::Success,
            failed: false,
            depth: 0,
            frame: None,
        }
    }

    /// The `env` context before a step's own `env:`.
    pub fn env(&self, state: &State) -> BTreeMap<String, String> {
        let mut env = state.env.clone();
        if let Some(f) = &self.frame {
            env.extend(f.env.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        env
    }

    /// Records a failed or cancelled step.
    pub fn absorb(&mut self, conclusion: Conclusion) {
        if conclusion == Conclusion::Failure {
            self.failed = true;
            if self.status == Status::Success {
                self.status = Status::Failure;
            }
        }
        if conclusion == Conclusion::Cancelled {
            self.status = Status::Cancelled;
        }
    }
}

/// What a step produced.
pub(super) struct StepResult {
    pub outcome: Conclusion,
    pub outputs: BTreeMap<String, String>,
}

impl StepResult {
    pub fn failed() -> StepResult {
        StepResult {
            outcome: Conclusion::Failure,
            outputs: BTreeMap::new(),
        }
    }
}

pub(super) fn default_step_name(step: &Step) -> String {
    match step {
        Step::Run(r) => {
            let first = r
                .run
                .raw
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim();
            format!("Run {first}")
        }
        Step::Uses(u) => format!(
            "Run {}",
            u.uses.as_ref().map_or("an action", |u| u.raw.as_str())
        ),
        Step::Parallel(_) => "Run steps in parallel".to_owned(),
    }
}

/// Records a step's result in the `steps` context of its scope.
fn record(
    scope: &mut Scope,
    step: &Step,
    outputs: &BTreeMap<String, String>,
    outcome: Conclusion,
    conclusion: Conclusion,
) {
    if let Some(id) = &step.common().id {
        let mut o = Object::new();
        o.insert("outputs", eval::object(outputs));
        o.insert("outcome", Value::from(outcome.as_str()));
        o.insert("conclusion", Value::from(conclusion.as_str()));
        scope.steps.set(id.value.as_str(), Value::object(o));
    }
}

/// Reports the start of a step: a step of the job, or a group in the log of
/// the composite action's step.
pub(super) fn started(cx: &Ctx<'_>, scope: &Scope, index: usize, name: &str) {
    match &scope.frame {
        None => cx.emit(Event::StepStarted {
            job: cx.spec.key.clone(),
            step: index,
            name: name.to_owned(),
        }),
        Some(f) => cx.emit(Event::GroupStarted {
            job: cx.spec.key.clone(),
            step: f.index,
            title: name.to_owned(),
        }),
    }
}

pub(super) fn finished(
    cx: &Ctx<'_>,
    scope: &Scope,
    index: usize,
    name: &str,
    outcome: Conclusion,
    conclusion: Conclusion,
    started: Instant,
) {
    match &scope.frame {
        None => cx.emit(Event::StepFinished {
            job: cx.spec.key.clone(),
            step: index,
            name: name.to_owned(),
            outcome,
            conclusion,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }),
        Some(f) => {
            if outcome != Conclusion::Skipped {
                cx.emit(Event::GroupEnded {
                    job: cx.spec.key.clone(),
                    step: f.index,
                });
            }
        }
    }
}

/// Runs one step. `index` is its display index at the job's level (inside a
/// composite action, events go to the action's step); `position` is its
/// place in its list of steps.
pub(super) async fn run_step(
    cx: &Ctx<'_>,
    state: &mut State,
    scope: &mut Scope,
    index: usize,
    position: usize,
    step: &Step,
    mut cancel: watch::Receiver<bool>,
) {
    let spec = cx.spec;
    let t0 = Instant::now();
    let ev = scope.frame.as_ref().map_or(index, |f| f.index);
    if scope.frame.is_some() && *cancel.borrow() && scope.status != Status::Cancelled {
        // Cancelled between two steps of a composite action: what still
        // runs (`always()`) runs to its end.
        scope.status = Status::Cancelled;
        cancel = never_cancelled();
    }
    let common = step.common();
    let base_env = scope.env(state);
    let ctx = contexts_now(spec, state, scope, &base_env);
    let host = RunHost {
        contexts: &ctx,
        status: scope.status,
        workspace: &spec.dirs.workspace,
    };
    let name = match &common.name {
        Some(n) => eval::string(n, &host).unwrap_or_else(|_| n.raw.clone()),
        None => default_step_name(step),
    };
    let name = cx.masker.mask(&name);
    let fail_early = |cx: &Ctx<'_>, scope: &mut Scope, message: String| {
        cx.annotate(ev, AnnotationLevel::Error, message);
        scope.absorb(Conclusion::Failure);
        record(
            scope,
            step,
            &BTreeMap::new(),
            Conclusion::Failure,
            Conclusion::Failure,
        );
        finished(
            cx,
            scope,
            index,
            &name,
            Conclusion::Failure,
            Conclusion::Failure,
            t0,
        );
    };
    let run_it = match eval::condition(common.condition.as_ref(), &host) {
        Ok(b) => b,
        Err(e) => {
            started(cx, scope, index, &name);
            return fail_early(cx, scope, format!("if: {e}"));
        }
    };
    if !run_it {
        record(
            scope,
            step,
            &BTreeMap::new(),
            Conclusion::Skipped,
            Conclusion::Skipped,
        );
        finished(
            cx,
            scope,
            index,
            &name,
            Conclusion::Skipped,
            Conclusion::Skipped,
            t0,
        );
        return;
    }
    started(cx, scope, index, &name);

    // Step env over the scope's.
    let mut env = base_env;
    if let Some(e) = &common.env {
        match eval::env(e, &host) {
            Ok(pairs) => env.extend(pairs),
            Err(e) => return fail_early(cx, scope, format!("env: {e}")),
        }
    }
    let continue_on_error = match &common.continue_on_error {
        Some(b) => eval::boolean(b, &host).unwrap_or(false),
        None => false,
    };
    let timeout = match &common.timeout_minutes {
        // Step timeouts are whole minutes: GitHub's runner truncates the
        // value, and one under a minute sets no timeout at all.
        Some(n) => match eval::number(n, &host) {
            Ok(m) if m.trunc() >= 1.0 => Some(Duration::from_secs_f64(m.trunc() * 60.0)),
            Ok(_) => None,
            Err(e) => return fail_early(cx, scope, format!("timeout-minutes: {e}")),
        },
        None => None,
    };
    let debug = super::debug_shell::watch_step(cx, scope, step, &env, &cancel);

    let result = match step {
        Step::Run(r) => {
            run_script(cx, state, scope, ev, step, r, env, timeout, &host, cancel).await
        }
        Step::Uses(u) => {
            let call = uses::Call {
                index: ev,
                position: scope.frame.is_none().then_some(position),
                name: &name,
                step: u,
                env,
                timeout,
            };
            uses::run_uses(cx, state, scope, call, &host, cancel).await
        }
        Step::Parallel(g) => {
            // Steps of a group run one after another here; see docs/divergences.md.
            for s in &g.steps {
                Box::pin(run_step(
                    cx,
                    state,
                    scope,
                    index,
                    position,
                    s,
                    cancel.clone(),
                ))
                .await;
            }
            StepResult {
                outcome: if scope.failed {
                    Conclusion::Failure
                } else {
                    Conclusion::Success
                },
                outputs: BTreeMap::new(),
            }
        }
    };
    let outcome = result.outcome;
    let conclusion = if outcome == Conclusion::Failure && continue_on_error {
        Conclusion::Success
    } else {
        outcome
    };
    scope.absorb(conclusion);
    if outcome == Conclusion::Cancelled {
        scope.status = Status::Cancelled;
    }
    record(scope, step, &result.outputs, outcome, conclusion);
    finished(cx, scope, index, &name, outcome, conclusion, t0);
    if let Some(d) = debug {
        d.after(cx, state, scope, ev, &name, conclusion);
    }
}

/// `GITHUB_ACTION` of a step without an id: `__run`, `__run_2`, …
pub(super) fn run_action_id(state: &mut State, step: &Step) -> String {
    state.run_counter += 1;
    match &step.common().id {
        Some(id) => id.value.as_str().to_owned(),
        None if state.run_counter == 1 => "__run".to_owned(),
        None => format!("__run_{}", state.run_counter),
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_script(
    cx: &Ctx<'_>,
    state: &mut State,
    scope: &Scope,
    index: usize,
    step: &Step,
    r: &RunStep,
    env: BTreeMap<String, String>,
    timeout: Option<Duration>,
    host: &RunHost<'_>,
    cancel: watch::Receiver<bool>,
) -> StepResult {
    let spec = cx.spec;
    let fail = |cx: &Ctx<'_>, message: String| {
        cx.annotate(index, AnnotationLevel::Error, message);
        StepResult::failed()
    };
    let script = match eval::string(&r.run, host) {
        Ok(s) => s,
        Err(e) => return fail(cx, format!("run: {e}")),
    };
    // shell: the step's, else job defaults, else workflow defaults (which
    // do not apply inside composite actions).
    let in_job = scope.frame.is_none();
    let job_defaults = spec.job.defaults.as_ref().filter(|_| in_job);
    let wf_defaults = spec.workflow.defaults.as_ref().filter(|_| in_job);
    let shell_src = r
        .shell
        .as_ref()
        .or_else(|| job_defaults.and_then(|d| d.shell.as_ref()))
        .or_else(|| wf_defaults.and_then(|d| d.shell.as_ref()));
    let shell_name = match shell_src.map(|s| eval::string(s, host)).transpose() {
        Ok(s) => s,
        Err(e) => return fail(cx, format!("shell: {e}")),
    };
    let wd_src = r
        .working_directory
        .as_ref()
        .or_else(|| job_defaults.and_then(|d| d.working_directory.as_ref()))
        .or_else(|| wf_defaults.and_then(|d| d.working_directory.as_ref()));
    let cwd: PathBuf = match wd_src.map(|s| eval::string(s, host)).transpose() {
        Ok(Some(wd)) => spec.dirs.workspace.join(wd),
        Ok(None) => spec.dirs.workspace.clone(),
        Err(e) => return fail(cx, format!("working-directory: {e}")),
    };
    if !cwd.is_dir() {
        return fail(
            cx,
            format!("working-directory {} does not exist", cwd.display()),
        );
    }
    // Only a job's container needs to know which variables the workflow set.
    let mut declared = std::collections::BTreeSet::new();
    if cx.container.is_some() {
        declared.extend(env.keys().cloned());
        if let Some(f) = &scope.frame {
            declared.extend(f.process_env.iter().map(|(k, _)| k.clone()));
        }
    }
    let mut full_env = process_step::full_env(spec, state, env);
    if let Some(f) = &scope.frame {
        full_env.extend(f.process_env.iter().cloned());
    }
    let path = full_env.get("PATH").cloned().unwrap_or_default();
    // In the job's container, its programs decide the default shell.
    let resolved = match cx.container {
        Some(c) => shell::resolve_with(shell_name.as_deref(), &|p| c.has(p)),
        None => shell::resolve(shell_name.as_deref(), Some(&path)),
    };
    let shell = match resolved {
        Ok(s) => s,
        Err(e) => return fail(cx, e.to_string()),
    };
    full_env.insert("GITHUB_ACTION".to_owned(), run_action_id(state, step));
    state.seq += 1;
    // One script file per job and extension, rewritten for each step (a
    // new file per step costs more than a short step). Like the runner's
    // scripts it stays in RUNNER_TEMP, which is deleted when the job ends.
    let script_path = spec
        .dirs
        .temp
        .join(format!("step-script{}", shell.extension));
    if let Err(e) = crate::workspace::rewrite(&script_path, script.as_bytes()) {
        return fail(cx, format!("cannot write the script: {e}"));
    }
    let program = match cx.container {
        Some(_) => shell.program.clone(),
        None => shell.absolute_program(Some(&path)),
    };
    let p = ProcessStep {
        program,
        args: shell.args_for(&script_path),
        cwd,
        env: full_env,
        timeout,
        command: shell.display(&script_path),
        annotate_exit: true,
        docker: None,
        declared,
    };
    let done = process_step::run(cx, state, index, p, cancel).await;
    StepResult {
        outcome: done.outcome,
        outputs: done.outputs,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn rewrite_replaces_longer_and_shorter_content_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("step-script.sh");
        for content in ["echo a long first script\n", "echo b\n", "", "echo c c\n"] {
            crate::workspace::rewrite(&p, content.as_bytes()).unwrap();
            assert_eq!(std::fs::read_to_string(&p).unwrap(), content);
        }
    }
}
