//! Native built-ins (`actions/cache`, `upload-artifact`, `download-artifact`)
//! through `gantry run` on fixture repositories, and `gantry artifacts`.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[path = "support/run_harness.rs"]
mod harness;

use harness::{Ran, Repo};

impl Repo {
    fn artifacts(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_gantry"))
            .current_dir(self.dir.path())
            .arg("artifacts")
            .args(args)
            .env("NO_COLOR", "1")
            .env("GANTRY_DATA_DIR", self.dir.path().join(".gantry-data"))
            .output()
            .unwrap()
    }
}

fn out(r: &Ran, job: &str, key: &str) -> String {
    r.outputs_of(job).get(key).cloned().unwrap_or_default()
}

#[test]
fn cache_hits_on_the_second_run_and_artifacts_pass_between_jobs() {
    let repo = Repo::new("builtins-tests");
    let first = repo.run(&["--env", "VARIANT=a"]);
    assert_eq!(first.result("test"), "success", "{}", first.all_text());
    assert_eq!(first.result("consume"), "success", "{}", first.all_text());
    // A miss leaves `cache-hit` unset, as the real action does.
    assert_eq!(out(&first, "test", "hit"), "");
    let primary = out(&first, "test", "primary");
    assert!(primary.starts_with("pip-Linux-a-"), "{primary}");
    assert!(
        first.output().contains("restored=none"),
        "{}",
        first.output()
    );
    assert!(
        first.output().contains("Cache saved with key"),
        "{}",
        first.output()
    );
    assert!(!out(&first, "test", "artifact").is_empty());

    // The second run hits the primary key exactly and does not save again.
    let second = repo.run(&["--env", "VARIANT=a"]);
    assert_eq!(second.result("test"), "success", "{}", second.all_text());
    assert_eq!(out(&second, "test", "hit"), "true");
    assert_eq!(out(&second, "test", "matched"), primary);
    assert!(
        second.output().contains("restored=a"),
        "{}",
        second.output()
    );
    assert!(
        second.output().contains("not saving cache"),
        "{}",
        second.output()
    );

    // `gantry artifacts list` shows both runs' artifacts.
    let listed = repo.artifacts(&["list"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{text}");
    assert_eq!(text.matches("test-report").count(), 2, "{text}");
    let dest = repo.dir.path().join("downloaded");
    let dl = repo.artifacts(&["download", "test-report", "--dir", dest.to_str().unwrap()]);
    assert!(
        dl.status.success(),
        "{}",
        String::from_utf8_lossy(&dl.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dest.join("report.txt"))
            .unwrap()
            .trim(),
        "tool-ok"
    );

    // A restore key's prefix hit: not a hit, with the matched key.
    let third = repo.run(&["--env", "VARIANT=b"]);
    assert_eq!(third.result("test"), "success", "{}", third.all_text());
    assert_eq!(out(&third, "test", "hit"), "false");
    assert!(out(&third, "test", "matched").starts_with("pip-Linux-"));
    assert!(
        third
            .output()
            .contains("Cache saved with key: pip-Linux-b-")
    );

    // A failed job saves nothing.
    let failed = repo.run(&["--env", "VARIANT=c", "--env", "FAIL=yes"]);
    assert_eq!(failed.result("test"), "failure", "{}", failed.all_text());
    assert!(!failed.output().contains("Cache saved with key"));
    let again = repo.run(&["--env", "VARIANT=c"]);
    assert_ne!(out(&again, "test", "hit"), "true");
    assert!(!out(&again, "test", "matched").starts_with("pip-Linux-c-"));
}

/// Artifacts outlive the state directory (they are kept per repository in
/// the data directory, by run number): after `.gantry/` is deleted, a new
/// run must not take a number whose artifacts exist, or its uploads would
/// collide with them (409: an artifact with this name already exists).
#[test]
fn a_deleted_state_directory_does_not_reuse_run_numbers_that_have_artifacts() {
    let repo = Repo::new("builtins-tests");
    let first = repo.run(&["--env", "VARIANT=a"]);
    assert_eq!(first.result("test"), "success", "{}", first.all_text());
    let first_run = first.events[0]["run_id"].as_u64().unwrap();
    std::fs::remove_dir_all(repo.dir.path().join(".gantry")).unwrap();
    let again = repo.run(&["--env", "VARIANT=a"]);
    assert_eq!(again.result("test"), "success", "{}", again.all_text());
    let again_run = again.events[0]["run_id"].as_u64().unwrap();
    assert!(again_run > first_run, "{again_run} after {first_run}");
}
