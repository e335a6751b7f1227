//! Plan-time evaluation of expressions.
//!
//! At plan time only some contexts are known: `github`, `inputs` (those
//! whose values are known), `vars` (those given), and, per matrix cell,
//! `matrix` and `strategy`. An expression that refers to anything else
//! (`needs`, `steps`, `secrets`, `runner`, `env`, …) is *decided at run
//! time*; this module says so instead of guessing.

use gantry_expr::analysis::{PathPart, references};
use gantry_expr::{Contexts, Expr, Object, ParseOptions, Template, Value};

/// The result of evaluating something at plan time.
#[derive(Debug, Clone, PartialEq)]
pub enum Eval<T> {
    /// The value.
    Known(T),
    /// Not known before the run; the text names what it depends on
    /// (e.g. `needs.build.outputs.matrix`).
    Runtime(String),
    /// Evaluation failed (GitHub would fail the run); the message says why.
    Error(String),
}

impl<T> Eval<T> {
    /// Maps a known value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Eval<U> {
        match self {
            Eval::Known(v) => Eval::Known(f(v)),
            Eval::Runtime(r) => Eval::Runtime(r),
            Eval::Error(e) => Eval::Error(e),
        }
    }
}

/// What is known at plan time.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The contexts: `github`, `inputs`, `vars`, and `matrix`/`strategy`
    /// inside a matrix cell.
    pub contexts: Object,
    /// Inputs whose values are only known at run time (a reusable workflow
    /// called with `with: { x: ${{ needs.a.outputs.b }} }`), lower-cased.
    pub unknown_inputs: Vec<String>,
    /// Whether `matrix` is known (false for a matrix decided at run time).
    pub matrix_unknown: bool,
}

impl Scope {
    /// A scope with the given contexts.
    #[must_use]
    pub fn new(contexts: Object) -> Scope {
        Scope {
            contexts,
            unknown_inputs: Vec::new(),
            matrix_unknown: false,
        }
    }

    /// A copy with one more (or replaced) context.
    #[must_use]
    pub fn with(&self, name: &str, value: Value) -> Scope {
        let mut s = self.clone();
        s.contexts.set(name, value);
        s
    }

    /// Why `expr` cannot be evaluated now, if it cannot: the first reference
    /// to something unknown, as text.
    #[must_use]
    pub fn unknown_reference(&self, expr: &Expr) -> Option<String> {
        for r in references(expr).contexts {
            let name = r.name.to_ascii_lowercase();
            let text = reference_text(&r.name, &r.path);
            let first = match r.path.first() {
                Some(PathPart::Property { name, .. }) => Some(name.to_ascii_lowercase()),
                _ => None,
            };
            match name.as_str() {
                "github" | "strategy" => {}
                "matrix" if !self.matrix_unknown && self.contexts.contains_key("matrix") => {}
                "inputs" => match &first {
                    Some(key) if self.unknown_inputs.contains(key) => return Some(text),
                    None if !self.unknown_inputs.is_empty() => return Some(text),
                    _ => {}
                },
                "vars" => {
                    let vars = self.contexts.get("vars").and_then(Value::as_object);
                    match (&first, vars) {
                        (Some(key), Some(v)) if v.contains_key(key) => {}
                        (None, _) if r.path.is_empty() => {}
                        _ => return Some(text),
                    }
                }
                _ => return Some(text),
            }
        }
        None
    }

    /// Evaluates a parsed expression.
    #[must_use]
    pub fn eval_expr(&self, expr: Option<&Expr>) -> Eval<Value> {
        if let Some(e) = expr
            && let Some(r) = self.unknown_reference(e)
        {
            return Eval::Runtime(r);
        }
        let host = Contexts::new(self.contexts.clone());
        match gantry_expr::evaluate(expr, &host) {
            Ok(v) => Eval::Known(v),
            Err(e) => Eval::Error(e.to_string()),
        }
    }

    /// Evaluates a template (`a ${{ b }} c`): a single `${{ }}` keeps its
    /// type, anything else becomes a string.
    #[must_use]
    pub fn eval_template(&self, src: &str) -> Eval<Value> {
        let t = match Template::parse(src, &ParseOptions::default()) {
            Ok(t) => t,
            Err(e) => return Eval::Error(e.to_string()),
        };
        for (e, _) in t.expressions() {
            if let Some(r) = self.unknown_reference(e) {
                return Eval::Runtime(r);
            }
        }
        let host = Contexts::new(self.contexts.clone());
        match t.evaluate(&host) {
            Ok(v) => Eval::Known(v),
            Err(e) => Eval::Error(e.to_string()),
        }
    }

    /// Evaluates a template to text.
    #[must_use]
    pub fn render(&self, src: &str) -> Eval<String> {
        if !src.contains("${{") {
            return Eval::Known(src.to_owned());
        }
        self.eval_template(src).map(|v| v.to_display_string())
    }
}

impl Scope {
    /// Evaluates a job's `if:`. `has_needs` says whether the job needs
    /// others: then the status functions (`success()`, `failure()`, …)
    /// depend on how those end, which is only known at run time.
    #[must_use]
    pub fn eval_condition(&self, src: &str, has_needs: bool) -> Eval<bool> {
        let cond = match gantry_expr::Condition::parse(src, &ParseOptions::default()) {
            Ok(c) => c,
            Err(e) => return Eval::Error(e.to_string()),
        };
        if has_needs && cond.uses_status_function() {
            return Eval::Runtime("the results of the jobs it needs".to_owned());
        }
        let unknown = match &cond {
            gantry_expr::Condition::Expr { expr, .. } => {
                expr.as_ref().and_then(|e| self.unknown_reference(e))
            }
            gantry_expr::Condition::Template(t) => {
                t.expressions().find_map(|(e, _)| self.unknown_reference(e))
            }
        };
        if let Some(r) = unknown {
            return Eval::Runtime(r);
        }
        let host = Contexts::new(self.contexts.clone());
        match cond.evaluate(&host) {
            Ok(b) => Eval::Known(b),
            Err(e) => Eval::Error(e.to_string()),
        }
    }
}

