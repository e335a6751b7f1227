//! Compares Gantry's verdicts with GitHub's own workflow parser
//! (npm `@actions/workflow-parser`, installed in `test-tools/` by
//! `scripts/test`) on the corpus of real workflows and on actionlint's test
//! files:
//! - a file GitHub's parser rejects must get at least one error from Gantry;
//! - a real-world or `ok/` file GitHub's parser accepts must get none.
//!
//! Every disagreement is listed in `EXPLAINED` with the reason.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gantry_check::{Config, NoRepo, check_workflow};

/// Files where Gantry deliberately disagrees with `@actions/workflow-parser`.
const EXPLAINED: &[(&str, &str)] = &[
    (
        "actionlint/ok/events_with_no_config.yaml",
        "the parser rejects `repository_dispatch` in the list form of `on:`; GitHub's docs list it as an event that runs with no configuration, and the map form is accepted, so Gantry accepts it",
    ),
    (
        "actionlint/ok/workflow_dispatch_upper_case_inputs.yaml",
        "the parser rejects a `workflow_dispatch` input with no body (`logLevel:`); GitHub's service runs such workflows (an input with every attribute defaulted), so Gantry accepts it",
    ),
];

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn test_tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-tools")
}

fn workflow_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let corpus = shared().join("corpus");
    for project in std::fs::read_dir(&corpus).unwrap() {
        let dir = project.unwrap().path().join(".github/workflows");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                    files.push(p);
                }
            }
        }
    }
    for sub in ["ok", "err"] {
        for e in std::fs::read_dir(shared().join("conformance/actionlint").join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn short_name(p: &Path) -> String {
    let s = p.to_string_lossy();
    match s.find("/shared/") {
        Some(i) => s[i + 8..].replace("conformance/", ""),
        None => s.into_owned(),
    }
}

#[test]
fn gantry_agrees_with_githubs_parser() {
    let tools = test_tools();
    if !tools.join("node_modules/@actions/workflow-parser").is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "test-tools/node_modules is missing: run `npm ci --prefix test-tools` (scripts/test does)"
        );
        eprintln!("skipped: test-tools/node_modules is missing (run scripts/test)");
        return;
    }
    let files = workflow_files();
    assert!(
        files.len() > 400,
        "the corpus looks incomplete: {} files",
        files.len()
    );
    let mut child = Command::new("node")
        .arg("--no-warnings")
        .arg("--import")
        .arg(tools.join("register-json.mjs"))
        .arg(tools.join("workflow-parser-batch.mjs"))
        .current_dir(&tools)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node is needed for this test");
    {
        let mut stdin = child.stdin.take().unwrap();
        for f in &files {
            writeln!(stdin, "{}", f.display()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the parser script failed");
    let text = String::from_utf8(out.stdout).unwrap();
    let verdicts: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(verdicts.len(), files.len());

    let mut disagreements = Vec::new();
    let (mut both_reject, mut both_accept) = (0, 0);
    for (f, v) in files.iter().zip(&verdicts) {
        let github_errors = v["errors"].as_array().unwrap();
        let src = std::fs::read_to_string(f).unwrap();
        // Runner labels depend on the team's runners (configuration), which
        // GitHub's parser cannot know: that rule is left out of the comparison.
        let config = Config {
            disabled_rules: vec!["runner-label".to_owned()],
            ..Config::default()
        };
        let ours: Vec<_> = check_workflow(&src, None, &config, &NoRepo)
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        let name = short_name(f);
        let is_err_file = name.starts_with("actionlint/err/");
        let disagree = if !github_errors.is_empty() {
            if ours.is_empty() {
                Some(format!(
                    "GitHub's parser rejects it ({}), Gantry finds no error",
                    github_errors[0]["message"]
                ))
            } else {
                both_reject += 1;
                None
            }
        } else if !is_err_file && !ours.is_empty() {
            Some(format!(
                "GitHub's parser accepts it, Gantry reports {}:{}: {} [{}]",
                ours[0].span.start.line, ours[0].span.start.column, ours[0].message, ours[0].rule
            ))
        } else {
            both_accept += 1;
            None
        };
        if let Some(why) = disagree
            && !EXPLAINED.iter().any(|(n, _)| *n == name)
        {
            disagreements.push(format!("{name}: {why}"));
        }
    }
    eprintln!(
        "workflow-parser oracle: {} files; both reject {both_reject}, agree on the rest {both_accept}; {} unexplained disagreements",
        files.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "unexplained disagreements with @actions/workflow-parser:\n{}",
        disagreements.join("\n")
    );
}
