//! GitHub's own npm clients, `@actions/cache` (protocols v1 and v2) and
//! `@actions/artifact` (v4), against the services: save and restore a cache
//! (exact and restore-key hits), upload, list, get, download and delete
//! artifacts. The client side is `test-tools/actions-services-client.mjs`.
//!
//! Needs `node` and `test-tools/node_modules` (`npm ci --prefix test-tools`):
//! skipped with a message without them, unless `CI` is set.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use gantry_services::{Services, ServicesConfig};

fn test_tools() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-tools");
    let ready = dir.join("node_modules/@actions/cache").is_dir()
        && dir.join("node_modules/@actions/artifact").is_dir();
    if ready {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "test-tools/node_modules lacks @actions/cache or @actions/artifact; run `npm ci --prefix test-tools`"
        );
    }
    eprintln!(
        "SKIPPED: test-tools/node_modules is missing (run `npm ci --prefix test-tools` to run GitHub's clients against the services)"
    );
    None
}

/// Runs one scenario of the client script; returns its JSON summary.
async fn run_client(
    tools: &Path,
    services: &Services,
    scenario: &str,
    workspace: &Path,
    v2: bool,
    extra_env: &[(&str, String)],
) -> serde_json::Value {
    std::fs::create_dir_all(workspace).unwrap();
    let temp = workspace.join("_temp");
    std::fs::create_dir_all(&temp).unwrap();
    let mut cmd = tokio::process::Command::new("node");
    cmd.arg(tools.join("actions-services-client.mjs"))
        .arg(scenario)
        .current_dir(workspace)
        .env("GITHUB_WORKSPACE", workspace)
        .env("RUNNER_TEMP", &temp)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env_remove("ACTIONS_CACHE_SERVICE_V2")
        .env_remove("RUNNER_DEBUG")
        .kill_on_drop(true);
    for (k, v) in services.job_env("build") {
        if k == "ACTIONS_CACHE_SERVICE_V2" && !v2 {
            continue;
        }
        cmd.env(k, v);
    }
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(Duration::from_secs(180), cmd.output())
        .await
        .expect("the client script took over 3 minutes")
        .expect("cannot run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{scenario} (v2: {v2}) failed: {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    let last = stdout.lines().rev().find(|l| l.starts_with('{')).unwrap();
    serde_json::from_str(last).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_clients_save_restore_upload_download() {
    let Some(tools) = test_tools() else { return };
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut config = ServicesConfig::new(data.path(), "octo/hello", 7);
    config.git_ref = "refs/heads/feature".into();
    config.default_branch = "main".into();
    let services = Services::start(config).await.unwrap();

    let v2 = run_client(
        &tools,
        &services,
        "cache",
        &work.path().join("v2"),
        true,
        &[],
    )
    .await;
    assert_eq!(v2["protocol"], "v2");
    assert_eq!(v2["exact"], "deps-v2-linux-abc123");
    assert_eq!(v2["prefix"], "deps-v2-linux-abc123");

    let v1 = run_client(
        &tools,
        &services,
        "cache",
        &work.path().join("v1"),
        false,
        &[],
    )
    .await;
    assert_eq!(v1["protocol"], "v1");
    assert_eq!(v1["prefix"], "deps-v1-linux-abc123");

    let entries = services.cache().entries().unwrap();
    let mut keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["deps-v1-linux-abc123", "deps-v2-linux-abc123"]);
    assert!(entries.iter().all(|e| e.scope == "refs/heads/feature"));

    let art_ws = work.path().join("art-job");
    let art = run_client(&tools, &services, "artifact", &art_ws, true, &[]).await;
    assert_eq!(art["after_delete"], serde_json::json!(["my-art"]));

    // The Rust API sees what the client uploaded, and exports it intact.
    let listed = services.artifacts().list(Some(7)).unwrap();
    assert_eq!(listed.len(), 1);
    let my_art = &listed[0];
    assert_eq!(my_art.name, "my-art");
    assert_eq!(my_art.content_type, "application/zip");
    assert_eq!(my_art.digest, art["upload"]["digest"].as_str().unwrap());
    let days = (my_art.expires_ms - my_art.created_ms) as f64 / 86_400_000.0;
    assert!((4.9..=5.1).contains(&days), "retention {days} days");
    let export = work.path().join("export");
    let files = services.artifacts().export(my_art, &export).unwrap();
    assert_eq!(files.len(), 3);
    for rel in ["hello.txt", "nested/notes.md", "nested/deeper/data.bin"] {
        assert_eq!(
            std::fs::read(export.join(rel)).unwrap(),
            std::fs::read(art_ws.join("art").join(rel)).unwrap(),
            "{rel}"
        );
    }
    services.shutdown().await;

    // Another run of the repository, from another branch: the cache falls
    // back to the default branch only, and the artifact of run 7 stays
    // retrievable by run id.
    let mut config = ServicesConfig::new(data.path(), "octo/hello", 8);
    config.git_ref = "refs/heads/main".into();
    let services = Services::start(config).await.unwrap();
    assert!(services.artifacts().find(7, "my-art").unwrap().is_some());
    assert!(services.artifacts().list(Some(8)).unwrap().is_empty());
    // download-artifact with `run-id` goes through the REST API.
    let cross_ws = work.path().join("cross-job");
    let extra = [
        ("GITHUB_API_URL", services.api_url().to_string()),
        ("GITHUB_REPOSITORY", "octo/hello".to_string()),
        ("CROSS_RUN_ID", "7".to_string()),
    ];
    let cross = run_client(&tools, &services, "cross-run", &cross_ws, true, &extra).await;
    assert_eq!(cross["listed"].as_array().unwrap().len(), 1, "{cross}");
    for rel in ["hello.txt", "nested/notes.md", "nested/deeper/data.bin"] {
        assert_eq!(
            std::fs::read(cross_ws.join("cross").join(rel)).unwrap(),
            std::fs::read(art_ws.join("art").join(rel)).unwrap(),
            "{rel}"
        );
    }
    services.shutdown().await;
}
