//! Checking one expression-bearing string: splitting it into `${{ }}` parts,
//! parsing each part once, and checking what the parts refer to.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_expr::analysis::{ContextRef, references};
use gantry_expr::{Contexts, Error, Expr, ExprKind, Function, ParseOptions, evaluate, parse};
use gantry_workflow::{BoolOrExpr, Condition, Env, ExprString, NumberOrExpr, Scalar, Value, With};
use gantry_yaml::NodeKind;

use super::infer::Infer;
use super::scope::{At, Scope};
use super::types::Ty;
use super::{
    CONTEXT_AVAILABILITY, EXPRESSION_SYNTAX, EXPRESSION_TYPE, FUNCTION_AVAILABILITY,
    IF_ALWAYS_TRUE, INVALID_LITERAL_ARGUMENT, UNKNOWN_CONTEXT, UNKNOWN_FUNCTION, UNTRUSTED_INPUT,
    constants, props, security,
};
use crate::contexts::{self, CONTEXTS};
use crate::{Cx, locate};

/// `ParseOptions` that accept every name: availability is checked here.
const OPTIONS: ParseOptions<'static> = ParseOptions {
    allow_context: None,
    status_functions: true,
    hash_files: true,
};

/// A string being checked: its value and where the scalar is.
#[derive(Clone, Copy)]
pub(super) struct Text<'s> {
    pub raw: &'s str,
    pub span: Span,
}

impl<'s> From<&'s ExprString> for Text<'s> {
    fn from(e: &'s ExprString) -> Self {
        Text {
            raw: &e.raw,
            span: e.span,
        }
    }
}

impl Text<'_> {
    /// The file span of `raw[start..end]`.
    pub fn locate(&self, cx: &Cx<'_>, start: usize, end: usize) -> Span {
        locate::span_in(cx.src, self.span, self.raw, start, end)
    }
}

/// What a value must be at a place, for a value that is one whole `${{ }}`
/// (text around an expression always makes a string).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Want {
    /// Text: a string, number or boolean.
    Text,
    /// Anything (matrix values, which may be objects or arrays).
    Any,
    /// An object (`env: ${{ … }}`, `services: ${{ … }}`).
    Object,
    /// A label or a list of labels (`runs-on`).
    StringOrArray,
    /// The default of a boolean input.
    Bool,
    /// The default of a number input.
    Number,
    /// An `if:` condition: any value, read as true or false.
    Condition,
}

/// The checker for one place: where it is and what is in scope there.
#[derive(Clone, Copy)]
pub(super) struct Checker<'c, 'a> {
    pub at: At,
    pub scope: &'c Scope<'a>,
    /// What a whole-expression value must be.
    pub want: Want,
    /// Whether the text is a script (`run`, `actions/github-script`'s
    /// `script`), where untrusted input can inject code.
    pub script: bool,
}

/// Whether `raw` (trimmed) is exactly one `${{ }}`.
pub(super) fn is_single(raw: &str) -> bool {
    let t = raw.trim();
    t.starts_with("${{") && t.ends_with("}}") && find_close(t, 3).is_some_and(|c| c + 2 == t.len())
}

