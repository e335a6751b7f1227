//! Steps, and `uses:` references.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_yaml::Node;
use serde::Serialize;

use crate::lower::{Ctx, rules};
use crate::value::{BoolOrExpr, Condition, Env, ExprString, NumberOrExpr, Spanned, With};

/// A step id (`steps[*].id`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct StepId(pub String);

impl StepId {
    /// The id as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a `uses:` refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum UsesTarget {
    /// `./path` in the checked-out workspace.
    Local {
        /// The path as written (with `./`).
        path: String,
    },
    /// `$/path`: the workflow's own repository at the running commit.
    SelfRepo {
        /// The path after `$/`.
        path: String,
    },
    /// `owner/repo[/path]@ref`.
    Repo {
        /// Owner.
        owner: String,
        /// Repository.
        repo: String,
        /// Path inside the repository, if any.
        path: Option<String>,
        /// Git ref (tag, branch or SHA).
        git_ref: String,
    },
    /// `docker://image`.
    Docker {
        /// The image (without `docker://`).
        image: String,
    },
}

/// A parsed `uses:` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uses {
    /// What it refers to.
    pub target: UsesTarget,
    /// The text as written.
    pub raw: String,
    /// Where.
    pub span: Span,
}

/// Parses the text of a `uses:`. Errors describe what is wrong.
///
/// # Errors
/// A message (and hint) when the reference is malformed.
pub fn parse_uses(raw: &str) -> Result<UsesTarget, (String, String)> {
    let s = raw.trim();
    if s.contains("${{") {
        return Err((
            "`uses` cannot contain expressions: GitHub reads the text literally, so it names no action or workflow".into(),
            "write the action reference literally".into(),
        ));
    }
    if s.starts_with("./") || s == "." {
        return Ok(UsesTarget::Local { path: s.to_owned() });
    }
    if let Some(path) = s.strip_prefix("$/") {
        if path.is_empty() {
            return Err((
                "`$/` needs a path".into(),
                "write `$/path/to/action` or `$/.github/workflows/file.yml`".into(),
            ));
        }
        return Ok(UsesTarget::SelfRepo {
            path: path.to_owned(),
        });
    }
    if let Some(image) = s.strip_prefix("docker://") {
        if image.is_empty() {
            return Err((
                "`docker://` needs an image".into(),
                "write `docker://image:tag`".into(),
            ));
        }
        return Ok(UsesTarget::Docker {
            image: image.to_owned(),
        });
    }
    let Some((name, git_ref)) = s.split_once('@') else {
        return Err((
            format!("`{s}` has no `@ref`"),
            format!("pin a version, e.g. `{s}@v1` or a commit SHA; use `./{s}` for a local action"),
        ));
    };
    let mut parts = name.splitn(3, '/');
    let owner = parts.next().unwrap_or_default();
    let repo = parts.next().unwrap_or_default();
    let path = parts.next();
    if owner.is_empty() || repo.is_empty() || git_ref.is_empty() || path == Some("") {
        return Err((
            format!("`{s}` is not of the form `owner/repo[/path]@ref`"),
            "write e.g. `actions/checkout@v4`".into(),
        ));
    }
    Ok(UsesTarget::Repo {
        owner: owner.to_owned(),
        repo: repo.to_owned(),
        path: path.map(str::to_owned),
        git_ref: git_ref.to_owned(),
    })
}

pub(crate) fn lower_uses(cx: &mut Ctx<'_>, node: &Node) -> Option<Uses> {
    let s = cx.non_empty_string(node, "`uses`")?;
    match parse_uses(&s.raw) {
        Ok(target) => Some(Uses {
            target,
            raw: s.raw,
            span: s.span,
        }),
        Err((message, hint)) => {
            // GitHub's parser takes an expression here as literal text (its
            // own language services accept the file); the reference then
            // cannot resolve. Warn rather than reject the file.
            let d = if s.raw.contains("${{") {
                Diagnostic::warning(rules::INVALID_USES, s.span, message)
            } else {
                Diagnostic::error(rules::INVALID_USES, s.span, message)
            };
            cx.push(d.with_hint(hint));
            None
        }
    }
}

/// Keys shared by every kind of step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepCommon {
    /// `id`
    pub id: Option<Spanned<StepId>>,
    /// `name`
    pub name: Option<ExprString>,
    /// `if`
    pub condition: Option<Condition>,
    /// `env`
    pub env: Option<Env>,
    /// `continue-on-error`
    pub continue_on_error: Option<BoolOrExpr>,
    /// `timeout-minutes`
    pub timeout_minutes: Option<NumberOrExpr>,
    /// Where the step is.
    pub span: Span,
}

