//! Maps a place inside a YAML scalar's value back to the file.
//!
//! A scalar's value can differ from its source text (quotes, escapes, block
//! scalars' indentation), so an offset within the value is located by
//! matching text: first the `${{` the offset belongs to, then the text
//! itself. When the text cannot be found verbatim, the span of the enclosing
//! `${{` (or the whole scalar) is used.

use gantry_diagnostics::{Pos, Span};

/// The position of byte `offset` of `src`, counting from `from` (a known
/// earlier position).
pub fn pos_from(src: &str, from: Pos, offset: usize) -> Pos {
    let offset = offset.min(src.len());
    if offset < from.offset {
        return pos_from(src, Pos::START, offset);
    }
    let mut pos = from;
    let Some(text) = src.get(from.offset..offset) else {
        return from;
    };
    for c in text.chars() {
        if c == '\n' {
            pos.line += 1;
            pos.column = 1;
        } else {
            pos.column += 1;
        }
    }
    pos.offset = offset;
    pos
}

/// The span in `src` of `value[start..end]`, where `value` is the value of the
/// scalar written at `scalar`.
pub fn span_in(src: &str, scalar: Span, value: &str, start: usize, end: usize) -> Span {
    let Some(source) = src.get(scalar.start.offset..scalar.end.offset) else {
        return scalar;
    };
    let start = start.min(value.len());
    let end = end.clamp(start, value.len());
    let needle = value.get(start..end).unwrap_or("");
    // Which `${{` the range lies in (counting from 0), and where that is.
    let opens: Vec<usize> = value
        .match_indices("${{")
        .map(|(i, _)| i)
        .filter(|&i| i <= start)
        .collect();
    let source_opens: Vec<usize> = source.match_indices("${{").map(|(i, _)| i).collect();
    let anchor = match (opens.len().checked_sub(1), opens.last()) {
        (Some(k), Some(&value_open)) => source_opens.get(k).map(|&s| (s, value_open)),
        _ => None,
    };
    let found = match anchor {
        Some((source_open, value_open)) => {
            // Same distance from the `${{` as in the value, if the text agrees.
            let guess = source_open + (start - value_open);
            if !needle.is_empty() && source.get(guess..guess + needle.len()) == Some(needle) {
                Some(guess)
            } else if needle.is_empty() {
                Some(source_open)
            } else {
                source[source_open..]
                    .find(needle)
                    .map(|i| i + source_open)
                    .or(Some(source_open))
            }
        }
        None => {
            if needle.is_empty() {
                None
            } else {
                // A bare expression (an `if:` without `${{ }}`): align the value
                // with the source text, then find the needle after that.
                let lead = value.trim_start();
                let head: String = lead.chars().take(12).collect();
                let base = if head.is_empty() {
                    None
                } else {
                    source.find(&head)
                };
                match base {
                    Some(b) => {
                        let skip = value.len() - lead.len();
                        let guess = b + start.saturating_sub(skip);
                        if source.get(guess..guess + needle.len()) == Some(needle) {
                            Some(guess)
                        } else {
                            source.find(needle)
                        }
                    }
                    None => source.find(needle),
                }
            }
        }
    };
    match found {
        Some(i) => {
            let len = if source.get(i..i + needle.len()) == Some(needle) {
                needle.len()
            } else {
                3
            };
            let s = pos_from(src, scalar.start, scalar.start.offset + i);
            let e = pos_from(src, s, s.offset + len);
            Span::new(s, e)
        }
        None => scalar,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(src: &str, text: &str) -> Span {
        let i = src.find(text).unwrap();
        Span::new(
            pos_from(src, Pos::START, i),
            pos_from(src, Pos::START, i + text.len()),
        )
    }

    #[test]
    fn plain_and_block_scalars() {
        let src = "jobs:\n  a:\n    if: ${{ github.ref == 'x' }}\n    run: |\n      echo ${{ matrix.os }}\n      echo ${{ matrix.py }}\n";
        let s = scalar(src, "${{ github.ref == 'x' }}");
        let v = "${{ github.ref == 'x' }}";
        let sp = span_in(src, s, v, 4, 10);
        assert_eq!((sp.start.line, sp.start.column, sp.end.column), (3, 13, 19));
        let block = scalar(src, "echo ${{ matrix.os }}\n      echo ${{ matrix.py }}\n");
        let value = "echo ${{ matrix.os }}\necho ${{ matrix.py }}\n";
        let at = value.find("matrix.py").unwrap();
        let sp = span_in(src, block, value, at, at + 9);
        assert_eq!((sp.start.line, sp.start.column), (6, 16));
    }

    #[test]
    fn quoted_bare_condition() {
        let src = "if: \"github.event_name == 'push'\"\n";
        let s = scalar(src, "\"github.event_name == 'push'\"");
        let v = "github.event_name == 'push'";
        let sp = span_in(src, s, v, 21, 27);
        assert_eq!((sp.start.line, sp.start.column), (1, 27));
    }
}
