//! The JSON format: one document, versioned so tools can rely on it.
//!
//! ```json
//! {"version": 1, "tool": {"name": "gantry", "version": "…"},
//!  "files": [{"path": "…", "diagnostics": [{"rule", "severity", "message", "hint",
//!             "span": {"start": {"offset", "line", "column"}, "end": {…}}, "related": […]}]}],
//!  "summary": {"files", "errors", "warnings"}}
//! ```

use serde_json::json;

use super::{FileReport, Summary, sorted};

/// Bumped when a field changes meaning or disappears (adding fields does not).
pub const SCHEMA_VERSION: u32 = 1;

pub(super) fn render(reports: &[FileReport<'_>], tool_version: &str) -> String {
    let files: Vec<_> = reports
        .iter()
        .map(|r| {
            let diags: Vec<_> = sorted(r)
                .into_iter()
                .map(|d| serde_json::to_value(d).unwrap_or(serde_json::Value::Null))
                .collect();
            json!({"path": r.path, "diagnostics": diags})
        })
        .collect();
    let s = Summary::of(reports);
    let doc = json!({
        "version": SCHEMA_VERSION,
        "tool": {"name": "gantry", "version": tool_version},
        "files": files,
        "summary": {"files": s.files, "errors": s.errors, "warnings": s.warnings},
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
