//! `uses:` steps: which implementation runs (through the registry), the
//! action's inputs, and its pre, main and post stages.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use gantry_expr::{Status, Value};
use gantry_workflow::{Action, Condition, ExprString, Runs, Span, Step, UsesStep, UsesTarget};
use tokio::sync::watch;

use super::containers::ImageSource;
use super::docker_action;
use super::node::{self, NodeCall, Stage};
use super::steps::{self, Scope, StepResult};
use super::{Ctx, State, contexts_now};
use crate::actions::{ActionContext, Choice, NativeAction};
use crate::commands::AnnotationLevel;
use crate::eval::{self, RunHost};
use crate::event::{Conclusion, Event};
use crate::process::Stream;
use crate::resolve::{self, Origin, ResolvedAction};

/// GitHub's limit on nested composite actions: actions of the job's steps
/// are at depth 0; deeper than this fails (`Constants.CompositeActionsMaxDepth`
/// of the runner).
pub(super) const MAX_DEPTH: usize = 9;

/// A `uses:` step about to run.
pub(super) struct Call<'a> {
    /// Display index (events and annotations go there).
    pub index: usize,
    /// The step's place among the job's steps (`None` inside a composite
    /// action): its pre step's `STATE_*` are kept under it.
    pub position: Option<usize>,
    pub name: &'a str,
    pub step: &'a UsesStep,
    /// The step's environment (scope env and the step's `env:`).
    pub env: BTreeMap<String, String>,
    pub timeout: Option<Duration>,
}

/// A post step registered by an action whose main step ran.
pub(super) struct PostStep {
    name: String,
    action: ResolvedAction,
    inputs: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    intra: BTreeMap<String, String>,
    action_id: String,
    /// Set for a native built-in's post step (`action` is then a
    /// placeholder).
    native: Option<NativePost>,
}

/// A native built-in's post step: the action (by name in the registry), the
/// main step's inputs (in [`PostStep::inputs`]) and outputs.
pub(super) struct NativePost {
    name: &'static str,
    outputs: BTreeMap<String, String>,
}

/// A pre step of one of the job's steps.
pub(super) struct PreStep {
    position: usize,
    name: String,
    action: ResolvedAction,
}

/// What a `uses:` names, found.
enum Located<'a> {
    Native(&'a dyn NativeAction),
    Action(Box<ResolvedAction>),
    /// `docker://image`.
    Image(String),
}

/// Finds what runs for a target: the registry decides between a native
/// built-in, a replacement folder and the real action.
async fn locate<'a>(cx: &Ctx<'a>, target: &UsesTarget) -> Result<Located<'a>, String> {
    let spec = cx.spec;
    let (repository, git_ref) = match target {
        UsesTarget::Repo {
            owner,
            repo,
            git_ref,
            ..
        } => (Some(format!("{owner}/{repo}")), Some(git_ref.clone())),
        _ => (None, None),
    };
    let (dir, origin) = match cx.registry.choose(target) {
        Choice::Native(a) => match a.bundled() {
            None => return Ok(Located::Native(a)),
            Some(b) => (write_bundled(spec, a.name(), &b)?, Origin::Replaced),
        },
        Choice::Folder(dir) => (dir, Origin::Replaced),
        Choice::Resolve => match target {
            UsesTarget::Local { path } | UsesTarget::SelfRepo { path } => (
                resolve::safe_join(&spec.dirs.workspace, path)?,
                Origin::Workspace,
            ),
            UsesTarget::Docker { image } => return Ok(Located::Image(image.clone())),
            UsesTarget::Repo {
                owner,
                repo,
                path,
                git_ref,
            } => {
                let job_server = spec
                    .contexts
                    .get("github")
                    .and_then(|g| g.get("server_url"))
                    .map(Value::to_display_string);
                let server = spec.resolver.server_url(job_server.as_deref());
                let (root, sha) = spec.resolver.fetch(owner, repo, git_ref, &server).await?;
                let dir = match path.as_deref() {
                    Some(p) => resolve::safe_join(&root, p)?,
                    None => root,
                };
                (dir, Origin::Remote { sha })
            }
        },
    };
    let (action, _) = resolve::load_action_dir(&dir)?;
    Ok(Located::Action(Box::new(ResolvedAction {
        dir,
        action,
        repository,
        git_ref,
        origin,
    })))
}

