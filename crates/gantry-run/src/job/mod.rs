//! Runs one job's steps, as a GitHub runner would: contexts, env
//! precedence, shells, file and workflow commands, masking, step outcomes
//! and conclusions, status functions, cancellation and timeouts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gantry_expr::{Object, Status, Value};
use gantry_workflow::{NormalJob, Step, Workflow};
use tokio::sync::watch;

use crate::actions::Registry;
use crate::commands::{Annotation, AnnotationLevel};
use crate::eval::{self, RunHost};
use crate::event::{Conclusion, Event, JobKey, Sink};
use crate::mask::Masker;
use crate::resolve::Resolver;

mod composite;
mod containers;
mod debug_shell;
mod docker_action;
mod node;
mod process_step;
mod steps;
mod uses;

use steps::Scope;

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
    /// Downloads and caches the actions of `uses:` steps (shared by the
    /// jobs of a run).
    pub resolver: Arc<Resolver>,
    /// Added to the environment of every JavaScript action (and, later,
    /// Docker action): the hook for the Actions services
    /// (`ACTIONS_RUNTIME_TOKEN`, `ACTIONS_CACHE_URL`, `ACTIONS_RESULTS_URL`, …).
    pub action_env: Vec<(String, String)>,
    /// The event's changed files, when known (native actions such as
    /// `dorny/paths-filter` read them).
    pub changed_files: Option<Vec<String>>,
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

/// What the steps of the job (and of the actions they run) share and
/// change as the job goes on. What belongs to one level of steps (the job's,
/// or a composite action's) is in [`Scope`].
struct State {
    /// The job's environment: workflow and job `env`, then `$GITHUB_ENV`.
    env: BTreeMap<String, String>,
    path_prefix: Vec<String>,
    /// `job.status`.
    job_status: Status,
    /// Steps without an id: `__run`, `__run_2`, … (`GITHUB_ACTION`).
    run_counter: usize,
    /// The same for actions: `__owner_repo`, `__owner_repo_2`, …
    action_counters: BTreeMap<String, usize>,
    /// Makes each process step's file-command folder unique.
    seq: usize,
    /// Post steps registered by actions whose main step ran, in order.
    posts: Vec<uses::PostStep>,
    /// `STATE_*` saved by a top-level action's pre step, for its main step
    /// (by step position).
    pre_state: BTreeMap<usize, BTreeMap<String, String>>,
    /// `node --version` of the `node` on PATH, looked up once.
    node: Option<Result<node::NodeInfo, String>>,
    /// The container engine, the job's network, images built.
    docker: containers::DockerState,
    /// `job.container` and `job.services`, once the containers started.
    containers_ctx: Option<(Value, Value)>,
}

struct Ctx<'a> {
    spec: &'a JobSpec,
    sink: &'a dyn Sink,
    masker: &'a Masker,
    registry: &'a Registry,
    /// The job's container, where its processes run (`container:`).
    container: Option<&'a containers::InContainer>,
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

