//! The YAML tree.

use gantry_diagnostics::Span;
use serde::Serialize;

/// How a scalar was written in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScalarStyle {
    /// Unquoted (`3.10`, `on`).
    Plain,
    /// `'single quoted'`.
    SingleQuoted,
    /// `"double quoted"`.
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

impl ScalarStyle {
    /// Whether the scalar was quoted or written as a block (so it is a string whatever its text).
    #[must_use]
    pub fn is_plain(self) -> bool {
        self == ScalarStyle::Plain
    }
}

/// A YAML node with the span of its source text.
///
/// For a node expanded from an alias (`*name`), the node itself carries the span of the
/// alias, while its children keep the spans of the anchored original.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Where it was written.
    pub span: Span,
}

/// The value of a node, resolved with the YAML 1.2 core schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum NodeKind {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false` (any of the core schema's capitalisations).
    Bool(bool),
    /// A decimal, `0x` or `0o` integer that fits an `i64`.
    Int(i64),
    /// A float, including `.inf` and `.nan`.
    Float(f64),
    /// A string, with the style it was written in.
    String {
        /// The string's value (after unescaping and folding).
        value: String,
        /// How it was written.
        style: ScalarStyle,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order. Keys are unique (duplicates are reported as issues and
    /// only the first entry is kept).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The string value if this is a string scalar.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::String { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The entries if this is a mapping.
    #[must_use]
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items if this is a sequence.
    #[must_use]
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Whether this is `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// Whether this is a scalar (not a sequence or mapping).
    #[must_use]
    pub fn is_scalar(&self) -> bool {
        !matches!(self.kind, NodeKind::Seq(_) | NodeKind::Map(_))
    }

    /// The value of the entry whose key is the string `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// A short name of the node's type, for messages: `null`, `boolean`, `number`, `string`,
    /// `sequence` or `mapping`.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "boolean",
            NodeKind::Int(_) | NodeKind::Float(_) => "number",
            NodeKind::String { .. } => "string",
            NodeKind::Seq(_) => "sequence",
            NodeKind::Map(_) => "mapping",
        }
    }

    /// Number of nodes in this subtree (mapping keys included).
    #[must_use]
    pub fn count(&self) -> usize {
        1 + match &self.kind {
            NodeKind::Seq(items) => items.iter().map(Node::count).sum(),
            NodeKind::Map(entries) => entries.iter().map(|(k, v)| k.count() + v.count()).sum(),
            _ => 0,
        }
    }

    /// A scalar's value as GitHub turns it into a string (numbers in their shortest form,
    /// `3.10` becoming `3.1`); `None` for sequences and mappings.
    #[must_use]
    pub fn scalar_string(&self) -> Option<String> {
        Some(match &self.kind {
            NodeKind::Null => String::new(),
            NodeKind::Bool(b) => b.to_string(),
            NodeKind::Int(i) => i.to_string(),
            NodeKind::Float(f) => float_to_string(*f),
            NodeKind::String { value, .. } => value.clone(),
            NodeKind::Seq(_) | NodeKind::Map(_) => return None,
        })
    }
}

/// Formats a float the way JavaScript (and so GitHub's expression engine) does for the
/// common cases: integral values without a fraction, `NaN`, `Infinity`.
#[must_use]
pub fn float_to_string(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else if f == f.trunc() && f.abs() < 1e15 {
        // Integral: print without fraction. The range check keeps the cast exact.
        #[allow(clippy::cast_possible_truncation)]
        let i = f as i64;
        if i == 0 && f.is_sign_negative() {
            "0".to_owned()
        } else {
            i.to_string()
        }
    } else {
        f.to_string()
    }
}
