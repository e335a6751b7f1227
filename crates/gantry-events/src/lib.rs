//! Builds the event GitHub would send — its webhook payload, the refs and
//! changed files the triggers test, and the `github` context — from a local
//! git repository.
//!
//! It reads the repository through the `git` command line (never the
//! network, never changing anything) and produces a [`gantry_plan::Event`]
//! for the planner:
//!
//! ```no_run
//! use gantry_events::{Options, build_event};
//! let opts = Options { event: "pull_request".into(), ..Options::default() };
//! let event = build_event(std::path::Path::new("."), &opts)?;
//! assert_eq!(event.github.get("event_name").and_then(|v| v.as_str()), Some("pull_request"));
//! # Ok::<(), gantry_events::Error>(())
//! ```
//!
//! What git cannot tell (GitHub's ids, the run number, the actor's login) is
//! filled with stable placeholders or taken from [`Options`]. A payload file
//! (`Options::event_path`) is merged over what git provides, and wins.

#![recursion_limit = "256"]

mod context;
pub mod git;
pub mod identity;
mod payload;
mod repo;

use std::path::PathBuf;

pub use gantry_plan::Event;
pub use git::{Git, ZERO_SHA};
pub use identity::Identity;
pub use repo::{CommitRepo, WorktreeRepo};

/// What to build and how; every field is optional but the event name.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The event name (`push`, `pull_request`, `workflow_dispatch`, …);
    /// empty means `push`.
    pub event: String,
    /// The activity type (`--action`), e.g. `opened`, `published`.
    pub action: Option<String>,
    /// The ref (`--ref`): for push the pushed ref, for pull requests the
    /// head branch, for `workflow_dispatch` the ref it runs on. A short name
    /// is a branch unless only a tag of that name exists.
    pub git_ref: Option<String>,
    /// `--before`: the commit the pushed ref pointed at before the push.
    pub before: Option<String>,
    /// `--after`: the commit pushed (push), or the pull request's head.
    pub after: Option<String>,
    /// `--base`: the pull request's base branch (default: the default branch).
    pub base: Option<String>,
    /// `--number`: the pull request's number (default 1).
    pub number: Option<u64>,
    /// `--input key=value`, in order.
    pub inputs: Vec<(String, String)>,
    /// `--schedule CRON`: the schedule that fired.
    pub schedule: Option<String>,
    /// `--tag`: the release's tag (default: the latest tag).
    pub tag: Option<String>,
    /// `--workflow NAME`: for `workflow_run`, the workflow that ran.
    pub workflow: Option<String>,
    /// `--eventpath FILE.json`: a payload merged over the one built from git.
    pub event_path: Option<PathBuf>,
    /// `--default-branch`.
    pub default_branch: Option<String>,
    /// `--actor`: the login of the user that triggered the event.
    pub actor: Option<String>,
    /// `--repository owner/name`.
    pub repository: Option<String>,
    /// `--github-server-url` (default `https://github.com`).
    pub server_url: Option<String>,
    /// `--changed PATH…`: the changed files, instead of git's.
    pub changed: Option<Vec<String>>,
}

/// Why an event could not be built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`git` was not found on PATH; gantry reads the repository with it")]
    GitMissing,
    #[error("{} is not inside a git repository: {message}", path.display())]
    NotARepository { path: PathBuf, message: String },
    #[error("the repository has no commits yet")]
    NoCommits,
    #[error("`{command}` failed: {message}")]
    Git { command: String, message: String },
    #[error("{what}: `{rev}` names no commit in this repository")]
    BadRevision { what: String, rev: String },
    #[error("HEAD is detached: pass --ref BRANCH to say which branch the {event} is for")]
    Detached { event: String },
    #[error("the base branch `{0}` exists neither locally nor as origin/{0}")]
    BadBase(String),
    #[error("`{0}` is not owner/name")]
    BadRepository(String),
    #[error("`{0}` is not KEY=VALUE")]
    BadInput(String),
    #[error("there is no tag to release: pass --tag NAME")]
    NoTag,
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a JSON object: {message}", path.display())]
    BadPayload { path: PathBuf, message: String },
}

/// Parses `KEY=VALUE` (the value may be empty or contain `=`).
pub fn parse_input(s: &str) -> Result<(String, String), Error> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(Error::BadInput(s.to_owned())),
    }
}

/// Builds the event from the git repository that contains `dir`.
pub fn build_event(dir: &std::path::Path, opts: &Options) -> Result<Event, Error> {
    let git = Git::discover(dir)?;
    build_event_with(&git, opts)
}

/// Builds the event from an opened repository.
pub fn build_event_with(git: &Git, opts: &Options) -> Result<Event, Error> {
    let name = if opts.event.trim().is_empty() {
        "push".to_owned()
    } else {
        opts.event.trim().to_owned()
    };
    let identity = identity::identify(
        git,
        opts.repository.as_deref(),
        opts.actor.as_deref(),
        opts.server_url.as_deref(),
        opts.default_branch.as_deref(),
    )?;
    let file = match &opts.event_path {
        Some(path) => Some(read_payload(path)?),
        None => None,
    };
    let mut facts = payload::build(git, &identity, &name, opts, file)?;
    if let Some(changed) = &opts.changed {
        facts.changed = Some(changed.clone());
    }
    let event_path = opts
        .event_path
        .as_ref()
        .map(|p| {
            std::path::absolute(p)
                .unwrap_or_else(|_| p.clone())
                .to_string_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    let github = context::github_context(&name, &identity, &facts, git.root(), &event_path);
    Ok(Event {
        name,
        action: facts.action.clone(),
        git_ref: facts.filter_ref.clone(),
        head_ref: facts.head_ref.clone(),
        base_ref: facts.base_ref.clone(),
        changed_files: facts.changed.clone(),
        schedule: facts.schedule.clone(),
        default_branch: identity.default_branch.clone(),
        workflow_run: facts.workflow_run.clone(),
        raw_inputs: facts.raw_inputs.clone(),
        github,
        vars: gantry_expr::Object::new(),
    })
}

fn read_payload(
    path: &std::path::Path,
) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        what: format!("cannot read {}", path.display()),
        source: e,
    })?;
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(other) => Err(Error::BadPayload {
            path: path.to_path_buf(),
            message: format!("the file holds a JSON {}", json_kind(&other)),
        }),
        Err(e) => Err(Error::BadPayload {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}
