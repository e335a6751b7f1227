//! Rules: `runs-on` labels.
//!
//! A label must be a GitHub-hosted image, one of the labels every
//! self-hosted runner has, or declared in the configuration
//! (`self-hosted-runner-labels`). A `${{ matrix.<axis> }}` label is checked
//! through the axis's literal values; other expressions are skipped.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_workflow::{Action, ExprString, Job, Matrix, MatrixMap, NormalJob, RunsOn, Workflow};

use crate::Cx;
use crate::labels::{self, Label};
use crate::rules::jobs::suggest_ci;
use crate::rules::matrix::axis_values;

/// The rule ids this module reports, with one line each.
pub const RULES: &[(&str, &str)] = &[(
    "runner-label",
    "an unknown or retired `runs-on` label, or labels no single runner has (warning)",
)];

pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    for job in &wf.jobs {
        if let Job::Normal(job) = job {
            check_job(cx, job);
        }
    }
}

pub fn check_action(cx: &mut Cx<'_>, action: &Action) {
    let _ = (cx, action);
}

/// The axis name of a label written as `${{ matrix.<axis> }}`.
fn matrix_axis(raw: &str) -> Option<&str> {
    let inner = raw.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let name = inner.strip_prefix("matrix.")?;
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    .then_some(name)
}

/// One label as written (or as a matrix value), with what it is.
struct Checked<'a> {
    text: &'a str,
    span: Span,
    class: Label,
}

fn check_job(cx: &mut Cx<'_>, job: &NormalJob) {
    let Some(runs_on) = &job.runs_on else {
        return;
    };
    if let RunsOn::Labels { labels, span } = runs_on
        && labels.is_empty()
        && cx
            .src
            .get(span.start.offset..span.end.offset)
            .is_some_and(|t| t.trim() == "[]")
    {
        cx.push(
            Diagnostic::warning(
                "runner-label",
                *span,
                "`runs-on` lists no label, so no runner can take this job",
            )
            .with_hint("name a runner, e.g. `runs-on: ubuntu-latest`"),
        );
        return;
    }
    let (labels, is_group): (&[ExprString], bool) = match runs_on {
        RunsOn::Labels { labels, .. } => (labels, false),
        RunsOn::Group { labels, .. } => (labels, true),
    };
    let matrix: Option<&MatrixMap> =
        match job.common.strategy.as_ref().and_then(|s| s.matrix.as_ref()) {
            Some(Matrix::Map(m)) => Some(m),
            _ => None,
        };
    let mut literal: Vec<Checked<'_>> = Vec::new();
    // Each matrix-valued label: the values it can take.
    let mut from_matrix: Vec<Vec<Checked<'_>>> = Vec::new();
    for label in labels {
        if !label.has_expression() {
            let text = label.raw.trim();
            if text.is_empty() {
                continue;
            }
            let class = classify(cx, text, label.span);
            literal.push(Checked {
                text,
                span: label.span,
                class,
            });
            continue;
        }
        let Some(axis) = matrix_axis(&label.raw) else {
            continue;
        };
        let Some(values) = matrix.and_then(|m| axis_values(m, axis)) else {
            continue;
        };
        let mut options = Vec::new();
        for v in values {
            let Some(text) = v.as_str() else {
                continue;
            };
            let text = text.trim();
            if text.is_empty() || text.contains("${{") {
                continue;
            }
            let class = classify(cx, text, v.span);
            options.push(Checked {
                text,
                span: v.span,
                class,
            });
        }
        from_matrix.push(options);
    }
    if is_group {
        return;
    }
    // A GitHub-hosted image is selected by its one label: any other label
    // next to it leaves no runner that has them all.
    let known = |c: &Checked<'_>| !matches!(c.class, Label::Unknown | Label::Retired(_));
    let first_hosted = literal.iter().find(|c| c.class == Label::Hosted);
    if let Some(h) = first_hosted {
        for c in literal.iter().filter(|c| known(c)) {
            if c.span != h.span && !c.text.eq_ignore_ascii_case(h.text) {
                conflict(cx, c, h);
            }
        }
        for options in &from_matrix {
            for c in options.iter().filter(|c| known(c)) {
                if !c.text.eq_ignore_ascii_case(h.text) {
                    conflict(cx, c, h);
                }
            }
        }
    } else if let Some(other) = literal.iter().find(|c| known(c)) {
        // Only self-hosted labels written: a hosted image from a matrix
        // cannot be combined with them.
        for options in &from_matrix {
            for c in options.iter().filter(|c| c.class == Label::Hosted) {
                conflict(cx, c, other);
            }
        }
    }
}

fn conflict(cx: &mut Cx<'_>, c: &Checked<'_>, with: &Checked<'_>) {
    cx.push(
        Diagnostic::warning(
            "runner-label",
            c.span,
            format!(
                "no runner has both `{}` and `{}`: a GitHub-hosted image is chosen by its label alone",
                with.text, c.text
            ),
        )
        .with_related(with.span, format!("`{}` is required here", with.text))
        .with_hint("to run on each of several images, use a matrix axis with one label per job"),
    );
}

fn classify(cx: &mut Cx<'_>, text: &str, span: Span) -> Label {
    let class = labels::classify(text, &cx.config.self_hosted_labels);
    match class {
        Label::Retired(instead) => cx.push(
            Diagnostic::error(
                "runner-label",
                span,
                format!("the `{text}` runner image has been retired by GitHub"),
            )
            .with_hint(format!("use {instead}")),
        ),
        Label::Unknown => {
            let mut known: Vec<&str> = labels::HOSTED.to_vec();
            known.extend_from_slice(labels::SELF_HOSTED);
            let mut d = Diagnostic::error(
                "runner-label",
                span,
                format!("unknown runner label `{text}`"),
            );
            if let Some(s) = suggest_ci(&known, text) {
                d = d.with_hint(format!(
                    "did you mean `{s}`? If `{text}` is a self-hosted runner's label, declare it in `self-hosted-runner-labels` of .github/gantry.yml or gantry.toml"
                ));
            } else {
                d = d.with_hint(format!(
                    "if `{text}` is a self-hosted or larger runner's label, declare it in `self-hosted-runner-labels` of .github/gantry.yml or gantry.toml"
                ));
            }
            cx.push(d);
        }
        _ => {}
    }
    class
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_labels() {
        assert_eq!(matrix_axis("${{ matrix.os }}"), Some("os"));
        assert_eq!(matrix_axis("${{matrix.runner-os}}"), Some("runner-os"));
        assert_eq!(matrix_axis("${{ matrix.os.name }}"), None);
        assert_eq!(matrix_axis("${{ inputs.os }}"), None);
    }
}
