//! What an expression refers to: contexts and their property paths, and
//! functions, each with its span. The checker uses this to report unknown
//! contexts, properties and functions at their exact place.

use crate::ast::{Expr, ExprKind, Index};
use crate::error::Span;
use crate::funcs::Function;

/// One step of a property path.
#[derive(Clone, Debug, PartialEq)]
pub enum PathPart {
    /// `.name` or `['name']`.
    Property { name: String, span: Span },
    /// `[0]` (a number literal).
    Index { index: f64, span: Span },
    /// `.*` or `[*]`.
    Star,
    /// `[expr]` with anything but a literal inside.
    Dynamic { span: Span },
}

/// A use of a context, e.g. `github.event.pull_request.number`.
#[derive(Clone, Debug, PartialEq)]
pub struct ContextRef {
    /// The context name as written.
    pub name: String,
    pub name_span: Span,
    pub path: Vec<PathPart>,
    /// The span of the whole access chain.
    pub span: Span,
}

/// A function call.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionRef {
    pub function: Function,
    pub name_span: Span,
    pub args: usize,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct References {
    pub contexts: Vec<ContextRef>,
    pub functions: Vec<FunctionRef>,
}

/// Lists what `expr` refers to, in source order.
pub fn references(expr: &Expr) -> References {
    let mut refs = References::default();
    collect(expr, &mut refs);
    refs
}

fn collect(e: &Expr, refs: &mut References) {
    match &e.kind {
        ExprKind::Context(name) => refs.contexts.push(ContextRef {
            name: name.clone(),
            name_span: e.span,
            path: Vec::new(),
            span: e.span,
        }),
        ExprKind::Index { .. } => {
            // Unwind the chain down to its base.
            let mut chain = Vec::new();
            let mut cur = e;
            while let ExprKind::Index { target, index } = &cur.kind {
                chain.push(index);
                cur = target;
            }
            chain.reverse();
            if let ExprKind::Context(name) = &cur.kind {
                let path = chain.iter().map(|i| path_part(i)).collect();
                refs.contexts.push(ContextRef {
                    name: name.clone(),
                    name_span: cur.span,
                    path,
                    span: e.span,
                });
            } else {
                collect(cur, refs);
            }
            for index in chain {
                if let Index::Expr(inner) = index {
                    collect(inner, refs);
                }
            }
        }
        ExprKind::Call {
            function,
            name_span,
            args,
        } => {
            refs.functions.push(FunctionRef {
                function: *function,
                name_span: *name_span,
                args: args.len(),
                span: e.span,
            });
            for a in args {
                collect(a, refs);
            }
        }
        ExprKind::Not(inner) | ExprKind::Group(inner) => collect(inner, refs),
        ExprKind::Binary { left, right, .. } => {
            collect(left, refs);
            collect(right, refs);
        }
        ExprKind::And(args) | ExprKind::Or(args) => {
            for a in args {
                collect(a, refs);
            }
        }
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::String(_) => {}
    }
}

fn path_part(index: &Index) -> PathPart {
    match index {
        Index::Property { name, span } => PathPart::Property {
            name: name.clone(),
            span: *span,
        },
        Index::Star => PathPart::Star,
        Index::Expr(e) => match &e.kind {
            ExprKind::String(s) => PathPart::Property {
                name: s.clone(),
                span: e.span,
            },
            ExprKind::Number(n) => PathPart::Index {
                index: *n,
                span: e.span,
            },
            _ => PathPart::Dynamic { span: e.span },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::{ParseOptions, parse};

    #[test]
    fn lists_contexts_with_paths_and_functions() {
        let src =
            "contains(github.event.pull_request.labels.*.name, 'x') && matrix['os'] == env.A-B";
        let e = parse(src, &ParseOptions::default()).unwrap().unwrap();
        let r = references(&e);
        let names: Vec<_> = r.contexts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["github", "matrix", "env"]);
        assert_eq!(r.contexts[0].path.len(), 5);
        assert_eq!(r.contexts[0].path[3], PathPart::Star);
        assert_eq!(
            r.contexts[1].path[0],
            PathPart::Property {
                name: "os".into(),
                span: crate::Span::new(65, 69)
            }
        );
        assert_eq!(
            &src[r.contexts[2].span.start..r.contexts[2].span.end],
            "env.A-B"
        );
        assert_eq!(r.functions.len(), 1);
        assert_eq!(r.functions[0].function, Function::Contains);
    }
}
