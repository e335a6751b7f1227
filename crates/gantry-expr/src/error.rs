//! Errors from lexing, parsing and evaluating expressions.

use std::fmt;

/// A byte range within the expression text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Moves the span by `offset` bytes (for expressions inside templates).
    pub fn shifted(self, offset: usize) -> Span {
        Span {
            start: self.start + offset,
            end: self.end + offset,
        }
    }
}

/// The stage an error comes from, as GitHub's test suite names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    Lexing,
    Parsing,
    Evaluation,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Lexing => "lexing",
            ErrorKind::Parsing => "parsing",
            ErrorKind::Evaluation => "evaluation",
        }
    }
}

/// An expression error. `description` is the bare message (`Unexpected
/// symbol: 'x'`); `Display` adds the location the way GitHub does:
/// `… Located at position N within expression: …`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    pub kind: ErrorKind,
    pub description: String,
    /// Where in the expression, for lexing and parsing errors.
    pub span: Option<Span>,
    /// 1-based character position of `span.start`, as GitHub reports it.
    pub position: Option<usize>,
    /// The expression text, for the message.
    pub expression: Option<String>,
}

impl Error {
    pub(crate) fn at(kind: ErrorKind, description: String, span: Span, src: &str) -> Error {
        let position = src
            .get(..span.start)
            .map_or(span.start, |p| p.chars().count())
            + 1;
        Error {
            kind,
            description,
            span: Some(span),
            position: Some(position),
            expression: Some(src.to_owned()),
        }
    }

    pub(crate) fn eval(description: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Evaluation,
            description: description.into(),
            span: None,
            position: None,
            expression: None,
        }
    }

    /// Moves the span by `offset` bytes and names `whole` as the expression
    /// (for errors inside a template).
    pub fn shifted(mut self, offset: usize) -> Error {
        self.span = self.span.map(|s| s.shifted(offset));
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)?;
        if let (Some(pos), Some(expr)) = (self.position, &self.expression) {
            write!(f, ". Located at position {pos} within expression: {expr}")?;
        }
        Ok(())
    }
}
