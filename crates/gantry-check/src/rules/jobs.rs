//! Rules: jobs and steps — step ids, `needs`, numeric limits, shells, empty
//! step lists.

use std::collections::HashMap;

use gantry_diagnostics::{Diagnostic, Span};
use gantry_workflow::{
    Action, Defaults, ExprString, Job, NumberOrExpr, Runs, Step, StepId, Workflow,
};

use crate::Cx;

/// The rule ids this module reports, with one line each.
pub const RULES: &[(&str, &str)] = &[
    ("duplicate-step-id", "two steps of one job share an id"),
    ("unknown-needs", "`needs` names a job that does not exist"),
    ("needs-cycle", "jobs that need each other in a cycle"),
    (
        "duplicate-needs",
        "a job listed twice in one `needs` (warning)",
    ),
    (
        "number-range",
        "`timeout-minutes` or `max-parallel` that is not a positive number",
    ),
    (
        "shell-name",
        "a `shell` that is neither a built-in shell nor a command with `{0}`",
    ),
    ("empty-steps", "a job whose `steps` list is empty"),
];

/// The shells GitHub's runner knows by name.
pub const SHELLS: &[&str] = &["bash", "pwsh", "python", "sh", "cmd", "powershell"];

pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    if let Some(d) = &wf.defaults {
        check_defaults(cx, d);
    }
    check_needs(cx, wf);
    for job in &wf.jobs {
        if let Some(strategy) = &job.common().strategy
            && let Some(NumberOrExpr::Number(n)) = &strategy.max_parallel
        {
            if n.value <= 0.0 {
                cx.push(
                    Diagnostic::error(
                        "number-range",
                        n.span,
                        format!(
                            "`max-parallel` must be at least 1, not {}",
                            gantry_yaml::float_to_string(n.value)
                        ),
                    )
                    .with_hint("remove `max-parallel` to run as many jobs at once as possible"),
                );
            } else if n.value.fract() != 0.0 {
                cx.push(Diagnostic::error(
                    "number-range",
                    n.span,
                    format!(
                        "`max-parallel` must be a whole number, not {}",
                        gantry_yaml::float_to_string(n.value)
                    ),
                ));
            }
        }
        let Job::Normal(job) = job else {
            continue;
        };
        check_timeout(cx, job.timeout_minutes.as_ref());
        if let Some(d) = &job.defaults {
            check_defaults(cx, d);
        }
        if job.steps.is_empty()
            && let Some(span) = job.steps_span
        {
            // `steps:` with no value: the loader reports the value; this is
            // about the job, so it goes at the job's id.
            let written = cx.src.get(span.start.offset..span.end.offset).unwrap_or("");
            let span = if matches!(written.trim(), "" | "~" | "null") {
                job.common.id.span
            } else {
                span
            };
            cx.push(
                Diagnostic::error(
                    "empty-steps",
                    span,
                    format!("job `{}` has no steps", job.common.id.value.as_str()),
                )
                .with_hint("add at least one step, or remove the job"),
            );
        }
        check_steps(cx, &job.steps);
    }
}

pub fn check_action(cx: &mut Cx<'_>, action: &Action) {
    if let Some(Runs::Composite(runs)) = &action.runs {
        check_steps(cx, &runs.steps);
    }
}

/// Duplicate ids, step timeouts and shells of one job's (or composite
/// action's) steps, parallel groups included.
fn check_steps(cx: &mut Cx<'_>, steps: &[Step]) {
    let mut seen: HashMap<String, Span> = HashMap::new();
    visit_steps(cx, steps, &mut seen);
}

fn visit_steps(cx: &mut Cx<'_>, steps: &[Step], seen: &mut HashMap<String, Span>) {
    for step in steps {
        let common = step.common();
        if let Some(id) = &common.id {
            check_step_id(cx, &id.value, id.span, seen);
        }
        check_timeout(cx, common.timeout_minutes.as_ref());
        match step {
            Step::Run(run) => {
                if let Some(shell) = &run.shell {
                    check_shell(cx, shell);
                }
            }
            Step::Uses(_) => {}
            Step::Parallel(group) => visit_steps(cx, &group.steps, seen),
        }
    }
}

