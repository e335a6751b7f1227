//! Secret masking: every secret, each line of a multi-line secret, their
//! common encodings, and every `::add-mask::` value become `***` in
//! everything shown or stored.

use std::sync::{Arc, RwLock};

/// The replacement for a masked value.
pub const MASK: &str = "***";

/// A shared, growing set of values to hide. Cloning shares the set, so a
/// mask added by one step applies to every later line of the run.
#[derive(Clone, Default, Debug)]
pub struct Masker {
    values: Arc<RwLock<Vec<String>>>,
}

impl Masker {
    pub fn new() -> Masker {
        Masker::default()
    }

    /// Registers a secret: the value, each of its lines, and the encodings
    /// a program is likely to print it in.
    pub fn add_secret(&self, value: &str) {
        let mut add = Vec::new();
        let trimmed = value.trim_matches(['\r', '\n']);
        add.push(trimmed.to_owned());
        if trimmed.contains('\n') {
            for line in trimmed.split('\n') {
                add.push(line.trim_end_matches('\r').to_owned());
            }
        }
        for v in add.clone() {
            add.push(base64(v.as_bytes()));
            let json = serde_json::to_string(&v).unwrap_or_default();
            if let Some(inner) = json.strip_prefix('"').and_then(|j| j.strip_suffix('"')) {
                add.push(inner.to_owned());
            }
            add.push(percent_encode(&v));
        }
        self.add_values(add);
    }

    /// Registers one value as it is (`::add-mask::`).
    pub fn add_value(&self, value: &str) {
        self.add_values(vec![value.trim().to_owned()]);
    }

    fn add_values(&self, values: Vec<String>) {
        let Ok(mut set) = self.values.write() else {
            return;
        };
        for v in values {
            // Very short values would hide ordinary output everywhere; the
            // runner skips them too.
            if v.chars().count() < 2 || set.contains(&v) {
                continue;
            }
            set.push(v);
        }
        // Longest first, so a value inside a longer one does not split it.
        set.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// Whether nothing is masked.
    pub fn is_empty(&self) -> bool {
        self.values.read().map(|v| v.is_empty()).unwrap_or(true)
    }

    /// Hides every registered value in `text`.
    pub fn mask(&self, text: &str) -> String {
        let Ok(set) = self.values.read() else {
            return text.to_owned();
        };
        if set.is_empty() {
            return text.to_owned();
        }
        // Collect every match, merge overlaps, then replace.
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for v in set.iter() {
            for (i, m) in text.match_indices(v.as_str()) {
                ranges.push((i, i + m.len()));
            }
        }
        if ranges.is_empty() {
            return text.to_owned();
        }
        ranges.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut pos = 0;
        let mut iter = ranges.into_iter().peekable();
        while let Some((mut s, mut e)) = iter.next() {
            while let Some(&(s2, e2)) = iter.peek() {
                if s2 <= e {
                    e = e.max(e2);
                    iter.next();
                } else {
                    break;
                }
            }
            if s < pos {
                s = pos;
            }
            if s >= e {
                continue;
            }
            out.push_str(&text[pos..s]);
            out.push_str(MASK);
            pos = e;
        }
        out.push_str(&text[pos..]);
        out
    }

    /// The longest registered value, in bytes (how much text a streaming
    /// reader must hold back before it can emit a partial line).
    pub fn longest(&self) -> usize {
        self.values
            .read()
            .map(|v| v.first().map_or(0, String::len))
            .unwrap_or(0)
    }
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_values_lines_and_encodings() {
        let m = Masker::new();
        m.add_secret("hunter2");
        m.add_secret("line-one\nline-two");
        assert_eq!(m.mask("pw=hunter2!"), "pw=***!");
        assert_eq!(m.mask("a line-two b"), "a *** b");
        assert_eq!(m.mask("b64 aHVudGVyMg=="), "b64 ***");
        assert_eq!(m.mask("hunter2hunter2"), "***");
        m.add_value("  extra  ");
        assert_eq!(m.mask("an extra word"), "an *** word");
        assert_eq!(m.mask("nothing here"), "nothing here");
    }

    #[test]
    fn overlapping_values_merge() {
        let m = Masker::new();
        m.add_value("abcdef");
        m.add_value("defghi");
        assert_eq!(m.mask("xxabcdefghixx"), "xx***xx");
    }
}
