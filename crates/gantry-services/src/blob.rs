//! The signed upload and download URLs, in the path-style Azure Blob shape
//! the Azure Storage SDK expects (`/ACCOUNT/CONTAINER/BLOB`):
//!
//! - `PUT  /devstoreaccount1/<container>/uploads/<token>[/<name>]`: Put Blob,
//!   Put Block (`comp=block&blockid=`) and Put Block List (`comp=blocklist`);
//! - `GET  /devstoreaccount1/actions-cache/blobs/<sha256>`: a cache archive;
//! - `GET  /devstoreaccount1/actions-results/artifacts/<id>/<name>[.zip]`.
//!
//! Every URL carries `sig`, an HMAC of its path with the server's secret.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;

use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Method, Request, StatusCode};
use sha2::{Digest, Sha256};

use crate::http::{
    ApiError, MAX_SMALL_BODY, Resp, blocking, body_to_file, empty, file_response, read_small,
};
use crate::server::State;
use crate::util::{
    hex, is_sha256_hex, now_ms, parse_query, percent_encode, random_bytes, sha256_hex,
};

pub const PREFIX: &str = "/devstoreaccount1/";
pub const CACHE_CONTAINER: &str = "actions-cache";
pub const ARTIFACT_CONTAINER: &str = "actions-results";

/// A complete uploaded blob, still in the staging directory.
#[derive(Debug, Clone)]
pub(crate) struct Blob {
    pub path: PathBuf,
    pub digest: String,
    pub size: u64,
    /// `x-ms-blob-content-type`, when the client set one.
    pub content_type: Option<String>,
}

/// An upload in progress.
#[derive(Debug)]
pub(crate) struct Upload {
    pub dir: PathBuf,
    /// Staged blocks by block id.
    pub blocks: HashMap<String, PathBuf>,
    pub done: Option<Blob>,
}

/// Starts an upload: its token and the signed URL to give the client.
pub(crate) fn new_upload(
    state: &State,
    container: &str,
    name: Option<&str>,
) -> Result<(String, String), ApiError> {
    let token = hex(&random_bytes()?[..16]);
    let dir = state.staging.join(&token);
    std::fs::create_dir_all(&dir)?;
    state.lock().uploads.insert(
        token.clone(),
        Upload {
            dir,
            blocks: HashMap::new(),
            done: None,
        },
    );
    let mut path = format!("{PREFIX}{container}/uploads/{token}");
    if let Some(name) = name {
        path.push('/');
        path.push_str(&percent_encode(name));
    }
    Ok((token, state.signed_url(&path)))
}

/// Forgets an upload and removes its staged files.
pub(crate) fn drop_upload(state: &State, token: &str) {
    let upload = state.lock().uploads.remove(token);
    if let Some(upload) = upload {
        let _ = std::fs::remove_dir_all(upload.dir);
    }
}

/// The finished blob of an upload, if the client completed it.
pub(crate) fn finished(state: &State, token: &str) -> Option<Blob> {
    state.lock().uploads.get(token).and_then(|u| u.done.clone())
}

/// The signed download URL of a cache archive.
pub(crate) fn cache_url(state: &State, digest: &str) -> String {
    state.signed_url(&format!("{PREFIX}{CACHE_CONTAINER}/blobs/{digest}"))
}

/// The signed download URL of an artifact. Zips end in `.zip`, which the
/// client reads as "unzip this".
pub(crate) fn artifact_url(state: &State, artifact: &crate::Artifact) -> String {
    let suffix = if artifact.is_zip() { ".zip" } else { "" };
    state.signed_url(&format!(
        "{PREFIX}{ARTIFACT_CONTAINER}/artifacts/{}/{}{suffix}",
        artifact.id,
        percent_encode(&artifact.name)
    ))
}

