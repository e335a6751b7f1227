//! `untrusted-input`: values anyone can write (an issue's title, a branch
//! name, a commit message, …) put straight into a script with `${{ }}`.
//! GitHub substitutes the text before the shell (or `actions/github-script`)
//! reads it, so crafted text runs as code. GitHub's security guide lists
//! these values and advises passing them through an environment variable.

use gantry_expr::ast::Index;
use gantry_expr::{Expr, ExprKind, Function, Span};

/// Paths under `github` that carry text from outside the repository's
/// writers. `*` stands for any array index or object key.
const UNTRUSTED: &[&[&str]] = &[
    &["head_ref"],
    &["event", "issue", "title"],
    &["event", "issue", "body"],
    &["event", "pull_request", "title"],
    &["event", "pull_request", "body"],
    &["event", "pull_request", "head", "ref"],
    &["event", "pull_request", "head", "label"],
    &["event", "pull_request", "head", "repo", "default_branch"],
    &["event", "comment", "body"],
    &["event", "review", "body"],
    &["event", "review_comment", "body"],
    &["event", "discussion", "title"],
    &["event", "discussion", "body"],
    &["event", "pages", "*", "page_name"],
    &["event", "commits", "*", "message"],
    &["event", "commits", "*", "author", "email"],
    &["event", "commits", "*", "author", "name"],
    &["event", "head_commit", "message"],
    &["event", "head_commit", "author", "email"],
    &["event", "head_commit", "author", "name"],
    &["event", "workflow_run", "head_branch"],
    &["event", "workflow_run", "display_title"],
    &["event", "workflow_run", "head_commit", "message"],
    &["event", "workflow_run", "head_commit", "author", "email"],
    &["event", "workflow_run", "head_commit", "author", "name"],
    &["event", "workflow_run", "pull_requests", "*", "head", "ref"],
];

/// An untrusted value used in a script: where, and its path written with
/// `*` for indexes (e.g. `github.event.commits.*.message`).
pub(super) struct Untrusted {
    pub span: Span,
    pub path: String,
}

/// One step of an access path.
enum Seg<'e> {
    Name(&'e str),
    Any,
}

/// Every untrusted value whose text ends up in the expression's result.
/// Operands of comparisons, `!` and the boolean functions only decide a
/// `true` or `false`, so they are not reported.
pub(super) fn untrusted(expr: &Expr) -> Vec<Untrusted> {
    let mut out = Vec::new();
    walk(expr, true, &mut out);
    out
}

fn walk(e: &Expr, flows: bool, out: &mut Vec<Untrusted>) {
    match &e.kind {
        ExprKind::Index { .. } => {
            let mut chain = Vec::new();
            let mut cur = e;
            while let ExprKind::Index { target, index } = &cur.kind {
                chain.push(index);
                cur = target;
            }
            chain.reverse();
            if flows
                && let ExprKind::Context(name) = &cur.kind
                && name.eq_ignore_ascii_case("github")
            {
                check_path(cur.span, e.span, &chain, out);
            } else {
                walk(cur, flows, out);
            }
            for index in chain {
                if let Index::Expr(inner) = index {
                    walk(inner, flows, out);
                }
            }
        }
        ExprKind::Binary { left, right, .. } => {
            walk(left, false, out);
            walk(right, false, out);
        }
        ExprKind::Not(inner) => walk(inner, false, out),
        ExprKind::Group(inner) => walk(inner, flows, out),
        ExprKind::And(args) | ExprKind::Or(args) => {
            for a in args {
                walk(a, flows, out);
            }
        }
        ExprKind::Call { function, args, .. } => {
            let flows = flows
                && !matches!(
                    function,
                    Function::Contains
                        | Function::StartsWith
                        | Function::EndsWith
                        | Function::HashFiles
                );
            for a in args {
                walk(a, flows, out);
            }
        }
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Context(_) => {}
    }
}

fn check_path(root: Span, whole: Span, chain: &[&Index], out: &mut Vec<Untrusted>) {
    let segs: Vec<Seg<'_>> = chain
        .iter()
        .map(|i| match i {
            Index::Property { name, .. } => Seg::Name(name),
            Index::Expr(e) => match &e.kind {
                ExprKind::String(s) => Seg::Name(s),
                _ => Seg::Any,
            },
            Index::Star => Seg::Any,
        })
        .collect();
    let hit = UNTRUSTED.iter().find(|pattern| {
        pattern.len() == segs.len()
            && pattern.iter().zip(&segs).all(|(p, s)| match s {
                Seg::Name(n) => n.eq_ignore_ascii_case(p),
                Seg::Any => *p == "*",
            })
    });
    if let Some(pattern) = hit {
        out.push(Untrusted {
            span: Span::new(root.start, whole.end),
            path: format!("github.{}", pattern.join(".")),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_expr::{ParseOptions, parse};

    fn paths(src: &str) -> Vec<String> {
        let e = parse(src, &ParseOptions::default()).unwrap().unwrap();
        untrusted(&e).into_iter().map(|u| u.path).collect()
    }

    #[test]
    fn finds_nested_and_filtered_paths() {
        assert_eq!(
            paths(
                "github.event.pages[github.event.commits[github.event.issue.title].author.name].page_name"
            ),
            [
                "github.event.pages.*.page_name",
                "github.event.commits.*.author.name",
                "github.event.issue.title"
            ]
        );
        assert_eq!(
            paths("github.event.commits.*.message"),
            ["github.event.commits.*.message"]
        );
        assert_eq!(paths("GitHub.Head_Ref || 'main'"), ["github.head_ref"]);
    }

    #[test]
    fn decisions_are_not_reported() {
        assert!(paths("github.event.issue.title == 'x'").is_empty());
        assert!(paths("contains(github.event.issue.body, 'x')").is_empty());
        assert!(paths("!github.head_ref").is_empty());
        assert!(paths("github.event.issue.number").is_empty());
    }
}