fn check_step_id(cx: &mut Cx<'_>, id: &StepId, span: Span, seen: &mut HashMap<String, Span>) {
    let text = id.as_str();
    if text.contains("${{") {
        return;
    }
    // GitHub compares step ids without regard to case.
    let key = text.to_ascii_lowercase();
    if let Some(first) = seen.get(&key) {
        cx.push(
            Diagnostic::error(
                "duplicate-step-id",
                span,
                format!("step id `{text}` is already used by an earlier step of this job"),
            )
            .with_related(*first, "first used here")
            .with_hint("give each step a unique id"),
        );
    } else {
        seen.insert(key, span);
    }
}

fn check_timeout(cx: &mut Cx<'_>, timeout: Option<&NumberOrExpr>) {
    if let Some(NumberOrExpr::Number(n)) = timeout
        && n.value <= 0.0
    {
        cx.push(
            Diagnostic::error(
                "number-range",
                n.span,
                format!(
                    "`timeout-minutes` must be greater than 0, not {}",
                    gantry_yaml::float_to_string(n.value)
                ),
            )
            .with_hint("remove it to use GitHub's default of 360 minutes"),
        );
    }
}

fn check_defaults(cx: &mut Cx<'_>, d: &Defaults) {
    if let Some(shell) = &d.shell {
        check_shell(cx, shell);
    }
}

/// Whether GitHub's runner accepts `shell` (a built-in name, or a command
/// template with `{0}` where the script's path goes).
pub fn shell_is_valid(shell: &str) -> bool {
    let s = shell.trim();
    s.contains("{0}") || SHELLS.iter().any(|k| k.eq_ignore_ascii_case(s))
}

fn check_shell(cx: &mut Cx<'_>, shell: &ExprString) {
    if shell.has_expression() || shell_is_valid(&shell.raw) {
        return;
    }
    let name = shell.raw.trim();
    let first = name.split_whitespace().next().unwrap_or(name);
    let hint = match crate::contexts::suggest(SHELLS, first) {
        Some(s) if !name.contains(char::is_whitespace) => format!("did you mean `{s}`?"),
        _ => format!(
            "use one of {}, or a command template such as `{first} {{0}}` ({{0}} is the script's path)",
            SHELLS.join(", ")
        ),
    };
    cx.push(
        Diagnostic::error(
            "shell-name",
            shell.span,
            format!("`{name}` is neither a built-in shell nor a command containing `{{0}}`"),
        )
        .with_hint(hint),
    );
}

