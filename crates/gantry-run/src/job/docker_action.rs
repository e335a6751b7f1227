//! Docker actions (`runs.using: docker`, `docker://` steps): their stages
//! (`pre-entrypoint`, `entrypoint`, `post-entrypoint`), `args` and `env`
//! evaluated with the `inputs` context, and the environment the container
//! gets (`INPUT_*`, `STATE_*`, the action's `env`, then the step's).

use std::collections::BTreeMap;
use std::time::Duration;

use gantry_container::options;
use gantry_workflow::DockerRuns;
use tokio::sync::watch;

use super::containers::{DockerRun, ImageSource};
use super::node::{self, Stage as Which};
use super::process_step::{self, ProcessDone, ProcessStep};
use super::uses::Call;
use super::{Ctx, State};
use crate::eval::{self, RunHost};
use crate::resolve::{self, ResolvedAction};

/// One stage of a Docker action, ready to run.
pub(super) struct Stage {
    pub run: DockerRun,
    /// The action's `env`, evaluated.
    pub env: BTreeMap<String, String>,
}

/// The stage `which` of the Docker action `d` (`uses` names it in
/// messages): the image, the entrypoint of that stage (the image's own
/// for the main stage when `entrypoint` is not set), `args` and `env`.
pub(super) fn stage(
    uses: &str,
    d: &DockerRuns,
    resolved: &ResolvedAction,
    inputs: &BTreeMap<String, String>,
    host: &RunHost<'_>,
    which: Which,
) -> Result<Stage, String> {
    let mut ctx = host.contexts.clone();
    ctx.set("inputs", eval::object(inputs));
    let ihost = RunHost {
        contexts: &ctx,
        status: host.status,
        workspace: host.workspace,
    };
    let image = d
        .image
        .as_ref()
        .map(|i| i.raw.trim().to_owned())
        .unwrap_or_default();
    let image = match image.strip_prefix("docker://") {
        Some(i) => ImageSource::Image(i.to_owned()),
        None => ImageSource::Dockerfile(resolve::safe_join(&resolved.dir, &image)?),
    };
    let args = if d.args.is_empty() {
        args_input(inputs)?
    } else {
        d.args
            .iter()
            .map(|a| eval::string(a, &ihost).map_err(|e| format!("runs.args: {e}")))
            .collect::<Result<Vec<_>, _>>()?
    };
    let (field, entrypoint) = match which {
        Which::Pre => ("pre-entrypoint", d.pre_entrypoint.as_ref()),
        Which::Main => ("entrypoint", d.entrypoint.as_ref()),
        Which::Post => ("post-entrypoint", d.post_entrypoint.as_ref()),
    };
    let entrypoint = entrypoint
        .map(|e| eval::string(e, &ihost))
        .transpose()
        .map_err(|e| format!("runs.{field}: {e}"))?
        .filter(|e| !e.is_empty())
        .or_else(|| {
            (which == Which::Main)
                .then(|| input(inputs, "entrypoint"))
                .flatten()
        });
    let env = d
        .env
        .as_ref()
        .map(|e| eval::env(e, &ihost))
        .transpose()
        .map_err(|e| format!("runs.env: {e}"))?
        .unwrap_or_default()
        .into_iter()
        .collect();
    Ok(Stage {
        run: DockerRun {
            what: uses.to_owned(),
            image,
            entrypoint,
            args,
        },
        env,
    })
}

/// An input by name, in any case, when not empty.
fn input(inputs: &BTreeMap<String, String>, name: &str) -> Option<String> {
    inputs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
        .filter(|v| !v.trim().is_empty())
}

/// `with: args`, split as a shell would: a Docker action's arguments when
/// its metadata gives none.
fn args_input(inputs: &BTreeMap<String, String>) -> Result<Vec<String>, String> {
    match input(inputs, "args") {
        Some(a) => options::split_words(&a).map_err(|e| format!("with.args: {e}")),
        None => Ok(Vec::new()),
    }
}

/// A Docker action without metadata (`docker://image`, or a folder with
/// only a `Dockerfile`): `with: args` and `with: entrypoint` set its
/// arguments and entrypoint.
pub(super) fn bare(
    uses: &str,
    image: ImageSource,
    inputs: &BTreeMap<String, String>,
) -> Result<Stage, String> {
    Ok(Stage {
        run: DockerRun {
            what: uses.to_owned(),
            image,
            entrypoint: input(inputs, "entrypoint"),
            args: args_input(inputs)?,
        },
        env: BTreeMap::new(),
    })
}

/// A stage about to run.
pub(super) struct Run<'a> {
    pub index: usize,
    pub stage: &'a Stage,
    pub inputs: &'a BTreeMap<String, String>,
    /// The step's environment (scope env and the step's `env:`).
    pub env: BTreeMap<String, String>,
    pub resolved: Option<&'a ResolvedAction>,
    pub action_id: &'a str,
    /// `STATE_*`: what the earlier stages saved.
    pub intra: &'a BTreeMap<String, String>,
    pub timeout: Option<Duration>,
}

/// The main stage of a `uses:` step.
#[allow(clippy::too_many_arguments)]
pub(super) async fn run_main(
    cx: &Ctx<'_>,
    state: &mut State,
    call: &Call<'_>,
    stage: &Stage,
    inputs: &BTreeMap<String, String>,
    resolved: Option<&ResolvedAction>,
    action_id: &str,
    intra: &BTreeMap<String, String>,
    cancel: watch::Receiver<bool>,
) -> ProcessDone {
    run(
        cx,
        state,
        Run {
            index: call.index,
            stage,
            inputs,
            env: call.env.clone(),
            resolved,
            action_id,
            intra,
            timeout: call.timeout,
        },
        cancel,
    )
    .await
}

/// Runs a stage in a container of its own.
pub(super) async fn run(
    cx: &Ctx<'_>,
    state: &mut State,
    r: Run<'_>,
    cancel: watch::Receiver<bool>,
) -> ProcessDone {
    let spec = cx.spec;
    let mut step_env = r.stage.env.clone();
    step_env.extend(r.env);
    let declared = step_env.keys().cloned().collect();
    let mut env = process_step::full_env(spec, state, step_env);
    for (k, v) in r.inputs {
        env.insert(node::input_var(k), v.clone());
    }
    for (k, v) in r.intra {
        env.insert(format!("STATE_{k}"), v.clone());
    }
    if let Some(a) = r.resolved {
        for (k, v) in [
            ("GITHUB_ACTION_PATH", a.dir.to_string_lossy().into_owned()),
            (
                "GITHUB_ACTION_REPOSITORY",
                a.repository.clone().unwrap_or_default(),
            ),
            ("GITHUB_ACTION_REF", a.git_ref.clone().unwrap_or_default()),
        ] {
            env.insert(k.to_owned(), v);
        }
    }
    env.insert("GITHUB_ACTION".to_owned(), r.action_id.to_owned());
    env.extend(spec.action_env.iter().cloned());
    let run = &r.stage.run;
    let mut command = run.image.describe();
    if let Some(e) = &run.entrypoint {
        command.push_str(&format!(" (entrypoint {e})"));
    }
    for a in &run.args {
        command.push(' ');
        command.push_str(a);
    }
    let p = ProcessStep {
        program: String::new(),
        args: Vec::new(),
        cwd: spec.dirs.workspace.clone(),
        env,
        timeout: r.timeout,
        command,
        annotate_exit: true,
        docker: Some(run.clone()),
        declared,
    };
    process_step::run(cx, state, r.index, p, cancel).await
}
