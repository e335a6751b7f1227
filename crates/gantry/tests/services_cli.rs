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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Gantry Test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Job results by job name, and every output line, from the JSON events.
fn parse(stdout: &str) -> (BTreeMap<String, String>, String) {
    let events: Vec<Value> = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut names = BTreeMap::new();
    for e in &events {
        if e["type"] == "run_started" {
            for j in e["jobs"].as_array().unwrap() {
                names.insert(
                    j["key"].as_str().unwrap().to_owned(),
                    j["name"].as_str().unwrap().to_owned(),
                );
            }
        }
    }
    let mut results = BTreeMap::new();
    let mut lines = Vec::new();
    for e in &events {
        let key = e["job"].as_str().unwrap_or_default();
        let name = names.get(key).cloned().unwrap_or_else(|| key.to_owned());
        match e["type"].as_str() {
            Some("job_finished" | "job_skipped") => {
                results.insert(name, e["result"].as_str().unwrap().to_owned());
            }
            Some("output") => lines.push(e["line"].as_str().unwrap().to_owned()),
            _ => {}
        }
    }
    (results, lines.join("\n"))
}

/// The JSON summary line the action printed in `phase`.
fn summary(output: &str, phase: &str) -> Value {
    output
        .lines()
        .filter_map(|l| l.split_once("services-job ").map(|(_, j)| j))
        .filter_map(|j| serde_json::from_str::<Value>(j).ok())
        .find(|v| v["phase"] == phase)
        .unwrap_or_else(|| panic!("no {phase} summary in:\n{output}"))
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

    let saved = summary(&output, "save");
    assert!(saved["saved_v2"].as_i64().unwrap() > 0, "{saved}");
    assert!(saved["saved_v1"].as_i64().unwrap() > 0, "{saved}");
    assert_eq!(saved["failures"], serde_json::json!([]), "{saved}");

    let restored = summary(&output, "restore");
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
