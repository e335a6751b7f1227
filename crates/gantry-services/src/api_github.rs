//! A small GitHub REST API that records what a run's workflows do with the
//! repository (`actions/github-script`, `gh`-like clients), so that local
//! runs can comment, set statuses and create check runs without touching
//! GitHub. Everything is kept in memory for the run and handed back by
//! [`crate::Services::github_records`]; the run's own repository only, any
//! token accepted.
//!
//! - `POST|GET /repos/{o}/{r}/issues/{n}/comments` (pull requests too)
//! - `PATCH|DELETE /repos/{o}/{r}/issues/comments/{id}`
//! - `POST /repos/{o}/{r}/statuses/{sha}`, `GET /repos/{o}/{r}/commits/{ref}/statuses`
//! - `POST /repos/{o}/{r}/check-runs`, `PATCH /repos/{o}/{r}/check-runs/{id}`
//! - `POST /repos/{o}/{r}/issues/{n}/labels`
//!
//! The repository's artifacts (`/actions/...`) are served by `api_rest`.

use std::sync::Mutex;

use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

use crate::http::{ApiError, Resp, empty, json as json_resp, read_json};
use crate::server::State;
use crate::util::{now_ms, rfc3339};

/// One thing a workflow did through the API.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GithubRecord {
    /// `issue_comment`, `issue_comment_updated`, `issue_comment_deleted`,
    /// `commit_status`, `check_run`, `check_run_updated`, `labels`.
    pub kind: String,
    /// `POST /repos/o/r/issues/7/comments`.
    pub request: String,
    /// What the API answered (the created object).
    pub object: Value,
    /// When, in milliseconds since the epoch.
    pub at_ms: u64,
}

/// The recorded calls and the objects they made.
#[derive(Default)]
pub(crate) struct Recorder {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    records: Vec<GithubRecord>,
    /// Comments: (issue number, comment).
    comments: Vec<(u64, Value)>,
    /// Statuses: (sha, status).
    statuses: Vec<(String, Value)>,
    check_runs: Vec<Value>,
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn records(&self) -> Vec<GithubRecord> {
        self.lock().records.clone()
    }
}

impl Inner {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn record(&mut self, kind: &str, request: String, object: &Value) {
        self.records.push(GithubRecord {
            kind: kind.to_owned(),
            request,
            object: object.clone(),
            at_ms: now_ms(),
        });
    }
}

/// Whether this API serves `/repos/{rest}` (everything but `actions/`).
pub(crate) fn serves(rest: &str) -> bool {
    let parts: Vec<&str> = rest.split('/').collect();
    !matches!(parts.get(2), Some(&"actions"))
}

fn user() -> Value {
    json!({"login": "github-actions[bot]", "id": 41898282, "type": "Bot"})
}

fn text(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_owned)
}