/// `needs.build.outputs.x` from a context reference.
fn reference_text(name: &str, path: &[PathPart]) -> String {
    let mut s = name.to_owned();
    for p in path {
        match p {
            PathPart::Property { name, .. } => {
                s.push('.');
                s.push_str(name);
            }
            PathPart::Index { index, .. } => s.push_str(&format!("[{index}]")),
            PathPart::Star => s.push_str(".*"),
            PathPart::Dynamic { .. } => s.push_str("[…]"),
        }
    }
    s
}

/// A YAML value (matrix values, `with:` inputs) as an expression value.
/// Strings containing `${{` are evaluated in `scope`.
#[must_use]
pub fn node_value(node: &gantry_yaml::Node, scope: &Scope) -> Eval<Value> {
    use gantry_yaml::NodeKind;
    match &node.kind {
        NodeKind::Null => Eval::Known(Value::Null),
        NodeKind::Bool(b) => Eval::Known(Value::Bool(*b)),
        #[allow(clippy::cast_precision_loss)]
        NodeKind::Int(i) => Eval::Known(Value::Number(*i as f64)),
        NodeKind::Float(f) => Eval::Known(Value::Number(*f)),
        NodeKind::String { value, .. } if value.contains("${{") => scope.eval_template(value),
        NodeKind::String { value, .. } => Eval::Known(Value::from(value.as_str())),
        NodeKind::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match node_value(item, scope) {
                    Eval::Known(v) => out.push(v),
                    other => return other,
                }
            }
            Eval::Known(Value::array(out))
        }
        NodeKind::Map(entries) => {
            let mut obj = Object::with_capacity(entries.len());
            for (k, v) in entries {
                let key = k.scalar_string().unwrap_or_default();
                match node_value(v, scope) {
                    Eval::Known(v) => {
                        obj.insert(key, v);
                    }
                    other => return other,
                }
            }
            Eval::Known(Value::object(obj))
        }
    }
}

/// Deep structural equality (GitHub's matrix comparisons), unlike
/// [`Value::loose_eq`] which compares arrays and objects by identity.
#[must_use]
pub fn deep_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| deep_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_eq(v, w)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn scope() -> Scope {
        let mut gh = Object::new();
        gh.insert("ref", Value::from("refs/heads/main"));
        let mut vars = Object::new();
        vars.insert("LEVEL", Value::from("3"));
        let mut c = Object::new();
        c.insert("github", Value::object(gh));
        c.insert("inputs", Value::object(Object::new()));
        c.insert("vars", Value::object(vars));
        Scope::new(c)
    }

    #[test]
    fn known_and_runtime() {
        let s = scope();
        assert_eq!(
            s.render("${{ github.ref }}-x"),
            Eval::Known("refs/heads/main-x".into())
        );
        assert_eq!(
            s.render("${{ needs.a.outputs.b }}"),
            Eval::Runtime("needs.a.outputs.b".into())
        );
        assert_eq!(s.render("${{ vars.LEVEL }}"), Eval::Known("3".into()));
        assert_eq!(
            s.render("${{ vars.OTHER }}"),
            Eval::Runtime("vars.OTHER".into())
        );
        assert_eq!(
            s.render("${{ matrix.os }}"),
            Eval::Runtime("matrix.os".into())
        );
        let m = s.with("matrix", Value::object(Object::new()));
        assert_eq!(m.render("${{ matrix.os }}"), Eval::Known(String::new()));
        let mut u = scope();
        u.unknown_inputs.push("m".into());
        assert_eq!(
            u.render("${{ inputs.M }}"),
            Eval::Runtime("inputs.M".into())
        );
        assert_eq!(u.render("${{ inputs.n }}"), Eval::Known(String::new()));
    }

    #[test]
    fn conditions() {
        let s = scope();
        assert_eq!(
            s.eval_condition("github.ref == 'refs/heads/main'", false),
            Eval::Known(true)
        );
        assert_eq!(
            s.eval_condition("${{ github.ref != 'refs/heads/main' }}", true),
            Eval::Known(false)
        );
        assert_eq!(
            s.eval_condition("needs.a.outputs.x == 'true'", true),
            Eval::Runtime("needs.a.outputs.x".into())
        );
        assert_eq!(
            s.eval_condition("always()", true),
            Eval::Runtime("the results of the jobs it needs".into())
        );
        assert_eq!(s.eval_condition("always()", false), Eval::Known(true));
        assert_eq!(s.eval_condition("failure()", false), Eval::Known(false));
        assert!(matches!(s.eval_condition("1 ==", false), Eval::Error(_)));
    }

    #[test]
    fn deep_equality() {
        let a = Value::from_json(&serde_json::json!({"a": [1, {"b": "c"}]}));
        let b = Value::from_json(&serde_json::json!({"a": [1, {"b": "c"}]}));
        let c = Value::from_json(&serde_json::json!({"a": [1, {"b": "d"}]}));
        assert!(deep_eq(&a, &b));
        assert!(!deep_eq(&a, &c));
    }
}
