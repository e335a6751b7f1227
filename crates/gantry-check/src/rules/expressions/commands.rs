//! `deprecated-command`: workflow commands GitHub deprecated (`::set-output`,
//! `::save-state`) or disabled (`::set-env`, `::add-path`) in `run` scripts.

use gantry_diagnostics::{Diagnostic, Span};

use super::DEPRECATED_COMMAND;
use super::check::Text;
use crate::Cx;
use crate::locate;

/// Command, whether GitHub disabled it, and the replacement.
const COMMANDS: &[(&str, bool, &str)] = &[
    (
        "set-output",
        false,
        "write `name=value` to the file in `$GITHUB_OUTPUT`: echo \"name=value\" >> \"$GITHUB_OUTPUT\"",
    ),
    (
        "save-state",
        false,
        "write `name=value` to the file in `$GITHUB_STATE`: echo \"name=value\" >> \"$GITHUB_STATE\"",
    ),
    (
        "set-env",
        true,
        "write `NAME=value` to the file in `$GITHUB_ENV`: echo \"NAME=value\" >> \"$GITHUB_ENV\"",
    ),
    (
        "add-path",
        true,
        "append the directory to the file in `$GITHUB_PATH`: echo \"/some/dir\" >> \"$GITHUB_PATH\"",
    ),
];

/// Reports deprecated commands in a `run` script. `unsecure_allowed` is set
/// when `ACTIONS_ALLOW_UNSECURE_COMMANDS` re-enables `set-env` / `add-path`.
pub(super) fn check(cx: &mut Cx<'_>, text: Text<'_>, unsecure_allowed: bool) {
    let raw = text.raw;
    if !raw.contains("::") {
        return;
    }
    let bytes = raw.as_bytes();
    for (i, _) in raw.match_indices("::") {
        if i > 0 {
            let before = bytes[i - 1];
            if before == b':' || before.is_ascii_alphanumeric() || before == b'_' {
                continue;
            }
        }
        let rest = &raw[i + 2..];
        for &(name, disabled, hint) in COMMANDS {
            let Some(after) = rest.strip_prefix(name) else {
                continue;
            };
            if !(after.starts_with(' ') || after.starts_with("::")) {
                continue;
            }
            let span = locate_in_lines(cx.src, text, i, i + 2 + name.len());
            let d = if disabled && !unsecure_allowed {
                Diagnostic::error(
                    DEPRECATED_COMMAND,
                    span,
                    format!(
                        "the `{name}` workflow command is disabled: GitHub ignores it and fails the step"
                    ),
                )
            } else {
                Diagnostic::warning(
                    DEPRECATED_COMMAND,
                    span,
                    format!("the `{name}` workflow command is deprecated"),
                )
            };
            cx.push(d.with_hint(hint));
        }
    }
}

/// The file span of `raw[start..end]`, found by matching the value's lines
/// one after another in the source (exact for block scalars, whose lines
/// are the source lines without indentation); falls back to
/// [`locate::span_in`].
fn locate_in_lines(src: &str, text: Text<'_>, start: usize, end: usize) -> Span {
    let fallback = || locate::span_in(src, text.span, text.raw, start, end);
    let Some(source) = src.get(text.span.start.offset..text.span.end.offset) else {
        return fallback();
    };
    let raw = text.raw;
    let line_start = raw[..start].rfind('\n').map_or(0, |i| i + 1);
    let target = raw[..start].matches('\n').count();
    let mut cursor = 0;
    for (n, line) in raw.split('\n').enumerate() {
        if n == target {
            let Some(found) = source[cursor..].find(line) else {
                return fallback();
            };
            let at = text.span.start.offset + cursor + found + (start - line_start);
            let s = locate::pos_from(src, text.span.start, at);
            let e = locate::pos_from(src, s, at + (end - start));
            return Span::new(s, e);
        }
        if line.trim().is_empty() {
            continue;
        }
        match source[cursor..].find(line) {
            Some(found) => cursor += found + line.len(),
            None => return fallback(),
        }
    }
    fallback()
}
