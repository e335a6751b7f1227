//! Type inference over one parsed expression, with the type errors it finds:
//! comparisons whose result is fixed or meaningless, properties read from
//! values that have none, keys of the wrong type, and function arguments
//! of the wrong type.
//!
//! Each node is typed once, bottom-up; contexts resolve lazily through the
//! [`Scope`] (matrix values, declared inputs, `workflow_dispatch` inputs).

use gantry_expr::ast::{BinaryOp, Index};
use gantry_expr::{Contexts, Expr, ExprKind, Function, ParseOptions, Span, evaluate, parse};
use gantry_workflow::{Matrix, MatrixRow, MatrixRows, MatrixValues, Strategy};

use super::check::is_single;
use super::props::closest;
use super::scope::Scope;
use super::types::{Obj, Root, Ty};
use crate::contexts::{GITHUB, RUNNER, known};

/// A type error, at a span of the expression's text.
pub(super) struct TypeFinding {
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
    /// Reported as a warning: GitHub reads the value as null, which the
    /// author may intend (a key some matrix rows leave out).
    pub warning: bool,
}

/// Infers types in the scope of one place, collecting findings.
pub(super) struct Infer<'s, 'a> {
    pub scope: &'s Scope<'a>,
    pub findings: Vec<TypeFinding>,
}

