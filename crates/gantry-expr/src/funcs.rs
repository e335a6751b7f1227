//! The built-in functions: their names, arities and implementations.

use crate::error::Error;
use crate::number::{is_js_whitespace, js_to_string};
use crate::value::{Value, upper_special};

/// A function an expression may call. Names are case-insensitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    Contains,
    StartsWith,
    EndsWith,
    Format,
    Join,
    ToJson,
    FromJson,
    Case,
    HashFiles,
    Success,
    Always,
    Failure,
    Cancelled,
}

/// The most arguments `format` and `hashFiles` take.
pub const MAX_ARGUMENTS: usize = 255;

impl Function {
    pub const ALL: [Function; 13] = [
        Function::Contains,
        Function::StartsWith,
        Function::EndsWith,
        Function::Format,
        Function::Join,
        Function::ToJson,
        Function::FromJson,
        Function::Case,
        Function::HashFiles,
        Function::Success,
        Function::Always,
        Function::Failure,
        Function::Cancelled,
    ];

    /// The documented spelling.
    pub fn name(self) -> &'static str {
        match self {
            Function::Contains => "contains",
            Function::StartsWith => "startsWith",
            Function::EndsWith => "endsWith",
            Function::Format => "format",
            Function::Join => "join",
            Function::ToJson => "toJSON",
            Function::FromJson => "fromJSON",
            Function::Case => "case",
            Function::HashFiles => "hashFiles",
            Function::Success => "success",
            Function::Always => "always",
            Function::Failure => "failure",
            Function::Cancelled => "cancelled",
        }
    }

    /// Finds a function by name, ignoring case.
    pub fn lookup(name: &str) -> Option<Function> {
        Function::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Minimum and maximum number of arguments.
    pub fn arity(self) -> (usize, usize) {
        match self {
            Function::Contains | Function::StartsWith | Function::EndsWith => (2, 2),
            Function::Format => (1, MAX_ARGUMENTS),
            Function::Join => (1, 2),
            Function::ToJson | Function::FromJson => (1, 1),
            Function::Case => (3, usize::MAX),
            Function::HashFiles => (1, MAX_ARGUMENTS),
            Function::Success | Function::Always | Function::Failure | Function::Cancelled => {
                (0, 0)
            }
        }
    }

    /// `success`, `always`, `failure` and `cancelled`.
    pub fn is_status(self) -> bool {
        matches!(
            self,
            Function::Success | Function::Always | Function::Failure | Function::Cancelled
        )
    }
}

pub(crate) fn contains(search: &Value, item: &Value) -> bool {
    match search {
        Value::Array(items) => items.iter().any(|v| item.loose_eq(v)),
        Value::Object(_) => false,
        _ if item.is_primitive() => {
            let s = search.to_display_string().to_lowercase();
            let i = item.to_display_string().to_lowercase();
            s.contains(&i)
        }
        _ => false,
    }
}

pub(crate) fn starts_with(s: &Value, prefix: &Value) -> bool {
    if !s.is_primitive() || !prefix.is_primitive() {
        return false;
    }
    let s = s.to_display_string();
    let p = prefix.to_display_string();
    upper_special(&s).starts_with(upper_special(&p).as_ref())
}

pub(crate) fn ends_with(s: &Value, suffix: &Value) -> bool {
    if !s.is_primitive() || !suffix.is_primitive() {
        return false;
    }
    let s = s.to_display_string();
    let p = suffix.to_display_string();
    upper_special(&s).ends_with(upper_special(&p).as_ref())
}

pub(crate) fn join(items: &Value, sep: Option<&Value>) -> String {
    match items {
        Value::Array(a) => {
            let sep = match sep {
                Some(s) if s.is_primitive() => s.to_display_string(),
                _ => ",".to_owned(),
            };
            let mut out = String::new();
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(&sep);
                }
                out.push_str(&v.to_display_string());
            }
            out
        }
        Value::Object(_) => String::new(),
        v => v.to_display_string(),
    }
}