/// Writes a bundled built-in's files under the job's temporary folder and
/// returns that folder.
fn write_bundled(
    spec: &super::JobSpec,
    name: &str,
    b: &crate::actions::Bundled,
) -> Result<std::path::PathBuf, String> {
    let dir = spec
        .dirs
        .temp
        .join("_gantry_builtins")
        .join(name.replace('/', "__"));
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("action.yml"), b.action_yml))
        .and_then(|()| std::fs::write(dir.join(b.main_name), b.main_js))
        .map_err(|e| format!("cannot write the built-in `{name}`: {e}"))?;
    Ok(dir)
}

/// `GITHUB_ACTION` of an action step: its id, else `__owner_repo` (or
/// `__self` for a local action), numbered from the second on.
fn action_id(state: &mut State, step: &UsesStep) -> String {
    if let Some(id) = &step.common.id {
        return id.value.as_str().to_owned();
    }
    let base = match step.uses.as_ref().map(|u| &u.target) {
        Some(UsesTarget::Repo { owner, repo, .. }) => format!("__{owner}_{repo}"),
        Some(UsesTarget::Docker { .. }) => "__docker".to_owned(),
        _ => "__self".to_owned(),
    };
    let n = state.action_counters.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 { base } else { format!("{base}_{n}") }
}

/// The step's `with:`, evaluated, in order.
fn with_inputs(step: &UsesStep, host: &RunHost<'_>) -> Result<Vec<(String, String)>, String> {
    step.with
        .entries
        .iter()
        .map(|(k, v)| {
            eval::scalar(v, host)
                .map(|s| (k.value.clone(), s))
                .map_err(|e| format!("with.{}: {e}", k.value))
        })
        .collect()
}

/// The inputs an action gets: `with:` under the declared names, then each
/// declared input's default. Unexpected and deprecated inputs are warned
/// about as the runner does.
fn merge_inputs(
    cx: &Ctx<'_>,
    index: usize,
    action: &Action,
    with: Vec<(String, String)>,
    host: &RunHost<'_>,
) -> BTreeMap<String, String> {
    input_values(action, with, host, &mut |m| {
        cx.annotate(index, AnnotationLevel::Warning, m);
    })
}

/// [`merge_inputs`] without its warnings (for a `pre-if`; they are given
/// when the stage runs).
fn quiet_inputs(
    action: &Action,
    with: Vec<(String, String)>,
    host: &RunHost<'_>,
) -> BTreeMap<String, String> {
    input_values(action, with, host, &mut |_| {})
}

fn input_values(
    action: &Action,
    with: Vec<(String, String)>,
    host: &RunHost<'_>,
    warn: &mut dyn FnMut(String),
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut given: Vec<(String, String)> = with;
    for input in &action.inputs {
        let name = &input.name.value;
        if let Some(pos) = given.iter().position(|(k, _)| k.eq_ignore_ascii_case(name)) {
            let (_, v) = given.remove(pos);
            if let Some(msg) = &input.deprecation_message {
                warn(format!(
                    "Input '{name}' has been deprecated with message: {}",
                    msg.raw
                ));
            }
            out.insert(name.clone(), v);
        } else {
            let v = match &input.default {
                Some(d) => eval::string(d, host).unwrap_or_else(|e| {
                    warn(format!("the default of input `{name}`: {e}"));
                    String::new()
                }),
                None => String::new(),
            };
            out.insert(name.clone(), v);
        }
    }
    let unexpected: Vec<String> = given.iter().map(|(k, _)| k.clone()).collect();
    out.extend(given);
    if !unexpected.is_empty() {
        let valid: Vec<&str> = action
            .inputs
            .iter()
            .map(|i| i.name.value.as_str())
            .collect();
        warn(format!(
            "Unexpected input(s) '{}', valid inputs are ['{}']",
            unexpected.join("', '"),
            valid.join("', '")
        ));
    }
    out
}