/// A `run:` step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunStep {
    /// Shared keys.
    pub common: StepCommon,
    /// `run`
    pub run: ExprString,
    /// `shell`
    pub shell: Option<ExprString>,
    /// `working-directory`
    pub working_directory: Option<ExprString>,
}

/// A `uses:` step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsesStep {
    /// Shared keys.
    pub common: StepCommon,
    /// `uses` (`None` only when diagnosed as malformed).
    pub uses: Option<Uses>,
    /// `with` (including `args` / `entrypoint` for Docker actions).
    pub with: With,
}

/// A step group whose `parallel:` steps run concurrently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParallelGroup {
    /// Shared keys.
    pub common: StepCommon,
    /// The steps run concurrently.
    pub steps: Vec<Step>,
    /// Where `parallel:`'s list is.
    pub steps_span: Span,
}

/// A step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Step {
    /// Runs a command.
    Run(RunStep),
    /// Runs an action.
    Uses(UsesStep),
    /// Runs steps concurrently.
    Parallel(ParallelGroup),
}

impl Step {
    /// The shared keys.
    #[must_use]
    pub fn common(&self) -> &StepCommon {
        match self {
            Step::Run(s) => &s.common,
            Step::Uses(s) => &s.common,
            Step::Parallel(s) => &s.common,
        }
    }
}

/// Where steps are being lowered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StepContext {
    /// A job's `steps:`.
    Job,
    /// A composite action's `runs.steps:`.
    Composite,
}

const JOB_STEP_KEYS: &[&str] = &[
    "id",
    "name",
    "if",
    "uses",
    "run",
    "shell",
    "with",
    "env",
    "working-directory",
    "continue-on-error",
    "timeout-minutes",
    "parallel",
];

const COMPOSITE_STEP_KEYS: &[&str] = &[
    "id",
    "name",
    "if",
    "uses",
    "run",
    "shell",
    "with",
    "env",
    "working-directory",
    "continue-on-error",
];

fn is_valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub(crate) fn check_id(cx: &mut Ctx<'_>, id: &str, span: Span, what: &str) {
    if !is_valid_id(id) {
        cx.push(
            Diagnostic::error(
                rules::INVALID_ID,
                span,
                format!("{what} `{id}` is not a valid identifier"),
            )
            .with_hint("start with a letter or `_` and use only letters, digits, `-` and `_`"),
        );
    }
}

pub(crate) fn lower_steps(cx: &mut Ctx<'_>, node: &Node, context: StepContext) -> Vec<Step> {
    let Some(items) = node.as_seq() else {
        cx.wrong_type(node, "`steps`", "a sequence of steps");
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| lower_step(cx, item, context))
        .collect()
}

