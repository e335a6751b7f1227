//! The cache service: the legacy REST API (v1, `_apis/artifactcache/`) and
//! the Twirp `CacheService` (v2). Both save into the run's ref scope and
//! look up through [`crate::ServicesConfig::cache_scopes`].

use std::path::PathBuf;

use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde_json::{Value, json};

use crate::blob::{self, CACHE_CONTAINER};
use crate::cache::CacheEntry;
use crate::error::StoreError;
use crate::http::{
    ApiError, Resp, blocking, body_to_file_at, empty, opt_i64, read_json, req_str, str_list,
};
use crate::server::State;
use crate::util::{parse_query, rfc3339};

/// The client's limits on keys.
const MAX_KEY_LEN: usize = 512;
const MAX_KEYS: usize = 10;

/// A save in progress.
#[derive(Debug)]
pub(crate) struct Reservation {
    pub key: String,
    pub version: String,
    pub kind: Kind,
}

#[derive(Debug)]
pub(crate) enum Kind {
    /// v1: chunks are written at their offsets into this file.
    V1 { file: PathBuf },
    /// v2: the archive arrives through this upload.
    V2 { upload: String },
}

fn check_key(key: &str) -> Result<(), ApiError> {
    if key.is_empty() {
        return Err(ApiError::bad_request("a cache key must not be empty"));
    }
    if key.chars().count() > MAX_KEY_LEN {
        return Err(ApiError::bad_request(format!(
            "Key Validation Error: {key} cannot be larger than {MAX_KEY_LEN} characters."
        )));
    }
    if key.contains(',') {
        return Err(ApiError::bad_request(format!(
            "Key Validation Error: {key} cannot contain commas."
        )));
    }
    Ok(())
}

fn check_keys(keys: &[String]) -> Result<(), ApiError> {
    if keys.len() > MAX_KEYS {
        return Err(ApiError::bad_request(format!(
            "Key Validation Error: Keys are limited to a maximum of {MAX_KEYS}."
        )));
    }
    keys.iter().try_for_each(|k| check_key(k))
}

/// Looks up `keys` and marks the match as used.
async fn lookup(
    state: &State,
    keys: Vec<String>,
    version: String,
) -> Result<Option<CacheEntry>, ApiError> {
    let store = state.cache.clone();
    let scopes = state.scopes.clone();
    blocking(move || {
        let found = store.lookup(&keys, &version, &scopes)?;
        if let Some(entry) = &found {
            store.touch(entry, crate::util::now_ms())?;
        }
        Ok(found)
    })
    .await
}

/// Starts a save, or says why not (the message the clients show).
fn reserve(
    state: &State,
    key: &str,
    version: &str,
    size: Option<i64>,
    v1: bool,
) -> Result<(u64, Option<String>), ApiError> {
    check_key(key)?;
    if version.is_empty() {
        return Err(ApiError::bad_request("a cache version is required"));
    }
    let limit = state.cache.limits().max_total_bytes;
    if let Some(size) = size
        .and_then(|s| u64::try_from(s).ok())
        .filter(|s| *s > limit)
    {
        return Err(ApiError::bad_request(format!(
            "Cache size of ~{} MB ({size} B) is over the {} MB limit, not saving cache.",
            size / (1024 * 1024),
            limit / (1024 * 1024)
        )));
    }
    let scope = &state.scopes[0];
    if state.cache.exists(scope, key, version) {
        return Err(StoreError::CacheExists {
            scope: scope.clone(),
            key: key.into(),
            version: version.into(),
        }
        .into());
    }
    if state
        .lock()
        .reservations
        .values()
        .any(|r| r.key == key && r.version == version)
    {
        return Err(ApiError::conflict(format!(
            "Cache is being saved by another job. Scope: {scope}, Key: {key}, Version: {version}"
        )));
    }
    let id = state.next_id();
    let (kind, url) = if v1 {
        let file = state.staging.join(format!("v1-cache-{id}"));
        std::fs::File::create(&file)?;
        (Kind::V1 { file }, None)
    } else {
        let (upload, url) = blob::new_upload(state, CACHE_CONTAINER, None)?;
        (Kind::V2 { upload }, Some(url))
    };
    state.lock().reservations.insert(
        id,
        Reservation {
            key: key.into(),
            version: version.into(),
            kind,
        },
    );
    Ok((id, url))
}

/// Drops a reservation and its staged data.
fn release(state: &State, id: u64) {
    let reservation = state.lock().reservations.remove(&id);
    match reservation.map(|r| r.kind) {
        Some(Kind::V1 { file }) => {
            let _ = std::fs::remove_file(file);
        }
        Some(Kind::V2 { upload }) => blob::drop_upload(state, &upload),
        None => {}
    }
}

