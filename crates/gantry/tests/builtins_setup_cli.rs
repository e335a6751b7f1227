//! The native built-ins setup-python, dorny/paths-filter and
//! github-script, run by `gantry run` on fixture repositories
//! (`tests/run-fixtures/setup-*`, `paths-filter-*`, `github-script-*`).

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "support/run_harness.rs"]
mod harness;

use harness::{Repo, git, installed};

#[test]
fn setup_python_uses_the_installed_version() {
    if !installed("python3.11") {
        eprintln!("skipped: no python3.11 here");
        return;
    }
    let repo = Repo::new("setup-python");
    let t0 = Instant::now();
    let r = repo.run(&[]);
    assert!(t0.elapsed() < Duration::from_secs(120));
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let py = r.outputs_of("py");
    assert!(py["version"].starts_with("3.11."), "{py:?}");
    assert_eq!(py["hit"], "false");
    assert!(r.outputs_of("file")["version"].starts_with("3.11."));
    let out = r.output();
    assert!(out.contains("Python 3.11."), "{out}");
    assert!(out.contains("minor 11"), "{out}");
    assert!(out.contains("cache built-in"), "{out}");
    assert!(out.contains("location=/"), "{out}");
}

#[test]
fn setup_python_fails_clearly_without_the_version() {
    let repo = Repo::new("setup-missing");
    let r = repo.run(&[]);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.result("missing"), "failure");
    let text = r.all_text();
    assert!(
        text.contains("no installed Python satisfies `3.99` (python-version)"),
        "{text}"
    );
    assert!(text.contains("installed: ") || text.contains("no Python is installed"));
    assert!(!r.output().contains("never runs"));
}

#[test]
fn paths_filter_outputs_follow_the_pushed_changes() {
    let repo = Repo::new("paths-filter-push");
    let dir = repo.dir.path();
    let first = git(dir, &["rev-parse", "HEAD"]);
    std::fs::write(dir.join("shared/x.py"), "print(2)\n").unwrap();
    git(dir, &["commit", "--quiet", "-am", "shared"]);
    let second = git(dir, &["rev-parse", "HEAD"]);
    let r = repo.run(&["push", "--before", &first, "--after", &second]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let o = r.outputs_of("changes");
    assert_eq!(o["shared"], "true", "{o:?}");
    assert_eq!(o["python"], "true");
    assert_eq!(o["python_count"], "1");
    assert_eq!(o["python_files"], r#"["shared/x.py"]"#);
    assert_eq!(o["docs"], "false");
    assert_eq!(o["code"], "true");
    assert_eq!(o["changes"], r#"["shared","python","code"]"#);

    std::fs::write(dir.join("docs/a.md"), "# more docs\n").unwrap();
    git(dir, &["commit", "--quiet", "-am", "docs"]);
    let third = git(dir, &["rev-parse", "HEAD"]);
    let r = repo.run(&["push", "--before", &second, "--after", &third]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let o = r.outputs_of("changes");
    assert_eq!(o["shared"], "false", "{o:?}");
    assert_eq!(o["python"], "false");
    assert_eq!(o["python_count"], "0");
    assert_eq!(o["python_files"], "[]");
    assert_eq!(o["docs"], "true");
    assert_eq!(o["code"], "false");
    assert_eq!(o["changes"], r#"["docs"]"#);

    // `--changed` gives the files directly.
    let r = repo.run(&["push", "--changed", "docs/b.md", "lib/y.py"]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let o = r.outputs_of("changes");
    assert_eq!(o["changes"], r#"["python","docs","code"]"#, "{o:?}");
}

#[test]
fn github_script_outputs_summaries_and_recorded_comments() {
    if !installed("node") {
        eprintln!("skipped: no node here");
        return;
    }
    let repo = Repo::new("github-script-basic");
    let r = repo.run(&[]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let o = r.outputs_of("script");
    assert_eq!(o["result"], r#"{"answer":42}"#, "{o:?}");
    assert!(o["custom"].ends_with("event=push"), "{o:?}");
    assert!(o["custom"].starts_with("repo="), "{o:?}");
    assert_eq!(o["text"], "plain true");
    let out = r.output();
    assert!(
        out.contains("comments on 7: 1 first=Hello from the workflow"),
        "{out}"
    );
    let summary = r
        .events
        .iter()
        .find(|e| e["type"] == "step_summary")
        .unwrap();
    let md = summary["markdown"].as_str().unwrap();
    assert!(
        md.contains("<h1>From github-script</h1>") && md.contains("summary body"),
        "{md}"
    );
    let anns: Vec<&Value> = r
        .events
        .iter()
        .filter(|e| e["type"] == "annotation")
        .collect();
    assert!(
        anns.iter().any(
            |a| a["annotation"]["level"] == "warning" && a["annotation"]["title"] == "Heads up"
        )
    );
    assert!(anns.iter().any(|a| {
        a["annotation"]["level"] == "error"
            && a["annotation"]["message"]
                .as_str()
                .unwrap()
                .contains("Unhandled error: Error: boom from the script")
    }));
}
