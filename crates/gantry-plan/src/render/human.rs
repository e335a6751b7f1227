//! The human-readable tree: workflows → jobs → matrix combinations, with
//! needs, runners, and the reason for anything left out.

use std::fmt::Write as _;

use crate::model::{ConditionResult, JobKind, JobPlan, Plan, WorkflowPlan};

struct Style {
    colour: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn ok(&self, s: &str) -> String {
        self.paint("32", s)
    }
    fn bad(&self, s: &str) -> String {
        self.paint("31", s)
    }
    fn warn(&self, s: &str) -> String {
        self.paint("33", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
}

/// Renders the plan as a tree. With `explain`, every workflow that does
/// not trigger is listed with the rule that left it out; without, they are
/// counted. `colour` adds ANSI colours (as an aid only: the text says
/// everything without them).
#[must_use]
pub fn render_human(plan: &Plan, explain: bool, colour: bool) -> String {
    let st = Style { colour };
    let mut out = String::new();
    let mut head = format!("event: {}", plan.event.name);
    if let Some(a) = &plan.event.action {
        let _ = write!(head, " ({a})");
    }
    if let Some(r) = &plan.event.git_ref {
        let _ = write!(head, " on {r}");
    }
    if let Some(sha) = &plan.event.sha {
        let _ = write!(head, " at {}", sha.get(..7).unwrap_or(sha));
    }
    out.push_str(&st.bold(&head));
    out.push_str("\n\n");
    let mut skipped = 0;
    for wf in &plan.workflows {
        if wf.triggered {
            workflow(&mut out, wf, &st);
        } else if explain || wf.not_triggered.as_ref().is_some_and(|n| n.is_error()) {
            let _ = writeln!(out, "{} {}", st.bad("✗"), title(wf, &st, false));
            let _ = writeln!(out, "  {}", wf.reason.as_deref().unwrap_or("not triggered"));
        } else {
            skipped += 1;
        }
    }
    let triggered = plan.workflows.iter().filter(|w| w.triggered).count();
    let not = plan.workflows.len() - triggered;
    let mut summary = format!(
        "{triggered} workflow{} triggered, {not} not",
        if triggered == 1 { "" } else { "s" }
    );
    if skipped > 0 {
        summary.push_str(" (--explain says why)");
    }
    if !plan.workflows.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary);
    out.push('\n');
    out
}

fn workflow(out: &mut String, wf: &WorkflowPlan, st: &Style) {
    let _ = writeln!(out, "{} {}", st.ok("✓"), title(wf, st, true));
    if let Some(rn) = &wf.run_name {
        let _ = writeln!(out, "  run name: {rn}");
    }
    if let Some(c) = &wf.concurrency {
        let _ = writeln!(out, "  {}", st.dim(&concurrency_text(c)));
    }
    if let Some(inputs) = &wf.inputs {
        let _ = writeln!(out, "  inputs: {}", compact(inputs));
    }
    for e in &wf.errors {
        let _ = writeln!(out, "  {} {e}", st.bad("error:"));
    }
    if wf.jobs.is_empty() {
        let _ = writeln!(out, "  └─ (no jobs)");
    }
    tree(out, &wf.jobs, "  ", st);
}

/// The workflow's name, and its file when the name is not the file.
fn title(wf: &WorkflowPlan, st: &Style, bold: bool) -> String {
    let name = if bold {
        st.bold(&wf.name)
    } else {
        wf.name.clone()
    };
    if wf.name == wf.file {
        name
    } else {
        format!("{name} {}", st.dim(&format!("({})", wf.file)))
    }
}

fn concurrency_text(c: &crate::model::ConcurrencyPlan) -> String {
    let mut s = format!("concurrency: {}", c.group);
    if let Some(d) = &c.decided_at_run_time {
        let _ = write!(s, " (decided at run time: {d})");
    }
    if c.cancel_in_progress.as_deref() == Some("true") {
        s.push_str(" (cancels in progress)");
    }
    s
}

/// Siblings: consecutive entries with the same id (matrix combinations),
/// each followed by its called jobs.
fn tree(out: &mut String, jobs: &[JobPlan], indent: &str, st: &Style) {
    // Split into (entry, descendants) units, then group units by id.
    let mut units: Vec<(&JobPlan, &[JobPlan])> = Vec::new();
    let mut i = 0;
    while i < jobs.len() {
        let j = &jobs[i];
        let prefix = format!("{}/", j.id);
        let mut end = i + 1;
        if j.kind == JobKind::Call {
            while end < jobs.len() && jobs[end].id.starts_with(&prefix) {
                end += 1;
            }
        }
        units.push((j, &jobs[i + 1..end]));
        i = end;
    }
    let mut groups: Vec<Vec<(&JobPlan, &[JobPlan])>> = Vec::new();
    for u in units {
        match groups.last_mut() {
            Some(g) if g[0].0.id == u.0.id && u.0.matrix.is_some() => g.push(u),
            _ => groups.push(vec![u]),
        }
    }
    let n = groups.len();
    for (gi, group) in groups.iter().enumerate() {
        let last = gi + 1 == n;
        let (branch, cont) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        let child_indent = format!("{indent}{cont}");
        if group.len() == 1 && group[0].0.matrix.is_none() {
            let (job, children) = group[0];
            let _ = writeln!(out, "{indent}{branch}{}", job_line(job, st));
            details(out, job, &child_indent, true, st);
            tree(out, children, &child_indent, st);
            continue;
        }
        let first = group[0].0;
        let job_id = first.id.rsplit('/').next().unwrap_or(&first.id);
        let _ = writeln!(
            out,
            "{indent}{branch}{} {}",
            st.bold(job_id),
            st.dim(&format!(
                "(matrix: {} job{})",
                group.len(),
                if group.len() == 1 { "" } else { "s" }
            ))
        );
        if !first.needs.is_empty() {
            let _ = writeln!(
                out,
                "{child_indent}{}",
                st.dim(&format!("needs: {}", first.needs.join(", ")))
            );
        }
        let m = group.len();
        for (ci, (job, children)) in group.iter().enumerate() {
            let last = ci + 1 == m;
            let (b, c) = if last {
                ("└─ ", "   ")
            } else {
                ("├─ ", "│  ")
            };
            let cell_indent = format!("{child_indent}{c}");
            let _ = writeln!(out, "{child_indent}{b}{}", job_line(job, st));
            details(out, job, &cell_indent, false, st);
            tree(out, children, &cell_indent, st);
        }
    }
}

fn job_line(job: &JobPlan, st: &Style) -> String {
    let mut s = job.name.clone();
    if let Some(r) = &job.runner {
        let _ = write!(s, " {}", st.dim(&format!("· {r}")));
    }
    if let Some(p) = &job.platform {
        let _ = write!(s, " {}", st.dim(&format!("→ {p}")));
    }
    if job.kind == JobKind::Call
        && let Some(u) = &job.uses
    {
        let _ = write!(s, " {}", st.dim(&format!("· calls {u}")));
    }
    if job.skipped {
        let _ = write!(
            s,
            " {}",
            st.warn(&format!(
                "— skipped: {}",
                job.skip_reason.as_deref().unwrap_or("")
            ))
        );
    } else if let Some(r) = &job.skip_reason {
        let what = if job.runner.is_some() && job.kind == JobKind::Job {
            "not runnable here"
        } else {
            "not planned"
        };
        let _ = write!(s, " {}", st.warn(&format!("— {what}: {r}")));
    }
    s
}

fn details(out: &mut String, job: &JobPlan, indent: &str, with_needs: bool, st: &Style) {
    if with_needs && !job.needs.is_empty() {
        let _ = writeln!(
            out,
            "{indent}{}",
            st.dim(&format!("needs: {}", job.needs.join(", ")))
        );
    }
    if let Some(m) = &job.matrix {
        let _ = writeln!(
            out,
            "{indent}{}",
            st.dim(&format!("matrix: {}", matrix_text(m)))
        );
    }
    if let Some(d) = &job.dynamic_matrix {
        let _ = writeln!(
            out,
            "{indent}{}",
            st.warn(&format!("matrix: decided at run time (depends on {d})"))
        );
    }
    if let Some(c) = &job.condition
        && c.result == ConditionResult::RunTime
    {
        let _ = writeln!(
            out,
            "{indent}{}",
            st.warn(&format!(
                "if: decided at run time (depends on {})",
                c.detail.as_deref().unwrap_or("the run")
            ))
        );
    }
    if let Some(c) = &job.concurrency {
        let _ = writeln!(out, "{indent}{}", st.dim(&concurrency_text(c)));
    }
    if let Some(c) = &job.containers {
        let mut parts = Vec::new();
        if let Some(i) = &c.image {
            parts.push(format!("container: {i}"));
        }
        match &c.services {
            Some(s) if s.is_empty() => {}
            Some(s) => parts.push(format!("services: {}", s.join(", "))),
            None => parts.push("services: decided at run time".to_owned()),
        }
        let _ = writeln!(out, "{indent}{}", st.dim(&parts.join(" · ")));
    }
}

fn matrix_text(m: &serde_json::Value) -> String {
    match m {
        serde_json::Value::Object(o) => o
            .iter()
            .map(|(k, v)| format!("{k}={}", compact(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => compact(other),
    }
}

fn compact(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