fn lower_step(cx: &mut Ctx<'_>, node: &Node, context: StepContext) -> Option<Step> {
    let known = match context {
        StepContext::Job => JOB_STEP_KEYS,
        StepContext::Composite => COMPOSITE_STEP_KEYS,
    };
    let fields = cx.fields(node, "a step", known, false)?;
    let mut common = StepCommon {
        id: None,
        name: None,
        condition: None,
        env: None,
        continue_on_error: None,
        timeout_minutes: None,
        span: node.span,
    };
    let mut uses: Option<(&Node, &Node)> = None;
    let mut run: Option<(&Node, &Node)> = None;
    let mut parallel: Option<(&Node, &Node)> = None;
    let mut shell = None;
    let mut working_directory = None;
    let mut with: Option<(&Node, &Node)> = None;
    for (name, k, v) in fields {
        match name {
            "id" => {
                if let Some(s) = cx.non_empty_string(v, "`id`") {
                    if !s.has_expression() {
                        check_id(cx, &s.raw, s.span, "step id");
                    }
                    common.id = Some(Spanned::new(StepId(s.raw), s.span));
                }
            }
            "name" => common.name = cx.string(v, "`name`"),
            "if" => common.condition = cx.condition(v, "`if`"),
            "env" => common.env = cx.env(v, "`env`", true),
            "continue-on-error" => {
                common.continue_on_error = cx.bool_or_expr(v, "`continue-on-error`");
            }
            "timeout-minutes" => common.timeout_minutes = cx.number_or_expr(v, "`timeout-minutes`"),
            "uses" => uses = Some((k, v)),
            "run" => run = Some((k, v)),
            "parallel" => parallel = Some((k, v)),
            "shell" => shell = Some((k, v)),
            "working-directory" => working_directory = Some((k, v)),
            _ => with = Some((k, v)),
        }
    }
    let kinds = [("uses", uses), ("run", run), ("parallel", parallel)];
    let present: Vec<_> = kinds.iter().filter(|(_, e)| e.is_some()).collect();
    if present.len() > 1 {
        let (first, _) = present[0];
        let (second, _) = present[1];
        // At whichever key comes first in the step.
        let span = present
            .iter()
            .filter_map(|(_, e)| e.map(|(k, _)| k.span))
            .min_by_key(|s| s.start.offset)
            .unwrap_or(node.span);
        cx.push(
            Diagnostic::error(
                rules::CONFLICTING_KEYS,
                span,
                format!("a step cannot have both `{first}` and `{second}`"),
            )
            .with_hint("split it into two steps"),
        );
    }
    let only_for = |cx: &mut Ctx<'_>, entry: Option<(&Node, &Node)>, key: &str, kind: &str| {
        if let Some((k, _)) = entry {
            cx.error(
                rules::UNKNOWN_KEY,
                k.span,
                format!("`{key}` is only allowed in a {kind} step"),
            );
        }
    };
    if let Some((_, v)) = uses {
        only_for(cx, shell, "shell", "`run`");
        only_for(cx, working_directory, "working-directory", "`run`");
        let uses = lower_uses(cx, v);
        let with = with.map(|(_, w)| cx.with(w, "`with`")).unwrap_or_default();
        return Some(Step::Uses(UsesStep { common, uses, with }));
    }
    if let Some((_, v)) = run {
        only_for(cx, with, "with", "`uses`");
        let run = cx
            .string(v, "`run`")
            .unwrap_or_else(|| ExprString::new("", v.span));
        let shell = shell.and_then(|(_, s)| cx.non_empty_string(s, "`shell`"));
        if context == StepContext::Composite && shell.is_none() {
            cx.push(
                Diagnostic::error(
                    rules::MISSING_KEY,
                    node.span,
                    "a `run` step of a composite action needs `shell`",
                )
                .with_hint("add e.g. `shell: bash`"),
            );
        }
        let working_directory =
            working_directory.and_then(|(_, w)| cx.non_empty_string(w, "`working-directory`"));
        return Some(Step::Run(RunStep {
            common,
            run,
            shell,
            working_directory,
        }));
    }
    if let Some((_, v)) = parallel {
        only_for(cx, with, "with", "`uses`");
        only_for(cx, shell, "shell", "`run`");
        only_for(cx, working_directory, "working-directory", "`run`");
        let steps = lower_steps(cx, v, context);
        return Some(Step::Parallel(ParallelGroup {
            common,
            steps,
            steps_span: v.span,
        }));
    }
    cx.push(
        Diagnostic::error(
            rules::MISSING_KEY,
            node.span,
            "a step needs `run` or `uses`",
        )
        .with_hint("add `run: <command>` or `uses: owner/action@ref`"),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_forms() {
        assert_eq!(
            parse_uses("actions/checkout@v4"),
            Ok(UsesTarget::Repo {
                owner: "actions".into(),
                repo: "checkout".into(),
                path: None,
                git_ref: "v4".into()
            })
        );
        assert_eq!(
            parse_uses("github/codeql-action/init@abc"),
            Ok(UsesTarget::Repo {
                owner: "github".into(),
                repo: "codeql-action".into(),
                path: Some("init".into()),
                git_ref: "abc".into()
            })
        );
        assert_eq!(
            parse_uses("./.github/actions/x"),
            Ok(UsesTarget::Local {
                path: "./.github/actions/x".into()
            })
        );
        assert_eq!(
            parse_uses("$/.github/workflows/b.yml"),
            Ok(UsesTarget::SelfRepo {
                path: ".github/workflows/b.yml".into()
            })
        );
        assert_eq!(
            parse_uses("docker://alpine:3"),
            Ok(UsesTarget::Docker {
                image: "alpine:3".into()
            })
        );
        assert!(parse_uses("actions/checkout").is_err());
        assert!(parse_uses("checkout@v1").is_err());
        assert!(parse_uses("${{ matrix.a }}@v1").is_err());
        assert!(is_valid_id("build_1-x"));
        assert!(!is_valid_id("1build"));
    }
}
