//! The few GitHub REST API routes `@actions/artifact` uses to reach another
//! run's artifacts (download-artifact with `run-id` and `github-token`),
//! served when `GITHUB_API_URL` points at the services:
//!
//! - `GET    /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts[?name=&per_page=&page=]`
//! - `GET    /repos/{owner}/{repo}/actions/artifacts[?name=&per_page=&page=]`
//! - `GET    /repos/{owner}/{repo}/actions/artifacts/{id}`
//! - `GET    /repos/{owner}/{repo}/actions/artifacts/{id}/zip` (302 to the signed URL)
//! - `DELETE /repos/{owner}/{repo}/actions/artifacts/{id}`
//!
//! Only the run's own repository is known; any token is accepted.

use hyper::body::Incoming;
use hyper::header::{HeaderValue, LOCATION};
use hyper::{Method, Request, StatusCode};
use serde_json::{Value, json};

use crate::artifacts::Artifact;
use crate::blob;
use crate::http::{ApiError, Resp, blocking, empty, json as json_resp};
use crate::server::State;
use crate::util::{now_ms, parse_query, rfc3339};

pub(crate) async fn handle(
    state: &State,
    req: Request<Incoming>,
    rest: &str,
) -> Result<Resp, ApiError> {
    let parts: Vec<&str> = rest.split('/').collect();
    let (owner, repo, tail) = match parts.as_slice() {
        [owner, repo, "actions", tail @ ..] => (*owner, *repo, tail),
        _ => return Err(ApiError::not_found("Not Found")),
    };
    if !format!("{owner}/{repo}").eq_ignore_ascii_case(&state.config.repository) {
        return Err(ApiError::not_found("Not Found"));
    }
    let query = parse_query(req.uri().query(), true);
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let store = state.artifacts.clone();
    let all = blocking(move || Ok(store.list(None)?)).await?;
    let by_id = |id: &str| -> Result<Artifact, ApiError> {
        let id: u64 = id.parse().map_err(|_| ApiError::not_found("Not Found"))?;
        all.iter()
            .find(|a| a.id == id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("Not Found"))
    };
    match (req.method().clone(), tail) {
        (Method::GET, ["runs", run_id, "artifacts"]) => {
            let run_id: u64 = run_id
                .parse()
                .map_err(|_| ApiError::not_found("Not Found"))?;
            let mut list: Vec<&Artifact> = all.iter().filter(|a| a.run_id == run_id).collect();
            list.reverse();
            page(state, list, param("name"), param("per_page"), param("page"))
        }
        (Method::GET, ["artifacts"]) => {
            let mut list: Vec<&Artifact> = all.iter().collect();
            list.reverse();
            page(state, list, param("name"), param("per_page"), param("page"))
        }
        (Method::GET, ["artifacts", id]) => {
            Ok(json_resp(StatusCode::OK, &describe(state, &by_id(id)?)))
        }
        (Method::GET, ["artifacts", id, format]) => {
            if *format != "zip" {
                return Err(ApiError::not_found("Not Found"));
            }
            let artifact = by_id(id)?;
            if artifact.is_expired(now_ms()) {
                return Err(ApiError::new(
                    StatusCode::GONE,
                    "gone",
                    "Artifact has expired",
                ));
            }
            let mut resp = empty(StatusCode::FOUND);
            let url = blob::artifact_url(state, &artifact);
            let v = HeaderValue::from_str(&url).map_err(|e| ApiError::internal(e.to_string()))?;
            resp.headers_mut().insert(LOCATION, v);
            Ok(resp)
        }
        (Method::DELETE, ["artifacts", id]) => {
            let artifact = by_id(id)?;
            let store = state.artifacts.clone();
            blocking(move || Ok(store.delete(&artifact)?)).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        _ => Err(ApiError::not_found("Not Found")),
    }
}

fn page(
    state: &State,
    list: Vec<&Artifact>,
    name: Option<String>,
    per_page: Option<String>,
    page: Option<String>,
) -> Result<Resp, ApiError> {
    let per_page: usize = per_page
        .and_then(|p| p.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page: usize = page.and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let matching: Vec<&Artifact> = list
        .into_iter()
        .filter(|a| name.as_ref().is_none_or(|n| &a.name == n))
        .collect();
    let items: Vec<Value> = matching
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|a| describe(state, a))
        .collect();
    Ok(json_resp(
        StatusCode::OK,
        &json!({"total_count": matching.len(), "artifacts": items}),
    ))
}

/// An artifact as the REST API describes it.
fn describe(state: &State, a: &Artifact) -> Value {
    let api = format!(
        "{}/repos/{}/actions/artifacts/{}",
        state.origin(),
        state.config.repository,
        a.id
    );
    json!({
        "id": a.id,
        "node_id": format!("MDg6QXJ0aWZhY3R{}", a.id),
        "name": a.name,
        "size_in_bytes": a.size,
        "url": api,
        "archive_download_url": format!("{api}/zip"),
        "expired": a.is_expired(now_ms()),
        "digest": format!("sha256:{}", a.digest),
        "created_at": rfc3339(a.created_ms),
        "updated_at": rfc3339(a.created_ms),
        "expires_at": rfc3339(a.expires_ms),
        "workflow_run": {"id": a.run_id},
    })
}