fn is(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl<'s, 'a> Infer<'s, 'a> {
    pub fn new(scope: &'s Scope<'a>) -> Self {
        Infer {
            scope,
            findings: Vec::new(),
        }
    }

    fn report(&mut self, span: Span, message: String, hint: Option<String>) {
        self.findings.push(TypeFinding {
            span,
            message,
            hint,
            warning: false,
        });
    }

    /// The type of `e`.
    pub fn ty(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Null => Ty::Null,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Number(_) => Ty::Number,
            ExprKind::String(_) => Ty::String,
            ExprKind::Context(name) => context(name),
            ExprKind::Group(inner) => self.ty(inner),
            ExprKind::Not(inner) => {
                self.ty(inner);
                Ty::Bool
            }
            ExprKind::And(args) | ExprKind::Or(args) => args
                .iter()
                .map(|a| self.ty(a))
                .reduce(Ty::merge)
                .unwrap_or(Ty::Any),
            ExprKind::Binary { op, left, right } => {
                let (l, r) = (self.ty(left), self.ty(right));
                self.compare(e.span, *op, &l, &r);
                Ty::Bool
            }
            ExprKind::Index { target, index } => {
                let recv = self.ty(target);
                match index {
                    Index::Property { name, span } => self.prop(recv, name, e.span, *span),
                    Index::Expr(key) => match &key.kind {
                        ExprKind::String(name) => self.prop(recv, name, e.span, key.span),
                        _ => {
                            let k = self.ty(key);
                            self.index(recv, &k, key.span)
                        }
                    },
                    Index::Star => star(recv, self.scope),
                }
            }
            ExprKind::Call { function, args, .. } => self.call(e, *function, args),
        }
    }

    fn compare(&mut self, span: Span, op: BinaryOp, l: &Ty, r: &Ty) {
        if matches!(l, Ty::Any) || matches!(r, Ty::Any) {
            return;
        }
        let o = op.as_str();
        match op {
            BinaryOp::Eq | BinaryOp::Ne => {
                let composite = |t: &Ty| t.is_object() || t.is_array();
                if !(composite(l) || composite(r)) || matches!(l, Ty::Null) || matches!(r, Ty::Null)
                {
                    return;
                }
                let same = match (l, r) {
                    (Ty::Array { elem: a, .. }, Ty::Array { elem: b, .. }) => comparable(a, b),
                    _ => l.is_object() && r.is_object(),
                };
                if !same {
                    let result = if op == BinaryOp::Eq { "false" } else { "true" };
                    self.report(
                        span,
                        format!(
                            "`{o}` between {l} and {r} is always {result}: an object or array equals only itself"
                        ),
                        Some("compare a property of it, or `toJSON(…)` of both sides".into()),
                    );
                }
            }
            _ => {
                let bad = |t: &Ty| !matches!(t, Ty::Number | Ty::String);
                if bad(l) || bad(r) {
                    let which = if bad(l) { l } else { r };
                    self.report(
                        span,
                        format!(
                            "`{o}` orders numbers and strings, but compares {l} with {r}: the {which} is converted to a number first, so the result means little"
                        ),
                        Some("null counts as 0, booleans as 0 and 1, objects and arrays as NaN".into()),
                    );
                }
            }
        }
    }

    /// `recv.name` (also `recv['name']`); `at` spans the whole access.
    fn prop(&mut self, recv: Ty, name: &str, at: Span, name_span: Span) -> Ty {
        match recv {
            Ty::Any | Ty::Null => Ty::Any,
            Ty::Bool | Ty::Number | Ty::String => {
                self.report(
                    at,
                    format!(
                        "property `{name}` is read from a {recv} value, which has no properties, so it is always null"
                    ),
                    None,
                );
                Ty::Any
            }
            Ty::Array {
                elem,
                filtered: true,
            } => {
                let t = self.prop(*elem, name, at, name_span);
                Ty::filtered(t)
            }
            Ty::Array { .. } => {
                self.report(
                    at,
                    format!("property `{name}` is read from an {recv}, so it is always null"),
                    Some(format!(
                        "index the array with a number, or write `.*.{name}` to read it from every element"
                    )),
                );
                Ty::Any
            }
            Ty::Object(Obj::Loose) => Ty::Any,
            Ty::Object(Obj::Map(t)) => *t,
            Ty::Object(Obj::Strict(props)) => {
                if let Some(i) = props.iter().position(|(k, _)| is(k, name)) {
                    return props.into_iter().nth(i).map_or(Ty::Any, |(_, t)| t);
                }
                let names: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
                let hint = closest(&names, name)
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| {
                        (!names.is_empty())
                            .then(|| format!("its properties are {}", names.join(", ")))
                    });
                let shown = Ty::Object(Obj::Strict(props));
                self.findings.push(TypeFinding {
                    span: name_span,
                    message: format!("{shown} has no property `{name}`, so it is always null"),
                    hint,
                    warning: true,
                });
                Ty::Any
            }
            Ty::Ctx(root) => root_prop(self.scope, root, name),
        }
    }

    /// `recv[key]` with a key that is not a string literal.
    fn index(&mut self, recv: Ty, key: &Ty, key_span: Span) -> Ty {
        match recv {
            Ty::Any | Ty::Null => Ty::Any,
            Ty::Bool | Ty::Number | Ty::String => {
                self.report(
                    key_span,
                    format!("a {recv} value is indexed, which gives null whatever the key"),
                    None,
                );
                Ty::Any
            }
            Ty::Array { elem, filtered } => {
                if matches!(key, Ty::String | Ty::Bool) {
                    self.report(
                        key_span,
                        format!(
                            "an array is indexed with a {key} value; array indexes are numbers"
                        ),
                        None,
                    );
                }
                if filtered { Ty::Any } else { *elem }
            }
            recv => {
                if matches!(key, Ty::Number | Ty::Bool) {
                    self.report(
                        key_span,
                        format!(
                            "an object is indexed with a {key} value; object keys are strings, so the result is always null"
                        ),
                        None,
                    );
                }
                match recv {
                    Ty::Object(Obj::Map(t)) => *t,
                    Ty::Ctx(root) => dynamic(root),
                    _ => Ty::Any,
                }
            }
        }
    }

    fn call(&mut self, e: &Expr, function: Function, args: &[Expr]) -> Ty {
        if function == Function::Format
            && let Some(Expr {
                kind: ExprKind::String(f),
                ..
            }) = args.first()
        {
            self.unused_format_args(f, &args[1..]);
        }
        let mut first = Ty::Any;
        let mut values = Ty::Null;
        let mut any_value = false;
        for (i, a) in args.iter().enumerate() {
            let t = self.ty(a);
            match function {
                Function::Contains if i == 0 && t.is_object() => self.report(
                    a.span,
                    format!(
                        "`contains()` searches a string or an array, but its first argument is {t}"
                    ),
                    Some("search `toJSON(…)` of it, or an array such as `.*` of it".into()),
                ),
                Function::StartsWith | Function::EndsWith if t.is_object() || t.is_array() => {
                    self.report(
                        a.span,
                        format!(
                            "`{}()` compares text, but argument {} is {t}",
                            function.name(),
                            i + 1
                        ),
                        None,
                    );
                }
                Function::Case if i % 2 == 1 || i + 1 == args.len() => {
                    values = if any_value { values.merge(t) } else { t };
                    any_value = true;
                    continue;
                }
                _ => {}
            }
            if i == 0 {
                first = t;
            }
        }
        match function {
            Function::Contains
            | Function::StartsWith
            | Function::EndsWith
            | Function::Success
            | Function::Always
            | Function::Failure
            | Function::Cancelled => Ty::Bool,
            Function::Format | Function::Join | Function::ToJson | Function::HashFiles => {
                Ty::String
            }
            Function::Case => {
                if any_value {
                    values
                } else {
                    Ty::Any
                }
            }
            Function::FromJson => {
                let literal = matches!(args.first().map(|a| &a.kind), Some(ExprKind::String(_)));
                if literal && matches!(first, Ty::String) {
                    evaluate(Some(e), &Contexts::default()).map_or(Ty::Any, |v| Ty::of_value(&v))
                } else {
                    Ty::Any
                }
            }
        }
    }
}

