//! `gantry run` serving the cache and artifact services to GitHub's own npm
//! clients: a local JavaScript action (fixture
//! `tests/run-fixtures/services-real-clients`) runs `@actions/cache`
//! (protocols v2 and v1) and `@actions/artifact` from `test-tools/`, saving
//! and uploading in one job and restoring, listing and downloading in the
//! job that needs it.
//!
//! Needs `test-tools/node_modules` (`npm ci --prefix test-tools`) and node:
//! skipped with a message without them, unless `CI` is set.

#![allow(clippy::unwrap_used)]

#[path = "support/run_harness.rs"]
mod harness;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use harness::{Ran, copy, git, services_summary};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

/// Job results by job name, and every output line, from the JSON events.
fn parse(stdout: &str) -> (BTreeMap<String, String>, String) {
    let ran = Ran::parse(None, stdout, "");
    (ran.results(), ran.output())
}

#[test]
fn real_npm_clients_save_and_restore_caches_and_artifacts_across_jobs() {
    let tools = workspace_root().join("test-tools");
    if !tools.join("node_modules/@actions/cache").is_dir()
        || !tools.join("node_modules/@actions/artifact").is_dir()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "test-tools/node_modules is missing: run `npm ci --prefix test-tools`"
        );
        eprintln!(
            "skipped: test-tools/node_modules is missing (npm ci --prefix test-tools); set CI to make this a failure"
        );
        return;
    }

    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/run-fixtures/services-real-clients"),
        &repo,
    );
    git(&repo, &["init", "--quiet", "--initial-branch=main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "--quiet", "-m", "fixture"]);

    let out = Command::new(env!("CARGO_BIN_EXE_gantry"))
        .current_dir(&repo)
        .args(["run", "--format", "json", "--env"])
        .arg(format!("GANTRY_TEST_TOOLS={}", tools.display()))
        .env("NO_COLOR", "1")
        // A fresh cache and artifact store, not the user's.
        .env("GANTRY_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let (results, output) = parse(&String::from_utf8_lossy(&out.stdout));
    let context = format!("{results:?}\n--- output\n{output}\n--- stderr\n{stderr}");
    assert_eq!(
        results.get("produce").map(String::as_str),
        Some("success"),
        "{context}"
    );
    assert_eq!(
        results.get("consume").map(String::as_str),
        Some("success"),
        "{context}"
    );
    assert_eq!(out.status.code(), Some(0), "{context}");

    let saved = services_summary(&output, "save");
    assert!(saved["saved_v2"].as_i64().unwrap() > 0, "{saved}");
    assert!(saved["saved_v1"].as_i64().unwrap() > 0, "{saved}");
    assert_eq!(saved["failures"], serde_json::json!([]), "{saved}");

    let restored = services_summary(&output, "restore");
    assert_eq!(restored["failures"], serde_json::json!([]), "{restored}");
    for proto in ["v1", "v2"] {
        let key = format!("svc-{proto}-linux-1");
        assert_eq!(
            restored[format!("exact_{proto}")],
            key.as_str(),
            "{restored}"
        );
        assert_eq!(
            restored[format!("prefix_{proto}")],
            key.as_str(),
            "{restored}"
        );
    }
    assert_eq!(
        restored["downloaded_files"],
        serde_json::json!(["hello.txt", "nested/deeper/data.bin", "nested/notes.md"]),
        "{restored}"
    );

    // The stores are the ones under GANTRY_DATA_DIR.
    assert!(dir.path().join("data").is_dir(), "{context}");
}
