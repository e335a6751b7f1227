//! The GitHub Actions cache and artifact services, served on loopback for
//! the duration of a run so that the real actions (`actions/cache`,
//! `upload-artifact`, `download-artifact`, anything built on `@actions/cache`
//! or `@actions/artifact`) work unchanged.
//!
//! One HTTP server serves, on one port:
//! - the legacy cache REST API under `/_apis/artifactcache/` (cache v1);
//! - the Twirp `CacheService` (cache v2) and `ArtifactService` (artifacts v4)
//!   under `/twirp/github.actions.results.api.v1.*`;
//! - a small Azure-blob-compatible endpoint for the signed upload and
//!   download URLs, under `/devstoreaccount1/`;
//! - the GitHub REST routes that list and download another run's artifacts
//!   (`/repos/{owner}/{repo}/actions/...`), for download-artifact's `run-id`
//!   when `GITHUB_API_URL` is [`Services::api_url`].
//!
//! The data lives in a [`CacheStore`] and an [`ArtifactStore`] under the
//! data directory (content-addressed, written atomically); both are usable
//! without the server, for `gantry artifacts list|download|prune`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), gantry_services::ServicesError> {
//! use gantry_services::{Services, ServicesConfig};
//! let mut config = ServicesConfig::new("/home/me/.local/share/gantry", "octo/hello", 42);
//! config.git_ref = "refs/heads/feature".into();
//! config.default_branch = "main".into();
//! let services = Services::start(config).await?;
//! let env = services.job_env("build"); // give these to the job's actions
//! # let _ = env;
//! services.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The wire protocols are written up in
//! `shared/reference/actions-service-protocol.md`.

mod api_artifacts;
mod api_cache;
mod api_github;
mod api_rest;
pub mod artifacts;
mod blob;
pub mod cache;
mod cas;
mod error;
mod fsutil;
mod http;
mod server;
mod token;
mod util;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use api_github::GithubRecord;
pub use artifacts::{Artifact, ArtifactStore, DEFAULT_RETENTION_DAYS};
pub use cache::{CacheEntry, CacheLimits, CacheStore};
pub use cas::{Blob, BlobWriter};
pub use error::{ServicesError, StoreError};
pub use util::{now_ms, rfc3339};

/// What the services need to know about the run.
#[derive(Debug, Clone)]
pub struct ServicesConfig {
    /// The user's data directory (e.g. `~/.local/share/gantry`); the stores
    /// live in `cache/` and `artifacts/` under it, uploads in progress in
    /// `tmp/`.
    pub data_dir: PathBuf,
    /// The repository, `owner/name`: caches and artifacts are per repository.
    pub repository: String,
    /// The run's numeric id, unique in the repository (artifacts are kept
    /// per run).
    pub run_id: u64,
    /// The run's ref (`github.ref`, e.g. `refs/heads/feature` or
    /// `refs/pull/7/merge`): caches are saved in this scope.
    pub git_ref: String,
    /// The repository's default branch (`main` or `refs/heads/main`): caches
    /// saved there are visible to every branch.
    pub default_branch: String,
    /// For a pull request, its base branch (`github.base_ref`): also visible.
    pub base_ref: Option<String>,
    /// The address to listen on; the port is chosen by the system when 0.
    /// Default `127.0.0.1:0`.
    pub listen: SocketAddr,
    /// Cache eviction limits (default 10 GiB, 7 days unused).
    pub cache_limits: CacheLimits,
    /// Retention of artifacts uploaded without `retention-days` (default 90).
    pub default_retention_days: u32,
    /// The longest retention allowed (`GITHUB_RETENTION_DAYS`, default 90).
    pub max_retention_days: u32,
}

impl ServicesConfig {
    /// A configuration with GitHub's defaults, for a run on `main`.
    pub fn new(data_dir: impl Into<PathBuf>, repository: impl Into<String>, run_id: u64) -> Self {
        ServicesConfig {
            data_dir: data_dir.into(),
            repository: repository.into(),
            run_id,
            git_ref: "refs/heads/main".into(),
            default_branch: "main".into(),
            base_ref: None,
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            cache_limits: CacheLimits::default(),
            default_retention_days: DEFAULT_RETENTION_DAYS,
            max_retention_days: DEFAULT_RETENTION_DAYS,
        }
    }

    /// The scopes a cache lookup searches, in order: the run's ref, the
    /// pull request's base branch, the default branch.
    pub fn cache_scopes(&self) -> Vec<String> {
        let mut scopes = vec![cache::branch_ref(&self.git_ref)];
        if let Some(base) = self.base_ref.as_deref().filter(|b| !b.is_empty()) {
            scopes.push(cache::branch_ref(base));
        }
        scopes.push(cache::branch_ref(&self.default_branch));
        let mut seen = std::collections::HashSet::new();
        scopes.retain(|s| seen.insert(s.clone()));
        scopes
    }
}