impl Infer<'_, '_> {
    /// Warns of `format()` arguments the format string never uses (GitHub
    /// ignores them). A format string that does not parse is left to
    /// `invalid-literal-argument`.
    fn unused_format_args(&mut self, format: &str, args: &[Expr]) {
        if args.is_empty() {
            return;
        }
        let mut used = vec![false; args.len()];
        let b = format.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'{' if b.get(i + 1) == Some(&b'{') => i += 2,
                b'}' if b.get(i + 1) == Some(&b'}') => i += 2,
                b'{' => {
                    let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    if digits == 0 || b.get(i + 1 + digits) != Some(&b'}') {
                        return;
                    }
                    let n: usize = format[i + 1..i + 1 + digits].parse().unwrap_or(usize::MAX);
                    match used.get_mut(n) {
                        Some(u) => *u = true,
                        // Too few arguments: the call fails, which
                        // `invalid-literal-argument` reports.
                        None => return,
                    }
                    i += digits + 2;
                }
                _ => i += 1,
            }
        }
        for (n, a) in args.iter().enumerate() {
            if !used[n] {
                self.findings.push(TypeFinding {
                    span: a.span,
                    message: format!(
                        "this argument of `format()` is never used: the format string has no `{{{n}}}`"
                    ),
                    hint: Some("remove the argument, or refer to it in the format string".into()),
                    warning: true,
                });
            }
        }
    }
}

/// Whether arrays of `a` and of `b` can be equal (one is the other).
fn comparable(a: &Ty, b: &Ty) -> bool {
    match (a, b) {
        (Ty::Any, _) | (_, Ty::Any) => true,
        (Ty::Array { elem: x, .. }, Ty::Array { elem: y, .. }) => comparable(x, y),
        _ => {
            (a.is_object() && b.is_object())
                || std::mem::discriminant(a) == std::mem::discriminant(b)
        }
    }
}

fn context(name: &str) -> Ty {
    const ROOTS: &[(&str, Root)] = &[
        ("github", Root::Github),
        ("env", Root::Strings),
        ("vars", Root::Strings),
        ("secrets", Root::Strings),
        ("job", Root::Job),
        ("jobs", Root::Jobs),
        ("needs", Root::Jobs),
        ("steps", Root::Steps),
        ("runner", Root::Runner),
        ("strategy", Root::Strategy),
        ("matrix", Root::Matrix),
        ("inputs", Root::Inputs),
    ];
    ROOTS
        .iter()
        .find(|(n, _)| is(n, name))
        .map_or(Ty::Any, |(_, r)| Ty::Ctx(*r))
}

/// The type of `name` in a table of `(name, type)`; `Any` when absent.
fn typed(table: &[(&str, Ty)], name: &str) -> Ty {
    table
        .iter()
        .find(|(n, _)| is(n, name))
        .map_or(Ty::Any, |(_, t)| t.clone())
}

/// The type of `<root>.<name>`. Unknown names are `Any`: the property
/// checks (`props.rs`) report them.
fn root_prop(scope: &Scope<'_>, root: Root, name: &str) -> Ty {
    match root {
        Root::Github => {
            if is(name, "event") {
                Ty::Ctx(Root::Event)
            } else if is(name, "ref_protected") {
                Ty::Bool
            } else if known(GITHUB, name) {
                Ty::String
            } else {
                Ty::Any
            }
        }
        Root::Event => {
            if is(name, "inputs") && scope.dispatch_inputs.is_some() {
                Ty::Ctx(Root::EventInputs)
            } else {
                Ty::Any
            }
        }
        Root::EventInputs => {
            let declared = scope
                .dispatch_inputs
                .as_ref()
                .is_some_and(|names| names.iter().any(|n| is(n, name)));
            if declared { Ty::String } else { Ty::Any }
        }
        Root::Strings => Ty::String,
        Root::Job => typed(
            &[
                ("container", Ty::Object(Obj::Loose)),
                ("services", Ty::Object(Obj::Loose)),
                ("check_run_id", Ty::Number),
                ("status", Ty::String),
                ("workflow_ref", Ty::String),
                ("workflow_sha", Ty::String),
                ("workflow_repository", Ty::String),
                ("workflow_file_path", Ty::String),
            ],
            name,
        ),
        Root::Runner => {
            if known(RUNNER, name) {
                Ty::String
            } else {
                Ty::Any
            }
        }
        Root::Strategy => typed(
            &[
                ("fail-fast", Ty::Bool),
                ("job-index", Ty::Number),
                ("job-total", Ty::Number),
                ("max-parallel", Ty::Number),
            ],
            name,
        ),
        Root::Matrix => scope
            .matrix_types
            .as_deref()
            .map_or(Ty::Any, |m| typed(m, name)),
        Root::Inputs => typed(&scope.input_types, name),
        Root::Steps => Ty::Ctx(Root::Step),
        Root::Step => {
            if is(name, "outputs") {
                Ty::map(Ty::String)
            } else if is(name, "outcome") || is(name, "conclusion") {
                Ty::String
            } else {
                Ty::Any
            }
        }
        Root::Jobs => Ty::Ctx(Root::JobResult),
        Root::JobResult => {
            if is(name, "outputs") {
                Ty::map(Ty::String)
            } else if is(name, "result") {
                Ty::String
            } else {
                Ty::Any
            }
        }
    }
}

