//! Source positions, spans and diagnostics shared by Gantry's loaders and checkers.
//!
//! Everything here is plain data (with `serde::Serialize`); rendering diagnostics for
//! people is done elsewhere.

use serde::Serialize;

pub mod render;

/// A position in a source text.
///
/// `offset` is a byte offset into the UTF-8 source; `line` and `column` are 1-based,
/// and `column` counts characters (Unicode scalar values), not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    /// Byte offset from the start of the source.
    pub offset: usize,
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Pos {
    /// The very start of a source text.
    pub const START: Pos = Pos {
        offset: 0,
        line: 1,
        column: 1,
    };
}

/// A half-open range `[start, end)` of a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    /// First position inside the range.
    pub start: Pos,
    /// First position after the range.
    pub end: Pos,
}

impl Span {
    /// A span from `start` to `end`.
    #[must_use]
    pub const fn new(start: Pos, end: Pos) -> Span {
        Span { start, end }
    }

    /// An empty span at `pos`.
    #[must_use]
    pub const fn point(pos: Pos) -> Span {
        Span {
            start: pos,
            end: pos,
        }
    }

    /// The smallest span covering both `self` and `other`.
    #[must_use]
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.end.offset.saturating_sub(self.start.offset)
    }

    /// Whether the span covers no byte.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text this span covers in `src`, if it lies on character boundaries of `src`.
    #[must_use]
    pub fn slice<'a>(&self, src: &'a str) -> Option<&'a str> {
        src.get(self.start.offset..self.end.offset)
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// GitHub would reject the file, or the construct cannot work.
    Error,
    /// Accepted by GitHub, but likely not what the author meant.
    Warning,
}

/// A secondary location that helps explain a diagnostic (e.g. the first definition of a
/// duplicated key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One finding about a source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable rule name, e.g. `unknown-key`, `wrong-type`, `missing-key`, `duplicate-key`,
    /// `yaml-syntax`, `number-version`.
    pub rule: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The primary location.
    pub span: Span,
    /// One-line description of the problem.
    pub message: String,
    /// How to fix it, when there is an obvious fix.
    pub hint: Option<String>,
    /// Other locations involved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// An error diagnostic.
    #[must_use]
    pub fn error(rule: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: Severity::Error,
            span,
            message: message.into(),
            hint: None,
            related: Vec::new(),
        }
    }

    /// A warning diagnostic.
    #[must_use]
    pub fn warning(rule: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(rule, span, message)
        }
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a related location.
    #[must_use]
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    /// Whether this is an error (not a warning).
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_plain_data() {
        let span = Span::new(
            Pos {
                offset: 0,
                line: 1,
                column: 1,
            },
            Pos {
                offset: 3,
                line: 1,
                column: 4,
            },
        );
        let d = Diagnostic::warning("number-version", span, "m").with_hint("h");
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["rule"], "number-version");
        assert_eq!(v["severity"], "warning");
        assert_eq!(v["span"]["end"]["column"], 4);
        assert!(v.get("related").is_none());
        assert_eq!(span.slice("abcdef"), Some("abc"));
    }
}
