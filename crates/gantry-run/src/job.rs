//! Runs one job's steps, as a GitHub runner would: contexts, env
//! precedence, shells, file and workflow commands, masking, step outcomes
//! and conclusions, status functions, cancellation and timeouts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gantry_expr::{Object, Status, Value};
use gantry_workflow::{NormalJob, RunStep, Step, UsesStep, Workflow};
use tokio::sync::watch;

use crate::actions::{ActionContext, Registry};
use crate::commands::{self, Annotation, AnnotationLevel};
use crate::eval::{self, RunHost};
use crate::event::{Conclusion, Event, JobKey, Sink};
use crate::file_commands::{self, MAX_SUMMARY_BYTES};
use crate::mask::Masker;
use crate::process::{self, Exit, ProcessSpec, Stream};
use crate::shell;

/// The directories a job owns.
#[derive(Clone, Debug)]
pub struct JobDirs {
    pub workspace: PathBuf,
    pub temp: PathBuf,
    pub tool_cache: PathBuf,
}

/// Everything needed to run one job (one matrix cell).
pub struct JobSpec {
    pub key: JobKey,
    pub name: String,
    pub workflow: Arc<Workflow>,
    pub job: NormalJob,
    /// `github`, `matrix`, `strategy`, `needs`, `inputs`, `vars`, `secrets`.
    pub contexts: Object,
    pub dirs: JobDirs,
    /// The process environment before any workflow `env:` (host variables,
    /// `CI`, `GITHUB_*`, `RUNNER_*`).
    pub base_env: BTreeMap<String, String>,
    /// `timeout-minutes` of the job, evaluated.
    pub timeout: Duration,
    pub debug: bool,
    /// Where the workspace's tree comes from (a repository and the event's
    /// commit); `None` leaves an empty workspace.
    pub checkout: Option<Checkout>,
    /// `--env` overrides, applied at workflow level.
    pub extra_env: Vec<(String, String)>,
    /// The event payload, written to `GITHUB_EVENT_PATH`.
    pub event_json: String,
    /// Keep the workspace after the job (for debugging).
    pub keep_workspace: bool,
}

/// The source of a job's workspace.
#[derive(Clone, Debug)]
pub struct Checkout {
    pub repo: PathBuf,
    pub sha: Option<String>,
}

/// How a job ended.
#[derive(Clone, Debug)]
pub struct JobOutcome {
    pub result: Conclusion,
    pub outputs: BTreeMap<String, String>,
}

/// What the steps see and change as the job goes on.
struct State {
    env: BTreeMap<String, String>,
    path_prefix: Vec<String>,
    steps: Object,
    status: Status,
    failed: bool,
    run_counter: usize,
}

struct Ctx<'a> {
    spec: &'a JobSpec,
    sink: &'a dyn Sink,
    masker: &'a Masker,
    registry: &'a Registry,
}

impl Ctx<'_> {
    fn emit(&self, e: Event) {
        self.sink.emit(e);
    }

    fn annotate(&self, step: usize, level: AnnotationLevel, message: String) {
        self.emit(Event::Annotation {
            job: self.spec.key.clone(),
            step,
            annotation: Annotation {
                level,
                message: self.masker.mask(&message),
                title: None,
                file: None,
                line: None,
                end_line: None,
                col: None,
                end_column: None,
            },
        });
    }
}

fn job_status_str(s: Status) -> &'static str {
    match s {
        Status::Success => "success",
        Status::Failure => "failure",
        Status::Cancelled => "cancelled",
    }
}

/// The contexts for an expression at this point of the job.
fn contexts_now(spec: &JobSpec, state: &State) -> Object {
    let mut o = spec.contexts.clone();
    o.set("env", eval::object(&state.env));
    o.set("steps", Value::object(state.steps.clone()));
    let mut job = Object::new();
    job.insert("status", Value::from(job_status_str(state.status)));
    job.insert("container", Value::object(Object::new()));
    job.insert("services", Value::object(Object::new()));
    o.set("job", Value::object(job));
    let mut runner = Object::new();
    runner.insert(
        "name",
        Value::from(
            spec.base_env
                .get("RUNNER_NAME")
                .map_or("gantry", String::as_str),
        ),
    );
    runner.insert("os", Value::from("Linux"));
    runner.insert(
        "arch",
        Value::from(
            spec.base_env
                .get("RUNNER_ARCH")
                .map_or("X64", String::as_str),
        ),
    );
    runner.insert(
        "temp",
        Value::from(spec.dirs.temp.to_string_lossy().as_ref()),
    );
    runner.insert(
        "tool_cache",
        Value::from(spec.dirs.tool_cache.to_string_lossy().as_ref()),
    );
    runner.insert("environment", Value::from("self-hosted"));
    if spec.debug {
        runner.insert("debug", Value::from("1"));
    }
    o.set("runner", Value::object(runner));
    o
}

