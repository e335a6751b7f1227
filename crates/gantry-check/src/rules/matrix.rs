//! Rules: `strategy.matrix` — `include` / `exclude` entries, empty and
//! oversized matrices, repeated values.
//!
//! The expansion follows GitHub's: the cross product of the axes; `exclude`
//! entries remove every combination whose values match all of the entry's
//! leaves (a partial match, compared with the expression language's `==`);
//! `include` entries add their extra keys to every remaining combination
//! their axis keys match, and become a job of their own when they match
//! none. `exclude` may only name axes (an `include`-only key is an error at
//! GitHub); `include` may add new keys.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_workflow::{
    Action, MatrixMap, MatrixRow, MatrixRows, MatrixValues, Spanned, Value as Node, Workflow,
};
use gantry_yaml::NodeKind;

use crate::Cx;
use crate::rules::jobs::suggest_ci;

/// The rule ids this module reports, with one line each.
pub const RULES: &[(&str, &str)] = &[
    (
        "matrix-include-exclude",
        "an `exclude` key that is not an axis, an empty entry, or an `exclude` matching nothing (warning)",
    ),
    ("empty-matrix", "a matrix that expands to no job at all"),
    ("matrix-too-large", "a matrix of more than 256 jobs"),
    (
        "matrix-duplicate",
        "the same value twice in one axis (warning)",
    ),
];

/// GitHub's limit on the jobs one matrix may generate.
pub const MAX_JOBS: u64 = 256;

/// Cross products larger than this are not enumerated.
const ENUMERATE_LIMIT: u64 = 1 << 17;

pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    for job in &wf.jobs {
        if let Some(strategy) = &job.common().strategy
            && let Some(gantry_workflow::Matrix::Map(m)) = &strategy.matrix
        {
            check_matrix(cx, m);
        }
    }
}

pub fn check_action(cx: &mut Cx<'_>, action: &Action) {
    let _ = (cx, action);
}

/// One `exclude` entry.
struct Exclude<'a> {
    span: Span,
    entries: &'a [(Spanned<String>, Node)],
    leaves: Vec<Leaf<'a>>,
}

