//! Debug shells through `gantry run` without a terminal (the tests' standard
//! input is not one): `mxschmitt/action-tmate` succeeds with a notice saying
//! how to get a shell, `--debug-on-failure` warns that it needs a terminal,
//! and the job still fails.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

#[path = "support/run_harness.rs"]
mod harness;

use harness::Repo;

/// The annotations of the run as `(level, message)`.
fn annotations(r: &harness::Ran) -> Vec<(String, String)> {
    r.events
        .iter()
        .filter(|e| e["type"] == "annotation")
        .map(|e| {
            let a = &e["annotation"];
            (
                a["level"].as_str().unwrap_or_default().to_owned(),
                a["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn step_conclusion(r: &harness::Ran, step: &str) -> String {
    r.events
        .iter()
        .find(|e| e["type"] == "step_finished" && e["name"] == step)
        .and_then(|e| e["conclusion"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn tmate_without_a_terminal_explains_how_to_get_a_shell_and_the_job_still_fails() {
    let repo = Repo::new("debug-shell-tmate");
    let r = repo.run(&["--secret", "API_TOKEN=hunter2-secret"]);
    assert_eq!(r.result("build"), "failure", "{}", r.all_text());
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(step_conclusion(&r, "Debug with tmate"), "success");
    assert_eq!(step_conclusion(&r, "After the shell"), "success");
    let notes = annotations(&r);
    assert!(
        notes.iter().any(|(level, m)| level == "notice"
            && m.contains("no terminal")
            && m.contains("gantry run --debug-on-failure")),
        "{notes:?}"
    );
    assert!(!r.all_text().contains("hunter2-secret"));
    assert!(!r.stderr.contains("hunter2-secret"));
}

#[test]
fn debug_on_failure_without_a_terminal_warns_and_the_job_still_fails() {
    let repo = Repo::new("debug-shell-tmate");
    let r = repo.run(&["--debug-on-failure"]);
    assert_eq!(r.result("build"), "failure", "{}", r.all_text());
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let notes = annotations(&r);
    assert!(
        notes.iter().any(|(level, m)| level == "warning"
            && m.starts_with("--debug-on-failure: no shell opened: it needs a terminal")),
        "{notes:?}"
    );
    assert!(
        r.output().contains("after the debug step"),
        "{}",
        r.output()
    );
}
