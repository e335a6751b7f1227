//! The HTTP server: shared state, the accept loop and the router.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::api_artifacts::PendingArtifact;
use crate::api_cache::Reservation;
use crate::blob::Upload;
use crate::error::ServicesError;
use crate::http::{ApiError, Resp, json};
use crate::util::{base64url, hex, hmac_sha256, now_ms, random_bytes};
use crate::{ArtifactStore, CacheStore, ServicesConfig, token};

/// A job a token was issued to.
#[derive(Debug, Clone)]
pub(crate) struct JobToken {
    pub job: String,
    pub job_backend_id: String,
}

/// What changes while the server runs.
#[derive(Default)]
pub(crate) struct Inner {
    pub next_id: u64,
    pub tokens: HashMap<String, JobToken>,
    pub reservations: HashMap<u64, Reservation>,
    pub uploads: HashMap<String, Upload>,
    /// Artifacts created but not finalized, by name.
    pub pending: HashMap<String, PendingArtifact>,
}

pub(crate) struct State {
    pub config: ServicesConfig,
    pub base_url: String,
    secret: [u8; 32],
    pub run_backend_id: String,
    pub cache: CacheStore,
    pub artifacts: ArtifactStore,
    /// This server's uploads in progress: `<data_dir>/tmp/<random>/`.
    pub staging: PathBuf,
    /// Cache lookup scopes, the run's ref first (where saves go).
    pub scopes: Vec<String>,
    /// The local GitHub REST API's records.
    pub github: crate::api_github::Recorder,
    inner: Mutex<Inner>,
}

/// Staging directories of servers that stopped this long ago are removed.
const STALE_STAGING_MS: u64 = 24 * 3600 * 1000;

impl State {
    pub fn new(config: ServicesConfig, base_url: String) -> Result<State, ServicesError> {
        let cache = CacheStore::open(&config.data_dir, &config.repository, config.cache_limits)?;
        let artifacts = ArtifactStore::open(&config.data_dir, &config.repository)?;
        let secret = random_bytes().map_err(ServicesError::Random)?;
        let tmp_root = config.data_dir.join("tmp");
        remove_stale_staging(&tmp_root);
        let staging = tmp_root.join(hex(&secret[..8]));
        std::fs::create_dir_all(&staging).map_err(|source| ServicesError::Dir {
            path: staging.clone(),
            source,
        })?;
        // Keep the stores tidy: a run is a good moment.
        cache.evict(now_ms())?;
        artifacts.prune(now_ms())?;
        let run_backend_id = token::backend_id(&format!(
            "{}\0{}\0{}",
            config.repository,
            config.run_id,
            hex(&secret)
        ));
        let scopes = config.cache_scopes();
        Ok(State {
            config,
            base_url,
            secret,
            run_backend_id,
            cache,
            artifacts,
            staging,
            scopes,
            github: crate::api_github::Recorder::default(),
            inner: Mutex::new(Inner {
                next_id: 1,
                ..Inner::default()
            }),
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Issues (or returns the already issued) token for `job`.
    pub fn token_for(&self, job: &str) -> String {
        let mut inner = self.lock();
        if let Some((token, _)) = inner.tokens.iter().find(|(_, t)| t.job == job) {
            return token.clone();
        }
        let job_backend_id = token::backend_id(&format!("{}\0{job}", self.run_backend_id));
        let token = token::issue(
            &self.secret,
            &self.run_backend_id,
            &job_backend_id,
            &self.scopes,
            now_ms() / 1000,
        );
        inner.tokens.insert(
            token.clone(),
            JobToken {
                job: job.to_string(),
                job_backend_id,
            },
        );
        token
    }

    /// The job whose token authorizes `req`.
    pub fn authorize(&self, req: &Request<Incoming>) -> Result<JobToken, ApiError> {
        let header = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthenticated("missing Authorization header"))?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| {
                ApiError::unauthenticated("the Authorization header is not a bearer token")
            })?;
        self.lock()
            .tokens
            .get(token.trim())
            .cloned()
            .ok_or_else(|| ApiError::unauthenticated("unknown ACTIONS_RUNTIME_TOKEN"))
    }

    /// The signature of a blob URL path.
    pub fn sign(&self, path: &str) -> String {
        base64url(&hmac_sha256(&self.secret, path.as_bytes()))
    }

    /// `http://HOST:PORT` as the current request reached the server (its
    /// `Host` header), so that a container reaching the host under another
    /// address gets URLs it can use; the listening address otherwise.
    pub fn origin(&self) -> String {
        ORIGIN
            .try_with(|o| o.clone())
            .ok()
            .flatten()
            .unwrap_or_else(|| self.base_url.trim_end_matches('/').to_string())
    }

    /// The full signed URL of a blob path (starting with `/`).
    pub fn signed_url(&self, path: &str) -> String {
        format!(
            "{}{}?sv=2025-01-05&sr=b&sp=rcw&sig={}",
            self.origin(),
            path,
            self.sign(path)
        )
    }

    /// A fresh id (cache reservations).
    pub fn next_id(&self) -> u64 {
        let mut inner = self.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        id
    }

    pub fn remove_staging(&self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

fn remove_stale_staging(tmp_root: &std::path::Path) {
    let Ok(rd) = std::fs::read_dir(tmp_root) else {
        return;
    };
    for entry in rd.flatten() {
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        if age.is_some_and(|a| a > STALE_STAGING_MS) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Accepts connections until `stopped` turns true, then lets the open ones
/// finish their requests.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors and the like: back off a little.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                };
                let state = Arc::clone(&state);
                let mut stop = stopped.clone();
                conns.spawn(async move {
                    let service = service_fn(move |req| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(handle(state, req).await) }
                    });
                    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = async { let _ = stop.wait_for(|s| *s).await; } => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = async { let _ = stopped.wait_for(|s| *s).await; } => break,
        }
        while conns.try_join_next().is_some() {}
    }
    drop(listener);
    while conns.join_next().await.is_some() {}
}

tokio::task_local! {
    /// The origin of the request being handled, from its `Host` header.
    static ORIGIN: Option<String>;
}

/// `http://HOST` from a `Host` header that looks like `host[:port]`.
fn origin_of(req: &Request<Incoming>) -> Option<String> {
    let host = req.headers().get(hyper::header::HOST)?.to_str().ok()?;
    let valid = !host.is_empty()
        && host.bytes().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b':' | b'[' | b']' | b'_')
        });
    valid.then(|| format!("http://{host}"))
}

