//! Small value types shared by the whole model.

use gantry_diagnostics::Span;
use serde::Serialize;

/// An arbitrary YAML value kept as written (matrix values, …), with spans.
pub type Value = gantry_yaml::Node;

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Its source span.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A spanned float (not `Eq`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SpannedNumber {
    /// The number.
    pub value: f64,
    /// Its source span.
    pub span: Span,
}

/// A string that may contain `${{ }}` expressions (a template).
///
/// This is the one place to extend with a parsed template once `gantry-expr` is wired in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExprString {
    /// The text as GitHub sees it (numbers and booleans already turned into text).
    pub raw: String,
    /// Where it was written.
    pub span: Span,
}

impl ExprString {
    /// Makes one.
    pub fn new(raw: impl Into<String>, span: Span) -> Self {
        ExprString {
            raw: raw.into(),
            span,
        }
    }

    /// Whether the text contains `${{`.
    #[must_use]
    pub fn has_expression(&self) -> bool {
        self.raw.contains("${{")
    }

    /// Whether the whole text (trimmed) is a single `${{ … }}` expression.
    #[must_use]
    pub fn is_single_expression(&self) -> bool {
        let t = self.raw.trim();
        t.starts_with("${{") && t.ends_with("}}") && t[3..].find("${{").is_none()
    }
}

/// A scalar value whose type matters (environment variables, `with:` inputs, defaults).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Scalar {
    /// `null` or nothing.
    Null {
        /// Where.
        span: Span,
    },
    /// A boolean.
    Bool(Spanned<bool>),
    /// An integer.
    Int(Spanned<i64>),
    /// A float.
    Float(SpannedNumber),
    /// A string (may contain expressions).
    String(ExprString),
}

impl Scalar {
    /// Where it was written.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Scalar::Null { span } => *span,
            Scalar::Bool(b) => b.span,
            Scalar::Int(i) => i.span,
            Scalar::Float(f) => f.span,
            Scalar::String(s) => s.span,
        }
    }

    /// The value as GitHub turns it into a string (`3.10` → `3.1`, null → empty).
    #[must_use]
    pub fn to_github_string(&self) -> String {
        match self {
            Scalar::Null { .. } => String::new(),
            Scalar::Bool(b) => b.value.to_string(),
            Scalar::Int(i) => i.value.to_string(),
            Scalar::Float(f) => gantry_yaml::float_to_string(f.value),
            Scalar::String(s) => s.raw.clone(),
        }
    }
}

/// A boolean, or an expression producing one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BoolOrExpr {
    /// A literal.
    Bool(Spanned<bool>),
    /// An expression (`${{ … }}`).
    Expr(ExprString),
}

impl BoolOrExpr {
    /// Where it was written.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            BoolOrExpr::Bool(b) => b.span,
            BoolOrExpr::Expr(e) => e.span,
        }
    }
}

/// A number, or an expression producing one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberOrExpr {
    /// A literal.
    Number(SpannedNumber),
    /// An expression (`${{ … }}`).
    Expr(ExprString),
}

/// A job or step condition (`if:`): a literal boolean, or an expression whose `${{ }}` may
/// be omitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Condition {
    /// `if: true` / `if: false`.
    Bool(Spanned<bool>),
    /// `if: github.ref == 'x'` or `if: ${{ … }}` (text as written).
    Expr(ExprString),
}

/// An ordered string-keyed map of scalars (`env:`, `with:`), or a whole expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Env {
    /// `KEY: value` pairs in source order.
    Map(Vec<(Spanned<String>, Scalar)>),
    /// `env: ${{ fromJSON(…) }}`.
    Expr(ExprString),
}

impl Env {
    /// Looks a variable up (map form only).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Scalar> {
        match self {
            Env::Map(entries) => entries.iter().find(|(k, _)| k.value == key).map(|(_, v)| v),
            Env::Expr(_) => None,
        }
    }
}

/// `with:` inputs of a step or of a reusable-workflow call.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct With {
    /// `name: value` pairs in source order.
    pub entries: Vec<(Spanned<String>, Scalar)>,
    /// The `with:` mapping's span.
    pub span: Option<Span>,
}

impl With {
    /// Looks an input up.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Scalar> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(_, v)| v)
    }

    /// `args` of a Docker action step.
    #[must_use]
    pub fn args(&self) -> Option<&Scalar> {
        self.get("args")
    }

    /// `entrypoint` of a Docker action step.
    #[must_use]
    pub fn entrypoint(&self) -> Option<&Scalar> {
        self.get("entrypoint")
    }
}

/// `defaults:` of a workflow or job.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Defaults {
    /// `defaults.run.shell`.
    pub shell: Option<ExprString>,
    /// `defaults.run.working-directory`.
    pub working_directory: Option<ExprString>,
    /// The `defaults:` span.
    pub span: Span,
}

/// Queueing mode of a concurrency group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConcurrencyQueue {
    /// At most one pending run (the default).
    Single,
    /// Up to 100 pending runs.
    Max,
}

/// `concurrency:` of a workflow or job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Concurrency {
    /// The group (string form, or `group:`).
    pub group: Option<ExprString>,
    /// `cancel-in-progress`.
    pub cancel_in_progress: Option<BoolOrExpr>,
    /// `queue`.
    pub queue: Option<Spanned<ConcurrencyQueue>>,
    /// Whether it was written as a plain string.
    pub short_form: bool,
    /// Where.
    pub span: Span,
}
