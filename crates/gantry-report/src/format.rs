//! Small shared pieces of human output: durations, result words and marks,
//! annotation lines, and ANSI styling that is only ever an aid.

use gantry_run::commands::{Annotation, AnnotationLevel};
use gantry_run::event::Conclusion;

/// An ANSI style; applied only when colour is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paint {
    Bold,
    Dim,
    Italic,
    Underline,
    Red,
    Green,
    Yellow,
    Cyan,
    BoldRed,
    BoldYellow,
    BoldCyan,
    BoldUnderline,
}

impl Paint {
    fn code(self) -> &'static str {
        match self {
            Paint::Bold => "1",
            Paint::Dim => "2",
            Paint::Italic => "3",
            Paint::Underline => "4",
            Paint::Red => "31",
            Paint::Green => "32",
            Paint::Yellow => "33",
            Paint::Cyan => "36",
            Paint::BoldRed => "1;31",
            Paint::BoldYellow => "1;33",
            Paint::BoldCyan => "1;36",
            Paint::BoldUnderline => "1;4",
        }
    }
}

/// `text` in `paint` when `colour` is on, else `text` as it is.
pub fn paint(text: &str, paint: Paint, colour: bool) -> String {
    if colour && !text.is_empty() {
        format!("\x1b[{}m{text}\x1b[0m", paint.code())
    } else {
        text.to_owned()
    }
}

/// A duration as people read it: `350ms`, `4.2s`, `1m 05s`, `2h 03m`.
pub fn duration(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{}.{}s", ms / 1_000, (ms % 1_000) / 100)
    } else if ms < 3_600_000 {
        let s = ms / 1_000;
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        let m = ms / 60_000;
        format!("{}h {:02}m", m / 60, m % 60)
    }
}

/// The past-tense word for a result: `succeeded`, `failed`, `cancelled`,
/// `skipped`.
pub fn result_word(c: Conclusion) -> &'static str {
    match c {
        Conclusion::Success => "succeeded",
        Conclusion::Failure => "failed",
        Conclusion::Cancelled => "cancelled",
        Conclusion::Skipped => "skipped",
    }
}

/// A one-character mark for a result (an aid; the word always goes with it).
pub fn result_mark(c: Conclusion) -> &'static str {
    match c {
        Conclusion::Success => "✓",
        Conclusion::Failure => "✗",
        Conclusion::Cancelled => "⊘",
        Conclusion::Skipped => "-",
    }
}

/// The colour of a result.
pub fn result_paint(c: Conclusion) -> Paint {
    match c {
        Conclusion::Success => Paint::Green,
        Conclusion::Failure => Paint::BoldRed,
        Conclusion::Cancelled => Paint::Yellow,
        Conclusion::Skipped => Paint::Dim,
    }
}

/// `✓ succeeded`, coloured when asked.
pub fn result_label(c: Conclusion, colour: bool) -> String {
    paint(
        &format!("{} {}", result_mark(c), result_word(c)),
        result_paint(c),
        colour,
    )
}

/// The word of an annotation level: `error`, `warning`, `notice`.
pub fn level_word(level: AnnotationLevel) -> &'static str {
    match level {
        AnnotationLevel::Error => "error",
        AnnotationLevel::Warning => "warning",
        AnnotationLevel::Notice => "notice",
    }
}

fn level_paint(level: AnnotationLevel) -> Paint {
    match level {
        AnnotationLevel::Error => Paint::BoldRed,
        AnnotationLevel::Warning => Paint::BoldYellow,
        AnnotationLevel::Notice => Paint::BoldCyan,
    }
}

/// `error: Title: message (file:line:col)`; the level word carries the
/// meaning, colour only highlights it.
pub fn annotation(a: &Annotation, colour: bool) -> String {
    let mut out = format!(
        "{}: ",
        paint(level_word(a.level), level_paint(a.level), colour)
    );
    if let Some(title) = a.title.as_deref().filter(|t| !t.is_empty()) {
        out.push_str(title);
        out.push_str(": ");
    }
    out.push_str(&a.message);
    if let Some(loc) = location(a) {
        out.push_str(" (");
        out.push_str(&loc);
        out.push(')');
    }
    out
}

/// `file:line:col`, `file:line`, `file`, or nothing.
pub fn location(a: &Annotation) -> Option<String> {
    let file = a.file.as_deref().filter(|f| !f.is_empty())?;
    let mut loc = file.to_owned();
    if let Some(line) = a.line {
        loc.push_str(&format!(":{line}"));
        if let Some(col) = a.col {
            loc.push_str(&format!(":{col}"));
        }
    }
    Some(loc)
}

/// How a step ended, in words: `succeeded`, or `failed (continue-on-error)`
/// when the outcome failed but the conclusion did not.
pub fn step_result(outcome: Conclusion, conclusion: Conclusion) -> String {
    if outcome == Conclusion::Failure && conclusion == Conclusion::Success {
        "failed (continue-on-error)".to_owned()
    } else {
        result_word(conclusion).to_owned()
    }
}

/// The terminal width of `s` (ANSI escapes excluded).
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(strip_ansi(s).as_str())
}

/// `s` without ANSI escape sequences.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` padded with spaces to `w` columns.
pub fn pad(s: &str, w: usize) -> String {
    let n = width(s);
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(n)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(0), "0ms");
        assert_eq!(duration(999), "999ms");
        assert_eq!(duration(1_000), "1.0s");
        assert_eq!(duration(4_290), "4.2s");
        assert_eq!(duration(65_000), "1m 05s");
        assert_eq!(duration(3_600_000 + 3 * 60_000), "1h 03m");
    }

    #[test]
    fn ansi_is_not_counted() {
        let s = paint("héllo", Paint::Bold, true);
        assert_eq!(width(&s), 5);
        assert_eq!(strip_ansi(&s), "héllo");
        assert_eq!(width("表"), 2);
    }

    #[test]
    fn annotations_carry_words() {
        let a = Annotation {
            level: AnnotationLevel::Warning,
            message: "deprecated".into(),
            title: Some("Lint".into()),
            file: Some("src/a.rs".into()),
            line: Some(3),
            end_line: None,
            col: Some(7),
            end_column: None,
        };
        assert_eq!(
            annotation(&a, false),
            "warning: Lint: deprecated (src/a.rs:3:7)"
        );
    }
}