const CACHE_SERVICE: &str = "/twirp/github.actions.results.api.v1.CacheService/";
const ARTIFACT_SERVICE: &str = "/twirp/github.actions.results.api.v1.ArtifactService/";

/// Routes one request. Never fails: errors become 4xx/5xx responses in the
/// shape the surface's clients read.
async fn handle(state: Arc<State>, req: Request<Incoming>) -> Resp {
    let origin = origin_of(&req);
    ORIGIN.scope(origin, route(state, req)).await
}

async fn route(state: Arc<State>, req: Request<Incoming>) -> Resp {
    let path = req.uri().path().to_string();
    if let Some(method) = path.strip_prefix(CACHE_SERVICE) {
        let method = method.to_string();
        twirp(&state, req, |state, req| {
            crate::api_cache::twirp(state, req, method)
        })
        .await
    } else if let Some(method) = path.strip_prefix(ARTIFACT_SERVICE) {
        let method = method.to_string();
        twirp(&state, req, |state, req| {
            crate::api_artifacts::twirp(state, req, method)
        })
        .await
    } else if path.starts_with("/twirp/") {
        ApiError::not_found(format!("no such Twirp service or method: {path}")).twirp()
    } else if let Some(rest) = path.strip_prefix("/_apis/artifactcache/") {
        let rest = rest.to_string();
        match crate::api_cache::rest(&state, req, &rest).await {
            Ok(resp) => resp,
            Err(e) => e.rest(),
        }
    } else if let Some(rest) = path.strip_prefix("/repos/") {
        let rest = rest.to_string();
        let answer = if crate::api_github::serves(&rest) {
            crate::api_github::handle(&state, req, &rest).await
        } else {
            crate::api_rest::handle(&state, req, &rest).await
        };
        match answer {
            Ok(resp) => resp,
            Err(e) => json(
                e.status,
                &serde_json::json!({"message": e.msg, "status": e.status.as_u16().to_string()}),
            ),
        }
    } else if path.starts_with(crate::blob::PREFIX) {
        match crate::blob::handle(&state, req).await {
            Ok(resp) => resp,
            Err(e) => e.azure(),
        }
    } else {
        json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({"message": format!("gantry services: nothing at {path}")}),
        )
    }
}

async fn twirp<'a, F, Fut>(state: &'a State, req: Request<Incoming>, call: F) -> Resp
where
    F: FnOnce(&'a State, Request<Incoming>) -> Fut,
    Fut: std::future::Future<Output = Result<serde_json::Value, ApiError>>,
{
    if req.method() != Method::POST {
        return ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "bad_route",
            "Twirp methods are called with POST",
        )
        .twirp();
    }
    match call(state, req).await {
        Ok(body) => json(StatusCode::OK, &body),
        Err(e) => e.twirp(),
    }
}