/// One leaf of an include/exclude entry: the path from the matrix down to
/// it, and its value.
struct Leaf<'a> {
    path: Vec<Seg<'a>>,
    value: &'a Node,
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn check_matrix(cx: &mut Cx<'_>, m: &MatrixMap) {
    // Whether everything is literal, so the expansion can be computed.
    let mut literal = true;
    let mut vectors: Vec<(&str, &[Node])> = Vec::new();
    for axis in &m.axes {
        match &axis.values {
            MatrixValues::Expr(_) => literal = false,
            MatrixValues::List { items, span } => {
                if items.is_empty() {
                    cx.push(
                        Diagnostic::error(
                            "empty-matrix",
                            *span,
                            format!(
                                "matrix axis `{}` has no values, so the matrix has no job",
                                axis.name.value
                            ),
                        )
                        .with_hint("add at least one value, or remove the axis"),
                    );
                    literal = false;
                }
                check_duplicates(cx, &axis.name, items);
                if items.iter().any(has_expression) {
                    literal = false;
                }
                vectors.push((axis.name.value.as_str(), items));
            }
        }
    }
    let axis_names: Vec<&str> = m.axes.iter().map(|a| a.name.value.as_str()).collect();
    let is_axis = |k: &str| axis_names.iter().any(|a| a.eq_ignore_ascii_case(k));

    // `exclude`
    let mut excludes: Vec<Exclude<'_>> = Vec::new();
    match &m.exclude {
        Some(MatrixRows::Expr(_)) => literal = false,
        Some(MatrixRows::List { rows, .. }) => {
            for row in rows {
                let (entries, span) = match row {
                    MatrixRow::Expr(_) => {
                        literal = false;
                        continue;
                    }
                    MatrixRow::Map { entries, span } => (entries, *span),
                };
                if entries.is_empty() {
                    cx.push(Diagnostic::error(
                        "matrix-include-exclude",
                        span,
                        "an `exclude` entry must name at least one axis",
                    ));
                    continue;
                }
                let mut valid = true;
                for (key, value) in entries {
                    if has_expression(value) {
                        literal = false;
                    }
                    if is_axis(&key.value) {
                        continue;
                    }
                    valid = false;
                    let mut d = Diagnostic::error(
                        "matrix-include-exclude",
                        key.span,
                        format!("`exclude` key `{}` is not an axis of the matrix", key.value),
                    );
                    d = match suggest_ci(&axis_names, &key.value) {
                        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                        None if axis_names.is_empty() => {
                            d.with_hint("`exclude` can only filter on axes; this matrix has none")
                        }
                        None => d.with_hint(format!(
                            "`exclude` can only filter on axes ({}); keys added by `include` cannot be excluded",
                            axis_names
                                .iter()
                                .map(|a| format!("`{a}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    };
                    cx.push(d);
                }
                if valid {
                    excludes.push(Exclude {
                        span,
                        entries,
                        leaves: leaves(entries),
                    });
                }
            }
        }
        None => {}
    }

    // `include`: leaves on axis keys filter, the other keys are extras.
    let mut includes: Vec<Vec<Leaf<'_>>> = Vec::new();
    match &m.include {
        Some(MatrixRows::Expr(_)) => literal = false,
        Some(MatrixRows::List { rows, .. }) => {
            for row in rows {
                let (entries, span) = match row {
                    MatrixRow::Expr(_) => {
                        literal = false;
                        continue;
                    }
                    MatrixRow::Map { entries, span } => (entries, *span),
                };
                if entries.is_empty() {
                    cx.push(Diagnostic::error(
                        "matrix-include-exclude",
                        span,
                        "an `include` entry must set at least one key",
                    ));
                    continue;
                }
                if entries.iter().any(|(_, v)| has_expression(v)) {
                    literal = false;
                }
                let mut lv = Vec::new();
                for (k, v) in entries {
                    if is_axis(&k.value) {
                        flatten(v, vec![Seg::Key(k.value.as_str())], &mut lv);
                    }
                }
                includes.push(lv);
            }
        }
        None => {}
    }
    if !literal {
        return;
    }
    expand(cx, m, &vectors, &excludes, &includes);
}

fn leaves(entries: &[(Spanned<String>, Node)]) -> Vec<Leaf<'_>> {
    let mut out = Vec::new();
    for (k, v) in entries {
        flatten(v, vec![Seg::Key(k.value.as_str())], &mut out);
    }
    out
}

fn flatten<'a>(node: &'a Node, path: Vec<Seg<'a>>, out: &mut Vec<Leaf<'a>>) {
    match &node.kind {
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                if let Some(key) = k.as_str() {
                    let mut p = clone_path(&path);
                    p.push(Seg::Key(key));
                    flatten(v, p, out);
                }
            }
        }
        NodeKind::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                let mut p = clone_path(&path);
                p.push(Seg::Index(i));
                flatten(v, p, out);
            }
        }
        _ => out.push(Leaf { path, value: node }),
    }
}

fn clone_path<'a>(path: &[Seg<'a>]) -> Vec<Seg<'a>> {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => Seg::Key(k),
            Seg::Index(i) => Seg::Index(*i),
        })
        .collect()
}

