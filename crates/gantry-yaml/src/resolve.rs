//! YAML 1.2 core schema resolution of plain scalars.

use crate::node::NodeKind;

/// Whether `s` is a core-schema null.
fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn as_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn all_digits(s: &str, radix: u32) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_digit(radix))
}

fn strip_sign(s: &str) -> (bool, &str) {
    if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else {
        (false, s.strip_prefix('+').unwrap_or(s))
    }
}

/// Resolves an integer, or `None`. Decimal integers too large for `i64` become floats.
fn as_int(s: &str) -> Option<NodeKind> {
    if let Some(hex) = s.strip_prefix("0x") {
        return all_digits(hex, 16)
            .then(|| i64::from_str_radix(hex, 16).ok().map(NodeKind::Int))
            .flatten();
    }
    if let Some(oct) = s.strip_prefix("0o") {
        return all_digits(oct, 8)
            .then(|| i64::from_str_radix(oct, 8).ok().map(NodeKind::Int))
            .flatten();
    }
    let (_, digits) = strip_sign(s);
    if !all_digits(digits, 10) {
        return None;
    }
    match s.parse::<i64>() {
        Ok(i) => Some(NodeKind::Int(i)),
        Err(_) => s.parse::<f64>().ok().map(NodeKind::Float),
    }
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_float_syntax(s: &str) -> bool {
    let (_, rest) = strip_sign(s);
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => all_digits(frac, 10),
        Some((int, frac)) => all_digits(int, 10) && (frac.is_empty() || all_digits(frac, 10)),
        None => all_digits(mantissa, 10),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(e) => all_digits(strip_sign(e).1, 10),
    };
    mantissa_ok && exponent_ok
}

fn as_float(s: &str) -> Option<f64> {
    let (negative, rest) = strip_sign(s);
    match rest {
        ".inf" | ".Inf" | ".INF" => {
            return Some(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        ".nan" | ".NaN" | ".NAN" if s == rest => return Some(f64::NAN),
        _ => {}
    }
    if !is_float_syntax(s) {
        return None;
    }
    // Rust's parser accepts every string of the core float syntax except a trailing `.`
    // before the exponent or at the end (`1.` / `1.e5`), which it also accepts.
    s.parse::<f64>().ok()
}

/// Resolves a plain scalar with the core schema.
pub(crate) fn resolve_plain(s: &str) -> NodeKind {
    if is_null(s) {
        NodeKind::Null
    } else if let Some(b) = as_bool(s) {
        NodeKind::Bool(b)
    } else if let Some(i) = as_int(s) {
        i
    } else if let Some(f) = as_float(s) {
        NodeKind::Float(f)
    } else {
        NodeKind::String {
            value: s.to_owned(),
            style: crate::ScalarStyle::Plain,
        }
    }
}

/// Resolves a scalar carrying a core-schema tag (`!!str`, `!!int`, ...). `None` when the
/// tag is not one of the scalar tags, or the text does not fit it.
pub(crate) fn resolve_tagged(suffix: &str, s: &str) -> Option<NodeKind> {
    match suffix {
        "null" => is_null(s).then_some(NodeKind::Null),
        "bool" => as_bool(s).map(NodeKind::Bool),
        "int" => match as_int(s)? {
            NodeKind::Int(i) => Some(NodeKind::Int(i)),
            _ => None,
        },
        "float" => as_int(s)
            .and_then(|k| match k {
                NodeKind::Int(i) => {
                    #[allow(clippy::cast_precision_loss)]
                    let f = i as f64;
                    Some(f)
                }
                NodeKind::Float(f) => Some(f),
                _ => None,
            })
            .or_else(|| as_float(s))
            .map(NodeKind::Float),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> NodeKind {
        NodeKind::String {
            value: v.to_owned(),
            style: crate::ScalarStyle::Plain,
        }
    }

    #[test]
    fn core_schema() {
        assert_eq!(resolve_plain(""), NodeKind::Null);
        assert_eq!(resolve_plain("~"), NodeKind::Null);
        assert_eq!(resolve_plain("NULL"), NodeKind::Null);
        assert_eq!(resolve_plain("nULL"), s("nULL"));
        assert_eq!(resolve_plain("True"), NodeKind::Bool(true));
        assert_eq!(resolve_plain("FALSE"), NodeKind::Bool(false));
        for word in ["on", "off", "yes", "no", "y", "n", "On", "YES"] {
            assert_eq!(resolve_plain(word), s(word));
        }
        assert_eq!(resolve_plain("0x1F"), NodeKind::Int(31));
        assert_eq!(resolve_plain("0o17"), NodeKind::Int(15));
        assert_eq!(resolve_plain("0b1"), s("0b1"));
        assert_eq!(resolve_plain("-12"), NodeKind::Int(-12));
        assert_eq!(resolve_plain("+12"), NodeKind::Int(12));
        assert_eq!(resolve_plain("012"), NodeKind::Int(12));
        assert_eq!(resolve_plain("3.10"), NodeKind::Float(3.1));
        assert_eq!(resolve_plain(".5"), NodeKind::Float(0.5));
        assert_eq!(resolve_plain("1e3"), NodeKind::Float(1000.0));
        assert_eq!(resolve_plain("1."), NodeKind::Float(1.0));
        assert_eq!(resolve_plain("-.inf"), NodeKind::Float(f64::NEG_INFINITY));
        assert!(matches!(resolve_plain(".NaN"), NodeKind::Float(f) if f.is_nan()));
        assert_eq!(resolve_plain("-.nan"), s("-.nan"));
        assert_eq!(resolve_plain("1.2.3"), s("1.2.3"));
        assert_eq!(resolve_plain("1e"), s("1e"));
        assert_eq!(resolve_plain("."), s("."));
        assert_eq!(resolve_plain("inf"), s("inf"));
        assert_eq!(resolve_plain("nan"), s("nan"));
        assert_eq!(resolve_plain("0x"), s("0x"));
        assert_eq!(resolve_plain("1_000"), s("1_000"));
        assert_eq!(resolve_plain("99999999999999999999"), NodeKind::Float(1e20));
        assert_eq!(resolve_tagged("str", "1"), None);
        assert_eq!(resolve_tagged("float", "1"), Some(NodeKind::Float(1.0)));
        assert_eq!(resolve_tagged("int", "x"), None);
    }
}
