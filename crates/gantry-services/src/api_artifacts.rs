//! The Twirp `ArtifactService` (artifacts v4): CreateArtifact,
//! FinalizeArtifact, ListArtifacts, GetSignedArtifactURL, DeleteArtifact.

use hyper::Request;
use hyper::body::Incoming;
use serde_json::{Value, json};

use crate::artifacts::{Artifact, NewArtifact, ZIP, expiry};
use crate::blob::{self, ARTIFACT_CONTAINER};
use crate::http::{ApiError, blocking, opt_i64, opt_str, read_json, req_str};
use crate::server::{JobToken, State};
use crate::token;
use crate::util::{now_ms, parse_rfc3339, rfc3339};

/// An artifact created and not yet finalized.
#[derive(Debug)]
pub(crate) struct PendingArtifact {
    pub job: String,
    pub expires_ms: u64,
    pub mime_type: Option<String>,
    pub upload: String,
}

/// Characters the client refuses in names (and so does the service).
const FORBIDDEN: &[char] = &['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'];

fn check_name(name: &str) -> Result<(), ApiError> {
    if let Some(c) = name.chars().find(|c| FORBIDDEN.contains(c)) {
        return Err(ApiError::bad_request(format!(
            "The artifact name {name:?} contains the character {c:?}, which is not allowed: {}",
            r#"" : < > | * ? \r \n \ /"#
        )));
    }
    if name.chars().count() > 256 {
        return Err(ApiError::bad_request(
            "an artifact name is at most 256 characters",
        ));
    }
    Ok(())
}

pub(crate) async fn twirp(
    state: &State,
    req: Request<Incoming>,
    method: String,
) -> Result<Value, ApiError> {
    let job = state.authorize(&req)?;
    let body = read_json(req.into_body()).await?;
    let run = req_str(&body, "workflow_run_backend_id")?;
    let job_id = req_str(&body, "workflow_job_run_backend_id")?;
    // Creating and finalizing act for the calling job. Reading and deleting
    // name an artifact of the run: the client sends the ids listed with it,
    // those of the job that uploaded it (download-artifact in a later job).
    let own_job = matches!(method.as_str(), "CreateArtifact" | "FinalizeArtifact");
    if run != state.run_backend_id || (own_job && job_id != job.job_backend_id) {
        return Err(ApiError::forbidden(
            "workflow_run_backend_id and workflow_job_run_backend_id do not match the token",
        ));
    }
    match method.as_str() {
        "CreateArtifact" => create(state, &job, &body),
        "FinalizeArtifact" => finalize(state, &body).await,
        "ListArtifacts" => list(state, &body).await,
        "GetSignedArtifactURL" => {
            let artifact = find(state, &req_str(&body, "name")?).await?;
            Ok(json!({"signed_url": blob::artifact_url(state, &artifact)}))
        }
        "DeleteArtifact" => {
            let artifact = find(state, &req_str(&body, "name")?).await?;
            let store = state.artifacts.clone();
            let id = artifact.id;
            blocking(move || Ok(store.delete(&artifact)?)).await?;
            Ok(json!({"ok": true, "artifact_id": id.to_string()}))
        }
        other => Err(ApiError::not_found(format!(
            "ArtifactService has no method {other}"
        ))),
    }
}

fn create(state: &State, job: &JobToken, body: &Value) -> Result<Value, ApiError> {
    let name = req_str(body, "name")?;
    check_name(&name)?;
    let now = now_ms();
    let max = expiry(now, state.config.max_retention_days);
    let expires_ms = match opt_str(body, "expires_at")? {
        None => expiry(now, state.config.default_retention_days),
        Some(text) => {
            let at = parse_rfc3339(&text).ok_or_else(|| {
                ApiError::bad_request(format!("`expires_at` is not an RFC 3339 timestamp: {text}"))
            })?;
            if at <= now {
                return Err(ApiError::bad_request(format!(
                    "`expires_at` {text} is in the past"
                )));
            }
            at.min(max)
        }
    };
    if state.artifacts.find(state.config.run_id, &name)?.is_some() {
        return Err(ApiError::conflict(format!(
            "an artifact with this name already exists on the workflow run: {name}"
        )));
    }
    let (upload, url) = blob::new_upload(state, ARTIFACT_CONTAINER, Some(&name))?;
    let previous = state.lock().pending.insert(
        name,
        PendingArtifact {
            job: job.job.clone(),
            expires_ms,
            mime_type: opt_str(body, "mime_type")?,
            upload,
        },
    );
    // A new attempt at the same name replaces the unfinished one.
    if let Some(previous) = previous {
        blob::drop_upload(state, &previous.upload);
    }
    Ok(json!({"ok": true, "signed_upload_url": url}))
}