/// Whether a combination (one value per axis) matches every leaf.
fn matches(vectors: &[(&str, &[Node])], combo: &[&Node], leaves: &[Leaf<'_>]) -> bool {
    leaves.iter().all(|leaf| {
        let mut segs = leaf.path.iter();
        let Some(Seg::Key(axis)) = segs.next() else {
            return false;
        };
        let Some(i) = vectors
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(axis))
        else {
            return false;
        };
        let mut cur = Some(combo[i]);
        for seg in segs {
            cur = cur.and_then(|n| match (seg, &n.kind) {
                (Seg::Key(k), NodeKind::Map(entries)) => entries
                    .iter()
                    .find(|(ek, _)| ek.as_str().is_some_and(|s| s.eq_ignore_ascii_case(k)))
                    .map(|(_, v)| v),
                (Seg::Index(i), NodeKind::Seq(items)) => items.get(*i),
                _ => None,
            });
        }
        match cur {
            None => to_value(leaf.value).is_some_and(|v| gantry_expr::Value::Null.loose_eq(&v)),
            Some(n) => match (to_value(n), to_value(leaf.value)) {
                (Some(a), Some(b)) => a.loose_eq(&b),
                _ => false,
            },
        }
    })
}

/// A scalar as an expression value (`None` for sequences and mappings).
fn to_value(node: &Node) -> Option<gantry_expr::Value> {
    Some(match &node.kind {
        NodeKind::Null => gantry_expr::Value::Null,
        NodeKind::Bool(b) => gantry_expr::Value::Bool(*b),
        #[allow(clippy::cast_precision_loss)]
        NodeKind::Int(i) => gantry_expr::Value::Number(*i as f64),
        NodeKind::Float(f) => gantry_expr::Value::Number(*f),
        NodeKind::String { value, .. } => gantry_expr::Value::string(value.as_str()),
        NodeKind::Seq(_) | NodeKind::Map(_) => return None,
    })
}

