//! JavaScript actions (`node12` … `node24`): one stage (`pre`, `main` or
//! `post`) run with the `node` on the host's PATH, as a process step.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use gantry_workflow::{NodeRuns, NodeVersion};
use tokio::sync::watch;

use super::process_step::{self, ProcessDone, ProcessStep};
use super::{Ctx, State};
use crate::commands::AnnotationLevel;
use crate::event::Conclusion;
use crate::resolve::{self, ResolvedAction};

/// The `node` found on PATH.
#[derive(Clone, Debug)]
pub(super) struct NodeInfo {
    pub path: PathBuf,
    /// `v20.11.1`
    pub version: String,
    pub major: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    Pre,
    Main,
    Post,
}

/// One stage of a JavaScript action.
pub(super) struct NodeCall<'a> {
    pub index: usize,
    pub stage: Stage,
    pub action: &'a ResolvedAction,
    pub runs: &'a NodeRuns,
    pub inputs: &'a BTreeMap<String, String>,
    /// The step's environment (before the runner's).
    pub env: BTreeMap<String, String>,
    /// `STATE_*` saved by earlier stages.
    pub intra: &'a BTreeMap<String, String>,
    pub action_id: &'a str,
    pub timeout: Option<Duration>,
}

/// The major Node.js version a runtime names.
pub fn wanted_major(v: NodeVersion) -> u32 {
    match v {
        NodeVersion::Node12 => 12,
        NodeVersion::Node16 => 16,
        NodeVersion::Node20 => 20,
        NodeVersion::Node24 => 24,
    }
}

/// `INPUT_<NAME>`: upper case, spaces turned into `_`, as the runner does.
pub fn input_var(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
}

/// Finds `node` on a PATH and asks its version.
pub(super) fn find_node(path_var: &str) -> Result<NodeInfo, String> {
    let path = std::env::split_paths(path_var)
        .find(|d| {
            d.to_str()
                .is_some_and(|s| !s.is_empty() && crate::shell::on_path("node", Some(s)))
        })
        .map(|d| d.join("node"))
        .ok_or_else(|| "there is no `node` on PATH".to_owned())?;
    let out = std::process::Command::new(&path)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let major = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("{} --version printed `{version}`", path.display()))?;
    Ok(NodeInfo {
        path,
        version,
        major,
    })
}

fn failed() -> ProcessDone {
    ProcessDone {
        outcome: Conclusion::Failure,
        outputs: BTreeMap::new(),
        state: BTreeMap::new(),
    }
}

/// Runs one stage.
pub(super) async fn run(
    cx: &Ctx<'_>,
    state: &mut State,
    call: NodeCall<'_>,
    cancel: watch::Receiver<bool>,
) -> ProcessDone {
    let spec = cx.spec;
    let index = call.index;
    let what = call
        .action
        .repository
        .clone()
        .unwrap_or_else(|| call.action.dir.display().to_string());
    let script = match call.stage {
        Stage::Pre => call.runs.pre.as_ref(),
        Stage::Main => call.runs.main.as_ref(),
        Stage::Post => call.runs.post.as_ref(),
    };
    let Some(script) = script else {
        cx.annotate(
            index,
            AnnotationLevel::Error,
            format!("`{what}` has no `runs.main`"),
        );
        return failed();
    };
    let target = match resolve::safe_join(&call.action.dir, &script.raw) {
        Ok(t) if t.is_file() => t,
        Ok(t) => {
            cx.annotate(
                index,
                AnnotationLevel::Error,
                format!(
                    "`{what}`: the script {} named by the action does not exist",
                    t.display()
                ),
            );
            return failed();
        }
        Err(e) => {
            cx.annotate(index, AnnotationLevel::Error, format!("`{what}`: {e}"));
            return failed();
        }
    };
    let wanted = wanted_major(call.runs.using.value);
    let node = state
        .node
        .get_or_insert_with(|| find_node(spec.base_env.get("PATH").map_or("", String::as_str)))
        .clone();
    let node = match node {
        Ok(n) => n,
        Err(e) => {
            cx.annotate(
                index,
                AnnotationLevel::Error,
                format!(
                    "`{what}` is a JavaScript action that needs Node.js {wanted} (runs.using: node{wanted}), and {e}; install Node.js {wanted}"
                ),
            );
            return failed();
        }
    };
    if node.major != wanted && call.stage == Stage::Main {
        cx.annotate(
            index,
            AnnotationLevel::Warning,
            format!(
                "`{what}` targets Node.js {wanted} (runs.using: node{wanted}); running it with the node {} on PATH",
                node.version
            ),
        );
    }
    if let Some(why) = cx.container.and_then(|c| c.node_unusable()) {
        cx.annotate(index, AnnotationLevel::Error, format!("`{what}`: {why}"));
        return failed();
    }
    // Only a job's container needs to know which variables the workflow set.
    let declared = match cx.container {
        Some(_) => call.env.keys().cloned().collect(),
        None => std::collections::BTreeSet::new(),
    };
    let mut env = process_step::full_env(spec, state, call.env);
    for (k, v) in call.inputs {
        env.insert(input_var(k), v.clone());
    }
    for (k, v) in call.intra {
        env.insert(format!("STATE_{k}"), v.clone());
    }
    env.insert(
        "GITHUB_ACTION_PATH".to_owned(),
        call.action.dir.to_string_lossy().into_owned(),
    );
    env.insert(
        "GITHUB_ACTION_REPOSITORY".to_owned(),
        call.action.repository.clone().unwrap_or_default(),
    );
    env.insert(
        "GITHUB_ACTION_REF".to_owned(),
        call.action.git_ref.clone().unwrap_or_default(),
    );
    env.insert("GITHUB_ACTION".to_owned(), call.action_id.to_owned());
    env.extend(spec.action_env.iter().cloned());
    let target_s = target.to_string_lossy().into_owned();
    let p = ProcessStep {
        program: node.path.to_string_lossy().into_owned(),
        args: vec![target_s.clone()],
        cwd: spec.dirs.workspace.clone(),
        env,
        timeout: call.timeout,
        command: format!("{} {target_s}", node.path.display()),
        annotate_exit: false,
        docker: None,
        declared,
    };
    process_step::run(cx, state, index, p, cancel).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_names() {
        assert_eq!(input_var("my input"), "INPUT_MY INPUT".replace(' ', "_"));
        assert_eq!(input_var("fetch-depth"), "INPUT_FETCH-DEPTH");
    }
}
