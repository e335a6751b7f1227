//! The workflow document.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_yaml::Node;
use serde::Serialize;

use crate::job::{Job, JobId, lower_jobs};
use crate::lower::{Ctx, rules};
use crate::on::{On, lower_on};
use crate::permissions::{Permissions, lower_permissions};
use crate::value::{Concurrency, Defaults, Env, ExprString};

/// A workflow file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workflow {
    /// `name`
    pub name: Option<ExprString>,
    /// `run-name`
    pub run_name: Option<ExprString>,
    /// `on` (required; `None` only when diagnosed)
    pub on: Option<On>,
    /// `permissions`
    pub permissions: Option<Permissions>,
    /// `env`
    pub env: Option<Env>,
    /// `defaults`
    pub defaults: Option<Defaults>,
    /// `concurrency`
    pub concurrency: Option<Concurrency>,
    /// `jobs` in source order.
    pub jobs: Vec<Job>,
    /// Where the document is.
    pub span: Span,
}

impl Workflow {
    /// The job with `id`.
    #[must_use]
    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id().as_str() == id)
    }

    /// Every job id.
    pub fn job_ids(&self) -> impl Iterator<Item = &JobId> {
        self.jobs.iter().map(Job::id)
    }
}

const TOP_KEYS: &[&str] = &[
    "name",
    "run-name",
    "on",
    "permissions",
    "env",
    "defaults",
    "concurrency",
    "jobs",
];

pub(crate) fn lower_workflow(cx: &mut Ctx<'_>, root: &Node) -> Option<Workflow> {
    if root.is_null() {
        cx.push(
            Diagnostic::error(rules::MISSING_KEY, root.span, "the workflow file is empty")
                .with_hint("a workflow needs `on:` and `jobs:`"),
        );
        return None;
    }
    let fields = cx.fields(root, "a workflow", TOP_KEYS, false)?;
    let mut wf = Workflow {
        name: None,
        run_name: None,
        on: None,
        permissions: None,
        env: None,
        defaults: None,
        concurrency: None,
        jobs: Vec::new(),
        span: root.span,
    };
    let mut saw_jobs = false;
    for (name, _, v) in fields {
        match name {
            "name" => wf.name = cx.string(v, "`name`"),
            "run-name" => wf.run_name = cx.string(v, "`run-name`"),
            "on" => wf.on = Some(lower_on(cx, v)),
            "permissions" => wf.permissions = lower_permissions(cx, v),
            "env" => wf.env = cx.env(v, "`env`", false),
            "defaults" => wf.defaults = cx.defaults(v, "`defaults`"),
            "concurrency" => wf.concurrency = cx.concurrency(v),
            _ => {
                saw_jobs = true;
                wf.jobs = lower_jobs(cx, v);
            }
        }
    }
    let start = Span::point(root.span.start);
    if wf.on.is_none() {
        let mut d = Diagnostic::error(
            rules::MISSING_KEY,
            start,
            "a workflow is missing required key `on`",
        )
        .with_hint("add e.g. `on: push`");
        if root.get("true").is_some() {
            d = d.with_hint(
                "`on` must be written as `on` (a YAML 1.1 tool may have turned it into `true`)",
            );
        }
        cx.push(d);
    }
    if !saw_jobs {
        cx.push(
            Diagnostic::error(
                rules::MISSING_KEY,
                start,
                "a workflow is missing required key `jobs`",
            )
            .with_hint("add `jobs:` with at least one job"),
        );
    }
    Some(wf)
}