/// The type of `<root>[key]` for a key not known before the run.
fn dynamic(root: Root) -> Ty {
    match root {
        Root::Strings | Root::EventInputs => Ty::String,
        Root::Steps => Ty::Ctx(Root::Step),
        Root::Jobs => Ty::Ctx(Root::JobResult),
        _ => Ty::Any,
    }
}

/// `recv.*`.
fn star(recv: Ty, scope: &Scope<'_>) -> Ty {
    let values = |t: Ty| match t {
        Ty::Array { elem, .. } => *elem,
        Ty::Object(Obj::Map(t)) => *t,
        Ty::Object(Obj::Strict(props)) => props
            .into_iter()
            .map(|(_, t)| t)
            .reduce(Ty::merge)
            .unwrap_or(Ty::Any),
        Ty::Ctx(root) => match root {
            Root::Matrix => scope
                .matrix_types
                .as_ref()
                .and_then(|m| m.iter().map(|(_, t)| t.clone()).reduce(Ty::merge))
                .unwrap_or(Ty::Any),
            _ => dynamic(root),
        },
        _ => Ty::Any,
    };
    match recv {
        Ty::Array {
            elem,
            filtered: false,
        } => Ty::filtered(*elem),
        Ty::Array {
            elem,
            filtered: true,
        } => Ty::filtered(values(*elem)),
        other => Ty::filtered(values(other)),
    }
}

/// The type of every key of a job's matrix, from the values written for
/// it (axes and `include` rows); `None` when an expression builds the
/// matrix or its `include`, so that any key may exist.
pub(super) fn matrix_types<'a>(
    scope: &Scope<'a>,
    strategy: Option<&'a Strategy>,
) -> Option<Vec<(&'a str, Ty)>> {
    let Some(matrix) = strategy.and_then(|s| s.matrix.as_ref()) else {
        return Some(Vec::new());
    };
    let Matrix::Map(map) = matrix else {
        return None;
    };
    // A value that is one whole `${{ }}` has the expression's type; text
    // around an expression makes a string.
    let mut value = |raw: &str| -> Ty {
        if !is_single(raw) {
            return Ty::String;
        }
        let t = raw.trim();
        let options = ParseOptions {
            allow_context: None,
            status_functions: true,
            hash_files: true,
        };
        match parse(&t[3..t.len() - 2], &options) {
            Ok(Some(e)) => Infer::new(scope).ty(&e),
            _ => Ty::Any,
        }
    };
    let mut out: Vec<(&str, Ty)> = Vec::with_capacity(map.axes.len());
    for axis in &map.axes {
        let t = match &axis.values {
            MatrixValues::List { items, .. } => items
                .iter()
                .map(|i| Ty::of_node(i, &mut value))
                .reduce(Ty::merge)
                .unwrap_or(Ty::Any),
            MatrixValues::Expr(_) => Ty::Any,
        };
        out.push((axis.name.value.as_str(), t));
    }
    match &map.include {
        None => {}
        Some(MatrixRows::Expr(_)) => return None,
        Some(MatrixRows::List { rows, .. }) => {
            for row in rows {
                let MatrixRow::Map { entries, .. } = row else {
                    return None;
                };
                for (k, v) in entries {
                    let t = Ty::of_node(v, &mut value);
                    match out.iter_mut().find(|(n, _)| is(n, &k.value)) {
                        Some((_, old)) => *old = std::mem::replace(old, Ty::Any).merge(t),
                        None => out.push((k.value.as_str(), t)),
                    }
                }
            }
        }
    }
    Some(out)
}