pub(crate) async fn handle(
    state: &State,
    req: Request<Incoming>,
    rest: &str,
) -> Result<Resp, ApiError> {
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let (owner, repo, tail) = match parts.as_slice() {
        [owner, repo, tail @ ..] => (*owner, *repo, tail.to_vec()),
        _ => return Err(ApiError::not_found("Not Found")),
    };
    let full_name = format!("{owner}/{repo}");
    if !full_name.eq_ignore_ascii_case(&state.config.repository) {
        return Err(ApiError::not_found("Not Found"));
    }
    let method = req.method().clone();
    let request = format!("{method} /repos/{rest}");
    let api = format!("{}/repos/{full_name}", state.origin());
    let html = format!("https://github.com/{full_name}");
    let now = rfc3339(now_ms());
    let body = if matches!(method, Method::POST | Method::PATCH | Method::PUT) {
        read_json(req.into_body()).await?
    } else {
        json!({})
    };
    let recorder = &state.github;
    let mut inner = recorder.lock();
    let number = |s: &str| -> Result<u64, ApiError> {
        s.parse().map_err(|_| ApiError::not_found("Not Found"))
    };
    match (method, tail.as_slice()) {
        (Method::POST, ["issues", n, "comments"]) => {
            let n = number(n)?;
            let text = text(&body, "body").ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "body is required",
                )
            })?;
            let id = inner.id();
            let c = json!({
                "id": id,
                "node_id": format!("IC_gantry{id}"),
                "url": format!("{api}/issues/comments/{id}"),
                "html_url": format!("{html}/issues/{n}#issuecomment-{id}"),
                "issue_url": format!("{api}/issues/{n}"),
                "body": text,
                "user": user(),
                "created_at": now,
                "updated_at": now,
                "author_association": "NONE",
            });
            inner.comments.push((n, c.clone()));
            inner.record("issue_comment", request, &c);
            Ok(json_resp(StatusCode::CREATED, &c))
        }
        (Method::GET, ["issues", n, "comments"]) => {
            let n = number(n)?;
            let list: Vec<Value> = inner
                .comments
                .iter()
                .filter(|(i, _)| *i == n)
                .map(|(_, c)| c.clone())
                .collect();
            Ok(json_resp(StatusCode::OK, &Value::Array(list)))
        }
        (Method::PATCH, ["issues", "comments", id]) => {
            let id = number(id)?;
            let Some((_, c)) = inner
                .comments
                .iter_mut()
                .find(|(_, c)| c["id"].as_u64() == Some(id))
            else {
                return Err(ApiError::not_found("Not Found"));
            };
            if let Some(t) = text(&body, "body") {
                c["body"] = Value::String(t);
            }
            c["updated_at"] = Value::String(now);
            let c = c.clone();
            inner.record("issue_comment_updated", request, &c);
            Ok(json_resp(StatusCode::OK, &c))
        }
        (Method::DELETE, ["issues", "comments", id]) => {
            let id = number(id)?;
            let before = inner.comments.len();
            inner.comments.retain(|(_, c)| c["id"].as_u64() != Some(id));
            if inner.comments.len() == before {
                return Err(ApiError::not_found("Not Found"));
            }
            inner.record("issue_comment_deleted", request, &json!({"id": id}));
            Ok(empty(StatusCode::NO_CONTENT))
        }
        (Method::POST, ["statuses", sha]) => {
            let state_s = text(&body, "state").unwrap_or_default();
            if !matches!(
                state_s.as_str(),
                "error" | "failure" | "pending" | "success"
            ) {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "state must be one of error, failure, pending, success",
                ));
            }
            let id = inner.id();
            let s = json!({
                "id": id,
                "url": format!("{api}/statuses/{sha}"),
                "state": state_s,
                "description": body.get("description").cloned().unwrap_or(Value::Null),
                "target_url": body.get("target_url").cloned().unwrap_or(Value::Null),
                "context": text(&body, "context").unwrap_or_else(|| "default".into()),
                "creator": user(),
                "created_at": now,
                "updated_at": now,
            });
            inner.statuses.push(((*sha).to_owned(), s.clone()));
            inner.record("commit_status", request, &s);
            Ok(json_resp(StatusCode::CREATED, &s))
        }
        (Method::GET, ["commits", git_ref, "statuses"]) => {
            let mut list: Vec<Value> = inner
                .statuses
                .iter()
                .filter(|(s, _)| s == git_ref)
                .map(|(_, v)| v.clone())
                .collect();
            list.reverse();
            Ok(json_resp(StatusCode::OK, &Value::Array(list)))
        }
        (Method::POST, ["check-runs"]) => {
            let id = inner.id();
            let mut c = body.clone();
            c["id"] = json!(id);
            c["url"] = json!(format!("{api}/check-runs/{id}"));
            c["html_url"] = json!(format!("{html}/runs/{id}"));
            if c.get("status").is_none() {
                c["status"] = json!("queued");
            }
            c["started_at"] = json!(now);
            inner.check_runs.push(c.clone());
            inner.record("check_run", request, &c);
            Ok(json_resp(StatusCode::CREATED, &c))
        }
        (Method::PATCH, ["check-runs", id]) => {
            let id = number(id)?;
            let Some(c) = inner
                .check_runs
                .iter_mut()
                .find(|c| c["id"].as_u64() == Some(id))
            else {
                return Err(ApiError::not_found("Not Found"));
            };
            if let (Value::Object(target), Value::Object(changes)) = (&mut *c, &body) {
                for (k, v) in changes {
                    target.insert(k.clone(), v.clone());
                }
            }
            let c = c.clone();
            inner.record("check_run_updated", request, &c);
            Ok(json_resp(StatusCode::OK, &c))
        }
        (Method::POST, ["issues", _, "labels"]) => {
            let labels: Vec<Value> = body
                .get("labels")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|l| json!({"name": l}))
                .collect();
            let v = Value::Array(labels);
            inner.record("labels", request, &v);
            Ok(json_resp(StatusCode::OK, &v))
        }
        _ => Err(ApiError::not_found(format!(
            "{request} is not served by Gantry's local GitHub API (give --github-api-url and a token to use a real server)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::{Services, ServicesConfig};

    async fn call(addr: std::net::SocketAddr, method: &str, path: &str, body: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn comments_and_statuses_are_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let services = Services::start(ServicesConfig::new(dir.path(), "octo/hello", 1))
            .await
            .unwrap();
        let a = services.addr();
        let r = call(
            a,
            "POST",
            "/repos/octo/hello/issues/7/comments",
            r#"{"body":"hi"}"#,
        )
        .await;
        assert!(r.starts_with("HTTP/1.1 201"), "{r}");
        let r = call(a, "GET", "/repos/octo/hello/issues/7/comments", "").await;
        assert!(r.contains(r#""body":"hi""#), "{r}");
        let r = call(
            a,
            "POST",
            "/repos/octo/hello/statuses/abc",
            r#"{"state":"nope"}"#,
        )
        .await;
        assert!(r.starts_with("HTTP/1.1 422"), "{r}");
        let r = call(
            a,
            "POST",
            "/repos/octo/hello/statuses/abc",
            r#"{"state":"success"}"#,
        )
        .await;
        assert!(r.starts_with("HTTP/1.1 201"), "{r}");
        let r = call(
            a,
            "POST",
            "/repos/other/repo/issues/7/comments",
            r#"{"body":"x"}"#,
        )
        .await;
        assert!(r.starts_with("HTTP/1.1 404"), "{r}");
        let kinds: Vec<String> = services
            .github_records()
            .into_iter()
            .map(|r| r.kind)
            .collect();
        assert_eq!(kinds, ["issue_comment", "commit_status"]);
        services.shutdown().await;
    }
}
