//! rustc-style output: each finding with its line, the span underlined, the
//! hint, then one summary line. Colour is only an aid: the words `error`,
//! `warning` and `hint` carry the meaning.

use super::{FileReport, Summary, plural, severity_word, sorted};
use crate::{Diagnostic, Severity};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const BLUE: &str = "\x1b[1;34m";

fn colour_of(s: Severity) -> &'static str {
    match s {
        Severity::Error => "\x1b[1;31m",
        Severity::Warning => "\x1b[1;33m",
    }
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }
}

pub(super) fn render(reports: &[FileReport<'_>], colour: bool) -> String {
    let p = Paint { on: colour };
    let mut out = String::new();
    for r in reports {
        let lines: Vec<&str> = r.source.split('\n').collect();
        for d in sorted(r) {
            one(&mut out, &p, r.path, &lines, d);
        }
    }
    let s = Summary::of(reports);
    if s.errors == 0 && s.warnings == 0 {
        out.push_str(&format!(
            "{} checked: no problems found\n",
            plural(s.files, "file", "files")
        ));
    } else {
        out.push_str(&format!(
            "{} checked: {} and {} in {}\n",
            plural(s.files, "file", "files"),
            plural(s.errors, "error", "errors"),
            plural(s.warnings, "warning", "warnings"),
            plural(s.files_with_findings, "file", "files"),
        ));
    }
    out
}

fn one(out: &mut String, p: &Paint, path: &str, lines: &[&str], d: &Diagnostic) {
    let sev = severity_word(d.severity);
    out.push_str(&format!(
        "{}: {} {}\n",
        p.wrap(colour_of(d.severity), sev),
        p.wrap(BOLD, &d.message),
        p.wrap(BLUE, &format!("[{}]", d.rule))
    ));
    let line_no = d.span.start.line as usize;
    let gutter = line_no.max(d.span.end.line as usize).to_string().len();
    let pad = " ".repeat(gutter);
    out.push_str(&format!(
        "{pad}{} {path}:{}:{}\n",
        p.wrap(BLUE, "-->"),
        d.span.start.line,
        d.span.start.column
    ));
    if let Some(text) = line_no.checked_sub(1).and_then(|i| lines.get(i)) {
        let text = text.trim_end_matches('\r');
        out.push_str(&format!("{pad} {}\n", p.wrap(BLUE, "|")));
        out.push_str(&format!(
            "{} {} {}\n",
            p.wrap(BLUE, &format!("{line_no:>gutter$}")),
            p.wrap(BLUE, "|"),
            expand_tabs(text)
        ));
        let start_col = d.span.start.column.max(1) as usize;
        let line_chars = text.chars().count();
        let end_col = if d.span.end.line == d.span.start.line {
            (d.span.end.column as usize).max(start_col + 1)
        } else {
            line_chars + 1
        };
        let width = end_col.saturating_sub(start_col).max(1);
        let lead: String = text
            .chars()
            .take(start_col - 1)
            .map(|c| {
                if c == '\t' {
                    "    ".to_owned()
                } else {
                    " ".to_owned()
                }
            })
            .collect();
        out.push_str(&format!(
            "{pad} {} {lead}{}\n",
            p.wrap(BLUE, "|"),
            p.wrap(colour_of(d.severity), &"^".repeat(width))
        ));
    }
    for rel in &d.related {
        out.push_str(&format!(
            "{pad} {} note: {} ({path}:{}:{})\n",
            p.wrap(BLUE, "="),
            rel.message,
            rel.span.start.line,
            rel.span.start.column
        ));
    }
    if let Some(h) = &d.hint {
        out.push_str(&format!(
            "{pad} {} {}: {h}\n",
            p.wrap(BLUE, "="),
            p.wrap("\x1b[1;36m", "hint")
        ));
    }
    out.push('\n');
}

fn expand_tabs(s: &str) -> String {
    s.replace('\t', "    ")
}