fn fail(cx: &Ctx<'_>, index: usize, message: String) -> StepResult {
    cx.annotate(index, AnnotationLevel::Error, message);
    StepResult::failed()
}

/// Runs a `uses:` step's main stage.
pub(super) async fn run_uses(
    cx: &Ctx<'_>,
    state: &mut State,
    scope: &Scope,
    call: Call<'_>,
    host: &RunHost<'_>,
    cancel: watch::Receiver<bool>,
) -> StepResult {
    let index = call.index;
    let Some(uses) = &call.step.uses else {
        return fail(cx, index, "the step's `uses` is malformed".to_owned());
    };
    if scope.depth > MAX_DEPTH {
        return fail(
            cx,
            index,
            format!(
                "`{}`: composite actions are nested more than {MAX_DEPTH} deep, GitHub's limit (Composite action depth exceeded max depth {MAX_DEPTH})",
                uses.raw
            ),
        );
    }
    let with = match with_inputs(call.step, host) {
        Ok(w) => w,
        Err(e) => return fail(cx, index, e),
    };
    let resolved = match locate(cx, &uses.target).await {
        Ok(Located::Native(a)) => {
            return run_native(cx, state, index, a, with, call.env, call.name);
        }
        Ok(Located::Action(r)) => *r,
        Ok(Located::Image(image)) => {
            // `with: args` and `with: entrypoint` are the container's.
            let all: BTreeMap<String, String> = with.into_iter().collect();
            let stage = match docker_action::bare(&uses.raw, ImageSource::Image(image), &all) {
                Ok(s) => s,
                Err(e) => return fail(cx, index, e),
            };
            let inputs: BTreeMap<String, String> = all
                .into_iter()
                .filter(|(k, _)| {
                    !k.eq_ignore_ascii_case("args") && !k.eq_ignore_ascii_case("entrypoint")
                })
                .collect();
            let action_id = action_id(state, call.step);
            let done = docker_action::run_main(
                cx,
                state,
                &call,
                &stage,
                &inputs,
                None,
                &action_id,
                &BTreeMap::new(),
                cancel,
            )
            .await;
            return StepResult {
                outcome: done.outcome,
                outputs: done.outputs,
            };
        }
        Err(e) => return fail(cx, index, e),
    };
    if let Origin::Remote { sha } = &resolved.origin {
        cx.emit(Event::Debug {
            job: cx.spec.key.clone(),
            step: index,
            message: format!("Using `{}` at {sha} ({})", uses.raw, resolved.dir.display()),
            step_debug: false,
        });
    }
    let Some(action) = resolved.action.clone() else {
        // A folder with only a Dockerfile.
        let inputs: BTreeMap<String, String> = with.into_iter().collect();
        let image = ImageSource::Dockerfile(resolved.dir.join("Dockerfile"));
        let stage = match docker_action::bare(&uses.raw, image, &inputs) {
            Ok(s) => s,
            Err(e) => return fail(cx, index, e),
        };
        let action_id = action_id(state, call.step);
        let done = docker_action::run_main(
            cx,
            state,
            &call,
            &stage,
            &inputs,
            Some(&resolved),
            &action_id,
            &BTreeMap::new(),
            cancel,
        )
        .await;
        return StepResult {
            outcome: done.outcome,
            outputs: done.outputs,
        };
    };
    let inputs = merge_inputs(cx, index, &action, with, host);
    match &action.runs {
        Some(Runs::Node(n)) => {
            let action_id = action_id(state, call.step);
            let mut intra = pre_saved(state, &call);
            let done = node::run(
                cx,
                state,
                NodeCall {
                    index,
                    stage: Stage::Main,
                    action: &resolved,
                    runs: n,
                    inputs: &inputs,
                    env: call.env.clone(),
                    intra: &intra,
                    action_id: &action_id,
                    timeout: call.timeout,
                },
                cancel,
            )
            .await;
            if n.post.is_some() {
                intra.extend(done.state);
                queue_post(state, &call, &resolved, inputs, intra, action_id);
            }
            StepResult {
                outcome: done.outcome,
                outputs: done.outputs,
            }
        }
        Some(Runs::Composite(c)) => {
            Box::pin(super::composite::run(
                cx, state, scope, index, &resolved, &action, c, inputs, call.env, cancel,
            ))
            .await
        }
        Some(Runs::Docker(d)) => {
            let stage =
                match docker_action::stage(&uses.raw, d, &resolved, &inputs, host, Stage::Main) {
                    Ok(s) => s,
                    Err(e) => return fail(cx, index, e),
                };
            let action_id = action_id(state, call.step);
            let mut intra = pre_saved(state, &call);
            let done = docker_action::run_main(
                cx,
                state,
                &call,
                &stage,
                &inputs,
                Some(&resolved),
                &action_id,
                &intra,
                cancel,
            )
            .await;
            if d.post_entrypoint.is_some() {
                intra.extend(done.state);
                queue_post(state, &call, &resolved, inputs, intra, action_id);
            }
            StepResult {
                outcome: done.outcome,
                outputs: done.outputs,
            }
        }
        None => fail(
            cx,
            index,
            format!("`{}`: the action has no `runs`", uses.raw),
        ),
    }
}