fn expand(
    cx: &mut Cx<'_>,
    m: &MatrixMap,
    vectors: &[(&str, &[Node])],
    excludes: &[Exclude<'_>],
    includes: &[Vec<Leaf<'_>>],
) {
    let product: u64 = if vectors.is_empty() {
        0
    } else {
        vectors
            .iter()
            .fold(1u64, |acc, (_, v)| acc.saturating_mul(v.len() as u64))
    };
    if product > ENUMERATE_LIMIT {
        if excludes.is_empty() {
            too_large(cx, m.span, product, true);
        }
        return;
    }
    let mut exclude_hit = vec![false; excludes.len()];
    let mut include_hit = vec![false; includes.len()];
    let mut count: u64 = 0;
    let mut combo: Vec<&Node> = Vec::with_capacity(vectors.len());
    for index in 0..product {
        combination(vectors, product, index, &mut combo);
        let mut excluded = false;
        for (k, e) in excludes.iter().enumerate() {
            if matches(vectors, &combo, &e.leaves) {
                exclude_hit[k] = true;
                excluded = true;
            }
        }
        if excluded {
            continue;
        }
        count += 1;
        for (k, leaves) in includes.iter().enumerate() {
            if !include_hit[k] && matches(vectors, &combo, leaves) {
                include_hit[k] = true;
            }
        }
    }
    count += include_hit.iter().filter(|h| !**h).count() as u64;
    for (k, e) in excludes.iter().enumerate() {
        if !exclude_hit[k] {
            cx.push(
                Diagnostic::warning(
                    "matrix-include-exclude",
                    unmatched_part(vectors, product, e),
                    "this `exclude` entry matches no combination of the matrix, so it removes nothing",
                )
                .with_hint("check the values against the axes' values (and their types)"),
            );
        }
    }
    if count == 0 {
        let reason = if excludes.is_empty() {
            "the matrix defines no combination"
        } else {
            "`exclude` removes every combination"
        };
        cx.push(Diagnostic::error(
            "empty-matrix",
            m.span,
            format!("this matrix expands to no job: {reason}"),
        ));
    } else if count > MAX_JOBS {
        too_large(cx, m.span, count, false);
    }
}

/// Combination number `index` of the cross product (the first axis varies
/// slowest, as GitHub orders them).
fn combination<'a>(
    vectors: &[(&str, &'a [Node])],
    product: u64,
    index: u64,
    out: &mut Vec<&'a Node>,
) {
    out.clear();
    let mut block = product;
    for (_, values) in vectors {
        let len = values.len() as u64;
        block /= len;
        let i = usize::try_from((index / block) % len).unwrap_or(0);
        out.push(&values[i]);
    }
}

/// The value of the first key of an `exclude` entry that on its own
/// matches no combination (else the whole entry).
fn unmatched_part(vectors: &[(&str, &[Node])], product: u64, e: &Exclude<'_>) -> Span {
    for (key, value) in e.entries {
        let mut own = Vec::new();
        flatten(value, vec![Seg::Key(key.value.as_str())], &mut own);
        let mut combo: Vec<&Node> = Vec::with_capacity(vectors.len());
        let any = (0..product).any(|index| {
            combination(vectors, product, index, &mut combo);
            matches(vectors, &combo, &own)
        });
        if !any {
            return value.span;
        }
    }
    e.span
}

fn too_large(cx: &mut Cx<'_>, span: Span, count: u64, at_least: bool) {
    let n = if at_least {
        format!("at least {count}")
    } else {
        count.to_string()
    };
    cx.push(
        Diagnostic::error(
            "matrix-too-large",
            span,
            format!("this matrix expands to {n} jobs; GitHub allows at most {MAX_JOBS} per matrix"),
        )
        .with_hint("remove values or add `exclude` entries, or split the job"),
    );
}

fn check_duplicates(cx: &mut Cx<'_>, name: &Spanned<String>, items: &[Node]) {
    for (i, item) in items.iter().enumerate() {
        if let Some(first) = items[..i].iter().find(|p| same_value(p, item)) {
            cx.push(
                Diagnostic::warning(
                    "matrix-duplicate",
                    item.span,
                    format!(
                        "this value appears twice in matrix axis `{}`, so its jobs run twice",
                        name.value
                    ),
                )
                .with_related(first.span, "first written here")
                .with_hint("remove the repeated value"),
            );
        }
    }
}

/// Structural equality of two YAML values, ignoring where they are written.
pub(crate) fn same_value(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Null, NodeKind::Null) => true,
        (NodeKind::Bool(x), NodeKind::Bool(y)) => x == y,
        (NodeKind::Int(x), NodeKind::Int(y)) => x == y,
        (NodeKind::Float(x), NodeKind::Float(y)) => x == y,
        (NodeKind::String { value: x, .. }, NodeKind::String { value: y, .. }) => x == y,
        (NodeKind::Seq(x), NodeKind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .any(|(k2, v2)| same_value(k, k2) && same_value(v, v2))
                })
        }
        _ => false,
    }
}

/// Whether a value holds a `${{ }}` anywhere.
pub(crate) fn has_expression(node: &Node) -> bool {
    match &node.kind {
        NodeKind::String { value, .. } => value.contains("${{"),
        NodeKind::Seq(items) => items.iter().any(has_expression),
        NodeKind::Map(entries) => entries
            .iter()
            .any(|(k, v)| has_expression(k) || has_expression(v)),
        _ => false,
    }
}

/// The literal values `matrix.<name>` can take: the axis's values and those
/// `include` entries set. `None` when the axis is an expression.
pub(crate) fn axis_values<'a>(m: &'a MatrixMap, name: &str) -> Option<Vec<&'a Node>> {
    let mut out = Vec::new();
    let mut found = false;
    for axis in &m.axes {
        if axis.name.value == name {
            found = true;
            match &axis.values {
                MatrixValues::Expr(_) => return None,
                MatrixValues::List { items, .. } => out.extend(items.iter()),
            }
        }
    }
    if let Some(MatrixRows::List { rows, .. }) = &m.include {
        for row in rows {
            if let MatrixRow::Map { entries, .. } = row
                && let Some((_, v)) = entries.iter().find(|(k, _)| k.value == name)
            {
                found = true;
                out.push(v);
            }
        }
    }
    found.then_some(out)
}
