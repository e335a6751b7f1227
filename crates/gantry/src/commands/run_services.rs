//! The Actions services (cache and artifacts) a run serves on loopback, so
//! that real actions and their npm clients work unchanged.

use std::path::PathBuf;

use gantry_expr::{Object, Value};
use gantry_run::scheduler::RunJob;
use gantry_services::{Services, ServicesConfig};

use crate::style;

/// Where Gantry keeps data that outlives a run (the cache and artifact
/// stores): `$GANTRY_DATA_DIR`, else `$XDG_DATA_HOME/gantry`, else
/// `~/.local/share/gantry`.
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("GANTRY_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("gantry");
    }
    let home = std::env::var_os("HOME").map_or_else(std::env::temp_dir, PathBuf::from);
    home.join(".local/share/gantry")
}

fn text(github: &Object, key: &str) -> String {
    github
        .get(key)
        .map(Value::to_display_string)
        .unwrap_or_default()
}

/// Starts the services for a run and gives every job the environment that
/// actions read (`ACTIONS_RUNTIME_TOKEN`, `ACTIONS_CACHE_URL`, …). A failure
/// to start is a warning: jobs that need no service still run.
pub async fn start(
    github: &Object,
    default_branch: &str,
    run_number: u64,
    jobs: &mut [RunJob],
) -> Option<Services> {
    let repository = text(github, "repository");
    let mut cfg = ServicesConfig::new(data_dir(), repository, run_number);
    cfg.git_ref = text(github, "ref");
    cfg.default_branch = default_branch.to_owned();
    let base = text(github, "base_ref");
    cfg.base_ref = (!base.is_empty()).then_some(base);
    match Services::start(cfg).await {
        Ok(services) => {
            for job in jobs.iter_mut() {
                let env = services.job_env(&job.spec.key.0);
                job.spec.action_env.extend(env);
                // Actions (github-script, …) talk to the local GitHub REST
                // API, which records what they do.
                job.spec
                    .action_env
                    .push(("GITHUB_API_URL".into(), services.api_url().to_owned()));
            }
            Some(services)
        }
        Err(e) => {
            style::emit(
                style::Level::Warning,
                &format!("the cache and artifact services could not start: {e}"),
            );
            None
        }
    }
}

/// The run's cache and artifact stores, for the native built-ins
/// (`actions/cache`, `upload-artifact`, …): the same ones, on the same data
/// directory and with the same cache scopes, as the services use. `None`
/// (with a warning) when they cannot be opened.
pub fn stores(
    github: &Object,
    default_branch: &str,
    run_number: u64,
) -> Option<gantry_run::builtins::Stores> {
    let repository = text(github, "repository");
    let mut cfg = ServicesConfig::new(data_dir(), repository.clone(), run_number);
    cfg.git_ref = text(github, "ref");
    cfg.default_branch = default_branch.to_owned();
    let base = text(github, "base_ref");
    cfg.base_ref = (!base.is_empty()).then_some(base);
    match gantry_run::builtins::Stores::open(
        &cfg.data_dir,
        &repository,
        run_number,
        cfg.cache_scopes(),
    ) {
        Ok(mut s) => {
            s.default_retention_days = cfg.default_retention_days;
            s.max_retention_days = cfg.max_retention_days;
            Some(s)
        }
        Err(e) => {
            style::emit(
                style::Level::Warning,
                &format!("the cache and artifact stores could not be opened: {e}"),
            );
            None
        }
    }
}

/// Keeps what the run's workflows did through the local GitHub API
/// (comments, statuses, check runs) with the run, as `api.json`, and shows
/// it after the summary. Everything is masked first.
pub fn report_api_calls(
    records: &[gantry_services::GithubRecord],
    run_dir: &std::path::Path,
    masker: &gantry_run::mask::Masker,
    show: bool,
) {
    if records.is_empty() {
        return;
    }
    let json = serde_json::to_string_pretty(records).unwrap_or_default();
    if let Err(e) = std::fs::write(run_dir.join("api.json"), masker.mask(&json)) {
        style::emit(
            style::Level::Warning,
            &format!("cannot record the API calls: {e}"),
        );
    }
    if !show {
        return;
    }
    println!("\nGitHub API calls made by this run (recorded, not sent):");
    for r in records {
        let detail = r
            .object
            .get("body")
            .or_else(|| r.object.get("description"))
            .or_else(|| r.object.get("name"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        let detail = masker.mask(detail);
        let first: String = detail
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(100)
            .collect();
        let more = if detail.lines().count() > 1 || detail.chars().count() > 100 {
            " …"
        } else {
            ""
        };
        println!("  {} {}: {first}{more}", r.kind, r.request);
    }
}
