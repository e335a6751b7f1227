//! Strings with `${{ }}` parts, and `if:` conditions.

use crate::ast::Expr;
use crate::error::{Error, ErrorKind, Span};
use crate::eval::{Host, evaluate};
use crate::funcs::Function;
use crate::parser::{ParseOptions, parse};
use crate::value::Value;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Text outside `${{ }}`.
    Literal(String),
    /// A `${{ }}` part. `span` covers the text between the braces within the
    /// template; the expression's own spans are relative to that text.
    Expr {
        source: String,
        expr: Option<Expr>,
        span: Span,
    },
}

/// A string that may contain `${{ }}` expressions.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub parts: Vec<Part>,
}

/// Finds the `}}` that closes an expression starting at `from`, skipping
/// `}}` inside single-quoted strings.
fn find_close(src: &str, from: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut i = from;
    let mut in_string = false;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                if in_string && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                in_string = !in_string;
            }
            b'}' if !in_string && b.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

impl Template {
    /// Splits `src` into literal text and parsed expressions. Spans in errors
    /// are relative to `src`.
    pub fn parse(src: &str, options: &ParseOptions<'_>) -> Result<Template, Error> {
        let mut parts = Vec::new();
        let mut rest = 0;
        while let Some(open) = src[rest..].find("${{").map(|p| p + rest) {
            let inner_start = open + 3;
            let Some(close) = find_close(src, inner_start) else {
                return Err(Error::at(
                    ErrorKind::Parsing,
                    "The expression is not closed: '${{' has no matching '}}'".to_owned(),
                    Span::new(open, src.len()),
                    src,
                ));
            };
            if open > rest {
                parts.push(Part::Literal(src[rest..open].to_owned()));
            }
            let source = &src[inner_start..close];
            if source.trim().is_empty() {
                return Err(Error::at(
                    ErrorKind::Parsing,
                    "An expression was expected inside '${{ }}'".to_owned(),
                    Span::new(open, close + 2),
                    src,
                ));
            }
            let expr = parse(source, options).map_err(|e| relocate(e, inner_start))?;
            parts.push(Part::Expr {
                source: source.to_owned(),
                expr,
                span: Span::new(inner_start, close),
            });
            rest = close + 2;
        }
        if rest < src.len() || parts.is_empty() {
            parts.push(Part::Literal(src[rest..].to_owned()));
        }
        Ok(Template { parts })
    }

    /// Whether the template is one `${{ }}` and nothing else, so that its
    /// value keeps its type.
    pub fn single_expression(&self) -> Option<&Expr> {
        match self.parts.as_slice() {
            [Part::Expr { expr: Some(e), .. }] => Some(e),
            _ => None,
        }
    }

    /// Whether the template has any `${{ }}` part.
    pub fn has_expressions(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Expr { .. }))
    }

    /// Every parsed expression, with the offset of its text in the template.
    pub fn expressions(&self) -> impl Iterator<Item = (&Expr, usize)> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expr {
                expr: Some(e),
                span,
                ..
            } => Some((e, span.start)),
            _ => None,
        })
    }

    /// Evaluates: a single `${{ }}` keeps its type; otherwise the parts are
    /// joined as a string.
    pub fn evaluate(&self, host: &dyn Host) -> Result<Value, Error> {
        if let [Part::Expr { expr, .. }] = self.parts.as_slice() {
            return evaluate(expr.as_ref(), host);
        }
        self.render(host).map(Value::from)
    }

    /// Evaluates and converts the result to a string.
    pub fn render(&self, host: &dyn Host) -> Result<String, Error> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Expr { expr, .. } => {
                    out.push_str(&evaluate(expr.as_ref(), host)?.to_display_string());
                }
            }
        }
        Ok(out)
    }
}

/// Keeps GitHub's message (which names the inner expression) but points the
/// span into the whole template.
fn relocate(mut e: Error, offset: usize) -> Error {
    e.span = e.span.map(|s| s.shifted(offset));
    e
}

