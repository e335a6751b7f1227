//! The reference pipeline (`tests/fixtures/seed`, extracted from
//! `../shared/seed/ci-cd-pipeline-details.md`) checks with zero errors, and
//! the retired action versions it uses get warnings.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use gantry_check::{Config, Repo, check_workflow};

struct Fixtures;

impl Repo for Fixtures {
    fn read(&self, path: &str) -> Option<String> {
        let name = path.rsplit('/').next()?;
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/seed")
                .join(name),
        )
        .ok()
    }
}

fn check(name: &str) -> Vec<gantry_check::Diagnostic> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/seed")
        .join(name);
    let src = std::fs::read_to_string(&path).unwrap();
    check_workflow(
        &src,
        Some(&format!(".github/workflows/{name}")),
        &Config::default(),
        &Fixtures,
    )
}

#[test]
fn seed_workflows_have_no_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 14, "every YAML block of the seed is a fixture");
    let mut errors = Vec::new();
    for n in &names {
        for d in check(n).iter().filter(|d| d.is_error()) {
            errors.push(format!(
                "{n}:{}:{}: {} [{}]",
                d.span.start.line, d.span.start.column, d.message, d.rule
            ));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn seed_retired_action_versions_get_warnings() {
    // The seed uses actions GitHub has retired or deprecated.
    let cases = [
        ("caching-strategies.yml", "actions/cache@v3"),
        ("reusable-test.yml", "actions/setup-python@v4"),
        ("test.yml", "actions/upload-artifact@v3"),
        ("security.yml", "github/codeql-action/init@v2"),
        ("cleanup.yml", "actions/github-script@v6"),
    ];
    for (file, action) in cases {
        let src = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/seed")
                .join(file),
        )
        .unwrap();
        assert!(src.contains(action), "{file} no longer uses {action}");
        let warned = check(file).iter().any(|d| {
            d.rule == "retired-action"
                && !d.is_error()
                && src[d.span.start.offset..d.span.end.offset].contains(action)
        });
        assert!(warned, "{file}: no retired-action warning for {action}");
    }
}