/// Runs the job to the end. `cancel` turning true cancels it (steps that
/// use `always()` or `cancelled()` still run).
pub async fn run(
    spec: &JobSpec,
    sink: &dyn Sink,
    masker: &Masker,
    registry: &Registry,
    cancel: watch::Receiver<bool>,
) -> JobOutcome {
    let started = Instant::now();
    let cx = Ctx {
        spec,
        sink,
        masker,
        registry,
    };
    cx.emit(Event::JobStarted {
        job: spec.key.clone(),
        name: spec.name.clone(),
        workspace: spec.dirs.workspace.to_string_lossy().into_owned(),
    });
    for d in [&spec.dirs.temp, &spec.dirs.tool_cache] {
        if let Err(e) = std::fs::create_dir_all(d) {
            cx.annotate(
                0,
                AnnotationLevel::Error,
                format!("cannot create {}: {e}", d.display()),
            );
            return finish(&cx, Conclusion::Failure, BTreeMap::new(), started);
        }
    }
    let workspace = match &spec.checkout {
        Some(c) => {
            match crate::workspace::create(&c.repo, c.sha.as_deref(), &spec.dirs.workspace) {
                Ok(w) => Some(w),
                Err(e) => {
                    cx.annotate(0, AnnotationLevel::Error, e.to_string());
                    return finish(&cx, Conclusion::Failure, BTreeMap::new(), started);
                }
            }
        }
        None => {
            if let Err(e) = std::fs::create_dir_all(&spec.dirs.workspace) {
                cx.annotate(
                    0,
                    AnnotationLevel::Error,
                    format!("cannot create {}: {e}", spec.dirs.workspace.display()),
                );
                return finish(&cx, Conclusion::Failure, BTreeMap::new(), started);
            }
            None
        }
    };
    if let Some(path) = spec.base_env.get("GITHUB_EVENT_PATH") {
        let path = Path::new(path);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(e) = std::fs::write(path, &spec.event_json) {
            cx.annotate(
                0,
                AnnotationLevel::Warning,
                format!("cannot write the event payload: {e}"),
            );
        }
    }
    let mut state = State {
        env: BTreeMap::new(),
        path_prefix: Vec::new(),
        steps: Object::new(),
        status: Status::Success,
        failed: false,
        run_counter: 0,
    };
    // The job's own cancellation: the run's, or the job's timeout.
    let (job_cancel_tx, job_cancel) = watch::channel(false);
    let mut outer = cancel.clone();
    let timeout = spec.timeout;
    let timed_out = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let timed_out = timed_out.clone();
        tokio::spawn(async move {
            let sleep = tokio::time::sleep(timeout);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    () = &mut sleep => {
                        timed_out.store(true, std::sync::atomic::Ordering::SeqCst);
                        let _ = job_cancel_tx.send(true);
                        break;
                    }
                    r = outer.changed() => {
                        if r.is_err() { break; }
                        if *outer.borrow() {
                            let _ = job_cancel_tx.send(true);
                            break;
                        }
                    }
                }
            }
        })
    };
    if *cancel.borrow() {
        state.status = Status::Cancelled;
    }

    // Workflow env, `--env` overrides, then job env (later wins).
    for (level, env) in [(0, spec.workflow.env.as_ref()), (1, spec.job.env.as_ref())] {
        if level == 1 {
            state.env.extend(spec.extra_env.iter().cloned());
        }
        let Some(env) = env else { continue };
        let host_ctx = contexts_now(spec, &state);
        let host = RunHost {
            contexts: &host_ctx,
            status: state.status,
            workspace: &spec.dirs.workspace,
        };
        match eval::env(env, &host) {
            Ok(pairs) => state.env.extend(pairs),
            Err(e) => {
                cx.annotate(0, AnnotationLevel::Error, format!("env: {e}"));
                state.failed = true;
                state.status = Status::Failure;
            }
        }
    }

    for (index, step) in spec.job.steps.iter().enumerate() {
        if *job_cancel.borrow() && state.status != Status::Cancelled {
            state.status = Status::Cancelled;
        }
        // A step that starts after the job was cancelled (an `always()` or
        // `cancelled()` step) runs to its end: cancellation does not stop it.
        let step_cancel = if state.status == Status::Cancelled {
            never_cancelled()
        } else {
            job_cancel.clone()
        };
        run_step(&cx, &mut state, index + 1, step, step_cancel).await;
    }
    watcher.abort();
    if timed_out.load(std::sync::atomic::Ordering::SeqCst) {
        cx.annotate(
            0,
            AnnotationLevel::Error,
            format!(
                "The job exceeded its maximum execution time of {} minutes",
                spec.timeout.as_secs_f64() / 60.0
            ),
        );
    }

    // Job outputs, evaluated at the end with the final steps context.
    let mut outputs = BTreeMap::new();
    let ctx = contexts_now(spec, &state);
    let host = RunHost {
        contexts: &ctx,
        status: state.status,
        workspace: &spec.dirs.workspace,
    };
    for (name, es) in &spec.job.outputs {
        match eval::string(es, &host) {
            Ok(v) => {
                outputs.insert(name.value.clone(), v);
            }
            Err(e) => cx.annotate(
                0,
                AnnotationLevel::Warning,
                format!("output `{}`: {e}", name.value),
            ),
        }
    }
    if !spec.keep_workspace {
        if let Some(w) = &workspace {
            w.remove();
        }
        // RUNNER_TEMP holds scripts and file-command files, which can hold
        // secrets: like the runner, clean it when the job ends.
        let _ = std::fs::remove_dir_all(&spec.dirs.temp);
        let _ = std::fs::remove_dir_all(&spec.dirs.tool_cache);
        if let Some(job_dir) = spec.dirs.workspace.parent() {
            let _ = std::fs::remove_dir(job_dir);
        }
    }
    let result = if timed_out.load(std::sync::atomic::Ordering::SeqCst) {
        Conclusion::Failure
    } else if state.status == Status::Cancelled {
        Conclusion::Cancelled
    } else if state.failed {
        Conclusion::Failure
    } else {
        Conclusion::Success
    };
    finish(&cx, result, outputs, started)
}

