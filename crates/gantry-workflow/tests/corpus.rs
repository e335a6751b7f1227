//! Every real-world workflow and action file of the shared corpus lowers without errors.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap too

mod common;

use common::{action_files, corpus_dir, workflow_files};
use gantry_workflow::{parse_action, parse_workflow};

/// Files GitHub would reject, with the reason. (None so far.)
const KNOWN_INVALID: &[(&str, &str)] = &[];

fn report(path: &std::path::Path, src: &str, diags: &[gantry_workflow::Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags.iter().filter(|d| d.is_error()) {
        let line = src
            .lines()
            .nth(d.span.start.line as usize - 1)
            .unwrap_or("");
        out.push_str(&format!(
            "{}:{}:{}: [{}] {} {:?}\n    | {}\n",
            path.display(),
            d.span.start.line,
            d.span.start.column,
            d.rule,
            d.message,
            d.hint,
            line
        ));
    }
    out
}

fn is_known_invalid(path: &std::path::Path) -> bool {
    let p = path.to_string_lossy();
    KNOWN_INVALID.iter().any(|(suffix, _)| p.ends_with(suffix))
}

#[test]
fn corpus_workflows_have_no_errors() {
    let files = workflow_files(&corpus_dir());
    assert!(files.len() > 300, "corpus not found or incomplete");
    let mut failures = String::new();
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let (wf, diags) = parse_workflow(&src);
        if is_known_invalid(path) {
            continue;
        }
        failures.push_str(&report(path, &src, &diags));
        if wf.is_none() {
            failures.push_str(&format!("{}: no model\n", path.display()));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn corpus_actions_have_no_errors() {
    let files = action_files(&corpus_dir());
    assert!(files.len() >= 27, "corpus actions not found");
    let mut failures = String::new();
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let (action, diags) = parse_action(&src);
        failures.push_str(&report(path, &src, &diags));
        if action.is_none() {
            failures.push_str(&format!("{}: no model\n", path.display()));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}
