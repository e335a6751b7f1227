//! Span-aware YAML loading for Gantry.
//!
//! [`load`] parses the first document of a YAML stream into a [`Node`] tree where every
//! node knows its [`Span`] (byte offsets plus 1-based line and column). Scalars are
//! resolved with the YAML 1.2 core schema (`on`, `yes`, `no` stay strings), anchors and
//! aliases are expanded (with a limit against exponential blow-up), `<<` is an ordinary key,
//! and duplicate keys and extra documents are reported as non-fatal [`Issue`]s.

mod load;
mod node;
mod resolve;

pub use gantry_diagnostics::{Pos, Span};
pub use load::{ALIAS_EXPANSION_LIMIT, DEPTH_LIMIT, Issue, Loaded, YamlError, load};
pub use node::{Node, NodeKind, ScalarStyle, float_to_string};