/// An `if:` condition. The `${{ }}` is optional; text outside it makes the
/// condition a string (non-empty, so true). Without a status function the
/// condition means `success() && (…)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// A bare expression, or one wrapped whole in `${{ }}`. The offset is
    /// where the expression text starts in the condition.
    Expr { expr: Option<Expr>, offset: usize },
    /// A string with text outside `${{ }}`.
    Template(Template),
}

impl Condition {
    pub fn parse(src: &str, options: &ParseOptions<'_>) -> Result<Condition, Error> {
        let trimmed = src.trim();
        let lead = src.len() - src.trim_start().len();
        if trimmed.contains("${{") {
            let t = Template::parse(trimmed, options).map_err(|e| relocate(e, lead))?;
            if let [Part::Expr { expr, span, .. }] = t.parts.as_slice() {
                return Ok(Condition::Expr {
                    expr: expr.clone(),
                    offset: lead + span.start,
                });
            }
            return Ok(Condition::Template(t));
        }
        let expr = parse(src, options)?;
        Ok(Condition::Expr { expr, offset: 0 })
    }

    /// Whether the condition calls a status function, so that it is not
    /// implicitly `success() && …`.
    pub fn uses_status_function(&self) -> bool {
        match self {
            Condition::Expr { expr, .. } => expr.as_ref().is_some_and(Expr::uses_status_function),
            Condition::Template(t) => t.expressions().any(|(e, _)| e.uses_status_function()),
        }
    }

    /// Evaluates to a boolean as GitHub does.
    pub fn evaluate(&self, host: &dyn Host) -> Result<bool, Error> {
        if !self.uses_status_function() && !host.status(Function::Success) {
            return Ok(false);
        }
        let v = match self {
            Condition::Expr { expr, .. } => evaluate(expr.as_ref(), host)?,
            Condition::Template(t) => Value::from(t.render(host)?),
        };
        Ok(v.is_truthy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{Contexts, Status};
    use crate::value::Object;

    fn host() -> Contexts<'static> {
        let mut o = Object::new();
        let mut gh = Object::new();
        gh.insert("ref", Value::from("refs/heads/main"));
        o.insert("github", Value::object(gh));
        Contexts::new(o)
    }

    #[test]
    fn whole_expression_keeps_type() {
        let opts = ParseOptions::default();
        let t = Template::parse("${{ 1 == 1 }}", &opts).unwrap();
        assert!(matches!(t.evaluate(&host()).unwrap(), Value::Bool(true)));
        let t = Template::parse("ref=${{ github.ref }}!", &opts).unwrap();
        assert_eq!(t.render(&host()).unwrap(), "ref=refs/heads/main!");
        let t = Template::parse("${{ '}}' }}", &opts).unwrap();
        assert_eq!(t.render(&host()).unwrap(), "}}");
        assert!(Template::parse("${{ 1 ", &opts).is_err());
        assert!(Template::parse("a ${{ }} b", &opts).is_err());
    }

    #[test]
    fn conditions() {
        let opts = ParseOptions::default();
        let h = host();
        let c = Condition::parse("github.ref == 'refs/heads/main'", &opts).unwrap();
        assert!(c.evaluate(&h).unwrap());
        let c = Condition::parse("${{ github.ref }} == 'refs/heads/dev'", &opts).unwrap();
        assert!(matches!(c, Condition::Template(_)));
        assert!(
            c.evaluate(&h).unwrap(),
            "text outside ${{}} makes a truthy string"
        );
        let mut failed = host();
        failed.status = Status::Failure;
        let c = Condition::parse("true", &opts).unwrap();
        assert!(!c.evaluate(&failed).unwrap());
        let c = Condition::parse("${{ failure() }}", &opts).unwrap();
        assert!(c.evaluate(&failed).unwrap());
    }
}
