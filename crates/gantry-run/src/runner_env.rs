//! The environment a GitHub runner gives every step: `CI`, `GITHUB_*` and
//! `RUNNER_*`, on top of the host's own variables.

use std::collections::BTreeMap;
use std::path::Path;

use gantry_expr::{Object, Value};

use crate::job::JobDirs;

/// `X64`, `ARM64`, … as GitHub names this machine's architecture.
pub fn runner_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "X64",
        "aarch64" => "ARM64",
        "x86" => "X86",
        "arm" => "ARM",
        _ => "X64",
    }
}

fn s(github: &Object, key: &str) -> String {
    github
        .get(key)
        .map(Value::to_display_string)
        .unwrap_or_default()
}

/// The variables every step of a job sees before any `env:`.
///
/// `host` is the host's environment; variables that belong to a runner
/// (`GITHUB_*`, `RUNNER_*`, `ACTIONS_*`) are dropped from it first, so a
/// gantry running inside a CI job does not leak that job's values.
pub fn base_env(
    host: impl IntoIterator<Item = (String, String)>,
    github: &Object,
    dirs: &JobDirs,
    event_path: &Path,
    debug: bool,
) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = host
        .into_iter()
        .filter(|(k, _)| {
            !(k.starts_with("GITHUB_") || k.starts_with("RUNNER_") || k.starts_with("ACTIONS_"))
        })
        .collect();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_owned(), v);
    };
    set("CI", "true".into());
    set("GITHUB_ACTIONS", "true".into());
    for (var, key) in [
        ("GITHUB_ACTOR", "actor"),
        ("GITHUB_ACTOR_ID", "actor_id"),
        ("GITHUB_API_URL", "api_url"),
        ("GITHUB_BASE_REF", "base_ref"),
        ("GITHUB_EVENT_NAME", "event_name"),
        ("GITHUB_GRAPHQL_URL", "graphql_url"),
        ("GITHUB_HEAD_REF", "head_ref"),
        ("GITHUB_JOB", "job"),
        ("GITHUB_REF", "ref"),
        ("GITHUB_REF_NAME", "ref_name"),
        ("GITHUB_REF_PROTECTED", "ref_protected"),
        ("GITHUB_REF_TYPE", "ref_type"),
        ("GITHUB_REPOSITORY", "repository"),
        ("GITHUB_REPOSITORY_ID", "repository_id"),
        ("GITHUB_REPOSITORY_OWNER", "repository_owner"),
        ("GITHUB_REPOSITORY_OWNER_ID", "repository_owner_id"),
        ("GITHUB_RETENTION_DAYS", "retention_days"),
        ("GITHUB_RUN_ATTEMPT", "run_attempt"),
        ("GITHUB_RUN_ID", "run_id"),
        ("GITHUB_RUN_NUMBER", "run_number"),
        ("GITHUB_SERVER_URL", "server_url"),
        ("GITHUB_SHA", "sha"),
        ("GITHUB_TRIGGERING_ACTOR", "triggering_actor"),
        ("GITHUB_WORKFLOW", "workflow"),
        ("GITHUB_WORKFLOW_REF", "workflow_ref"),
        ("GITHUB_WORKFLOW_SHA", "workflow_sha"),
    ] {
        set(var, s(github, key));
    }
    set(
        "GITHUB_WORKSPACE",
        dirs.workspace.to_string_lossy().into_owned(),
    );
    set(
        "GITHUB_EVENT_PATH",
        event_path.to_string_lossy().into_owned(),
    );
    set("RUNNER_ARCH", runner_arch().into());
    set("RUNNER_OS", "Linux".into());
    set("RUNNER_NAME", "gantry".into());
    set("RUNNER_ENVIRONMENT", "self-hosted".into());
    set("RUNNER_TEMP", dirs.temp.to_string_lossy().into_owned());
    set(
        "RUNNER_TOOL_CACHE",
        dirs.tool_cache.to_string_lossy().into_owned(),
    );
    set(
        "RUNNER_WORKSPACE",
        dirs.workspace
            .parent()
            .unwrap_or(&dirs.workspace)
            .to_string_lossy()
            .into_owned(),
    );
    if debug {
        set("RUNNER_DEBUG", "1".into());
    }
    env
}
