//! GitHub workflow commands (`::error file=…::message`), so findings show up
//! as annotations when Gantry runs inside a GitHub Actions job.

use super::{FileReport, severity_word, sorted};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub(super) fn render(reports: &[FileReport<'_>]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in sorted(r) {
            let mut message = d.message.clone();
            if let Some(h) = &d.hint {
                message.push_str(&format!("\nhint: {h}"));
            }
            out.push_str(&format!(
                "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                severity_word(d.severity),
                escape_property(r.path),
                d.span.start.line,
                d.span.start.column,
                d.span.end.line.max(d.span.start.line),
                d.span.end.column.max(1),
                escape_property(d.rule),
                escape_data(&message)
            ));
        }
    }
    out
}