/// The contexts for an expression at this point of the job, in a scope
/// (the job's steps, or a composite action's) whose `env` context is `env`.
fn contexts_now(
    spec: &JobSpec,
    state: &State,
    scope: &Scope,
    env: &BTreeMap<String, String>,
) -> Object {
    let mut o = spec.contexts.clone();
    o.set("env", eval::object(env));
    o.set("steps", Value::object(scope.steps.clone()));
    if let Some(frame) = &scope.frame {
        o.set("inputs", frame.inputs.clone());
        o.set("github", frame.github.clone());
    }
    let mut job = Object::new();
    job.insert("status", Value::from(job_status_str(state.job_status)));
    let (container, services) = state
        .containers_ctx
        .clone()
        .unwrap_or_else(|| (Value::object(Object::new()), Value::object(Object::new())));
    job.insert("container", container);
    job.insert("services", services);
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
        container: None,
    };
    cx.emit(Event::JobStarted {
        job: spec.key.clone(),
        name: spec.name.clone(),
        workspace: spec.dirs.workspace.to_string_lossy().into_owned(),
    });
    let made = [
        crate::workspace::make_temp(&spec.dirs.temp),
        std::fs::create_dir_all(&spec.dirs.tool_cache),
    ];
    for (d, made) in [&spec.dirs.temp, &spec.dirs.tool_cache]
        .into_iter()
        .zip(made)
    {
        if let Err(e) = made {
            cx.annotate(
                0,
                AnnotationLevel::Error,
                format!("cannot create {}: {e}", d.display()),
            );
            return finish(&cx, Conclusion::Failure, BTreeMap::new(), started);
        }
    }
    // The tree of the event's commit is made only for jobs that check the
    // repository out; on GitHub the workspace is empty until they do, and
    // making it costs most of a trivial job's time.
    let wants_tree = spec
        .job
        .steps
        .iter()
        .any(|step| step_places_tree(step, registry));
    let workspace = match spec.checkout.as_ref().filter(|_| wants_tree) {
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
        if let Err(e) = crate::workspace::rewrite(path, spec.event_json.as_bytes()) {
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
        job_status: Status::Success,
        run_counter: 0,
        action_counters: BTreeMap::new(),
        seq: 0,
        posts: Vec::new(),
        pre_state: BTreeMap::new(),
        node: None,
        docker: containers::DockerState::default(),
        containers_ctx: None,
    };
    let mut scope = Scope::job();
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
        scope.status = Status::Cancelled;
    }

    // Workflow env, `--env` overrides, then job env (later wins).
    for (level, env) in [(0, spec.workflow.env.as_ref()), (1, spec.job.env.as_ref())] {
        if level == 1 {
            state.env.extend(spec.extra_env.iter().cloned());
        }
        let Some(env) = env else { continue };
        let host_ctx = contexts_now(spec, &state, &scope, &state.env);
        let host = RunHost {
            contexts: &host_ctx,
            status: scope.status,
            workspace: &spec.dirs.workspace,
        };
        match eval::env(env, &host) {
            Ok(pairs) => state.env.extend(pairs),
            Err(e) => {
                cx.annotate(0, AnnotationLevel::Error, format!("env: {e}"));
                scope.failed = true;
                scope.status = Status::Failure;
            }
        }
    }

    // A step that starts after the job was cancelled (an `always()` or
    // `cancelled()` step) runs to its end: cancellation does not stop it.
    let step_cancel = |scope: &mut Scope, state: &mut State| {
        if *job_cancel.borrow() && scope.status != Status::Cancelled {
            scope.status = Status::Cancelled;
        }
        state.job_status = scope.status;
        if scope.status == Status::Cancelled {
            never_cancelled()
        } else {
            job_cancel.clone()
        }
    };
    // The job's containers (`container:`, `services:`) start first, in a
    // step of their own; if they cannot, no step runs.
    let mut index = 0;
    let mut started_containers = None;
    let mut containers_failed = false;
    // Most jobs have neither: no contexts are built for them.
    if spec.job.container.is_some() || spec.job.services.is_some() {
        let ctx = contexts_now(spec, &state, &scope, &state.env);
        let host = RunHost {
            contexts: &ctx,
            status: scope.status,
            workspace: &spec.dirs.workspace,
        };
        if containers::wanted(&cx, &host) {
            index += 1;
            let t0 = Instant::now();
            let name = "Initialize containers";
            steps::started(&cx, &scope, index, name);
            let mut say = containers::say_at(&cx, index);
            let conclusion =
                match containers::start(&cx, &mut state, &host, job_cancel.clone(), &mut say).await
                {
                    Ok(jc) => {
                        state.containers_ctx =
                            Some((jc.container_ctx.clone(), jc.services_ctx.clone()));
                        started_containers = Some(jc);
                        Conclusion::Success
                    }
                    Err(e) => {
                        cx.annotate(index, AnnotationLevel::Error, e);
                        containers_failed = true;
                        scope.absorb(Conclusion::Failure);
                        Conclusion::Failure
                    }
                };
            steps::finished(&cx, &scope, index, name, conclusion, conclusion, t0);
        }
    }
    let cx = Ctx {
        spec,
        sink,
        masker,
        registry,
        container: started_containers.as_ref().and_then(|c| c.job.as_ref()),
    };
    // Pre steps of the actions that have one, then the steps, then the
    // post steps in reverse order.
    let pres = if containers_failed {
        Vec::new()
    } else {
        uses::prepare(&cx, &state, &scope).await
    };
    for pre in &pres {
        index += 1;
        let c = step_cancel(&mut scope, &mut state);
        uses::run_pre(&cx, &mut state, &mut scope, index, pre, c).await;
    }
    for (position, step) in spec.job.steps.iter().enumerate() {
        if containers_failed {
            break;
        }
        index += 1;
        let c = step_cancel(&mut scope, &mut state);
        steps::run_step(&cx, &mut state, &mut scope, index, position, step, c).await;
    }
    while let Some(post) = state.posts.pop() {
        index += 1;
        let c = step_cancel(&mut scope, &mut state);
        uses::run_post(&cx, &mut state, &mut scope, index, post, c).await;
    }
    watcher.abort();
    let cx = Ctx {
        spec,
        sink,
        masker,
        registry,
        container: None,
    };
    if let Some(jc) = started_containers {
        index += 1;
        let t0 = Instant::now();
        let name = "Stop containers";
        steps::started(&cx, &scope, index, name);
        let mut say = containers::say_at(&cx, index);
        containers::stop(jc, &mut say).await;
        steps::finished(
            &cx,
            &scope,
            index,
            name,
            Conclusion::Success,
            Conclusion::Success,
            t0,
        );
    }
    state.docker.finish().await;
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
    state.job_status = scope.status;
    let ctx = contexts_now(spec, &state, &scope, &state.env);
    let host = RunHost {
        contexts: &ctx,
        status: scope.status,
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
        // RUNNER_TEMP holds scripts and file-command files, which can hold
        // secrets: like the runner, clean it when the job ends (at once);
        // its emptied skeleton is kept for the next job.
        crate::workspace::retire_temp(&spec.dirs.temp);
        // The workspace and tool cache can be large: they are renamed aside
        // and deleted in the background.
        match &workspace {
            Some(w) => w.remove(),
            None => crate::workspace::discard(&spec.dirs.workspace),
        }
        crate::workspace::discard(&spec.dirs.tool_cache);
        if let Some(job_dir) = spec.dirs.workspace.parent() {
            // Gone here when nothing was left to delete in the background.
            let _ = std::fs::remove_dir(job_dir);
        }
    }
    let result = if timed_out.load(std::sync::atomic::Ordering::SeqCst) {
        Conclusion::Failure
    } else if scope.status == Status::Cancelled {
        Conclusion::Cancelled
    } else if scope.failed {
        Conclusion::Failure
    } else {
        Conclusion::Success
    };
    finish(&cx, result, outputs, started)
}

/// Whether a step (or a step of a parallel group) checks the repository out.
fn step_places_tree(step: &Step, registry: &Registry) -> bool {
    match step {
        Step::Uses(u) => u
            .uses
            .as_ref()
            .is_some_and(|u| registry.places_workspace_tree(&u.target)),
        Step::Parallel(g) => g.steps.iter().any(|s| step_places_tree(s, registry)),
        Step::Run(_) => false,
    }
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