/// What the step's pre stage saved (`STATE_*`), for its main and post
/// stages.
fn pre_saved(state: &mut State, call: &Call<'_>) -> BTreeMap<String, String> {
    call.position
        .and_then(|p| state.pre_state.remove(&p))
        .unwrap_or_default()
}

/// Queues an action's post stage, run at the end of the job with the
/// main stage's inputs and environment and what its stages saved.
fn queue_post(
    state: &mut State,
    call: &Call<'_>,
    resolved: &ResolvedAction,
    inputs: BTreeMap<String, String>,
    intra: BTreeMap<String, String>,
    action_id: String,
) {
    state.posts.push(PostStep {
        name: format!("Post {}", call.name),
        action: resolved.clone(),
        inputs,
        env: call.env.clone(),
        intra,
        action_id,
        native: None,
    });
}

/// A native built-in's main stage.
fn run_native(
    cx: &Ctx<'_>,
    state: &mut State,
    index: usize,
    action: &dyn NativeAction,
    with: Vec<(String, String)>,
    env: BTreeMap<String, String>,
    step_name: &str,
) -> StepResult {
    let inputs: BTreeMap<String, String> = with.into_iter().collect();
    let mut process_env = super::process_step::full_env(cx.spec, state, env.clone());
    let inputs = match cx.container {
        Some(c) => c.for_native(&inputs, &mut process_env),
        None => inputs,
    };
    let actx = ActionContext {
        workspace: &cx.spec.dirs.workspace,
        inputs: &inputs,
        env: &env,
        github: cx.spec.contexts.get("github"),
        process_env: &process_env,
        changed_files: cx.spec.changed_files.as_deref(),
        job: &cx.spec.key.0,
        stores: cx.registry.stores(),
    };
    match action.run(&actx) {
        Ok(out) => {
            native_log(cx, index, out.log);
            if action.has_post() {
                state.posts.push(PostStep {
                    name: format!("Post {step_name}"),
                    action: ResolvedAction {
                        dir: std::path::PathBuf::new(),
                        action: None,
                        repository: None,
                        git_ref: None,
                        origin: Origin::Replaced,
                    },
                    inputs: inputs.clone(),
                    env: env.clone(),
                    intra: BTreeMap::new(),
                    action_id: String::new(),
                    native: Some(NativePost {
                        name: action.name(),
                        outputs: out.outputs.clone(),
                    }),
                });
            }
            for (k, v) in out.env {
                state.env.insert(k, v);
            }
            for p in out.path {
                state.path_prefix.insert(0, p);
            }
            StepResult {
                outcome: Conclusion::Success,
                outputs: out.outputs,
            }
        }
        Err(e) => fail(cx, index, e),
    }
}