/// The running services. Stop them with [`Services::shutdown`] (dropping
/// them also stops the server, without waiting).
pub struct Services {
    state: Arc<server::State>,
    addr: SocketAddr,
    base_url: String,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Services {
    /// Opens the stores and starts serving. Must be called inside a tokio
    /// runtime; the server runs on it until [`Services::shutdown`].
    pub async fn start(config: ServicesConfig) -> Result<Services, ServicesError> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| ServicesError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServicesError::Bind {
                addr: config.listen,
                source,
            })?;
        let host = match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let base_url = format!("http://{host}:{}/", addr.port());
        let state = Arc::new(server::State::new(config, base_url.clone())?);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(server::serve(listener, Arc::clone(&state), stopped));
        Ok(Services {
            state,
            addr,
            base_url,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/` (with the trailing slash the cache client
    /// needs).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL of the REST routes for artifacts of other runs
    /// (`http://127.0.0.1:PORT`, no trailing slash, as `GITHUB_API_URL`
    /// is given). The lead's REST server may forward
    /// `/repos/{owner}/{repo}/actions/artifacts*` and
    /// `/repos/{owner}/{repo}/actions/runs/{id}/artifacts` here instead.
    pub fn api_url(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// The run's backend id, as it appears in the token's `scp` claim.
    pub fn run_backend_id(&self) -> &str {
        &self.state.run_backend_id
    }

    /// The environment the runner gives a job's JavaScript and container
    /// actions (not plain `run:` steps): `ACTIONS_RUNTIME_TOKEN` (a JWT for
    /// `job`, whose `scp` claim names the run's and the job's backend ids),
    /// `ACTIONS_RUNTIME_URL`, `ACTIONS_CACHE_URL`, `ACTIONS_RESULTS_URL`,
    /// `ACTIONS_CACHE_SERVICE_V2=true` and `GITHUB_RETENTION_DAYS`.
    ///
    /// `GITHUB_SERVER_URL` must be `https://github.com` (or a `*.localhost`
    /// host) for the cache client to use v2; with another host it falls
    /// back to v1, which is served too.
    pub fn job_env(&self, job: &str) -> Vec<(String, String)> {
        self.job_env_at(job, &self.base_url)
    }

    /// [`Services::job_env`] with another base URL reaching this server,
    /// e.g. `http://host.docker.internal:PORT/` for a container (listen on
    /// an address the container can reach, see [`ServicesConfig::listen`]).
    /// The signed URLs the services hand out follow the address each
    /// request came in on.
    pub fn job_env_at(&self, job: &str, base_url: &str) -> Vec<(String, String)> {
        let token = self.state.token_for(job);
        let mut url = base_url.to_string();
        if !url.ends_with('/') {
            url.push('/');
        }
        vec![
            ("ACTIONS_RUNTIME_TOKEN".into(), token),
            ("ACTIONS_RUNTIME_URL".into(), url.clone()),
            ("ACTIONS_CACHE_URL".into(), url.clone()),
            ("ACTIONS_RESULTS_URL".into(), url),
            ("ACTIONS_CACHE_SERVICE_V2".into(), "true".into()),
            (
                "GITHUB_RETENTION_DAYS".into(),
                self.state.config.max_retention_days.to_string(),
            ),
        ]
    }

    /// What the run's workflows did through the local GitHub REST API
    /// (comments, commit statuses, check runs), in order. `GITHUB_API_URL`
    /// pointing at [`Services::api_url`] reaches it.
    pub fn github_records(&self) -> Vec<GithubRecord> {
        self.state.github.records()
    }

    /// The cache store the services write to.
    pub fn cache(&self) -> &CacheStore {
        &self.state.cache
    }

    /// The artifact store the services write to.
    pub fn artifacts(&self) -> &ArtifactStore {
        &self.state.artifacts
    }

    /// Stops accepting connections, lets requests in flight finish (up to
    /// 10 seconds), and removes unfinished uploads.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        self.state.remove_staging();
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
    }
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("addr", &self.addr)
            .field("run_backend_id", &self.state.run_backend_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_scopes_in_order_without_duplicates() {
        let mut c = ServicesConfig::new("/d", "o/r", 1);
        assert_eq!(c.cache_scopes(), ["refs/heads/main"]);
        c.git_ref = "refs/pull/7/merge".into();
        c.base_ref = Some("release".into());
        assert_eq!(
            c.cache_scopes(),
            ["refs/pull/7/merge", "refs/heads/release", "refs/heads/main"]
        );
        c.git_ref = "feature".into();
        c.base_ref = Some("main".into());
        assert_eq!(c.cache_scopes(), ["refs/heads/feature", "refs/heads/main"]);
    }
}