pub(crate) async fn handle(state: &State, req: Request<Incoming>) -> Result<Resp, ApiError> {
    let path = req.uri().path().to_string();
    let query = parse_query(req.uri().query(), false);
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if param("sig").as_deref() != Some(state.sign(&path).as_str()) {
        return Err(ApiError::forbidden(
            "Server failed to authenticate the request: the signature does not match",
        ));
    }
    let rest = path.strip_prefix(PREFIX).unwrap_or_default();
    let parts: Vec<&str> = rest.split('/').collect();
    match (req.method().clone(), parts.as_slice()) {
        (Method::PUT, [_, "uploads", token, ..]) => {
            let token = token.to_string();
            put(state, req, &token, param("comp"), param("blockid")).await
        }
        (Method::GET, [CACHE_CONTAINER, "blobs", digest]) if is_sha256_hex(digest) => {
            file_response(&state.cache.blob_path(digest), "application/octet-stream").await
        }
        (Method::GET, [ARTIFACT_CONTAINER, "artifacts", id, _name]) => {
            let id: u64 = id
                .parse()
                .map_err(|_| ApiError::not_found("no such artifact"))?;
            let store = state.artifacts.clone();
            let artifact = blocking(move || Ok(store.get(id)?))
                .await?
                .filter(|a| !a.is_expired(now_ms()))
                .ok_or_else(|| ApiError::not_found("the artifact does not exist or has expired"))?;
            let mut resp = file_response(
                &state.artifacts.blob_path(&artifact),
                &artifact.content_type,
            )
            .await?;
            if !artifact.is_zip() {
                let disposition = format!(
                    "attachment; filename*=UTF-8''{}",
                    percent_encode(&artifact.name)
                );
                if let Ok(v) = HeaderValue::from_str(&disposition) {
                    resp.headers_mut()
                        .insert(hyper::header::CONTENT_DISPOSITION, v);
                }
            }
            Ok(resp)
        }
        _ => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "unsupported",
            format!("{} {path} is not supported", req.method()),
        )),
    }
}

