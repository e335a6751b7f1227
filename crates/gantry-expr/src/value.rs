//! Values, and GitHub's rules for coercing and comparing them.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::number::{number_to_string, parse_js_number};

/// The kind of a value, as GitHub names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Null => "Null",
            Kind::Boolean => "Boolean",
            Kind::Number => "Number",
            Kind::String => "String",
            Kind::Array => "Array",
            Kind::Object => "Object",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An expression value. Arrays and objects are shared: two values are the
/// same array or object only when they point at the same allocation, which is
/// what GitHub's equality compares for them.
#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(Arc<str>),
    Array(Arc<Vec<Value>>),
    Object(Arc<Object>),
}

impl Value {
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(items))
    }

    pub fn object(obj: Object) -> Value {
        Value::Object(Arc::new(obj))
    }

    pub fn kind(&self) -> Kind {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Boolean,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }

    /// Null, booleans, numbers and strings.
    pub fn is_primitive(&self) -> bool {
        !matches!(self, Value::Array(_) | Value::Object(_))
    }

    /// GitHub's falsy values: `false`, `0`, `-0`, `""`, `null`, `NaN`.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => !(*n == 0.0 || n.is_nan()),
            Value::String(s) => !s.is_empty(),
            Value::Array(_) | Value::Object(_) => true,
        }
    }

    /// The value as a number: null → 0, booleans → 1/0, strings parsed
    /// (or NaN), arrays and objects NaN.
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::String(s) => parse_js_number(s),
            Value::Array(_) | Value::Object(_) => f64::NAN,
        }
    }

    /// The value as a string, as templates and string functions see it.
    pub fn to_display_string(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(true) => "true".to_owned(),
            Value::Bool(false) => "false".to_owned(),
            Value::Number(n) => number_to_string(*n),
            Value::String(s) => s.to_string(),
            Value::Array(_) => "Array".to_owned(),
            Value::Object(_) => "Object".to_owned(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Looks up a property, case-insensitively; `None` when missing or when
    /// the value is not an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|o| o.get(key))
    }

    /// Converts plain JSON to a value.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::string(s.as_str()),
            serde_json::Value::Array(a) => Value::array(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(m) => {
                let mut obj = Object::with_capacity(m.len());
                for (k, v) in m {
                    obj.insert(k.clone(), Value::from_json(v));
                }
                Value::object(obj)
            }
        }
    }

    /// Converts to plain JSON. Numbers JSON cannot hold (NaN, ±Infinity)
    /// become `null`, as `JSON.stringify` writes them.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(a) => serde_json::Value::Array(a.iter().map(Value::to_json).collect()),
            Value::Object(o) => serde_json::Value::Object(
                o.iter().map(|(k, v)| (k.to_owned(), v.to_json())).collect(),
            ),
        }
    }

    /// Loose equality with GitHub's coercions.
    pub fn loose_eq(&self, other: &Value) -> bool {
        match coerce(self, other) {
            Coerced::Numbers(a, b) => !a.is_nan() && !b.is_nan() && a == b,
            Coerced::Strings(a, b) => upper_special(a) == upper_special(b),
            Coerced::Bools(a, b) => a == b,
            Coerced::Nulls => true,
            Coerced::Arrays(a, b) => Arc::ptr_eq(a, b),
            Coerced::Objects(a, b) => Arc::ptr_eq(a, b),
            Coerced::Mismatch => false,
        }
    }

    /// Ordering with GitHub's coercions; `None` when the values do not
    /// compare (different kinds after coercion, NaN, arrays, objects, null).
    pub fn loose_cmp(&self, other: &Value) -> Option<Ordering> {
        match coerce(self, other) {
            Coerced::Numbers(a, b) => a.partial_cmp(&b),
            Coerced::Strings(a, b) => {
                let (a, b) = (upper_special(a), upper_special(b));
                Some(a.encode_utf16().cmp(b.encode_utf16()))
            }
            Coerced::Bools(a, b) => Some(a.cmp(&b)),
            _ => None,
        }
    }
}

pub(crate) fn number_to_json(n: f64) -> serde_json::Value {
    if n.is_finite() {
        if n == n.trunc() && n.abs() < 9_007_199_254_740_992.0 {
            // Integral: write without a fraction (`-0` as `0`).
            #[allow(clippy::cast_possible_truncation)]
            return serde_json::Value::from(n as i64);
        }
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    } else {
        serde_json::Value::Null
    }
}

enum Coerced<'a> {
    Numbers(f64, f64),
    Strings(&'a str, &'a str),
    Bools(bool, bool),
    Nulls,
    Arrays(&'a Arc<Vec<Value>>, &'a Arc<Vec<Value>>),
    Objects(&'a Arc<Object>, &'a Arc<Object>),
    Mismatch,
}

