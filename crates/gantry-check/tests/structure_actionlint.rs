//! actionlint's test files, seen through the structure rules (jobs, matrix,
//! triggers, uses, runner, calls):
//! - no `ok/*.yaml` gets an error from them;
//! - for the `err/*.yaml` findings actionlint files under the matching
//!   categories, the share whose line Gantry also reports (any severity,
//!   any rule) is printed and may not fall below the recorded floor.
//!
//! Messages are actionlint's words; what carries over is the line.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gantry_check::rules::{calls, jobs, matrix, runner, triggers, uses};
use gantry_check::{Config, Repo, check_workflow};

fn dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/actionlint")
        .join(sub)
}

struct Dir(PathBuf);

impl Repo for Dir {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path.trim_start_matches("./"))).ok()
    }
}

fn structure_rules() -> BTreeSet<&'static str> {
    [
        jobs::RULES,
        matrix::RULES,
        triggers::RULES,
        uses::RULES,
        runner::RULES,
        calls::RULES,
    ]
    .iter()
    .flat_map(|t| t.iter().map(|(id, _)| *id))
    .collect()
}

fn yaml_files(sub: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    v.sort();
    v
}

#[test]
fn ok_files_get_no_structure_errors() {
    let mine = structure_rules();
    let mut failures = Vec::new();
    for f in yaml_files("ok") {
        let src = std::fs::read_to_string(&f).unwrap();
        let diags = check_workflow(&src, Some("test.yaml"), &Config::default(), &Dir(dir("ok")));
        for d in diags
            .iter()
            .filter(|d| d.is_error() && mine.contains(d.rule))
        {
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
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// actionlint categories the structure rules cover. `[syntax-check]`
/// findings are counted only when they are about numbers' ranges.
const CATEGORIES: &[&str] = &[
    "[events]",
    "[matrix]",
    "[job-needs]",
    "[runner-label]",
    "[action]",
    "[workflow-call]",
    "[glob]",
];

/// The share of covered findings whose line Gantry reports; it must not fall.
const FLOOR: f64 = 0.78;

#[test]
fn err_findings_are_reported_on_their_lines() {
    let mut wanted = 0u32;
    let mut found = 0u32;
    let mut missed = Vec::new();
    for f in yaml_files("err") {
        let out = std::fs::read_to_string(f.with_extension("out")).unwrap_or_default();
        let expected: Vec<(u32, String)> = out
            .lines()
            .filter(|l| {
                CATEGORIES.iter().any(|c| l.contains(c))
                    || (l.contains("[syntax-check]") && l.contains("must be greater than zero"))
            })
            .filter_map(|l| {
                let l = l.trim_start_matches('/');
                let rest = l.split_once("test")?.1;
                let rest = rest
                    .trim_start_matches("\\.yaml:")
                    .trim_start_matches(".yaml:");
                let line = rest.split(':').next()?.parse().ok()?;
                Some((line, l.to_owned()))
            })
            .collect();
        if expected.is_empty() {
            continue;
        }
        let src = std::fs::read_to_string(&f).unwrap();
        let diags = check_workflow(
            &src,
            Some("test.yaml"),
            &Config::default(),
            &Dir(dir("err")),
        );
        let lines: BTreeSet<u32> = diags.iter().map(|d| d.span.start.line).collect();
        for (line, text) in expected {
            wanted += 1;
            if lines.contains(&line) {
                found += 1;
            } else {
                missed.push(format!(
                    "{}: {text}",
                    f.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    let share = f64::from(found) / f64::from(wanted.max(1));
    eprintln!(
        "structure findings of actionlint err/: {found} of {wanted} lines reported ({:.1}%)",
        share * 100.0
    );
    if std::env::var_os("GANTRY_SHOW_MISSES").is_some() {
        eprintln!("{}", missed.join("\n"));
    }
    assert!(share >= FLOOR, "share {share:.3} fell below {FLOOR}");
}

/// `GANTRY_DUMP=err/name.yaml cargo test … dump` prints every diagnostic of
/// one file (a debugging aid; does nothing otherwise).
#[test]
fn dump() {
    let Some(name) = std::env::var_os("GANTRY_DUMP") else {
        return;
    };
    let path = dir("").join(name);
    let src = std::fs::read_to_string(&path).unwrap();
    let parent = path.parent().unwrap().to_path_buf();
    for d in check_workflow(&src, Some("test.yaml"), &Config::default(), &Dir(parent)) {
        eprintln!(
            "{}:{}-{}:{} {:?} {} [{}] {:?}",
            d.span.start.line,
            d.span.start.column,
            d.span.end.line,
            d.span.end.column,
            d.severity,
            d.message,
            d.rule,
            d.hint
        );
    }
}
