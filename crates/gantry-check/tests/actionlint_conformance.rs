//! actionlint's own test files (`../shared/conformance/actionlint`):
//! - every `ok/*.yaml` checks with no error;
//! - every `err/*.yaml` gets at least one error, and the share of files
//!   whose set of error lines equals the expected set is printed (and may not
//!   fall below the recorded floor).
//!
//! Files that need shellcheck or pyflakes are skipped. Messages are
//! actionlint's own words; what carries over is the line where a checker
//! must report.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gantry_check::{Config, Repo, check_workflow};

fn dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/actionlint")
        .join(sub)
}

/// actionlint's test layout keeps local actions and called workflows next
/// to the test files; reads resolve there.
struct Dir(PathBuf);

impl Repo for Dir {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path.trim_start_matches("./"))).ok()
    }
}

fn needs_external_tool(name: &str) -> bool {
    name.contains("shellcheck") || name.contains("pyflakes")
}

fn yaml_files(sub: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .filter(|p| !needs_external_tool(&p.file_name().unwrap().to_string_lossy()))
        .collect();
    v.sort();
    v
}

/// The floor for the share of `err/` files whose error lines match exactly.
/// Raise it as the checker improves; it must not fall.
const EXACT_LINES_FLOOR: f64 = 0.75;

#[test]
fn ok_files_have_no_errors() {
    let mut failures = Vec::new();
    let files = yaml_files("ok");
    assert!(files.len() > 50, "the ok/ set looks incomplete");
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let diags = check_workflow(&src, Some("test.yaml"), &Config::default(), &Dir(dir("ok")));
        for d in diags.iter().filter(|d| d.is_error()) {
            failures.push(format!(
                "{}:{}:{}: {} [{}]",
                f.file_name().unwrap().to_string_lossy(),
                d.span.start.line,
                d.span.start.column,
                d.message,
                d.rule
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} errors on ok/ files:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Expected error lines of an `.out` file (lines given as `/regex/` carry no
/// line number and are not counted).
fn expected_lines(out: &Path) -> BTreeSet<u32> {
    let text = std::fs::read_to_string(out).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            // `test.yaml:LINE:COL: …`, or a regex line `/test\.yaml:LINE:COL: …/`.
            let rest = l
                .strip_prefix("test.yaml:")
                .or_else(|| l.strip_prefix("/test\\.yaml:"))?;
            rest.split(':').next()?.parse().ok()
        })
        .collect()
}

#[test]
fn err_files_get_errors_at_the_expected_lines() {
    let files = yaml_files("err");
    assert!(files.len() > 80, "the err/ set looks incomplete");
    let mut silent = Vec::new();
    let mut mismatched = Vec::new();
    let mut exact = 0;
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let diags = check_workflow(
            &src,
            Some("test.yaml"),
            &Config::default(),
            &Dir(dir("err")),
        );
        // actionlint reports everything as an error; Gantry makes some of
        // the same findings warnings (GitHub accepts the file and runs it),
        // so every finding counts here.
        let got: BTreeSet<u32> = diags.iter().map(|d| d.span.start.line).collect();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if got.is_empty() {
            silent.push(name.clone());
        }
        let want = expected_lines(&f.with_extension("out"));
        if got == want {
            exact += 1;
        } else {
            mismatched.push(format!("{name}: expected lines {want:?}, got {got:?}"));
        }
    }
    let share = f64::from(exact) / files.len() as f64;
    eprintln!(
        "actionlint err/: {exact} of {} files have exactly the expected error lines ({:.1}%); {} files get no finding",
        files.len(),
        share * 100.0,
        silent.len()
    );
    if std::env::var_os("GANTRY_SHOW_MISMATCHES").is_some() {
        eprintln!("{}", mismatched.join("\n"));
    }
    assert!(
        silent.is_empty(),
        "{} err/ files get no finding:\n{}",
        silent.len(),
        silent.join("\n")
    );
    assert!(
        share >= EXACT_LINES_FLOOR,
        "exact-line share {share:.3} fell below the floor {EXACT_LINES_FLOOR}"
    );
}