/// GitHub's coercion before comparing: like JavaScript's abstract equality,
/// except that arrays and objects are never converted to primitives.
fn coerce<'a>(l: &'a Value, r: &'a Value) -> Coerced<'a> {
    use Value as V;
    match (l, r) {
        (V::Null, V::Null) => Coerced::Nulls,
        (V::Bool(a), V::Bool(b)) => Coerced::Bools(*a, *b),
        (V::Number(a), V::Number(b)) => Coerced::Numbers(*a, *b),
        (V::String(a), V::String(b)) => Coerced::Strings(a, b),
        (V::Array(a), V::Array(b)) => Coerced::Arrays(a, b),
        (V::Object(a), V::Object(b)) => Coerced::Objects(a, b),
        (V::Number(a), V::String(b)) => Coerced::Numbers(*a, parse_js_number(b)),
        (V::String(a), V::Number(b)) => Coerced::Numbers(parse_js_number(a), *b),
        // Null and booleans become numbers, then the comparison goes on.
        (V::Null | V::Bool(_), _) => {
            let ln = l.to_number();
            match r {
                V::Null | V::Bool(_) => Coerced::Numbers(ln, r.to_number()),
                V::Number(b) => Coerced::Numbers(ln, *b),
                V::String(b) => Coerced::Numbers(ln, parse_js_number(b)),
                _ => Coerced::Mismatch,
            }
        }
        (_, V::Null | V::Bool(_)) => {
            let rn = r.to_number();
            match l {
                V::Number(a) => Coerced::Numbers(*a, rn),
                V::String(a) => Coerced::Numbers(parse_js_number(a), rn),
                _ => Coerced::Mismatch,
            }
        }
        _ => Coerced::Mismatch,
    }
}

/// Upper-cases for case-insensitive comparison, leaving the small dotless `ı`
/// alone (it would otherwise compare equal to `i`).
pub(crate) fn upper_special(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_lowercase()) {
        return std::borrow::Cow::Borrowed(s);
    }
    if s.is_ascii() {
        return std::borrow::Cow::Owned(s.to_ascii_uppercase());
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == 'ı' {
            out.push(c);
        } else {
            out.extend(c.to_uppercase());
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Lower-cases a key for case-insensitive lookup.
fn fold_key(key: &str) -> std::borrow::Cow<'_, str> {
    if key.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
        if key.is_ascii() {
            std::borrow::Cow::Owned(key.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Owned(key.to_lowercase())
        }
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

/// An object with case-insensitive keys that remembers insertion order and
/// the case each key was first written in.
#[derive(Clone, Debug, Default)]
pub struct Object {
    entries: Vec<(String, Value)>,
    index: HashMap<String, usize>,
}

impl Object {
    pub fn new() -> Object {
        Object::default()
    }

    pub fn with_capacity(n: usize) -> Object {
        Object {
            entries: Vec::with_capacity(n),
            index: HashMap::with_capacity(n),
        }
    }

    /// Adds a key unless a key equal to it ignoring case is already there
    /// (the first one wins, as in GitHub's dictionaries). Returns whether it
    /// was added.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) -> bool {
        let key = key.into();
        let folded = fold_key(&key).into_owned();
        if self.index.contains_key(&folded) {
            return false;
        }
        self.index.insert(folded, self.entries.len());
        self.entries.push((key, value));
        true
    }

    /// Sets a key, replacing the value of an existing key equal ignoring case.
    pub fn set(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        let folded = fold_key(&key);
        if let Some(&i) = self.index.get(folded.as_ref()) {
            self.entries[i].1 = value;
        } else {
            let folded = folded.into_owned();
            self.index.insert(folded, self.entries.len());
            self.entries.push((key, value));
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.index
            .get(fold_key(key).as_ref())
            .map(|&i| &self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.index.contains_key(fold_key(key).as_ref())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl FromIterator<(String, Value)> for Object {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut obj = Object::new();
        for (k, v) in iter {
            obj.insert(k, v);
        }
        obj
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::string(s)
    }
}

impl From<Object> for Value {
    fn from(o: Object) -> Self {
        Value::object(o)
    }
}

impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Self {
        Value::array(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_are_case_insensitive_and_first_wins() {
        let mut o = Object::new();
        assert!(o.insert("Foo", Value::from(1.0)));
        assert!(!o.insert("FOO", Value::from(2.0)));
        assert_eq!(o.get("foo").map(Value::to_number), Some(1.0));
        assert_eq!(o.keys().collect::<Vec<_>>(), vec!["Foo"]);
        o.set("fOO", Value::from(3.0));
        assert_eq!(o.get("Foo").map(Value::to_number), Some(3.0));
    }

    #[test]
    fn coercions() {
        assert!(Value::Null.loose_eq(&Value::from(0.0)));
        assert!(Value::from(true).loose_eq(&Value::from("1")));
        assert!(Value::from("ABC").loose_eq(&Value::from("abc")));
        assert!(!Value::from(f64::NAN).loose_eq(&Value::from(f64::NAN)));
        let a = Value::array(vec![]);
        assert!(a.loose_eq(&a.clone()));
        assert!(!a.loose_eq(&Value::array(vec![])));
        assert_eq!(
            Value::from("b").loose_cmp(&Value::from("A")),
            Some(Ordering::Greater)
        );
        assert_eq!(Value::Null.loose_cmp(&Value::array(vec![])), None);
    }
}
