//! The one place diagnostics become text: for people (rustc-style snippets),
//! for tools (one line each, JSON, SARIF) and for GitHub's own annotations.

mod github;
mod human;
mod json;
mod sarif;

use crate::{Diagnostic, Severity};

/// A file and what was found in it.
#[derive(Debug, Clone, Copy)]
pub struct FileReport<'a> {
    /// The path as the user should see it (relative where possible).
    pub path: &'a str,
    /// The file's text, for snippets.
    pub source: &'a str,
    /// Findings, in any order (they are sorted by position when rendered).
    pub diagnostics: &'a [Diagnostic],
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Snippets with the span underlined, grouped by file, and a summary.
    Human,
    /// `PATH:LINE:COL: error|warning: MESSAGE [RULE]`, one per line.
    Short,
    /// A versioned JSON document (see `json::SCHEMA_VERSION`).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// `::error file=…,line=…,col=…::…` workflow commands, for use inside CI.
    Github,
}

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub format: Format,
    /// Colour (ANSI) for the human format; never the only carrier of meaning.
    pub colour: bool,
    /// The tool version written into JSON and SARIF.
    pub tool_version: &'static str,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub files_with_findings: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport<'_>]) -> Summary {
        let mut s = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for r in reports {
            if !r.diagnostics.is_empty() {
                s.files_with_findings += 1;
            }
            for d in r.diagnostics {
                match d.severity {
                    Severity::Error => s.errors += 1,
                    Severity::Warning => s.warnings += 1,
                }
            }
        }
        s
    }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Diagnostics of a report sorted by position, then rule.
pub(crate) fn sorted<'a>(r: &FileReport<'a>) -> Vec<&'a Diagnostic> {
    let mut v: Vec<&Diagnostic> = r.diagnostics.iter().collect();
    v.sort_by(|a, b| {
        (a.span.start.offset, a.severity, a.rule).cmp(&(b.span.start.offset, b.severity, b.rule))
    });
    v
}

/// Renders every report in the chosen format.
pub fn render(reports: &[FileReport<'_>], options: &Options) -> String {
    match options.format {
        Format::Human => human::render(reports, options.colour),
        Format::Short => {
            let mut out = String::new();
            for r in reports {
                for d in sorted(r) {
                    out.push_str(&format!(
                        "{}:{}:{}: {}: {} [{}]\n",
                        r.path,
                        d.span.start.line,
                        d.span.start.column,
                        severity_word(d.severity),
                        d.message,
                        d.rule
                    ));
                }
            }
            out
        }
        Format::Json => json::render(reports, options.tool_version),
        Format::Sarif => sarif::render(reports, options.tool_version),
        Format::Github => github::render(reports),
    }
}

pub(crate) fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
