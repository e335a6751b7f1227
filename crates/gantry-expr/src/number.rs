//! Number conversions exactly as GitHub's evaluators perform them.
//!
//! Strings become numbers with JavaScript's `Number(string)` rules (surrounding
//! white space ignored, an empty string is 0, `0x`/`0o`/`0b` prefixes, `Infinity`,
//! anything else that is not a decimal literal is `NaN`). Numbers become strings
//! with at most 15 significant fraction digits and JavaScript's shortest
//! round-trip formatting (`1.0` → `1`, `1e+21`, `1e-7`, `-0` → `0`).

/// Parses a string the way JavaScript's `Number(string)` does.
pub fn parse_js_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_whitespace);
    if t.is_empty() {
        return 0.0;
    }
    let bytes = t.as_bytes();
    if bytes.len() > 2 && bytes[0] == b'0' {
        let radix = match bytes[1] {
            b'x' | b'X' => Some(16),
            b'o' | b'O' => Some(8),
            b'b' | b'B' => Some(2),
            _ => None,
        };
        if let Some(radix) = radix {
            return parse_radix(&t[2..], radix);
        }
    }
    let (sign, body) = match bytes[0] {
        b'+' => (1.0, &t[1..]),
        b'-' => (-1.0, &t[1..]),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    if !is_decimal_literal(body) {
        return f64::NAN;
    }
    match body.parse::<f64>() {
        Ok(v) => sign * v,
        Err(_) => f64::NAN,
    }
}

fn parse_radix(digits: &str, radix: u32) -> f64 {
    if digits.is_empty() {
        return f64::NAN;
    }
    let mut value = 0.0f64;
    for c in digits.chars() {
        match c.to_digit(radix) {
            Some(d) => value = value * f64::from(radix) + f64::from(d),
            None => return f64::NAN,
        }
    }
    value
}

/// `digits [. digits?] | . digits` followed by an optional exponent.
fn is_decimal_literal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s2 = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s2;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let s3 = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s3 {
            return false;
        }
    }
    i == b.len()
}

/// JavaScript's `StrWhiteSpaceChar`: white space and line terminators.
pub fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{A}' | '\u{B}' | '\u{C}' | '\u{D}' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// Converts a number to a string as GitHub's expression evaluator does when a
/// number is coerced to a string (`format`, `join`, templates, `contains`…).
pub fn number_to_string(v: f64) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    if !v.is_finite() {
        return js_to_string(v);
    }
    if v.abs() >= 1e21 {
        return js_to_string(v);
    }
    // Round to 15 fraction digits (JavaScript's toFixed(15) rounds ties away
    // from zero; Rust's formatting rounds them to even), then format the
    // result the shortest way.
    let fixed = to_fixed_15(v);
    let rounded: f64 = fixed.parse().unwrap_or(v);
    if rounded == 0.0 {
        return "0".to_owned();
    }
    js_to_string(rounded)
}

fn to_fixed_15(v: f64) -> String {
    let s = format!("{v:.15}");
    let probe = format!("{:.20}", v.abs());
    let Some(dot) = probe.find('.') else {
        return s;
    };
    let tail = &probe[dot + 16..];
    if !tail.starts_with("50000") {
        return s;
    }
    // A possible tie: look at the exact expansion.
    let exact = format!("{:.1100}", v.abs());
    let exact_tail = &exact[dot + 16..];
    let is_tie = exact_tail.starts_with('5') && exact_tail[1..].bytes().all(|b| b == b'0');
    if !is_tie {
        return s;
    }
    // Round the magnitude up at the 15th fraction digit.
    let truncated = &exact[..dot + 16];
    let mut digits: Vec<u8> = truncated.bytes().filter(|b| *b != b'.').collect();
    let mut i = digits.len();
    loop {
        if i == 0 {
            digits.insert(0, b'1');
            break;
        }
        i -= 1;
        if digits[i] == b'9' {
            digits[i] = b'0';
        } else {
            digits[i] += 1;
            break;
        }
    }
    let int_len = digits.len() - 15;
    let mut out = String::with_capacity(digits.len() + 2);
    if v < 0.0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&digits[..int_len]).unwrap_or("0"));
    out.push('.');
    out.push_str(std::str::from_utf8(&digits[int_len..]).unwrap_or("0"));
    out
}

/// JavaScript's `Number.prototype.toString()` (shortest round-trip digits).
pub fn js_to_string(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    // `{:e}` gives the shortest round-trip digits in scientific form.
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = exp + 1;
    let mut out = String::with_capacity(24);
    if v < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        out.push_str(&(n - 1).abs().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_javascript() {
        assert_eq!(parse_js_number(""), 0.0);
        assert_eq!(parse_js_number("  12  "), 12.0);
        assert_eq!(parse_js_number("0x1F"), 31.0);
        assert_eq!(parse_js_number("0o17"), 15.0);
        assert_eq!(parse_js_number("0b101"), 5.0);
        assert!(parse_js_number("-0x10").is_nan());
        assert_eq!(parse_js_number("-Infinity"), f64::NEG_INFINITY);
        assert!(parse_js_number("infinity").is_nan());
        assert_eq!(parse_js_number(".5"), 0.5);
        assert_eq!(parse_js_number("5."), 5.0);
        assert!(parse_js_number(".").is_nan());
        assert_eq!(parse_js_number("1.2e+2"), 120.0);
        assert!(parse_js_number("1e").is_nan());
        assert!(parse_js_number("1_000").is_nan());
        assert!(parse_js_number("abc").is_nan());
    }

    #[test]
    fn formats_like_javascript() {
        assert_eq!(js_to_string(1.0), "1");
        assert_eq!(js_to_string(1.5), "1.5");
        assert_eq!(js_to_string(1e21), "1e+21");
        assert_eq!(
            js_to_string(123456789012345680000.0),
            "123456789012345680000"
        );
        assert_eq!(js_to_string(1e-7), "1e-7");
        assert_eq!(js_to_string(0.000001), "0.000001");
        assert_eq!(js_to_string(-1.25e-10), "-1.25e-10");
        assert_eq!(number_to_string(-0.0), "0");
        assert_eq!(number_to_string(0.1 + 0.2), "0.3");
        assert_eq!(number_to_string(1.0 / 3.0), "0.333333333333333");
        assert_eq!(number_to_string(1.0 / 65536.0), "0.000015258789063");
        assert_eq!(number_to_string(1e-16), "0");
        assert_eq!(number_to_string(f64::NAN), "NaN");
    }
}