/// A cancellation signal that never fires.
fn never_cancelled() -> watch::Receiver<bool> {
    // With the sender gone, the process stops listening for cancellation.
    let (_tx, rx) = watch::channel(false);
    rx
}

fn finish(
    cx: &Ctx<'_>,
    result: Conclusion,
    outputs: BTreeMap<String, String>,
    started: Instant,
) -> JobOutcome {
    let masked: BTreeMap<String, String> = outputs
        .iter()
        .map(|(k, v)| (k.clone(), cx.masker.mask(v)))
        .collect();
    cx.emit(Event::JobFinished {
        job: cx.spec.key.clone(),
        name: cx.spec.name.clone(),
        result,
        outputs: masked,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    });
    // Outputs pass to dependent jobs unmasked; they are masked wherever shown.
    JobOutcome { result, outputs }
}

fn default_step_name(step: &Step) -> String {
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

/// Records a step's result in the `steps` context.
fn record(
    state: &mut State,
    step: &Step,
    outputs: BTreeMap<String, String>,
    outcome: Conclusion,
    conclusion: Conclusion,
) {
    if let Some(id) = &step.common().id {
        let mut o = Object::new();
        o.insert("outputs", eval::object(&outputs));
        o.insert("outcome", Value::from(outcome.as_str()));
        o.insert("conclusion", Value::from(conclusion.as_str()));
        state.steps.set(id.value.as_str(), Value::object(o));
    }
}

async fn run_step(
    cx: &Ctx<'_>,
    state: &mut State,
    index: usize,
    step: &Step,
    cancel: watch::Receiver<bool>,
) {
    let spec = cx.spec;
    let started = Instant::now();
    let common = step.common();
    let ctx = contexts_now(spec, state);
    let host = RunHost {
        contexts: &ctx,
        status: state.status,
        workspace: &spec.dirs.workspace,
    };
    let name = match &common.name {
        Some(n) => eval::string(n, &host).unwrap_or_else(|_| n.raw.clone()),
        None => default_step_name(step),
    };
    let name = cx.masker.mask(&name);
    let run_it = match eval::condition(common.condition.as_ref(), &host) {
        Ok(b) => b,
        Err(e) => {
            cx.emit(Event::StepStarted {
                job: spec.key.clone(),
                step: index,
                name: name.clone(),
            });
            cx.annotate(index, AnnotationLevel::Error, format!("if: {e}"));
            state.failed = true;
            if state.status == Status::Success {
                state.status = Status::Failure;
            }
            record(
                state,
                step,
                BTreeMap::new(),
                Conclusion::Failure,
                Conclusion::Failure,
            );
            step_finished(
                cx,
                index,
                &name,
                Conclusion::Failure,
                Conclusion::Failure,
                started,
            );
            return;
        }
    };
    if !run_it {
        record(
            state,
            step,
            BTreeMap::new(),
            Conclusion::Skipped,
            Conclusion::Skipped,
        );
        step_finished(
            cx,
            index,
            &name,
            Conclusion::Skipped,
            Conclusion::Skipped,
            started,
        );
        return;
    }
    cx.emit(Event::StepStarted {
        job: spec.key.clone(),
        step: index,
        name: name.clone(),
    });

    // Step env over the job's.
    let mut env = state.env.clone();
    if let Some(e) = &common.env {
        match eval::env(e, &host) {
            Ok(pairs) => env.extend(pairs),
            Err(e) => {
                return fail_early(cx, state, step, index, &name, format!("env: {e}"), started);
            }
        }
    }
    let continue_on_error = match &common.continue_on_error {
        Some(b) => eval::boolean(b, &host).unwrap_or(false),
        None => false,
    };
    let timeout = match &common.timeout_minutes {
        Some(n) => match eval::number(n, &host) {
            Ok(m) if m > 0.0 => Some(Duration::from_secs_f64(m * 60.0)),
            Ok(_) => None,
            Err(e) => {
                return fail_early(
                    cx,
                    state,
                    step,
                    index,
                    &name,
                    format!("timeout-minutes: {e}"),
                    started,
                );
            }
        },
        None => None,
    };

    let result = match step {
        Step::Run(r) => run_script(cx, state, index, step, r, env, timeout, &host, cancel).await,
        Step::Uses(u) => run_action(cx, state, index, u, env, &host).await,
        Step::Parallel(g) => {
            // Steps of a group run one after another here; see docs/divergences.md.
            for s in &g.steps {
                Box::pin(run_step(cx, state, index, s, cancel.clone())).await;
            }
            StepResult {
                outcome: if state.failed {
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
    if conclusion == Conclusion::Failure {
        state.failed = true;
        if state.status == Status::Success {
            state.status = Status::Failure;
        }
    }
    if outcome == Conclusion::Cancelled {
        state.status = Status::Cancelled;
    }
    record(state, step, result.outputs, outcome, conclusion);
    step_finished(cx, index, &name, outcome, conclusion, started);
}

fn fail_early(
    cx: &Ctx<'_>,
    state: &mut State,
    step: &Step,
    index: usize,
    name: &str,
    message: String,
    started: Instant,
) {
    cx.annotate(index, AnnotationLevel::Error, message);
    state.failed = true;
    if state.status == Status::Success {
        state.status = Status::Failure;
    }
    record(
        state,
        step,
        BTreeMap::new(),
        Conclusion::Failure,
        Conclusion::Failure,
    );
    step_finished(
        cx,
        index,
        name,
        Conclusion::Failure,
        Conclusion::Failure,
        started,
    );
}

fn step_finished(
    cx: &Ctx<'_>,
    index: usize,
    name: &str,
    outcome: Conclusion,
    conclusion: Conclusion,
    started: Instant,
) {
    cx.emit(Event::StepFinished {
        job: cx.spec.key.clone(),
        step: index,
        name: name.to_owned(),
        outcome,
        conclusion,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    });
}

struct StepResult {
    outcome: Conclusion,
    outputs: BTreeMap<String, String>,
}

/// The file-command files of one step.
struct FileCommands {
    dir: PathBuf,
}

impl FileCommands {
    const FILES: [(&'static str, &'static str); 5] = [
        ("GITHUB_ENV", "set_env"),
        ("GITHUB_OUTPUT", "set_output"),
        ("GITHUB_PATH", "add_path"),
        ("GITHUB_STATE", "save_state"),
        ("GITHUB_STEP_SUMMARY", "step_summary"),
    ];

    fn create(temp: &Path, step: usize) -> std::io::Result<FileCommands> {
        let dir = temp
            .join("_runner_file_commands")
            .join(format!("step_{step}"));
        std::fs::create_dir_all(&dir)?;
        for (_, f) in Self::FILES {
            std::fs::write(dir.join(f), "")?;
        }
        Ok(FileCommands { dir })
    }

    fn env(&self) -> impl Iterator<Item = (String, String)> + '_ {
        Self::FILES.iter().map(|(var, f)| {
            (
                (*var).to_owned(),
                self.dir.join(f).to_string_lossy().into_owned(),
            )
        })
    }

    fn read(&self, var: &str) -> String {
        let f = Self::FILES
            .iter()
            .find(|(v, _)| *v == var)
            .map_or("", |(_, f)| f);
        std::fs::read_to_string(self.dir.join(f)).unwrap_or_default()
    }
}

/// The PATH a step sees: `$GITHUB_PATH` additions first.
fn step_path(
    state: &State,
    env: &BTreeMap<String, String>,
    base: &BTreeMap<String, String>,
) -> String {
    let tail = env
        .get("PATH")
        .or_else(|| base.get("PATH"))
        .cloned()
        .unwrap_or_default();
    let mut parts = state.path_prefix.clone();
    if !tail.is_empty() {
        parts.push(tail);
    }
    parts.join(":")
}

#[allow(clippy::too_many_arguments)]
async fn run_script(
    cx: &Ctx<'_>,
    state: &mut State,
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
        StepResult {
            outcome: Conclusion::Failure,
            outputs: BTreeMap::new(),
        }
    };
    let script = match eval::string(&r.run, host) {
        Ok(s) => s,
        Err(e) => return fail(cx, format!("run: {e}")),
    };
    // shell: the step's, else job defaults, else workflow defaults.
    let shell_src = r
        .shell
        .as_ref()
        .or_else(|| spec.job.defaults.as_ref().and_then(|d| d.shell.as_ref()))
        .or_else(|| {
            spec.workflow
                .defaults
                .as_ref()
                .and_then(|d| d.shell.as_ref())
        });
    let shell_name = match shell_src.map(|s| eval::string(s, host)).transpose() {
        Ok(s) => s,
        Err(e) => return fail(cx, format!("shell: {e}")),
    };
    let wd_src = r
        .working_directory
        .as_ref()
        .or_else(|| {
            spec.job
                .defaults
                .as_ref()
                .and_then(|d| d.working_directory.as_ref())
        })
        .or_else(|| {
            spec.workflow
                .defaults
                .as_ref()
                .and_then(|d| d.working_directory.as_ref())
        });
    let cwd = match wd_src.map(|s| eval::string(s, host)).transpose() {
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
    let mut full_env = spec.base_env.clone();
    full_env.extend(env);
    let path = step_path(state, &full_env, &spec.base_env);
    full_env.insert("PATH".to_owned(), path.clone());
    let shell = match shell::resolve(shell_name.as_deref(), Some(&path)) {
        Ok(s) => s,
        Err(e) => return fail(cx, e.to_string()),
    };
    let files = match FileCommands::create(&spec.dirs.temp, index) {
        Ok(f) => f,
        Err(e) => return fail(cx, format!("cannot prepare file commands: {e}")),
    };
    full_env.extend(files.env());
    state.run_counter += 1;
    let action_id = match &step.common().id {
        Some(id) => id.value.as_str().to_owned(),
        None if state.run_counter == 1 => "__run".to_owned(),
        None => format!("__run_{}", state.run_counter),
    };
    full_env.insert("GITHUB_ACTION".to_owned(), action_id);
    let script_path = spec
        .dirs
        .temp
        .join(format!("step-{index}{}", shell.extension));
    if let Err(e) = std::fs::write(&script_path, &script) {
        return fail(cx, format!("cannot write the script: {e}"));
    }
    cx.emit(Event::StepCommand {
        job: spec.key.clone(),
        step: index,
        command: shell.display(&script_path),
    });
    let pspec = ProcessSpec {
        program: shell.program.clone(),
        args: shell.args_for(&script_path),
        cwd,
        env: full_env.clone(),
        timeout,
    };
    let allow_unsecure = full_env
        .get("ACTIONS_ALLOW_UNSECURE_COMMANDS")
        .is_some_and(|v| v == "true");
    let mut lines = LineProcessor {
        cx,
        index,
        stop_token: None,
        outputs: BTreeMap::new(),
        new_env: Vec::new(),
        new_path: Vec::new(),
        failed: false,
        allow_unsecure,
    };
    let exit = process::run(&pspec, cancel, |stream, line| lines.line(stream, &line)).await;
    let mut outputs = std::mem::take(&mut lines.outputs);
    let mut command_failed = lines.failed;
    for (k, v) in lines.new_env.drain(..) {
        state.env.insert(k, v);
    }
    for p in lines.new_path.drain(..) {
        state.path_prefix.insert(0, p);
    }
    // File commands.
    match file_commands::parse_key_values(&files.read("GITHUB_ENV"), "GITHUB_ENV") {
        Ok(pairs) => {
            for (k, v) in pairs {
                if let Some(why) = file_commands::refused_env_name(&k) {
                    cx.annotate(index, AnnotationLevel::Warning, why.to_owned());
                } else {
                    state.env.insert(k, v);
                }
            }
        }
        Err(e) => {
            cx.annotate(index, AnnotationLevel::Error, e.to_string());
            command_failed = true;
        }
    }
    match file_commands::parse_key_values(&files.read("GITHUB_OUTPUT"), "GITHUB_OUTPUT") {
        Ok(pairs) => outputs.extend(pairs),
        Err(e) => {
            cx.annotate(index, AnnotationLevel::Error, e.to_string());
            command_failed = true;
        }
    }
    for dir in file_commands::parse_path(&files.read("GITHUB_PATH"))
        .into_iter()
        .rev()
    {
        state.path_prefix.insert(0, dir);
    }
    let summary = files.read("GITHUB_STEP_SUMMARY");
    if summary.len() > MAX_SUMMARY_BYTES {
        cx.annotate(index, AnnotationLevel::Warning, format!("$GITHUB_STEP_SUMMARY is {} bytes; GitHub accepts at most 1 MiB, so it was not kept", summary.len()));
    } else if !summary.trim().is_empty() {
        cx.emit(Event::StepSummary {
            job: spec.key.clone(),
            step: index,
            markdown: cx.masker.mask(&summary),
        });
    }
    let _ = std::fs::remove_file(&script_path);
    let outcome = match exit {
        Exit::Code(0) if !command_failed => Conclusion::Success,
        Exit::Code(0) => Conclusion::Failure,
        Exit::Code(c) => {
            cx.annotate(
                index,
                AnnotationLevel::Error,
                format!("Process completed with exit code {c}."),
            );
            Conclusion::Failure
        }
        Exit::Signal(s) => {
            cx.annotate(
                index,
                AnnotationLevel::Error,
                format!("Process was killed by signal {s}."),
            );
            Conclusion::Failure
        }
        Exit::TimedOut => {
            cx.annotate(
                index,
                AnnotationLevel::Error,
                format!(
                    "The step timed out after {} minutes.",
                    timeout.map_or(0.0, |t| t.as_secs_f64() / 60.0)
                ),
            );
            Conclusion::Failure
        }
        Exit::Cancelled => Conclusion::Cancelled,
        Exit::SpawnFailed(m) => {
            cx.annotate(index, AnnotationLevel::Error, m);
            Conclusion::Failure
        }
    };
    StepResult { outcome, outputs }
}

/// Interprets a step's output lines: workflow commands, masking, events.
struct LineProcessor<'a, 'b> {
    cx: &'a Ctx<'b>,
    index: usize,
    stop_token: Option<String>,
    outputs: BTreeMap<String, String>,
    new_env: Vec<(String, String)>,
    new_path: Vec<String>,
    failed: bool,
    allow_unsecure: bool,
}

impl LineProcessor<'_, '_> {
    fn out(&self, stream: Stream, line: &str) {
        self.cx.emit(Event::Output {
            job: self.cx.spec.key.clone(),
            step: self.index,
            stream,
            line: self.cx.masker.mask(line),
        });
    }

    fn line(&mut self, stream: Stream, line: &str) {
        if let Some(token) = &self.stop_token {
            if line.trim() == format!("::{token}::") {
                self.stop_token = None;
            } else {
                self.out(stream, line);
            }
            return;
        }
        let Some(cmd) = commands::parse(line) else {
            self.out(stream, line);
            return;
        };
        let job = self.cx.spec.key.clone();
        let index = self.index;
        match cmd.name.as_str() {
            "add-mask" => {
                self.cx.masker.add_value(&cmd.message);
                self.out(stream, "::add-mask::***");
            }
            "group" => self.cx.emit(Event::GroupStarted {
                job,
                step: index,
                title: self.cx.masker.mask(&cmd.message),
            }),
            "endgroup" => self.cx.emit(Event::GroupEnded { job, step: index }),
            "debug" => self.cx.emit(Event::Debug {
                job,
                step: index,
                message: self.cx.masker.mask(&cmd.message),
            }),
            "notice" | "warning" | "error" => {
                if let Some(mut a) = Annotation::from_command(&cmd) {
                    a.message = self.cx.masker.mask(&a.message);
                    a.title = a.title.map(|t| self.cx.masker.mask(&t));
                    self.cx.emit(Event::Annotation {
                        job,
                        step: index,
                        annotation: a,
                    });
                }
            }
            "stop-commands" => {
                if !cmd.message.is_empty() {
                    self.stop_token = Some(cmd.message.clone());
                }
            }
            "set-output" => {
                self.cx.annotate(
                    index,
                    AnnotationLevel::Warning,
                    "The `set-output` command is deprecated; write to $GITHUB_OUTPUT instead"
                        .to_owned(),
                );
                if let Some(name) = cmd.properties.get("name") {
                    self.outputs.insert(name.clone(), cmd.message.clone());
                }
            }
            "save-state" => {
                self.cx.annotate(
                    index,
                    AnnotationLevel::Warning,
                    "The `save-state` command is deprecated; write to $GITHUB_STATE instead"
                        .to_owned(),
                );
            }
            "set-env" | "add-path" => {
                if self.allow_unsecure {
                    if cmd.name == "set-env" {
                        if let Some(name) = cmd.properties.get("name") {
                            self.new_env.push((name.clone(), cmd.message.clone()));
                        }
                    } else {
                        self.new_path.push(cmd.message.clone());
                    }
                } else {
                    self.cx.annotate(index, AnnotationLevel::Error, format!("The `{}` command is disabled. Use $GITHUB_{} instead, or set ACTIONS_ALLOW_UNSECURE_COMMANDS to true", cmd.name, if cmd.name == "set-env" { "ENV" } else { "PATH" }));
                    self.failed = true;
                }
            }
            "echo" | "add-matcher" | "remove-matcher" => {}
            _ => self.out(stream, line),
        }
    }
}

async fn run_action(
    cx: &Ctx<'_>,
    state: &mut State,
    index: usize,
    u: &UsesStep,
    env: BTreeMap<String, String>,
    host: &RunHost<'_>,
) -> StepResult {
    let fail = |message: String| {
        cx.annotate(index, AnnotationLevel::Error, message);
        StepResult {
            outcome: Conclusion::Failure,
            outputs: BTreeMap::new(),
        }
    };
    let Some(uses) = &u.uses else {
        return fail("the step's `uses` is malformed".to_owned());
    };
    let mut inputs = BTreeMap::new();
    for (k, v) in &u.with.entries {
        match eval::scalar(v, host) {
            Ok(s) => {
                inputs.insert(k.value.clone(), s);
            }
            Err(e) => return fail(format!("with.{}: {e}", k.value)),
        }
    }
    let Some(action) = cx.registry.lookup(&uses.target) else {
        return fail(format!(
            "`{}` cannot run here yet: this version of gantry runs only its built-in actions ({})",
            uses.raw,
            cx.registry.names().join(", ")
        ));
    };
    let actx = ActionContext {
        workspace: &cx.spec.dirs.workspace,
        inputs: &inputs,
        env: &env,
        github: cx.spec.contexts.get("github"),
    };
    match action.run(&actx) {
        Ok(out) => {
            for line in out.log {
                cx.emit(Event::Output {
                    job: cx.spec.key.clone(),
                    step: index,
                    stream: Stream::Stdout,
                    line: cx.masker.mask(&line),
                });
            }
            for (k, v) in out.env {
                state.env.insert(k, v);
            }
            StepResult {
                outcome: Conclusion::Success,
                outputs: out.outputs,
            }
        }
        Err(e) => fail(e),
    }
}