/// `needs`: unknown jobs, duplicates and cycles.
fn check_needs(cx: &mut Cx<'_>, wf: &Workflow) {
    let index: HashMap<String, usize> = wf
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.id().as_str().to_ascii_lowercase(), i))
        .collect();
    let ids: Vec<&str> = wf.jobs.iter().map(|j| j.id().as_str()).collect();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); wf.jobs.len()];
    for (i, job) in wf.jobs.iter().enumerate() {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for need in &job.common().needs {
            let name = need.value.as_str();
            if name.contains("${{") {
                continue;
            }
            let key = name.to_ascii_lowercase();
            if let Some(first) = seen.get(&key) {
                cx.push(
                    Diagnostic::warning(
                        "duplicate-needs",
                        need.span,
                        format!("job `{name}` is listed twice in `needs`"),
                    )
                    .with_related(*first, "first listed here")
                    .with_hint("remove the repeated entry"),
                );
                continue;
            }
            seen.insert(key.clone(), need.span);
            match index.get(&key) {
                Some(&j) => edges[i].push(j),
                None => {
                    let mut d = Diagnostic::error(
                        "unknown-needs",
                        need.span,
                        format!("`needs` names job `{name}`, which this workflow does not define"),
                    );
                    d = match suggest_ci(&ids, name) {
                        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                        None => d.with_hint(format!("jobs defined here: {}", list(&ids))),
                    };
                    cx.push(d);
                }
            }
        }
    }
    for cycle in find_cycles(&edges) {
        let Some(&first) = cycle.first() else {
            continue;
        };
        let mut names: Vec<String> = cycle.iter().map(|&i| format!("`{}`", ids[i])).collect();
        names.push(format!("`{}`", ids[first]));
        let job = &wf.jobs[first];
        let mut d = Diagnostic::error(
            "needs-cycle",
            job.common().id.span,
            format!(
                "jobs need each other in a cycle: {}; none of them can start",
                names.join(" → ")
            ),
        )
        .with_hint("remove one of these `needs` entries to break the cycle");
        // Point at the `needs` entry that closes each edge of the cycle.
        for (k, &from) in cycle.iter().enumerate() {
            let to = cycle[(k + 1) % cycle.len()];
            if let Some(n) = wf.jobs[from]
                .common()
                .needs
                .iter()
                .find(|n| n.value.as_str().eq_ignore_ascii_case(ids[to]))
            {
                d = d.with_related(n.span, format!("`{}` needs `{}`", ids[from], ids[to]));
            }
        }
        cx.push(d);
    }
}

fn list(ids: &[&str]) -> String {
    ids.iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A case-insensitive "did you mean" among `candidates`.
pub(crate) fn suggest_ci<'a>(candidates: &[&'a str], name: &str) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| {
            (
                crate::contexts::edit_distance(&c.to_ascii_lowercase(), &lower),
                *c,
            )
        })
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len().max(lower.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// One cycle per strongly connected component that has one (a component of
/// two or more jobs, or a job needing itself), each starting at the
/// component's first job in source order.
fn find_cycles(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let sccs = tarjan(edges);
    let mut out = Vec::new();
    for scc in sccs {
        let Some(&start) = scc.iter().min() else {
            continue;
        };
        if scc.len() == 1 && !edges[start].contains(&start) {
            continue;
        }
        let in_scc: Vec<bool> = (0..edges.len()).map(|i| scc.contains(&i)).collect();
        if let Some(path) = path_back(edges, &in_scc, start) {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A path `start → … → start` inside one component (breadth-first, so the
/// shortest), without the final `start`.
fn path_back(edges: &[Vec<usize>], in_scc: &[bool], start: usize) -> Option<Vec<usize>> {
    let mut prev: Vec<Option<usize>> = vec![None; edges.len()];
    let mut queue = std::collections::VecDeque::from([start]);
    let mut visited = vec![false; edges.len()];
    visited[start] = true;
    while let Some(n) = queue.pop_front() {
        for &m in &edges[n] {
            if !in_scc[m] {
                continue;
            }
            if m == start {
                let mut path = vec![n];
                let mut cur = n;
                while let Some(p) = prev[cur] {
                    path.push(p);
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            if !visited[m] {
                visited[m] = true;
                prev[m] = Some(n);
                queue.push_back(m);
            }
        }
    }
    None
}

/// Tarjan's strongly connected components (iterative).
fn tarjan(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(top) = work.last_mut() {
            let v = top.0;
            if let Some(&w) = edges[v].get(top.1) {
                top.1 += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(comp);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_found_once() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 0
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![0]];
        let cycles = find_cycles(&edges);
        assert_eq!(cycles, vec![vec![0, 1, 2], vec![3]]);
        assert!(find_cycles(&[vec![1], vec![]]).is_empty());
    }

    #[test]
    fn shells() {
        assert!(shell_is_valid("bash"));
        assert!(shell_is_valid("perl {0}"));
        assert!(shell_is_valid("bash -e {0}"));
        assert!(!shell_is_valid("zsh"));
        assert!(!shell_is_valid("bash -e"));
    }
}
