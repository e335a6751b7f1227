//! actionlint's `ok/` files lower without structural errors.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap too

mod common;

use common::{shared_dir, yaml_files_in};
use gantry_workflow::{parse_workflow, rules};

#[test]
fn actionlint_ok_files_have_no_structural_errors() {
    let dir = shared_dir().join("conformance/actionlint/ok");
    let files = yaml_files_in(&dir);
    assert!(files.len() > 50, "actionlint ok files not found");
    let structural = [rules::UNKNOWN_KEY, rules::WRONG_TYPE, rules::MISSING_KEY];
    let mut failures = String::new();
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let (_, diags) = parse_workflow(&src);
        for d in diags
            .iter()
            .filter(|d| d.is_error() && structural.contains(&d.rule))
        {
            failures.push_str(&format!(
                "{}:{}:{}: [{}] {}\n",
                path.display(),
                d.span.start.line,
                d.span.start.column,
                d.rule,
                d.message
            ));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

/// The other error kinds are reported too; list them for information (not asserted: some
/// `ok/` files rely on actionlint's own leniency).
#[test]
fn actionlint_ok_files_other_errors_are_rare() {
    let dir = shared_dir().join("conformance/actionlint/ok");
    let mut count = 0;
    for path in yaml_files_in(&dir) {
        let src = std::fs::read_to_string(&path).unwrap();
        let (_, diags) = parse_workflow(&src);
        for d in diags.iter().filter(|d| d.is_error()) {
            eprintln!(
                "{}:{}: [{}] {}",
                path.display(),
                d.span.start.line,
                d.rule,
                d.message
            );
            count += 1;
        }
    }
    assert!(count < 10, "{count} errors in actionlint ok files");
}