/// `format('{0} and {{literal}}', x)`.
pub(crate) fn format(args: &[Value]) -> Result<String, Error> {
    let fs = args
        .first()
        .map(Value::to_display_string)
        .unwrap_or_default();
    let invalid = || Error::eval(format!("The following format string is invalid: {fs}"));
    let b = fs.as_bytes();
    let mut out = String::with_capacity(fs.len());
    let mut i = 0;
    while i < b.len() {
        let lbrace = fs[i..].find('{').map(|p| p + i);
        let rbrace = fs[i..].find('}').map(|p| p + i);
        match (lbrace, rbrace) {
            (Some(l), r) if r.is_none_or(|r| r > l) => {
                if b.get(l + 1) == Some(&b'{') {
                    out.push_str(&fs[i..=l]);
                    i = l + 2;
                    continue;
                }
                let Some(r) = r else { return Err(invalid()) };
                if r > l + 1 {
                    let digits = fs[l + 1..].bytes().take_while(u8::is_ascii_digit).count();
                    if digits > 0 {
                        let index: usize = fs[l + 1..l + 1 + digits].parse().unwrap_or(usize::MAX);
                        if index.saturating_add(1) > args.len() - 1 {
                            return Err(Error::eval(format!(
                                "The following format string references more arguments than were supplied: {fs}"
                            )));
                        }
                        out.push_str(&fs[i..l]);
                        out.push_str(&args[index + 1].to_display_string());
                        i = r + 1;
                        continue;
                    }
                }
                return Err(invalid());
            }
            (_, Some(r)) => {
                if b.get(r + 1) == Some(&b'}') {
                    out.push_str(&fs[i..=r]);
                    i = r + 2;
                } else {
                    return Err(invalid());
                }
            }
            _ => {
                out.push_str(&fs[i..]);
                break;
            }
        }
    }
    Ok(out)
}

/// `toJSON`: two-space indented JSON, formatted as GitHub formats it.
pub fn to_json_string(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, 0, &mut out);
    out
}

fn write_json(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_finite() {
                out.push_str(&js_to_string(*n));
            } else {
                out.push_str("null");
            }
        }
        Value::String(s) => write_json_string(s, out),
        Value::Array(a) => {
            if a.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(indent + 1, out);
                write_json(item, indent + 1, out);
            }
            newline(indent, out);
            out.push(']');
        }
        Value::Object(o) => {
            if o.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, item)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(indent + 1, out);
                write_json_string(k, out);
                out.push_str(": ");
                write_json(item, indent + 1, out);
            }
            newline(indent, out);
            out.push('}');
        }
    }
}

fn newline(indent: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `fromJSON`: parses JSON text into a value.
pub(crate) fn from_json(s: &str) -> Result<Value, Error> {
    if s.trim_matches(is_js_whitespace).is_empty() {
        return Err(Error::eval("Error parsing fromJson: empty input"));
    }
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(json) => Ok(Value::from_json(&json)),
        Err(e) => Err(Error::eval(format!(
            "Error parsing JSON when evaluating fromJson: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::from(v)
    }

    #[test]
    fn format_escapes_and_errors() {
        assert_eq!(format(&[s("{0}-{{x}}"), s("a")]).unwrap(), "a-{x}");
        assert!(format(&[s("{1}"), s("a")]).is_err());
        assert!(format(&[s("{0"), s("a")]).is_err());
        assert!(format(&[s("0}"), s("a")]).is_err());
    }

    #[test]
    fn json_round_trip_layout() {
        let v = from_json(r#"{"a":[1,2,{}],"b":"x\ny","c":[]}"#).unwrap();
        assert_eq!(
            to_json_string(&v),
            "{\n  \"a\": [\n    1,\n    2,\n    {}\n  ],\n  \"b\": \"x\\ny\",\n  \"c\": []\n}"
        );
    }
}