/// Finds the `}}` closing an expression whose text starts at `from`, skipping
/// `}}` inside single-quoted strings (as GitHub's template reader does).
fn find_close(src: &str, from: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut i = from;
    let mut in_string = false;
    while i < b.len() {
        match b[i] {
            b'\'' => in_string = !in_string,
            b'}' if !in_string && b.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Reports `fromJSON('…')` of invalid JSON and `format('…', …)` with a bad
/// format string: calls that fail whenever GitHub evaluates them.
fn literal_calls(cx: &mut Cx<'_>, text: Text<'_>, base: usize, expr: &Expr) {
    let mut failures = Vec::new();
    expr.walk(&mut |e| {
        let ExprKind::Call { function, args, .. } = &e.kind else {
            return;
        };
        let Some(ExprKind::String(_)) = args.first().map(|a| &a.kind) else {
            return;
        };
        let call = match function {
            Function::FromJson => e.clone(),
            // Only the format string and the number of arguments matter.
            Function::Format => Expr {
                kind: ExprKind::Call {
                    function: Function::Format,
                    name_span: e.span,
                    args: std::iter::once(args[0].clone())
                        .chain(args[1..].iter().map(|a| Expr {
                            kind: ExprKind::Null,
                            span: a.span,
                        }))
                        .collect(),
                },
                span: e.span,
            },
            _ => return,
        };
        if let Err(err) = evaluate(Some(&call), &Contexts::default()) {
            failures.push((args[0].span, err.description));
        }
    });
    for (span, message) in failures {
        cx.push(Diagnostic::error(
            INVALID_LITERAL_ARGUMENT,
            text.locate(cx, base + span.start, base + span.end),
            message,
        ));
    }
}

/// For a block scalar (`|`, `>-`, …), whose span starts at its content, the
/// span of the indicator on the line before: where the value is written.
fn block_indicator(src: &str, span: Span) -> Option<Span> {
    let before = src.get(..span.start.offset)?;
    let line_end = before.trim_end_matches([' ', '\t', '\n', '\r']).len();
    let line_start = before[..line_end].rfind('\n').map_or(0, |i| i + 1);
    let line = &before[line_start..line_end];
    // Drop a comment after the indicator.
    let line = line.split(" #").next().unwrap_or(line).trim_end();
    let word = line.rsplit(' ').next()?;
    let mut chars = word.chars();
    if !matches!(chars.next(), Some('|' | '>'))
        || !chars.all(|c| matches!(c, '-' | '+' | '1'..='9'))
    {
        return None;
    }
    let start = line_start + line.rfind(word)?;
    let s = locate::pos_from(src, gantry_diagnostics::Pos::START, start);
    let e = locate::pos_from(src, s, start + word.len());
    Some(Span::new(s, e))
}

impl Checker<'_, '_> {
    /// This checker for values that must be `want`.
    pub fn want(self, want: Want) -> Self {
        Checker { want, ..self }
    }

    /// This checker for script text.
    pub fn script(self) -> Self {
        Checker {
            script: true,
            ..self
        }
    }

    /// Checks every `${{ }}` of a template string.
    pub fn template(&self, cx: &mut Cx<'_>, text: Text<'_>) {
        self.template_as(cx, text, self.want);
    }

    /// Checks every `${{ }}` of a template string whose value must be
    /// `want`; returns the expression when the text is one whole `${{ }}`.
    fn template_as(&self, cx: &mut Cx<'_>, text: Text<'_>, want: Want) -> Option<Expr> {
        let raw = text.raw;
        let single = is_single(raw);
        let mut last = None;
        let mut rest = 0;
        while let Some(open) = raw[rest..].find("${{").map(|p| p + rest) {
            let inner = open + 3;
            let Some(close) = find_close(raw, inner) else {
                cx.push(
                    Diagnostic::error(
                        EXPRESSION_SYNTAX,
                        text.locate(cx, open, open + 3),
                        "the expression is not closed: `${{` has no matching `}}`",
                    )
                    .with_hint("add `}}` after the expression"),
                );
                return None;
            };
            if let Some((expr, ty)) = self.expression(cx, text, inner, &raw[inner..close]) {
                self.check_value(cx, text, (open, close + 2), &ty, want, single);
                last = Some(expr);
            }
            rest = close + 2;
        }
        if single { last } else { None }
    }

    /// Reports a value of type `ty` (the `${{ }}` at `range` of the text)
    /// that does not fit `want`.
    fn check_value(
        &self,
        cx: &mut Cx<'_>,
        text: Text<'_>,
        range: (usize, usize),
        ty: &Ty,
        want: Want,
        single: bool,
    ) {
        if matches!(ty, Ty::Any) || want == Want::Condition {
            return;
        }
        let (message, hint) = match (want, single) {
            (Want::Text, _) | (_, false) => {
                if !ty.is_composite_or_null() {
                    return;
                }
                (
                    format!(
                        "this `${{{{ }}}}` gives {ty}, which is not text: objects, arrays and null do not turn into meaningful strings"
                    ),
                    if matches!(ty, Ty::Null) {
                        "write the text wanted, or an empty string `''`"
                    } else {
                        "write `toJSON(…)` of it for JSON text, or read one of its properties"
                    },
                )
            }
            (Want::Any, true) => return,
            (Want::Object, true) => {
                if ty.is_object() {
                    return;
                }
                (
                    format!(
                        "`{}` needs an object, but this expression gives {ty}",
                        self.at.key
                    ),
                    "build the object with `fromJSON(…)`, or write the mapping in YAML",
                )
            }
            (Want::StringOrArray, true) => {
                if !(ty.is_object() || matches!(ty, Ty::Null)) {
                    return;
                }
                (
                    format!(
                        "`{}` needs a label or a list of labels, but this expression gives {ty}",
                        self.at.key
                    ),
                    "read the label from one of its properties",
                )
            }
            (Want::Bool | Want::Number, true) => {
                let (fits, name) = if want == Want::Bool {
                    (matches!(ty, Ty::Bool), "boolean")
                } else {
                    (matches!(ty, Ty::Number), "number")
                };
                if fits {
                    return;
                }
                (
                    format!("this input is a {name}, but its default expression gives {ty}"),
                    "give it a value of the input's type, or change the input's `type`",
                )
            }
            (Want::Condition, true) => return,
        };
        cx.push(
            Diagnostic::error(EXPRESSION_TYPE, text.locate(cx, range.0, range.1), message)
                .with_hint(hint),
        );
    }

    /// Parses and checks the expression `source`, which starts at byte
    /// `base` of the text; returns it with its type when it parses.
    fn expression(
        &self,
        cx: &mut Cx<'_>,
        text: Text<'_>,
        base: usize,
        source: &str,
    ) -> Option<(Expr, Ty)> {
        if source.trim().is_empty() {
            let (open, close) = (base.saturating_sub(3), base + source.len() + 2);
            cx.push(
                Diagnostic::error(
                    EXPRESSION_SYNTAX,
                    text.locate(cx, open, close),
                    "an expression was expected inside `${{ }}`",
                )
                .with_hint("write an expression between the braces, or remove them"),
            );
            return None;
        }
        // GitHub parses the trimmed text (error positions count from it).
        let trimmed = source.trim_start();
        let (base, source) = (base + source.len() - trimmed.len(), trimmed.trim_end());
        match parse(source, &OPTIONS) {
            Ok(Some(expr)) => {
                let ty = self.check_expr(cx, text, base, source, &expr);
                Some((expr, ty))
            }
            Ok(None) => None,
            Err(e) => {
                self.parse_error(cx, text, base, source, &e);
                None
            }
        }
    }

    fn parse_error(&self, cx: &mut Cx<'_>, text: Text<'_>, base: usize, source: &str, e: &Error) {
        let span = e.span.unwrap_or_default();
        let (start, end) = (base + span.start, base + span.end.max(span.start));
        let at = if end == start && start > 0 {
            // The end of the expression: just after its last character.
            let last = text.locate(cx, start - 1, start);
            Span::point(last.end)
        } else {
            text.locate(cx, start, end)
        };
        let name = source.get(span.start..span.end).unwrap_or("");
        if e.description.starts_with("Unrecognized function") {
            let mut d =
                Diagnostic::error(UNKNOWN_FUNCTION, at, format!("unknown function `{name}`"));
            let names = Function::ALL.map(Function::name);
            d = match props::closest(&names, name) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint(format!("the functions are {}", names.join(", "))),
            };
            cx.push(d);
            return;
        }
        let mut d = Diagnostic::error(EXPRESSION_SYNTAX, at, e.to_string());
        if e.description.starts_with("Unexpected symbol: '\"") {
            d = d.with_hint("strings in expressions use single quotes: 'text'");
        } else if e.description.starts_with("Unexpected symbol: '=") && name == "=" {
            d = d.with_hint("compare with `==`");
        }
        cx.push(d);
    }

    /// Checks an `if:` condition (its `${{ }}` is optional).
    pub fn condition(&self, cx: &mut Cx<'_>, cond: &Condition) {
        match cond {
            Condition::Expr(e) => self.condition_text(cx, e.into()),
            Condition::Bool(b) => {
                constants::report(cx, b.span, if b.value { "true" } else { "false" }, b.value);
            }
        }
    }

    /// Checks condition text (also `pre-if` / `post-if` of actions).
    pub fn condition_text(&self, cx: &mut Cx<'_>, text: Text<'_>) {
        let raw = text.raw;
        let at = |cx: &Cx<'_>| block_indicator(cx.src, text.span).unwrap_or(text.span);
        if !raw.contains("${{") {
            match parse(raw, &OPTIONS) {
                Ok(Some(expr)) => {
                    self.check_expr(cx, text, 0, raw, &expr);
                    if let Some(truthy) = constants::value(&expr) {
                        constants::report(cx, at(cx), raw.trim(), truthy);
                    }
                }
                Ok(None) => {}
                Err(e) => self.parse_error(cx, text, 0, raw, &e),
            }
            return;
        }
        let whole = self.template_as(cx, text, Want::Condition);
        let single = raw.starts_with("${{")
            && raw.ends_with("}}")
            && find_close(raw, 3).is_some_and(|c| c + 2 == raw.len());
        if single {
            if let Some(truthy) = whole.as_ref().and_then(constants::value) {
                let inner = raw[3..raw.len() - 2].trim();
                constants::report(cx, at(cx), inner, truthy);
            }
        } else {
            let shown = raw
                .replace('\n', "\\n")
                .replace('\r', "\\r")
                .replace('\t', "\\t");
            cx.push(
                Diagnostic::error(
                    IF_ALWAYS_TRUE,
                    block_indicator(cx.src, text.span).unwrap_or(text.span),
                    format!(
                        "the condition `{shown}` is always true: text outside `${{{{ }}}}` makes it a non-empty string"
                    ),
                )
                .with_hint(
                    "put the whole condition inside one `${{ }}`, or drop the braces (`if:` is an expression already)",
                ),
            );
        }
    }

    pub fn expr_string(&self, cx: &mut Cx<'_>, e: &ExprString) {
        if e.raw.contains("${{") {
            self.template(cx, e.into());
        }
    }

    pub fn opt(&self, cx: &mut Cx<'_>, e: Option<&ExprString>) {
        if let Some(e) = e {
            self.expr_string(cx, e);
        }
    }

    pub fn scalar(&self, cx: &mut Cx<'_>, s: &Scalar) {
        if let Scalar::String(e) = s {
            self.expr_string(cx, e);
        }
    }

    pub fn bool_or_expr(&self, cx: &mut Cx<'_>, b: Option<&BoolOrExpr>) {
        if let Some(BoolOrExpr::Expr(e)) = b {
            self.expr_string(cx, e);
        }
    }

    pub fn number_or_expr(&self, cx: &mut Cx<'_>, n: Option<&NumberOrExpr>) {
        if let Some(NumberOrExpr::Expr(e)) = n {
            self.expr_string(cx, e);
        }
    }

    /// `env:` keys and values.
    pub fn env(&self, cx: &mut Cx<'_>, env: Option<&Env>) {
        match env {
            Some(Env::Map(entries)) => {
                for (k, v) in entries {
                    if k.value.contains("${{") {
                        self.template(
                            cx,
                            Text {
                                raw: &k.value,
                                span: k.span,
                            },
                        );
                    }
                    self.scalar(cx, v);
                }
            }
            Some(Env::Expr(e)) => self.want(Want::Object).expr_string(cx, e),
            None => {}
        }
    }

    pub fn with(&self, cx: &mut Cx<'_>, with: &With) {
        for (_, v) in &with.entries {
            self.scalar(cx, v);
        }
    }

    /// Every string in a raw YAML value (matrix values), keys included.
    pub fn node(&self, cx: &mut Cx<'_>, node: &Value) {
        match &node.kind {
            NodeKind::String { value, .. } if value.contains("${{") => self.template(
                cx,
                Text {
                    raw: value,
                    span: node.span,
                },
            ),
            NodeKind::Seq(items) => {
                for i in items {
                    self.node(cx, i);
                }
            }
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    self.node(cx, k);
                    self.node(cx, v);
                }
            }
            _ => {}
        }
    }

    /// Checks the contexts, functions and types of a parsed expression, and
    /// returns its type.
    fn check_expr(
        &self,
        cx: &mut Cx<'_>,
        text: Text<'_>,
        base: usize,
        source: &str,
        expr: &Expr,
    ) -> Ty {
        let refs = references(expr);
        for f in &refs.functions {
            let special = f.function.is_status() || f.function == Function::HashFiles;
            if special && !self.at.avail.allows_function(f.function.name()) {
                let written = source
                    .get(f.name_span.start..f.name_span.end)
                    .unwrap_or(f.function.name());
                let hint = if f.function.is_status() {
                    "status functions can be used only in `if:` conditions of jobs and steps"
                } else {
                    "`hashFiles()` can be used only in step fields (`run`, `with`, `env`, `if`, …)"
                };
                cx.push(
                    Diagnostic::error(
                        FUNCTION_AVAILABILITY,
                        text.locate(cx, base + f.name_span.start, base + f.name_span.end),
                        format!("`{written}()` is not available in `{}`", self.at.key),
                    )
                    .with_hint(hint),
                );
            }
        }
        for c in &refs.contexts {
            self.context(cx, text, base, c);
        }
        if refs
            .functions
            .iter()
            .any(|f| matches!(f.function, Function::FromJson | Function::Format))
        {
            literal_calls(cx, text, base, expr);
        }
        let mut infer = Infer::new(self.scope);
        let ty = infer.ty(expr);
        for f in infer.findings {
            let span = text.locate(cx, base + f.span.start, base + f.span.end);
            let mut d = if f.warning {
                Diagnostic::warning(EXPRESSION_TYPE, span, f.message)
            } else {
                Diagnostic::error(EXPRESSION_TYPE, span, f.message)
            };
            if let Some(h) = f.hint {
                d = d.with_hint(h);
            }
            cx.push(d);
        }
        if self.script {
            for u in security::untrusted(expr) {
                cx.push(
                    Diagnostic::warning(
                        UNTRUSTED_INPUT,
                        text.locate(cx, base + u.span.start, base + u.span.end),
                        format!(
                            "`{}` may hold text chosen by an attacker, and `${{{{ }}}}` pastes it into this script, where it runs as code",
                            u.path
                        ),
                    )
                    .with_hint(
                        "pass it through an environment variable (`env: TITLE: ${{ … }}`) and use the variable (`\"$TITLE\"`) in the script",
                    ),
                );
            }
        }
        ty
    }

    fn context(&self, cx: &mut Cx<'_>, text: Text<'_>, base: usize, c: &ContextRef) {
        let at = |cx: &Cx<'_>, s: gantry_expr::Span| text.locate(cx, base + s.start, base + s.end);
        let name = c.name.as_str();
        if !contexts::known(CONTEXTS, name) {
            let span = at(cx, c.name_span);
            let mut d =
                Diagnostic::error(UNKNOWN_CONTEXT, span, format!("unknown context `{name}`"));
            d = match props::closest(CONTEXTS, name) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint(self.available_hint()),
            };
            cx.push(d);
            return;
        }
        if !self.at.avail.allows_context(name) {
            let span = at(cx, c.name_span);
            cx.push(
                Diagnostic::error(
                    CONTEXT_AVAILABILITY,
                    span,
                    format!("the `{name}` context is not available in `{}`", self.at.key),
                )
                .with_hint(self.available_hint()),
            );
            return;
        }
        if let Some(f) = props::check(self.scope, cx, c) {
            // From the context name to the offending property, so that the
            // whole path is underlined.
            let span = at(cx, gantry_expr::Span::new(c.name_span.start, f.span.end));
            let mut d = if f.warning {
                Diagnostic::warning(super::UNKNOWN_PROPERTY, span, f.message)
            } else {
                Diagnostic::error(super::UNKNOWN_PROPERTY, span, f.message)
            };
            if let Some(h) = f.hint {
                d = d.with_hint(h);
            }
            cx.push(d);
        }
    }

    fn available_hint(&self) -> String {
        let list = self.at.avail.contexts;
        if list.is_empty() {
            format!("no context can be used in `{}`", self.at.key)
        } else {
            format!("contexts available here: {}", list.join(", "))
        }
    }
}
