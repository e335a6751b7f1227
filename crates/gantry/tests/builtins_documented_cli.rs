//! Known-answer tests of the native built-ins through `gantry run`, each
//! expectation taken from the real action's documentation (cited at each
//! test and in the fixtures `tests/run-fixtures/builtins-documented-*`).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

#[path = "support/run_harness.rs"]
mod harness;

use harness::{Repo, git, installed};

/// actions/checkout's action.yml: outputs `ref` ("The branch, tag or SHA
/// that was checked out") and `commit` ("The commit SHA that was checked
/// out"); `path` is "Relative path under $GITHUB_WORKSPACE to place the
/// repository"; `repository` defaults to `${{ github.repository }}`.
#[test]
fn checkout_outputs_and_path() {
    let repo = Repo::new("builtins-documented-checkout");
    let sha = git(repo.dir.path(), &["rev-parse", "HEAD"]);
    let r = repo.run(&[]);
    let plain = r.outputs_of("plain");
    assert_eq!(r.result("plain"), "success", "{}", r.all_text());
    assert_eq!(plain["commit"], sha, "{plain:?}");
    assert_eq!(plain["ref"], "refs/heads/main", "{plain:?}");
    assert!(r.output().contains("tree=app-content"), "{}", r.output());
    assert_eq!(r.result("in-path"), "success", "{}", r.all_text());
    assert_eq!(r.outputs_of("in-path")["commit"], sha);
    assert!(r.output().contains("nested=app-content"), "{}", r.output());
    // Another repository needs the network (see docs/divergences.md).
    assert_eq!(r.result("other-repo"), "failure");
    assert!(r.all_text().contains("someone-else/elsewhere"));
}

/// dorny/paths-filter's README: "Define filter rules in own file",
/// "Consider if file was added, modified or deleted", `list-files: json`,
/// and the Outputs section (`<filter>`, `<filter>_count`,
/// `<filter>_files`, `changes`).
#[test]
fn paths_filter_file_and_change_types() {
    let repo = Repo::new("builtins-documented-paths");
    let dir = repo.dir.path();
    let before = git(dir, &["rev-parse", "HEAD"]);
    std::fs::remove_file(dir.join("src/old.txt")).unwrap();
    std::fs::write(dir.join("src/new.txt"), "new\n").unwrap();
    std::fs::write(dir.join("src/keep.txt"), "changed\n").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "--quiet", "-m", "change"]);
    let after = git(dir, &["rev-parse", "HEAD"]);
    let r = repo.run(&["push", "--before", &before, "--after", &after]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.all_text(), r.stderr);
    let all: BTreeMap<String, String> =
        serde_json::from_str(&r.outputs_of("changes")["all"]).unwrap();
    assert_eq!(all["src"], "true", "{all:?}");
    assert_eq!(all["src_count"], "3");
    assert_eq!(
        all["src_files"],
        r#"["src/keep.txt","src/new.txt","src/old.txt"]"#
    );
    assert_eq!(all["added_files"], r#"["src/new.txt"]"#);
    assert_eq!(all["deleted_files"], r#"["src/old.txt"]"#);
    assert_eq!(all["config"], "false");
    assert_eq!(all["config_count"], "0");
    assert_eq!(all["changes"], r#"["src","added","deleted"]"#);
}

/// actions/github-script's README and action.yml: `result` is the return
/// value, JSON-encoded unless `result-encoding: string` ("Result
/// encoding"); an invalid encoding fails the step after the script ran;
/// an error thrown by the script fails the step ("Unhandled error: ...");
/// `retries` retries failed requests, never the
/// `retry-exempt-status-codes` (default 400,401,403,404,422) ("Retries").
#[test]
fn github_script_result_encoding_failures_and_retries() {
    if !installed("node") {
        eprintln!("skipped: no node here");
        return;
    }
    let repo = Repo::new("builtins-documented-script");
    let r = repo.run(&[]);
    assert_eq!(
        r.result("script"),
        "success",
        "{}\n{}",
        r.all_text(),
        r.stderr
    );
    let o = r.outputs_of("script");
    assert_eq!(o["json_object"], r#"{"a":[1,"x"],"b":null}"#, "{o:?}");
    assert_eq!(o["json_string"], r#""hello""#);
    assert_eq!(o["string_string"], "hello");
    assert_eq!(o["undefined"], "");
    assert_eq!(o["bad_outcome"], "failure");
    assert_eq!(o["bad_side_effect"], "yes", "the script ran first");
    assert_eq!(o["throw_outcome"], "failure");
    assert_eq!(o["retried"], r#""true after 2""#, "{o:?}");
    assert_eq!(o["exempt"], r#""404 after 1""#, "{o:?}");
    let text = r.all_text();
    assert!(
        text.contains(
            r#"Unhandled error: Error: \"result-encoding\" must be either \"string\" or \"json\""#
        ),
        "{text}"
    );
    assert!(
        text.contains("Unhandled error: Error: documented failure"),
        "{text}"
    );
}

/// actions/checkout's `ref:` (action.yml: "The branch, tag or SHA to
/// checkout"): the workspace holds that commit, `commit` is its SHA, `ref`
/// is the input; with `path:` the commit is placed there; a name that is
/// neither a branch nor a tag fails the step.
#[test]
fn checkout_ref_places_the_named_commit() {
    let repo = Repo::new("checkout-ref");
    let dir = repo.dir.path();
    git(dir, &["tag", "v1"]);
    let v1 = git(dir, &["rev-parse", "v1"]);
    std::fs::write(dir.join("version.txt"), "2\n").unwrap();
    git(dir, &["commit", "--quiet", "-am", "version 2"]);
    let r = repo.run(&[]);
    assert_eq!(r.result("by-tag"), "success", "{}", r.all_text());
    let out = r.outputs_of("by-tag");
    assert_eq!(out["commit"], v1, "{out:?}");
    assert_eq!(out["ref"], "v1", "{out:?}");
    let text = r.output();
    assert!(text.contains("version=1"), "{text}");
    assert!(text.contains(&format!("head={v1}")), "{text}");
    assert_eq!(r.result("in-path"), "success", "{}", r.all_text());
    assert!(text.contains("old=1 current=2"), "{text}");
    assert_eq!(r.result("missing"), "failure", "{}", r.all_text());
    assert!(
        r.all_text()
            .contains("A branch or tag with the name 'no-such-branch' could not be found"),
        "{}",
        r.all_text()
    );
}
