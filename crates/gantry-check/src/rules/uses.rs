//! Rules: what `uses:` steps refer to — retired action versions, the inputs
//! and outputs of local and popular actions, and old runtimes in action
//! metadata.

mod popular;
pub(crate) mod refs;

use std::collections::HashMap;

use gantry_diagnostics::{Diagnostic, Span};
use gantry_workflow::{
    Action, Job, NodeVersion, Runs, Scalar, Step, UsesStep, UsesTarget, Workflow,
};

use crate::Cx;
use crate::retired;
use crate::rules::jobs::suggest_ci;

/// The rule ids this module reports, with one line each.
pub const RULES: &[(&str, &str)] = &[
    (
        "retired-action",
        "an action version GitHub has retired or deprecated (warning)",
    ),
    (
        "action-runtime",
        "action metadata running on Node.js 12 or 16, which GitHub's runners no longer support (warning)",
    ),
    (
        "local-action",
        "`with:` inputs a local action does not define or requires, or a local action not found (warning)",
    ),
    (
        popular::ACTION_INPUT,
        "`with:` inputs a popular action does not have or requires, or deprecated ones (warning)",
    ),
    (
        popular::ACTION_OUTPUT,
        "`steps.<id>.outputs.<name>` naming an output a popular action does not set (warning)",
    ),
];

/// A loaded local action, or why there is none.
enum Loaded {
    Found { path: String, action: Box<Action> },
    Missing,
    Unreadable,
}

/// Local actions read while checking one file.
#[derive(Default)]
struct Cache(HashMap<String, Loaded>);

impl Cache {
    fn get(&mut self, cx: &Cx<'_>, dir: &str) -> &Loaded {
        self.0.entry(dir.to_owned()).or_insert_with(|| {
            let base = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            for name in ["action.yml", "action.yaml"] {
                let path = format!("{base}{name}");
                if let Some(text) = cx.repo.read(&path) {
                    return match gantry_workflow::parse_action(&text).0 {
                        Some(action) => Loaded::Found {
                            path,
                            action: Box::new(action),
                        },
                        None => Loaded::Unreadable,
                    };
                }
            }
            Loaded::Missing
        })
    }
}

/// The directory of a local action (`./a/b/` → `a/b`, `./` → ``).
pub(crate) fn local_dir(path: &str) -> String {
    let mut p = path.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    if p == "." {
        p = "";
    }
    p.trim_end_matches('/').to_owned()
}

pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    let mut cache = Cache::default();
    for job in &wf.jobs {
        let Job::Normal(job) = job else {
            continue;
        };
        let mut state = JobState::default();
        check_steps(cx, &mut cache, &job.steps, &mut state);
        let outputs: Vec<refs::Text<'_>> = job
            .outputs
            .iter()
            .map(|(_, v)| refs::Text {
                raw: &v.raw,
                span: v.span,
                condition: false,
            })
            .collect();
        popular::check_outputs(cx, &job.steps, &outputs);
    }
}

pub fn check_action(cx: &mut Cx<'_>, action: &Action) {
    match &action.runs {
        Some(Runs::Node(node)) => {
            let version = match node.using.value {
                NodeVersion::Node12 => Some("node12"),
                NodeVersion::Node16 => Some("node16"),
                NodeVersion::Node20 | NodeVersion::Node24 => None,
            };
            if let Some(v) = version {
                cx.push(
                    Diagnostic::warning(
                        "action-runtime",
                        node.using.span,
                        format!(
                            "`using: {v}`: GitHub's runners no longer run Node.js {}",
                            &v[4..]
                        ),
                    )
                    .with_hint("use `node24` (or `node20`)"),
                );
            }
        }
        Some(Runs::Composite(runs)) => {
            let mut cache = Cache::default();
            let mut state = JobState::default();
            check_steps(cx, &mut cache, &runs.steps, &mut state);
            popular::check_outputs(cx, &runs.steps, &[]);
        }
        _ => {}
    }
}

/// What earlier steps of a job did that matters for later ones.
#[derive(Default)]
struct JobState {
    /// An earlier step may have put other files into the workspace (a
    /// checkout of another repository or into a sub-directory, a download),
    /// so a missing local action is not certain to be missing.
    workspace_changed: bool,
}

fn check_steps(cx: &mut Cx<'_>, cache: &mut Cache, steps: &[Step], state: &mut JobState) {
    for step in steps {
        match step {
            Step::Uses(s) => {
                check_uses_step(cx, cache, s, state);
                note_workspace(s, state);
            }
            Step::Run(_) => {}
            Step::Parallel(g) => check_steps(cx, cache, &g.steps, state),
        }
    }
}