/// A native action's log: `::notice::`, `::warning::` and `::error::`
/// lines become annotations, the rest is the step's output.
fn native_log(cx: &Ctx<'_>, index: usize, log: Vec<String>) {
    for line in log {
        if let Some(m) = line.strip_prefix("::warning::") {
            cx.annotate(index, AnnotationLevel::Warning, m.to_owned());
        } else if let Some(m) = line.strip_prefix("::error::") {
            cx.annotate(index, AnnotationLevel::Error, m.to_owned());
        } else if let Some(m) = line.strip_prefix("::notice::") {
            cx.annotate(index, AnnotationLevel::Notice, m.to_owned());
        } else {
            cx.emit(Event::Output {
                job: cx.spec.key.clone(),
                step: index,
                stream: Stream::Stdout,
                line: cx.masker.mask(&line),
            });
        }
    }
}

/// A native built-in's post step.
fn run_native_post(
    cx: &Ctx<'_>,
    state: &mut State,
    scope: &mut Scope,
    index: usize,
    post: &PostStep,
    native: &NativePost,
) {
    let spec = cx.spec;
    let t0 = Instant::now();
    let Some(action) = cx.registry.native(native.name) else {
        return;
    };
    let ctx = contexts_now(spec, state, scope, &state.env);
    let host = RunHost {
        contexts: &ctx,
        status: if state.job_status == Status::Cancelled {
            Status::Cancelled
        } else {
            scope.status
        },
        workspace: &spec.dirs.workspace,
    };
    let cond = ExprString::new(action.post_if(), Span::default());
    if !stage_condition(cx, index, Some(&cond), &host) {
        steps::finished(
            cx,
            scope,
            index,
            &post.name,
            Conclusion::Skipped,
            Conclusion::Skipped,
            t0,
        );
        return;
    }
    steps::started(cx, scope, index, &post.name);
    let mut process_env = super::process_step::full_env(spec, state, post.env.clone());
    // The inputs were translated for the main stage already.
    if let Some(c) = cx.container {
        c.for_native(&BTreeMap::new(), &mut process_env);
    }
    let actx = ActionContext {
        workspace: &spec.dirs.workspace,
        inputs: &post.inputs,
        env: &post.env,
        github: spec.contexts.get("github"),
        process_env: &process_env,
        changed_files: spec.changed_files.as_deref(),
        job: &spec.key.0,
        stores: cx.registry.stores(),
    };
    let outcome = match action.post(&actx, &native.outputs) {
        Ok(out) => {
            native_log(cx, index, out.log);
            Conclusion::Success
        }
        Err(e) => fail(cx, index, e).outcome,
    };
    scope.absorb(outcome);
    steps::finished(cx, scope, index, &post.name, outcome, outcome, t0);
}

