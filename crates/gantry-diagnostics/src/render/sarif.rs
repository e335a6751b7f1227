//! SARIF 2.1.0, the format code-scanning services read.

use std::collections::BTreeSet;

use serde_json::json;

use super::{FileReport, sorted};
use crate::Severity;

pub(super) fn render(reports: &[FileReport<'_>], tool_version: &str) -> String {
    let mut rules = BTreeSet::new();
    let mut results = Vec::new();
    for r in reports {
        for d in sorted(r) {
            rules.insert(d.rule);
            let mut message = d.message.clone();
            if let Some(h) = &d.hint {
                message.push_str(&format!("\nhint: {h}"));
            }
            results.push(json!({
                "ruleId": d.rule,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": r.path},
                        "region": {
                            "startLine": d.span.start.line,
                            "startColumn": d.span.start.column,
                            "endLine": d.span.end.line.max(d.span.start.line),
                            "endColumn": d.span.end.column.max(1),
                        }
                    }
                }],
            }));
        }
    }
    let rules: Vec<_> = rules
        .into_iter()
        .map(|id| json!({"id": id, "name": id}))
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "gantry", "version": tool_version, "rules": rules}},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