/// Commits the archive `file` for reservation `id`.
async fn commit(
    state: &State,
    id: u64,
    file: PathBuf,
    digest: Option<(String, u64)>,
) -> Result<CacheEntry, ApiError> {
    let (key, version) = {
        let inner = state.lock();
        let r = inner
            .reservations
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("no cache reservation {id}")))?;
        (r.key.clone(), r.version.clone())
    };
    let store = state.cache.clone();
    let scope = state.scopes[0].clone();
    let result = blocking(move || {
        let digest = digest.as_ref().map(|(d, s)| (d.as_str(), *s));
        Ok(store.commit(&scope, &key, &version, &file, digest)?)
    })
    .await;
    release(state, id);
    result
}

// ---------------------------------------------------------------------------
// v1: legacy REST

pub(crate) async fn rest(
    state: &State,
    req: Request<Incoming>,
    rest: &str,
) -> Result<Resp, ApiError> {
    state.authorize(&req)?;
    let query = parse_query(req.uri().query(), false);
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let segments: Vec<&str> = rest.split('/').collect();
    match (req.method().clone(), segments.as_slice()) {
        (Method::GET, ["cache"]) => {
            let keys: Vec<String> = param("keys")
                .ok_or_else(|| ApiError::bad_request("`keys` is required"))?
                .split(',')
                .map(str::to_string)
                .collect();
            check_keys(&keys)?;
            let version = param("version")
                .filter(|v| !v.is_empty())
                .ok_or_else(|| ApiError::bad_request("`version` is required"))?;
            match lookup(state, keys, version).await? {
                None => Ok(empty(StatusCode::NO_CONTENT)),
                Some(entry) => Ok(crate::http::json(StatusCode::OK, &v1_entry(state, &entry))),
            }
        }
        (Method::GET, ["caches"]) => {
            let key = param("key").ok_or_else(|| ApiError::bad_request("`key` is required"))?;
            let store = state.cache.clone();
            let scopes = state.scopes.clone();
            let entries = blocking(move || Ok(store.with_key(&key, &scopes)?)).await?;
            let list: Vec<Value> = entries.iter().map(|e| v1_entry(state, e)).collect();
            Ok(crate::http::json(
                StatusCode::OK,
                &json!({"totalCount": list.len(), "artifactCaches": list}),
            ))
        }
        (Method::POST, ["caches"]) => {
            let body = read_json(req.into_body()).await?;
            let key = req_str(&body, "key")?;
            let version = req_str(&body, "version")?;
            let size = opt_i64(&body, "cacheSize")?;
            let (id, _) = reserve(state, &key, &version, size, true)?;
            Ok(crate::http::json(
                StatusCode::CREATED,
                &json!({"cacheId": id}),
            ))
        }
        (Method::PATCH, ["caches", id]) => {
            let id: u64 = id
                .parse()
                .map_err(|_| ApiError::bad_request("the cache id must be a number"))?;
            let file = v1_file(state, id)?;
            let range = req
                .headers()
                .get(hyper::header::CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .ok_or_else(|| ApiError::bad_request("Content-Range is required"))?;
            let (start, end) = parse_content_range(&range)?;
            let written = body_to_file_at(req.into_body(), &file, start).await?;
            if written != end - start + 1 {
                return Err(ApiError::bad_request(format!(
                    "Content-Range {range} announces {} bytes, the body had {written}",
                    end - start + 1
                )));
            }
            Ok(empty(StatusCode::NO_CONTENT))
        }
        (Method::POST, ["caches", id]) => {
            let id: u64 = id
                .parse()
                .map_err(|_| ApiError::bad_request("the cache id must be a number"))?;
            let file = v1_file(state, id)?;
            let body = read_json(req.into_body()).await?;
            let size = opt_i64(&body, "size")?
                .ok_or_else(|| ApiError::bad_request("`size` is required"))?;
            let actual = std::fs::metadata(&file)?.len();
            if u64::try_from(size).ok() != Some(actual) {
                release(state, id);
                return Err(ApiError::bad_request(format!(
                    "Cache size mismatch: committed {size} bytes, uploaded {actual}"
                )));
            }
            commit(state, id, file, None).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        _ => Err(ApiError::not_found(format!(
            "no cache API at {} _apis/artifactcache/{rest}",
            req.method()
        ))),
    }
}

fn v1_file(state: &State, id: u64) -> Result<PathBuf, ApiError> {
    match state.lock().reservations.get(&id).map(|r| &r.kind) {
        Some(Kind::V1 { file }) => Ok(file.clone()),
        _ => Err(ApiError::not_found(format!("no cache reservation {id}"))),
    }
}

fn v1_entry(state: &State, e: &CacheEntry) -> Value {
    json!({
        "cacheKey": e.key,
        "scope": e.scope,
        "cacheVersion": e.version,
        "creationTime": rfc3339(e.created_ms),
        "archiveLocation": blob::cache_url(state, &e.digest),
    })
}

/// `bytes START-END/*` (or `/TOTAL`).
fn parse_content_range(range: &str) -> Result<(u64, u64), ApiError> {
    let bad = || ApiError::bad_request(format!("malformed Content-Range: {range}"));
    let spec = range.trim().strip_prefix("bytes ").ok_or_else(bad)?;
    let (span, _) = spec.split_once('/').ok_or_else(bad)?;
    let (s, e) = span.split_once('-').ok_or_else(bad)?;
    let start: u64 = s.trim().parse().map_err(|_| bad())?;
    let end: u64 = e.trim().parse().map_err(|_| bad())?;
    if end < start {
        return Err(bad());
    }
    Ok((start, end))
}

// ---------------------------------------------------------------------------
// v2: Twirp CacheService

pub(crate) async fn twirp(
    state: &State,
    req: Request<Incoming>,
    method: String,
) -> Result<Value, ApiError> {
    state.authorize(&req)?;
    let body = read_json(req.into_body()).await?;
    match method.as_str() {
        "GetCacheEntryDownloadURL" => {
            let key = req_str(&body, "key")?;
            let version = req_str(&body, "version")?;
            let mut keys = vec![key];
            keys.extend(str_list(&body, "restore_keys")?);
            check_keys(&keys)?;
            Ok(match lookup(state, keys, version).await? {
                None => json!({"ok": false, "signed_download_url": "", "matched_key": ""}),
                Some(e) => json!({
                    "ok": true,
                    "signed_download_url": blob::cache_url(state, &e.digest),
                    "matched_key": e.key,
                }),
            })
        }
        "CreateCacheEntry" => {
            let key = req_str(&body, "key")?;
            let version = req_str(&body, "version")?;
            match reserve(state, &key, &version, None, false) {
                Ok((_, url)) => {
                    Ok(json!({"ok": true, "signed_upload_url": url.unwrap_or_default()}))
                }
                Err(e) if e.status == StatusCode::CONFLICT => {
                    Ok(json!({"ok": false, "message": e.msg}))
                }
                Err(e) => Err(e),
            }
        }
        "FinalizeCacheEntryUpload" => {
            let key = req_str(&body, "key")?;
            let version = req_str(&body, "version")?;
            let size = opt_i64(&body, "size_bytes")?.unwrap_or(0);
            let found = state
                .lock()
                .reservations
                .iter()
                .find_map(|(id, r)| match &r.kind {
                    Kind::V2 { upload } if r.key == key && r.version == version => {
                        Some((*id, upload.clone()))
                    }
                    _ => None,
                });
            let Some((id, upload)) = found else {
                return Ok(
                    json!({"ok": false, "message": format!("no cache entry is being created for key {key}")}),
                );
            };
            let Some(blob) = blob::finished(state, &upload) else {
                release(state, id);
                return Ok(json!({"ok": false, "message": "the cache archive was not uploaded"}));
            };
            if u64::try_from(size).ok() != Some(blob.size) {
                release(state, id);
                return Ok(json!({"ok": false, "message": format!(
                    "size mismatch: finalized {size} bytes, uploaded {}", blob.size
                )}));
            }
            let limit = state.cache.limits().max_total_bytes;
            if blob.size > limit {
                release(state, id);
                return Ok(json!({"ok": false, "message": format!(
                    "Cache size of ~{} MB ({} B) is over the {} MB limit, not saving cache.",
                    blob.size / (1024 * 1024),
                    blob.size,
                    limit / (1024 * 1024)
                )}));
            }
            match commit(state, id, blob.path, Some((blob.digest, blob.size))).await {
                Ok(entry) => Ok(json!({"ok": true, "entry_id": entry.id.to_string()})),
                Err(e) if e.status == StatusCode::CONFLICT => {
                    Ok(json!({"ok": false, "message": e.msg}))
                }
                Err(e) => Err(e),
            }
        }
        other => Err(ApiError::not_found(format!(
            "CacheService has no method {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(parse_content_range("bytes 0-99/*").unwrap(), (0, 99));
        assert_eq!(
            parse_content_range("bytes 100-199/200").unwrap(),
            (100, 199)
        );
        assert!(parse_content_range("bytes 9-1/*").is_err());
        assert!(parse_content_range("items 0-1/*").is_err());
        assert!(parse_content_range("bytes x-1/*").is_err());
    }

    #[test]
    fn keys_are_validated_as_the_client_does() {
        assert!(check_key("linux-deps-abc").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("a,b").is_err());
        assert!(check_key(&"k".repeat(513)).is_err());
        let many: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        assert!(check_keys(&many).is_err());
    }
}