/// Resolves the actions of the job's steps up front, as the runner does
/// when it sets up a job, and lists the pre steps to run. Actions in the
/// workspace (`./`, `$/`) have no pre step, as on GitHub. A failure to
/// resolve is reported by the step itself when its turn comes.
pub(super) async fn prepare(cx: &Ctx<'_>, state: &State, scope: &Scope) -> Vec<PreStep> {
    let spec = cx.spec;
    let mut pres = Vec::new();
    for (position, step) in spec.job.steps.iter().enumerate() {
        let Step::Uses(u) = step else { continue };
        let Some(uses) = &u.uses else { continue };
        if !matches!(uses.target, UsesTarget::Repo { .. }) {
            continue;
        }
        let Ok(Located::Action(resolved)) = locate(cx, &uses.target).await else {
            continue;
        };
        let has_pre = match resolved.action.as_ref().and_then(|a| a.runs.as_ref()) {
            Some(Runs::Node(n)) => n.pre.is_some(),
            Some(Runs::Docker(d)) => d.pre_entrypoint.is_some(),
            _ => false,
        };
        if !has_pre {
            continue;
        }
        let ctx = contexts_now(spec, state, scope, &state.env);
        let host = RunHost {
            contexts: &ctx,
            status: scope.status,
            workspace: &spec.dirs.workspace,
        };
        let name = match &u.common.name {
            Some(n) => eval::string(n, &host).unwrap_or_else(|_| n.raw.clone()),
            None => steps::default_step_name(step),
        };
        pres.push(PreStep {
            position,
            name: cx.masker.mask(&name),
            action: *resolved,
        });
    }
    pres
}

/// `pre-if` / `post-if`, default `always()`, with the job's status.
fn stage_condition(
    cx: &Ctx<'_>,
    index: usize,
    condition: Option<&ExprString>,
    host: &RunHost<'_>,
) -> bool {
    let c = Condition::Expr(
        condition
            .cloned()
            .unwrap_or_else(|| ExprString::new("always()", Span::default())),
    );
    match eval::condition(Some(&c), host) {
        Ok(b) => b,
        Err(e) => {
            cx.annotate(index, AnnotationLevel::Error, format!("condition: {e}"));
            false
        }
    }
}

