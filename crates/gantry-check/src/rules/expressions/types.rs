//! A small static type system for expressions: the types GitHub's values can
//! have, as far as they are known before the workflow runs.
//!
//! Contexts are typed lazily ([`Ty::Ctx`]): `github` or `steps` are never
//! built as whole object types; a property of them is resolved when an
//! expression reads it (see `infer.rs`).

use std::fmt;

use gantry_expr::Value;
use gantry_yaml::{Node, NodeKind};

/// A context, or a part of one whose shape follows from the workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Root {
    Github,
    /// `github.event`: any property may exist.
    Event,
    /// `github.event.inputs` of a `workflow_dispatch`: every input a string.
    EventInputs,
    /// `env`, `vars`, `secrets`: every property a string.
    Strings,
    Job,
    Runner,
    Strategy,
    Matrix,
    Inputs,
    /// `steps`.
    Steps,
    /// `steps.<id>`.
    Step,
    /// `needs` and `jobs`.
    Jobs,
    /// `needs.<id>` / `jobs.<id>`.
    JobResult,
}

/// The type of an expression's value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Ty {
    /// Not known.
    Any,
    Null,
    Bool,
    Number,
    String,
    /// An array of `elem`; `filtered` when made by `.*`, so that a property
    /// read maps over the elements.
    Array {
        elem: Box<Ty>,
        filtered: bool,
    },
    Object(Obj),
    Ctx(Root),
}

/// What is known of an object's properties.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Obj {
    /// Any property may exist, of any type.
    Loose,
    /// Any property may exist, every one of this type.
    Map(Box<Ty>),
    /// Exactly these properties (names compare ignoring ASCII case).
    Strict(Vec<(String, Ty)>),
}

impl Ty {
    pub fn array(elem: Ty) -> Ty {
        Ty::Array {
            elem: Box::new(elem),
            filtered: false,
        }
    }

    pub fn filtered(elem: Ty) -> Ty {
        Ty::Array {
            elem: Box::new(elem),
            filtered: true,
        }
    }

    pub fn map(elem: Ty) -> Ty {
        Ty::Object(Obj::Map(Box::new(elem)))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Ty::Object(_) | Ty::Ctx(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Ty::Array { .. })
    }

    /// Objects, arrays and null: values that make no sense as text.
    pub fn is_composite_or_null(&self) -> bool {
        matches!(self, Ty::Null) || self.is_object() || self.is_array()
    }

    /// The type of a value that is either `self` or `other` (matrix rows,
    /// `&&` / `||` operands): the common type, or `Any` when they differ.
    /// Null gives way to the other type (a row may leave a key empty).
    pub fn merge(self, other: Ty) -> Ty {
        match (self, other) {
            (Ty::Null, t) | (t, Ty::Null) => t,
            (Ty::Any, _) | (_, Ty::Any) => Ty::Any,
            (
                Ty::Array {
                    elem: a,
                    filtered: fa,
                },
                Ty::Array {
                    elem: b,
                    filtered: fb,
                },
            ) => Ty::Array {
                elem: Box::new(a.merge(*b)),
                filtered: fa && fb,
            },
            (Ty::Object(Obj::Strict(mut a)), Ty::Object(Obj::Strict(b))) => {
                for (k, t) in b {
                    match a.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&k)) {
                        Some((_, old)) => {
                            let prev = std::mem::replace(old, Ty::Any);
                            *old = prev.merge(t);
                        }
                        None => a.push((k, t)),
                    }
                }
                Ty::Object(Obj::Strict(a))
            }
            (Ty::Object(Obj::Map(a)), Ty::Object(Obj::Map(b))) => Ty::map(a.merge(*b)),
            (a, b) if a == b => a,
            (a, b) if a.is_object() && b.is_object() => Ty::Object(Obj::Loose),
            _ => Ty::Any,
        }
    }

    /// The type of a YAML value written in the workflow (matrix values).
    /// Strings holding `${{ }}` are typed by `expr` (the checker infers the
    /// type of a value that is one whole expression).
    pub fn of_node(node: &Node, expr: &mut dyn FnMut(&str) -> Ty) -> Ty {
        match &node.kind {
            NodeKind::Null => Ty::Null,
            NodeKind::Bool(_) => Ty::Bool,
            NodeKind::Int(_) | NodeKind::Float(_) => Ty::Number,
            NodeKind::String { value, .. } => {
                if value.contains("${{") {
                    expr(value)
                } else {
                    Ty::String
                }
            }
            NodeKind::Seq(items) => {
                let elem = items
                    .iter()
                    .map(|i| Ty::of_node(i, expr))
                    .reduce(Ty::merge)
                    .unwrap_or(Ty::Any);
                Ty::array(elem)
            }
            NodeKind::Map(entries) => Ty::Object(Obj::Strict(
                entries
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), Ty::of_node(v, expr))))
                    .collect(),
            )),
        }
    }

    /// The type of a known value (the result of `fromJSON('…')`).
    pub fn of_value(v: &Value) -> Ty {
        match v {
            Value::Null => Ty::Null,
            Value::Bool(_) => Ty::Bool,
            Value::Number(_) => Ty::Number,
            Value::String(_) => Ty::String,
            Value::Array(items) => Ty::array(
                items
                    .iter()
                    .map(Ty::of_value)
                    .reduce(Ty::merge)
                    .unwrap_or(Ty::Any),
            ),
            Value::Object(o) => Ty::Object(Obj::Strict(
                o.iter()
                    .map(|(k, v)| (k.to_owned(), Ty::of_value(v)))
                    .collect(),
            )),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Any => f.write_str("any"),
            Ty::Null => f.write_str("null"),
            Ty::Bool => f.write_str("boolean"),
            Ty::Number => f.write_str("number"),
            Ty::String => f.write_str("string"),
            Ty::Array { elem, .. } => write!(f, "array of {elem}"),
            Ty::Object(Obj::Loose) => f.write_str("object"),
            Ty::Object(Obj::Map(t)) => write!(f, "object of {t} values"),
            Ty::Object(Obj::Strict(props)) => {
                if props.is_empty() {
                    return f.write_str("empty object");
                }
                f.write_str("object { ")?;
                for (i, (k, t)) in props.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {t}")?;
                }
                f.write_str(" }")
            }
            Ty::Ctx(Root::Strings | Root::EventInputs) => f.write_str("object of string values"),
            Ty::Ctx(_) => f.write_str("object"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_and_display() {
        let a = Ty::Object(Obj::Strict(vec![("foo".into(), Ty::String)]));
        let b = Ty::Object(Obj::Strict(vec![("bar".into(), Ty::Null)]));
        assert_eq!(a.merge(b).to_string(), "object { foo: string, bar: null }");
        assert_eq!(Ty::Number.merge(Ty::Bool), Ty::Any);
        assert_eq!(Ty::Null.merge(Ty::Number), Ty::Number);
        assert_eq!(Ty::array(Ty::Bool).to_string(), "array of boolean");
    }
}