async fn put(
    state: &State,
    req: Request<Incoming>,
    token: &str,
    comp: Option<String>,
    block_id: Option<String>,
) -> Result<Resp, ApiError> {
    let dir = state
        .lock()
        .uploads
        .get(token)
        .map(|u| u.dir.clone())
        .ok_or_else(|| ApiError::not_found("the upload is finished or unknown"))?;
    let content_type = req
        .headers()
        .get("x-ms-blob-content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match comp.as_deref() {
        None => {
            let target = dir.join(format!("blob-{}", hex(&random_bytes()?[..8])));
            let (digest, size) = body_to_file(req.into_body(), &target).await?;
            let blob = Blob {
                path: target,
                digest,
                size,
                content_type,
            };
            set_done(state, token, blob);
            Ok(created())
        }
        Some("block") => {
            let id = block_id
                .filter(|b| !b.is_empty() && b.len() <= 1024)
                .ok_or_else(|| ApiError::bad_request("Put Block needs a blockid"))?;
            let target = dir.join(format!("block-{}", sha256_hex(id.as_bytes())));
            body_to_file(req.into_body(), &target).await?;
            if let Some(upload) = state.lock().uploads.get_mut(token) {
                upload.blocks.insert(id, target);
            }
            Ok(created())
        }
        Some("blocklist") => {
            let xml = read_small(req.into_body(), MAX_SMALL_BODY).await?;
            let xml = std::str::from_utf8(&xml)
                .map_err(|_| ApiError::bad_request("the block list is not UTF-8"))?;
            let ids = parse_block_list(xml)?;
            let parts: Vec<PathBuf> = {
                let inner = state.lock();
                let upload = inner
                    .uploads
                    .get(token)
                    .ok_or_else(|| ApiError::not_found("the upload is finished or unknown"))?;
                ids.iter()
                    .map(|id| {
                        upload.blocks.get(id).cloned().ok_or_else(|| {
                            ApiError::bad_request(format!(
                                "InvalidBlockList: block {id} was not uploaded"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?
            };
            let target = dir.join(format!("blob-{}", hex(&random_bytes()?[..8])));
            let out = target.clone();
            let (digest, size) = blocking(move || Ok(concatenate(&parts, &out)?)).await?;
            let blob = Blob {
                path: target,
                digest,
                size,
                content_type,
            };
            set_done(state, token, blob);
            Ok(created())
        }
        Some(other) => Err(ApiError::bad_request(format!(
            "comp={other} is not supported"
        ))),
    }
}

fn set_done(state: &State, token: &str, blob: Blob) {
    let mut inner = state.lock();
    if let Some(upload) = inner.uploads.get_mut(token) {
        for (_, block) in upload.blocks.drain() {
            let _ = std::fs::remove_file(block);
        }
        if let Some(old) = upload.done.replace(blob) {
            let _ = std::fs::remove_file(old.path);
        }
    }
}

fn created() -> Resp {
    let mut resp = empty(StatusCode::CREATED);
    let h = resp.headers_mut();
    let now = now_ms();
    if let Ok(v) = HeaderValue::from_str(&format!("\"0x{now:X}\"")) {
        h.insert(hyper::header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&http_date(now)) {
        h.insert(hyper::header::LAST_MODIFIED, v);
    }
    h.insert("x-ms-version", HeaderValue::from_static("2025-01-05"));
    h.insert(
        "x-ms-request-server-encrypted",
        HeaderValue::from_static("true"),
    );
    h.insert(hyper::header::CONTENT_LENGTH, HeaderValue::from(0));
    resp
}

/// `Wed, 21 Oct 2015 07:28:00 GMT`.
fn http_date(ms: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let iso = crate::util::rfc3339(ms);
    let weekday = DAYS[usize::try_from((ms / 86_400_000) % 7).unwrap_or(0)];
    let month: usize = iso.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    format!(
        "{weekday}, {} {} {} {} GMT",
        iso.get(8..10).unwrap_or("01"),
        MONTHS[month.clamp(1, 12) - 1],
        iso.get(0..4).unwrap_or("1970"),
        iso.get(11..19).unwrap_or("00:00:00")
    )
}

/// The block ids of a Put Block List body, in order.
fn parse_block_list(xml: &str) -> Result<Vec<String>, ApiError> {
    let mut ids = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[..close];
        rest = &rest[close + 1..];
        if matches!(tag, "Latest" | "Committed" | "Uncommitted") {
            let end = format!("</{tag}>");
            let Some(stop) = rest.find(&end) else {
                return Err(ApiError::bad_request(format!(
                    "InvalidXmlDocument: <{tag}> is not closed"
                )));
            };
            let id = rest[..stop].trim();
            ids.push(xml_unescape(id));
            rest = &rest[stop + end.len()..];
        }
    }
    if ids.is_empty() && !xml.contains("<BlockList") {
        return Err(ApiError::bad_request("InvalidXmlDocument: no <BlockList>"));
    }
    Ok(ids)
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Concatenates `parts` into the new file `out`, synced: `(sha256, size)`.
fn concatenate(parts: &[PathBuf], out: &std::path::Path) -> io::Result<(String, u64)> {
    let mut dest = File::create(out)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    for part in parts {
        let mut src = File::open(part)?;
        loop {
            let n = src.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            dest.write_all(&buf[..n])?;
            size += n as u64;
        }
    }
    dest.sync_all()?;
    Ok((hex(&hasher.finalize()), size))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn block_lists_keep_order() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><BlockList><Latest>QUJD</Latest><Latest>REVG</Latest><Committed>R0hJ</Committed></BlockList>"#;
        assert_eq!(parse_block_list(xml).unwrap(), ["QUJD", "REVG", "R0hJ"]);
        assert_eq!(
            parse_block_list("<BlockList></BlockList>").unwrap(),
            Vec::<String>::new()
        );
        assert!(parse_block_list("<BlockList><Latest>x</BlockList>").is_err());
        assert!(parse_block_list("garbage").is_err());
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            http_date(1_445_412_480_000),
            "Wed, 21 Oct 2015 07:28:00 GMT"
        );
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