async fn finalize(state: &State, body: &Value) -> Result<Value, ApiError> {
    let name = req_str(body, "name")?;
    let (job, expires_ms, mime_type, upload) = {
        let inner = state.lock();
        let p = inner.pending.get(&name).ok_or_else(|| {
            ApiError::not_found(format!("no artifact named {name} is being uploaded"))
        })?;
        (
            p.job.clone(),
            p.expires_ms,
            p.mime_type.clone(),
            p.upload.clone(),
        )
    };
    let blob = blob::finished(state, &upload)
        .ok_or_else(|| ApiError::bad_request(format!("artifact {name}: nothing was uploaded")))?;
    if let Some(size) = opt_i64(body, "size")?
        && u64::try_from(size).ok() != Some(blob.size)
    {
        return Err(ApiError::bad_request(format!(
            "artifact {name}: finalized with size {size}, but {} bytes were uploaded",
            blob.size
        )));
    }
    if let Some(hash) = opt_str(body, "hash")? {
        let hex = hash.strip_prefix("sha256:").unwrap_or(&hash);
        if !hex.eq_ignore_ascii_case(&blob.digest) {
            return Err(ApiError::bad_request(format!(
                "artifact {name}: finalized with hash {hash}, but the upload's is sha256:{}",
                blob.digest
            )));
        }
    }
    let content_type = blob
        .content_type
        .clone()
        .or(mime_type)
        .unwrap_or_else(|| ZIP.to_string());
    let new = NewArtifact {
        run_id: state.config.run_id,
        name: name.clone(),
        content_type,
        expires_ms,
        job,
    };
    let store = state.artifacts.clone();
    let result = blocking(move || Ok(store.add(new, &blob.path, &blob.digest, blob.size)?)).await;
    state.lock().pending.remove(&name);
    blob::drop_upload(state, &upload);
    let artifact = result?;
    Ok(json!({"ok": true, "artifact_id": artifact.id.to_string()}))
}

async fn list(state: &State, body: &Value) -> Result<Value, ApiError> {
    let name_filter = opt_str(body, "name_filter")?;
    let id_filter = opt_i64(body, "id_filter")?;
    let store = state.artifacts.clone();
    let run_id = state.config.run_id;
    let now = now_ms();
    let artifacts = blocking(move || Ok(store.list(Some(run_id))?)).await?;
    let listed: Vec<Value> = artifacts
        .iter()
        .filter(|a| !a.is_expired(now))
        .filter(|a| name_filter.as_ref().is_none_or(|n| &a.name == n))
        .filter(|a| id_filter.is_none_or(|id| i64::try_from(a.id).ok() == Some(id)))
        .map(|a| monolith(state, a))
        .collect();
    Ok(json!({"artifacts": listed}))
}

fn monolith(state: &State, a: &Artifact) -> Value {
    json!({
        "workflow_run_backend_id": state.run_backend_id,
        "workflow_job_run_backend_id": token::backend_id(&format!("{}\0{}", state.run_backend_id, a.job)),
        "database_id": a.id.to_string(),
        "name": a.name,
        "size": a.size.to_string(),
        "created_at": rfc3339(a.created_ms),
        "digest": format!("sha256:{}", a.digest),
    })
}

async fn find(state: &State, name: &str) -> Result<Artifact, ApiError> {
    let store = state.artifacts.clone();
    let run_id = state.config.run_id;
    let owned = name.to_string();
    blocking(move || Ok(store.find(run_id, &owned)?))
        .await?
        .filter(|a| !a.is_expired(now_ms()))
        .ok_or_else(|| ApiError::not_found(format!("no artifact named {name} in this run")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("my-art 1.2").is_ok());
        for bad in ["a/b", "a:b", "a\\b", "a\nb", "what?"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
