//! Checks for GitHub Actions workflow files and action metadata.
//!
//! [`check_workflow`] and [`check_action`] load a file with
//! `gantry-workflow` (which reports syntax and shape problems) and run every
//! rule in [`rules`] over the model. Everything is pure: files the checks
//! need to see (a local action's `action.yml`, a called reusable workflow)
//! are read through the [`Repo`] trait the caller provides.
//!
//! Every rule has a stable id (see [`RULES`] and `docs/rules.md`); the
//! configuration can turn rules off by id.

pub mod availability;
pub mod config;
pub mod contexts;
pub mod labels;
pub mod locate;
pub mod popular_actions;
pub mod retired;
pub mod rules;

pub use config::{Config, ConfigError};
pub use gantry_diagnostics::{Diagnostic, Pos, Severity, Span};

/// Read access to the repository being checked, for local actions and
/// reusable workflows. Paths are relative to the repository root, with `/`.
pub trait Repo {
    /// The text of a file, or `None` when it does not exist.
    fn read(&self, path: &str) -> Option<String>;
}

/// A repository with no files (checks that need one are skipped).
pub struct NoRepo;

impl Repo for NoRepo {
    fn read(&self, _path: &str) -> Option<String> {
        None
    }
}

/// What the rules share while checking one file.
pub struct Cx<'a> {
    /// The file's text.
    pub src: &'a str,
    /// The file's path relative to the repository root, when known.
    pub path: Option<&'a str>,
    pub config: &'a Config,
    pub repo: &'a dyn Repo,
    diags: Vec<Diagnostic>,
}

impl<'a> Cx<'a> {
    pub fn new(
        src: &'a str,
        path: Option<&'a str>,
        config: &'a Config,
        repo: &'a dyn Repo,
    ) -> Self {
        Cx {
            src,
            path,
            config,
            repo,
            diags: Vec::new(),
        }
    }

    /// Records a finding.
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn finish(self) -> Vec<Diagnostic> {
        let config = self.config;
        let mut diags: Vec<Diagnostic> = self
            .diags
            .into_iter()
            .filter(|d| config.rule_enabled(d.rule))
            .collect();
        diags.sort_by(|a, b| {
            (a.span.start.offset, a.span.end.offset, a.rule, &a.message).cmp(&(
                b.span.start.offset,
                b.span.end.offset,
                b.rule,
                &b.message,
            ))
        });
        diags.dedup();
        diags
    }
}

/// Checks a workflow file. `path` is its path relative to the repository
/// root (e.g. `.github/workflows/ci.yml`), used to resolve local calls.
pub fn check_workflow(
    src: &str,
    path: Option<&str>,
    config: &Config,
    repo: &dyn Repo,
) -> Vec<Diagnostic> {
    let (workflow, load_diags) = gantry_workflow::parse_workflow(src);
    let mut cx = Cx::new(src, path, config, repo);
    for d in load_diags {
        cx.push(d);
    }
    if let Some(wf) = &workflow {
        rules::check_workflow(&mut cx, wf);
    }
    cx.finish()
}

/// Checks action metadata (`action.yml`).
pub fn check_action(
    src: &str,
    path: Option<&str>,
    config: &Config,
    repo: &dyn Repo,
) -> Vec<Diagnostic> {
    let (action, load_diags) = gantry_workflow::parse_action(src);
    let mut cx = Cx::new(src, path, config, repo);
    for d in load_diags {
        cx.push(d);
    }
    if let Some(action) = &action {
        rules::check_action(&mut cx, action);
    }
    cx.finish()
}

/// Every rule id with one line on what it finds: the loader's, then each
/// rule module's. `docs/rules.md` has the same table; a test keeps them in
/// step.
pub fn all_rules() -> Vec<(&'static str, &'static str)> {
    let mut all = LOAD_RULES.to_vec();
    for table in rules::TABLES {
        all.extend_from_slice(table);
    }
    all
}

/// Rules reported while loading (by `gantry-yaml` and `gantry-workflow`).
pub const LOAD_RULES: &[(&str, &str)] = &[
    ("yaml-syntax", "the file is not valid YAML"),
    ("duplicate-key", "a mapping key is written twice"),
    ("extra-document", "a second YAML document in one file"),
    ("unknown-key", "a key GitHub does not know at that place"),
    ("wrong-type", "a value of the wrong type"),
    ("missing-key", "a required key is missing"),
    ("invalid-value", "a value outside the allowed set"),
    ("conflicting-keys", "keys that cannot be used together"),
    (
        "number-version",
        "a version written as a number (`3.10` is read as 3.1)",
    ),
    ("invalid-uses", "a malformed `uses:`"),
    ("invalid-id", "a job or step id GitHub rejects"),
    ("unknown-event", "an event GitHub does not have"),
    (
        "unused-anchor",
        "a YAML anchor (`&name`) that no alias uses (warning)",
    ),
];
