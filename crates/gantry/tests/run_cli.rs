//! `gantry run` on fixture repositories (`tests/run-fixtures/<behaviour>`),
//! one folder per behaviour, asserted on job results, outputs and masked
//! logs from the JSON event stream.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/run_harness.rs"]
mod harness;

use harness::{Ran, Repo};

fn no_process_named(marker: &str) -> bool {
    let out = Command::new("pgrep")
        .arg("-f")
        .arg(marker)
        .output()
        .unwrap();
    out.stdout.is_empty()
}

#[test]
fn needs_outputs_and_transitive_skips() {
    let repo = Repo::new("needs-and-outputs");
    let r = repo.run(&[]);
    assert_eq!(r.code, Some(1), "a failed job fails the run");
    assert_eq!(r.result("produce"), "success");
    assert_eq!(r.result("consume"), "success");
    assert_eq!(r.result("broken"), "failure");
    assert_eq!(r.result("after-broken"), "skipped");
    assert_eq!(r.result("transitive"), "skipped");
    assert_eq!(r.result("report"), "success");
    assert_eq!(r.result("on-failure"), "success");
    let out = r.output();
    assert!(out.contains("got 1.2.3 result=success"), "{out}");
    assert!(out.contains("broken=failure transitive=skipped"), "{out}");
    assert!(!out.contains("never runs"), "{out}");
    assert_eq!(
        r.outputs_of("produce").get("version").map(String::as_str),
        Some("1.2.3")
    );
}

#[test]
fn fail_fast_cancels_the_rest_of_the_matrix() {
    let repo = Repo::new("fail-fast");
    let t0 = Instant::now();
    let r = repo.run(&[]);
    assert!(
        t0.elapsed() < Duration::from_secs(18),
        "fail-fast should stop the sleeping cells: {:?}",
        t0.elapsed()
    );
    let res = r.results();
    assert_eq!(res["cells (1)"], "failure");
    assert_eq!(res["cells (2)"], "cancelled");
    assert_eq!(res["cells (3)"], "cancelled");
    // fail-fast: false lets the other cell finish.
    assert_eq!(res["no-fail-fast (1)"], "failure");
    assert_eq!(res["no-fail-fast (2)"], "success");
    let out = r.output();
    assert!(
        !out.lines().any(|l| l.starts_with("cell ")),
        "a cancelled cell finished: {out}"
    );
    assert!(
        out.contains("nff cell 2 finished"),
        "the fail-fast: false cell ran to its end: {out}"
    );
}