/// Runs a pre step.
pub(super) async fn run_pre(
    cx: &Ctx<'_>,
    state: &mut State,
    scope: &mut Scope,
    index: usize,
    pre: &PreStep,
    cancel: watch::Receiver<bool>,
) {
    let spec = cx.spec;
    let t0 = Instant::now();
    let name = format!("Pre {}", pre.name);
    let Some(Step::Uses(u)) = spec.job.steps.get(pre.position) else {
        return;
    };
    let Some(action) = pre.action.action.as_ref() else {
        return;
    };
    let pre_if = match action.runs.as_ref() {
        Some(Runs::Node(n)) => n.pre_if.as_ref(),
        Some(Runs::Docker(d)) => d.pre_if.as_ref(),
        _ => return,
    };
    let ctx = contexts_now(spec, state, scope, &state.env);
    let host = RunHost {
        contexts: &ctx,
        status: scope.status,
        workspace: &spec.dirs.workspace,
    };
    // `pre-if` sees the action's inputs.
    let mut cond_ctx = ctx.clone();
    cond_ctx.set(
        "inputs",
        eval::object(&quiet_inputs(
            action,
            with_inputs(u, &host).unwrap_or_default(),
            &host,
        )),
    );
    let cond_host = RunHost {
        contexts: &cond_ctx,
        ..host
    };
    if !stage_condition(cx, index, pre_if, &cond_host) {
        steps::finished(
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
    steps::started(cx, scope, index, &name);
    let mut env = state.env.clone();
    let prepared = (|| {
        if let Some(e) = &u.common.env {
            env.extend(eval::env(e, &host).map_err(|e| format!("env: {e}"))?);
        }
        with_inputs(u, &host)
    })();
    let outcome = match prepared {
        Err(e) => fail(cx, index, e).outcome,
        Ok(with) => {
            let inputs = merge_inputs(cx, index, action, with, &host);
            let action_id = action_id(state, u);
            let done = match action.runs.as_ref() {
                Some(Runs::Node(n)) => {
                    node::run(
                        cx,
                        state,
                        NodeCall {
                            index,
                            stage: Stage::Pre,
                            action: &pre.action,
                            runs: n,
                            inputs: &inputs,
                            env,
                            intra: &BTreeMap::new(),
                            action_id: &action_id,
                            timeout: None,
                        },
                        cancel,
                    )
                    .await
                }
                Some(Runs::Docker(d)) => {
                    let raw = u.uses.as_ref().map_or("", |x| x.raw.as_str());
                    match docker_action::stage(raw, d, &pre.action, &inputs, &host, Stage::Pre) {
                        Ok(stage) => {
                            docker_action::run(
                                cx,
                                state,
                                docker_action::Run {
                                    index,
                                    stage: &stage,
                                    inputs: &inputs,
                                    env,
                                    resolved: Some(&pre.action),
                                    action_id: &action_id,
                                    intra: &BTreeMap::new(),
                                    timeout: None,
                                },
                                cancel,
                            )
                            .await
                        }
                        Err(e) => {
                            scope.absorb(fail(cx, index, e).outcome);
                            steps::finished(
                                cx,
                                scope,
                                index,
                                &name,
                                Conclusion::Failure,
                                Conclusion::Failure,
                                t0,
                            );
                            return;
                        }
                    }
                }
                _ => return,
            };
            state.pre_state.insert(pre.position, done.state);
            done.outcome
        }
    };
    scope.absorb(outcome);
    steps::finished(cx, scope, index, &name, outcome, outcome, t0);
}

/// Runs a post step (at the end of the job, after failures too).
pub(super) async fn run_post(
    cx: &Ctx<'_>,
    state: &mut State,
    scope: &mut Scope,
    index: usize,
    post: PostStep,
    cancel: watch::Receiver<bool>,
) {
    if let Some(native) = &post.native {
        run_native_post(cx, state, scope, index, &post, native);
        return;
    }
    let spec = cx.spec;
    let t0 = Instant::now();
    let runs = post.action.action.as_ref().and_then(|a| a.runs.as_ref());
    let post_if = match runs {
        Some(Runs::Node(n)) => n.post_if.as_ref(),
        Some(Runs::Docker(d)) => d.post_if.as_ref(),
        _ => return,
    };
    // `post-if` sees the action's inputs.
    let mut ctx = contexts_now(spec, state, scope, &state.env);
    ctx.set("inputs", eval::object(&post.inputs));
    let host = RunHost {
        contexts: &ctx,
        status: if state.job_status == Status::Cancelled {
            Status::Cancelled
        } else {
            scope.status
        },
        workspace: &spec.dirs.workspace,
    };
    if !stage_condition(cx, index, post_if, &host) {
        steps::finished(
            cx,
            scope,
            index,
            &post.name,
            Conclusion::Skipped,
            Conclusion::Skipped,
            t0,
        );
        return;
    }
    steps::started(cx, scope, index, &post.name);
    let done = match runs {
        Some(Runs::Node(n)) => {
            node::run(
                cx,
                state,
                NodeCall {
                    index,
                    stage: Stage::Post,
                    action: &post.action,
                    runs: n,
                    inputs: &post.inputs,
                    env: post.env.clone(),
                    intra: &post.intra,
                    action_id: &post.action_id,
                    timeout: None,
                },
                cancel,
            )
            .await
        }
        Some(Runs::Docker(d)) => {
            let what = post
                .action
                .repository
                .clone()
                .unwrap_or_else(|| post.action.dir.display().to_string());
            match docker_action::stage(&what, d, &post.action, &post.inputs, &host, Stage::Post) {
                Ok(stage) => {
                    docker_action::run(
                        cx,
                        state,
                        docker_action::Run {
                            index,
                            stage: &stage,
                            inputs: &post.inputs,
                            env: post.env.clone(),
                            resolved: Some(&post.action),
                            action_id: &post.action_id,
                            intra: &post.intra,
                            timeout: None,
                        },
                        cancel,
                    )
                    .await
                }
                Err(e) => {
                    let failed = fail(cx, index, e).outcome;
                    scope.absorb(failed);
                    steps::finished(cx, scope, index, &post.name, failed, failed, t0);
                    return;
                }
            }
        }
        _ => return,
    };
    scope.absorb(done.outcome);
    steps::finished(cx, scope, index, &post.name, done.outcome, done.outcome, t0);
}