fn note_workspace(s: &UsesStep, state: &mut JobState) {
    let Some(uses) = &s.uses else {
        return;
    };
    match &uses.target {
        UsesTarget::Repo { owner, repo, .. }
            if owner.eq_ignore_ascii_case("actions") && repo.eq_ignore_ascii_case("checkout") =>
        {
            if s.with.get("repository").is_some() || s.with.get("path").is_some() {
                state.workspace_changed = true;
            }
        }
        _ => state.workspace_changed = true,
    }
}

fn check_uses_step(cx: &mut Cx<'_>, cache: &mut Cache, s: &UsesStep, state: &JobState) {
    let Some(uses) = &s.uses else {
        return;
    };
    match &uses.target {
        UsesTarget::Repo {
            owner,
            repo,
            path,
            git_ref,
        } => {
            let name = match path {
                Some(p) => format!("{owner}/{repo}/{p}"),
                None => format!("{owner}/{repo}"),
            };
            popular::check_inputs(cx, s);
            if let Some(r) = retired::lookup(&name, git_ref) {
                cx.push(
                    Diagnostic::warning(
                        "retired-action",
                        uses.span,
                        format!("`{}` {}", uses.raw.trim(), r.reason),
                    )
                    .with_hint(format!("use `{}`", r.use_instead)),
                );
            }
        }
        UsesTarget::Local { path } => {
            let dir = local_dir(path);
            check_local(cx, cache, s, uses.span, path, &dir, state);
        }
        UsesTarget::SelfRepo { path } => {
            let dir = local_dir(path);
            check_local(cx, cache, s, uses.span, path, &dir, state);
        }
        UsesTarget::Docker { .. } => {}
    }
}

fn check_local(
    cx: &mut Cx<'_>,
    cache: &mut Cache,
    s: &UsesStep,
    span: Span,
    written: &str,
    dir: &str,
    state: &JobState,
) {
    let (path, action) = match cache.get(cx, dir) {
        Loaded::Found { path, action } => (path, action),
        Loaded::Unreadable => return,
        Loaded::Missing => {
            if cx.path.is_some() && !state.workspace_changed {
                let shown = if dir.is_empty() { "." } else { dir };
                // GitHub only fails when the step runs (an earlier step could
                // create the directory), so this is a warning.
                cx.push(
                    Diagnostic::warning(
                        "local-action",
                        span,
                        format!("local action `{written}` not found: no `action.yml` or `action.yaml` in `{shown}`"),
                    )
                    .with_hint("local paths are relative to the repository root, e.g. `./.github/actions/build`"),
                );
            }
            return;
        }
    };
    check_inputs(cx, s, span, written, path, action);
}

fn check_inputs(
    cx: &mut Cx<'_>,
    s: &UsesStep,
    span: Span,
    written: &str,
    path: &str,
    action: &Action,
) {
    let is_docker = matches!(action.runs, Some(Runs::Docker(_)));
    let names: Vec<&str> = action
        .inputs
        .iter()
        .map(|i| i.name.value.as_str())
        .collect();
    for (key, _) in &s.with.entries {
        let k = key.value.as_str();
        let input = action
            .inputs
            .iter()
            .find(|i| i.name.value.eq_ignore_ascii_case(k));
        match input {
            Some(input) => {
                if let Some(msg) = &input.deprecation_message {
                    cx.push(Diagnostic::warning(
                        "local-action",
                        key.span,
                        format!(
                            "input `{k}` of `{written}` is deprecated: {}",
                            msg.raw.trim()
                        ),
                    ));
                }
            }
            None if (k == "args" || k == "entrypoint") && is_docker => {}
            None if k == "args" || k == "entrypoint" => cx.push(
                Diagnostic::error(
                    "local-action",
                    key.span,
                    format!(
                        "`with.{k}` only applies to Docker container actions, and `{written}` is not one"
                    ),
                )
                .with_hint(format!("remove `{k}`, or pass the value through an input")),
            ),
            None => {
                let mut d = Diagnostic::error(
                    "local-action",
                    key.span,
                    format!("`{written}` has no input `{k}` (see {path})"),
                );
                d = match suggest_ci(&names, k) {
                    Some(c) => d.with_hint(format!("did you mean `{c}`?")),
                    None if names.is_empty() => d.with_hint("the action declares no inputs"),
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
            }
        }
    }
    for input in &action.inputs {
        let required = input.required.as_ref().is_some_and(|r| r.value);
        if !required || input.default.is_some() {
            continue;
        }
        let name = input.name.value.as_str();
        let given =
            s.with.entries.iter().any(|(k, v)| {
                k.value.eq_ignore_ascii_case(name) && !matches!(v, Scalar::Null { .. })
            });
        if !given {
            cx.push(
                Diagnostic::error(
                    "local-action",
                    span,
                    format!(
                        "`{written}` requires input `{name}` (see {path}), which is not given in `with:`"
                    ),
                )
                .with_hint(format!("add `{name}: …` under `with:`")),
            );
        }
    }
}