#[test]
fn a_step_timeout_kills_the_process_tree() {
    let repo = Repo::new("timeout-tree");
    // A name no other run of this test (another checkout's, say) shares.
    let marker = format!(
        "gantry-fixture-grandchild-sleep-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let t0 = Instant::now();
    let r = repo.run(&["--env", &format!("SLEEP_MARKER={marker}")]);
    assert!(t0.elapsed() < Duration::from_secs(90), "{:?}", t0.elapsed());
    assert_eq!(r.result("step-timeout"), "failure");
    assert!(r.output().contains("after the timeout"));
    assert!(
        r.all_text().contains("timed out"),
        "the timeout is reported"
    );
    // Fractions of a minute set no timeout, as on GitHub.
    assert_eq!(r.result("fractional"), "success");
    assert!(r.output().contains("fractional timeout ignored"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(no_process_named(&marker), "the grandchild sleep survived");
}

#[test]
fn continue_on_error_at_job_and_step_level() {
    let repo = Repo::new("continue-on-error");
    let r = repo.run(&[]);
    assert_eq!(
        r.code,
        Some(0),
        "continue-on-error keeps the run green: {:?}",
        r.results()
    );
    assert_eq!(r.result("dependent"), "success");
    assert!(r.output().contains("outcome=failure conclusion=success"));
}

#[test]
fn summaries_annotations_and_groups_are_events() {
    let repo = Repo::new("summary-annotations");
    let r = repo.run(&[]);
    assert_eq!(r.code, Some(0));
    let summary = r
        .events
        .iter()
        .find(|e| e["type"] == "step_summary")
        .unwrap();
    assert!(
        summary["markdown"]
            .as_str()
            .unwrap()
            .contains("| core.py | 93 |")
    );
    let ann = r.events.iter().find(|e| e["type"] == "annotation").unwrap();
    assert_eq!(ann["annotation"]["level"], "warning");
    assert_eq!(ann["annotation"]["file"], "core.py");
    assert_eq!(ann["annotation"]["line"], 3);
    assert_eq!(ann["annotation"]["title"], "Slow");
    assert!(
        r.events
            .iter()
            .any(|e| e["type"] == "group_started" && e["title"] == "Details")
    );
    // The run is recorded.
    let runs = repo.dir.path().join(".gantry/runs/1");
    assert!(runs.join("result.json").is_file() && runs.join("summary.md").is_file());
}

#[test]
fn secrets_are_masked_everywhere() {
    let repo = Repo::new("secrets-masking");
    let r = repo.run(&["--secret", "API_TOKEN=sup3r-s3cret-value"]);
    let text = r.all_text();
    assert!(
        !text.contains("sup3r-s3cret-value"),
        "a secret leaked into events"
    );
    assert!(r.output().contains("token=***"));
    // Nor in anything stored.
    let mut stored = String::new();
    for entry in walk(&repo.dir.path().join(".gantry")) {
        stored.push_str(&std::fs::read_to_string(entry).unwrap_or_default());
    }
    assert!(
        !stored.is_empty() && !stored.contains("sup3r-s3cret-value"),
        "a secret leaked into .gantry"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn jobs_that_cannot_run_here_are_skipped_with_the_reason() {
    let repo = Repo::new("platforms");
    let r = repo.run(&[]);
    assert_eq!(r.result("linux"), "success");
    assert_eq!(r.result("mac"), "skipped");
    assert_eq!(r.result("windows"), "skipped");
    let reasons: Vec<&str> = r
        .events
        .iter()
        .filter(|e| e["type"] == "job_skipped")
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.iter().any(|r| r.contains("macos")), "{reasons:?}");
    // --platform maps a label onto this host.
    let r = repo.run(&["--platform", "macos-latest=host"]);
    assert_eq!(r.result("mac"), "success");
}

#[test]
fn concurrency_groups_cancel_and_queue() {
    let repo = Repo::new("concurrency");
    let r = repo.run(&[]);
    assert_eq!(r.result("first"), "cancelled");
    assert_eq!(r.result("second"), "success");
    assert_eq!(r.result("queued-a"), "success");
    assert_eq!(r.result("queued-b"), "success");
    // queued-b started after queued-a ended.
    let stamp = |tag: &str| -> u128 {
        let out = r.output();
        let line = out.lines().find(|l| l.starts_with(tag)).unwrap();
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    let (a_end, b_start) = (stamp("a end"), stamp("b start"));
    let (b_end, a_start) = (stamp("b end"), stamp("a start"));
    assert!(
        a_end <= b_start || b_end <= a_start,
        "the two jobs of one group overlapped"
    );
}

#[test]
fn selecting_jobs_and_matrix_cells() {
    let repo = Repo::new("fail-fast");
    let r = repo.run(&["-j", "no-fail-fast", "--matrix", "n=2"]);
    let res = r.results();
    assert_eq!(res.len(), 1, "{res:?}");
    assert_eq!(res["no-fail-fast (2)"], "success");
}

#[test]
fn dry_run_prints_commands_without_running() {
    let repo = Repo::new("needs-and-outputs");
    let out = Command::new(env!("CARGO_BIN_EXE_gantry"))
        .current_dir(repo.dir.path())
        .args(["run", "--dry-run"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("job produce") && text.contains("echo \"version=1.2.3\""),
        "{text}"
    );
    assert!(
        !repo.dir.path().join(".gantry/runs").exists(),
        "a dry run records nothing"
    );
}

#[test]
fn interrupting_gantry_cancels_jobs_and_leaves_nothing_running() {
    let repo = Repo::new("interrupt");
    let child = repo
        .command(&[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the step is running.
    let started = Instant::now();
    while no_process_named("gantry-fixture-interrupt-sleep") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the step never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = nix_pid(child.id());
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    let r = Ran::of(&out);
    assert_eq!(r.code, Some(130));
    assert_eq!(r.result("long"), "cancelled");
    assert!(
        r.output().contains("cleanup after interrupt"),
        "{}",
        r.output()
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        no_process_named("gantry-fixture-interrupt-sleep"),
        "a step process survived"
    );
}

fn nix_pid(id: u32) -> String {
    id.to_string()
}

#[test]
fn runner_temp_is_emptied_between_the_jobs_that_reuse_it() {
    let repo = Repo::new("runner-temp-reuse");
    let r = repo.run(&["--parallel", "1"]);
    assert_eq!(r.result("first"), "success", "{}", r.all_text());
    assert_eq!(r.result("second"), "success", "{}", r.all_text());
    let out = r.output();
    assert!(out.contains("clean temp"), "{out}");
    assert!(out.contains("env unset"), "{out}");
    // Only the skeleton is there: empty file-command files and the event.
    for line in out.lines().filter(|l| l.starts_with("file ")) {
        let ok = (line.contains("/_runner_file_commands/") && line.ends_with(" 0"))
            || line.contains("/_github_workflow/event.json ")
            || line.contains("/step-script.sh ");
        assert!(ok, "left in RUNNER_TEMP: {line}\n{out}");
    }
    assert!(!out.contains("left behind"), "{out}");
    // Nothing of the run's work folders is left when it ends.
    let work = repo.dir.path().join(".gantry/work");
    let left: Vec<_> = std::fs::read_dir(&work)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn container_jobs_fail_without_an_engine_or_are_skipped_on_request() {
    let repo = Repo::new("container-jobs");
    // No Docker engine in the tests' environment.
    let run = |args: &[&str]| {
        let out = repo
            .command(args)
            .env("DOCKER_HOST", "unix:///nonexistent/gantry-test-docker.sock")
            .output()
            .unwrap();
        harness::Ran::of(&out)
    };
    let r = run(&[]);
    assert_eq!(r.code, Some(1), "{}", r.all_text());
    assert_eq!(r.result("in-container"), "failure");
    assert_eq!(r.result("with-services"), "failure");
    assert_eq!(r.result("plain"), "success");
    // The empty image runs on the host; `alpine:3` needs the engine.
    assert_eq!(r.result("maybe"), "success", "{:?}", r.results());
    assert_eq!(r.result("maybe (alpine:3)"), "failure", "{:?}", r.results());
    let text = r.all_text();
    assert!(
        text.contains("the job runs in the container `node:20`"),
        "{text}"
    );
    assert!(text.contains("the service containers redis"), "{text}");
    assert!(text.contains("a Docker engine is needed"), "{text}");
    let out = r.output();
    assert!(out.contains("host cell ran"), "{out}");
    assert!(!out.contains("should not run"), "{out}");

    let r = run(&["--skip-container-jobs"]);
    assert_eq!(r.code, Some(0), "{}", r.all_text());
    assert_eq!(r.result("in-container"), "skipped");
    assert_eq!(r.result("with-services"), "skipped");
    assert_eq!(r.result("maybe (alpine:3)"), "skipped");
    assert_eq!(r.result("plain"), "success");
    assert!(r.all_text().contains("(--skip-container-jobs)"));
}
