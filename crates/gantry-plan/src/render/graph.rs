//! The job graph of the triggered workflows, as a mermaid flowchart and as
//! graphviz dot. One node per job (a matrix job is one node listing its
//! combinations); a reusable-workflow call is a group holding its called
//! jobs and a node for the call itself, which the called jobs lead to (the
//! call is done when they are).

use std::fmt::Write as _;

use crate::model::{JobKind, JobPlan, Plan, WorkflowPlan};

/// A node: one job id of one workflow.
struct Node<'p> {
    key: String,
    id: &'p str,
    entries: Vec<&'p JobPlan>,
}

impl Node<'_> {
    fn label(&self) -> String {
        let first = self.entries[0];
        if first.kind == JobKind::Call {
            let short = first.id.rsplit('/').next().unwrap_or(&first.id);
            return format!("{short} (call)");
        }
        if self.entries.len() == 1 && first.matrix.is_none() && first.dynamic_matrix.is_none() {
            return first.name.clone();
        }
        let short = self.id.rsplit('/').next().unwrap_or(self.id);
        if first.dynamic_matrix.is_some() {
            return format!("{short} (dynamic matrix)");
        }
        format!("{short} ({} jobs)", self.entries.len())
    }

    fn caller(&self) -> Option<&str> {
        self.entries[0].caller.as_deref()
    }
}

fn nodes<'p>(wf: &'p WorkflowPlan, wi: usize) -> Vec<Node<'p>> {
    let mut out: Vec<Node<'p>> = Vec::new();
    for j in &wf.jobs {
        match out.iter_mut().find(|n| n.id == j.id) {
            Some(n) => n.entries.push(j),
            None => {
                let key = format!("w{wi}j{}", out.len());
                out.push(Node {
                    key,
                    id: &j.id,
                    entries: vec![j],
                });
            }
        }
    }
    out
}

/// Edges `(from, to)` by node index: needs, and called jobs that nothing
/// else in the call needs → the call.
fn edges(nodes: &[Node<'_>]) -> Vec<(usize, usize)> {
    let find = |id: &str| nodes.iter().position(|n| n.id.eq_ignore_ascii_case(id));
    let mut out = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let mut needs: Vec<&str> = Vec::new();
        for e in &n.entries {
            for need in &e.needs {
                if !needs.contains(&need.as_str()) {
                    needs.push(need);
                }
            }
        }
        // A call's called jobs carry its needs; the call itself is where
        // they end.
        let has_children =
            n.entries[0].kind == JobKind::Call && nodes.iter().any(|c| c.caller() == Some(n.id));
        if has_children {
            continue;
        }
        for need in needs {
            if let Some(f) = find(need)
                && !out.contains(&(f, i))
            {
                out.push((f, i));
            }
        }
    }
    for (ci, call) in nodes.iter().enumerate() {
        if call.entries[0].kind != JobKind::Call {
            continue;
        }
        let children: Vec<usize> = (0..nodes.len())
            .filter(|&k| nodes[k].caller() == Some(call.id))
            .collect();
        for &k in &children {
            let needed = children.iter().any(|&o| {
                nodes[o]
                    .entries
                    .iter()
                    .any(|e| e.needs.iter().any(|x| x.eq_ignore_ascii_case(nodes[k].id)))
            });
            if !needed && !out.contains(&(k, ci)) {
                out.push((k, ci));
            }
        }
    }
    out
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The job graph as a mermaid flowchart.
#[must_use]
pub fn render_mermaid(plan: &Plan) -> String {
    let mut out = String::from("flowchart LR\n");
    for (wi, wf) in plan
        .workflows
        .iter()
        .enumerate()
        .filter(|(_, w)| w.triggered)
    {
        let ns = nodes(wf, wi);
        let _ = writeln!(out, "  subgraph w{wi}[\"{}\"]", mermaid_text(&wf.name));
        mermaid_group(&mut out, &ns, None, "    ");
        out.push_str("  end\n");
        for (f, t) in edges(&ns) {
            let _ = writeln!(out, "  {} --> {}", ns[f].key, ns[t].key);
        }
    }
    out
}

fn mermaid_group(out: &mut String, ns: &[Node<'_>], caller: Option<&str>, indent: &str) {
    for n in ns.iter().filter(|n| n.caller() == caller) {
        if n.entries[0].kind == JobKind::Call {
            let _ = writeln!(
                out,
                "{indent}subgraph {}g[\"{}\"]",
                n.key,
                mermaid_text(&n.entries[0].name)
            );
            let inner = format!("{indent}  ");
            let _ = writeln!(out, "{inner}{}[\"{}\"]", n.key, mermaid_text(&n.label()));
            mermaid_group(out, ns, Some(n.id), &inner);
            let _ = writeln!(out, "{indent}end");
        } else {
            let _ = writeln!(out, "{indent}{}[\"{}\"]", n.key, mermaid_text(&n.label()));
        }
    }
}

/// The job graph as graphviz dot.
#[must_use]
pub fn render_dot(plan: &Plan) -> String {
    let mut out = String::from("digraph plan {\n  rankdir=LR;\n  node [shape=box];\n");
    for (wi, wf) in plan
        .workflows
        .iter()
        .enumerate()
        .filter(|(_, w)| w.triggered)
    {
        let ns = nodes(wf, wi);
        let _ = writeln!(out, "  subgraph cluster_w{wi} {{");
        let _ = writeln!(out, "    label=\"{}\";", dot_text(&wf.name));
        dot_group(&mut out, &ns, None, "    ");
        out.push_str("  }\n");
        for (f, t) in edges(&ns) {
            let _ = writeln!(out, "  {} -> {};", ns[f].key, ns[t].key);
        }
    }
    out.push_str("}\n");
    out
}

fn dot_group(out: &mut String, ns: &[Node<'_>], caller: Option<&str>, indent: &str) {
    for n in ns.iter().filter(|n| n.caller() == caller) {
        if n.entries[0].kind == JobKind::Call {
            let _ = writeln!(out, "{indent}subgraph cluster_{} {{", n.key);
            let inner = format!("{indent}  ");
            let _ = writeln!(out, "{inner}label=\"{}\";", dot_text(&n.entries[0].name));
            let _ = writeln!(
                out,
                "{inner}{} [label=\"{}\"];",
                n.key,
                dot_text(&n.label())
            );
            dot_group(out, ns, Some(n.id), &inner);
            let _ = writeln!(out, "{indent}}}");
        } else {
            let _ = writeln!(
                out,
                "{indent}{} [label=\"{}\"];",
                n.key,
                dot_text(&n.label())
            );
        }
    }
}
