//! HTTP plumbing: bodies in and out, errors, streaming to and from files.

use std::io;
use std::path::Path;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::error::StoreError;
use crate::util::hex;

pub type Body = BoxBody<Bytes, io::Error>;
pub type Resp = Response<Body>;

/// The largest JSON or XML request body accepted.
pub const MAX_SMALL_BODY: usize = 4 * 1024 * 1024;

/// A request that failed, with the status and a Twirp-style code.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub msg: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, msg: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            msg: msg.into(),
        }
    }
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_argument", msg)
    }
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", msg)
    }
    pub fn conflict(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "already_exists", msg)
    }
    pub fn unauthenticated(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", msg)
    }
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "permission_denied", msg)
    }
    pub fn internal(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", msg)
    }

    /// As a Twirp error body: `{"code": ..., "msg": ...}`.
    pub fn twirp(&self) -> Resp {
        json(
            self.status,
            &serde_json::json!({"code": self.code, "msg": self.msg}),
        )
    }

    /// As the legacy REST API's error body.
    pub fn rest(&self) -> Resp {
        json(
            self.status,
            &serde_json::json!({"$id": "1", "innerException": null, "message": self.msg, "typeName": self.code, "typeKey": self.code, "errorCode": 0, "eventId": 3000}),
        )
    }

    /// As an Azure Storage error body.
    pub fn azure(&self) -> Resp {
        let code = match self.status {
            StatusCode::FORBIDDEN => "AuthenticationFailed",
            StatusCode::NOT_FOUND => "BlobNotFound",
            StatusCode::BAD_REQUEST => "InvalidInput",
            _ => "InternalError",
        };
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{}</Message></Error>",
            xml_escape(&self.msg)
        );
        let mut resp = full(self.status, "application/xml", Bytes::from(xml));
        if let Ok(v) = HeaderValue::from_str(code) {
            resp.headers_mut().insert("x-ms-error-code", v);
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::CacheExists { .. } | StoreError::ArtifactExists { .. } => {
                ApiError::conflict(e.to_string())
            }
            StoreError::ArtifactNotFound { .. } => ApiError::not_found(e.to_string()),
            _ => ApiError::internal(e.to_string()),
        }
    }
}

impl From<io::Error> for ApiError {
    fn from(e: io::Error) -> Self {
        ApiError::internal(e.to_string())
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A response with `bytes` as its body.
pub fn full(status: StatusCode, content_type: &str, bytes: Bytes) -> Resp {
    let len = bytes.len();
    let mut resp = Response::new(Full::new(bytes).map_err(|never| match never {}).boxed());
    *resp.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(CONTENT_TYPE, v);
    }
    resp.headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

/// A JSON response.
pub fn json(status: StatusCode, value: &serde_json::Value) -> Resp {
    full(
        status,
        "application/json",
        Bytes::from(value.to_string().into_bytes()),
    )
}

/// A response without a body.
pub fn empty(status: StatusCode) -> Resp {
    let mut resp = Response::new(
        Full::new(Bytes::new())
            .map_err(|never| match never {})
            .boxed(),
    );
    *resp.status_mut() = status;
    resp
}

/// Reads a small body whole, refusing more than `limit` bytes.
pub async fn read_small(mut body: Incoming, limit: usize) -> Result<Bytes, ApiError> {
    let mut buf = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::bad_request(format!("reading the body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "invalid_argument",
                    format!("request body over {limit} bytes"),
                ));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}

/// Reads a JSON body.
pub async fn read_json(body: Incoming) -> Result<serde_json::Value, ApiError> {
    let bytes = read_small(body, MAX_SMALL_BODY).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::json!({}));
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    }
    Ok(value)
}

/// Streams `body` into a new file at `path`: `(sha256 hex, size)`.
pub async fn body_to_file(mut body: Incoming, path: &Path) -> Result<(String, u64), ApiError> {
    let file = tokio::fs::File::create(path).await?;
    let mut out = tokio::io::BufWriter::with_capacity(1 << 20, file);
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::bad_request(format!("reading the body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            hasher.update(&data);
            size += data.len() as u64;
            out.write_all(&data).await?;
        }
    }
    out.flush().await?;
    out.into_inner().sync_all().await?;
    Ok((hex(&hasher.finalize()), size))
}

/// Streams `body` into the existing (or new) file at `path` from byte
/// `offset`: the bytes written.
pub async fn body_to_file_at(
    mut body: Incoming,
    path: &Path,
    offset: u64,
) -> Result<u64, ApiError> {
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .await?;
    file.seek(io::SeekFrom::Start(offset)).await?;
    let mut out = tokio::io::BufWriter::with_capacity(1 << 20, file);
    let mut size = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::bad_request(format!("reading the body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            size += data.len() as u64;
            out.write_all(&data).await?;
        }
    }
    out.flush().await?;
    Ok(size)
}

/// A 200 response streaming the file at `path`.
pub async fn file_response(path: &Path, content_type: &str) -> Result<Resp, ApiError> {
    let mut file = match tokio::fs::File::open(path).await {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(ApiError::not_found("the blob does not exist (evicted?)"));
        }
        Err(e) => return Err(e.into()),
    };
    let len = file.metadata().await?.len();
    let (mut tx, rx) = http_body_util::channel::Channel::<Bytes, io::Error>::new(4);
    tokio::spawn(async move {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            match file.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => {
                    if tx
                        .send(Frame::data(Bytes::copy_from_slice(&buf[..n])))
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
                Err(e) => {
                    tx.abort(e);
                    break;
                }
            }
        }
    });
    let mut resp = Response::new(rx.boxed());
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(CONTENT_TYPE, v);
    }
    resp.headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(len));
    Ok(resp)
}

/// The value of Twirp field `name` (snake_case, or its lowerCamelCase form).
pub fn field<'a>(body: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    if let Some(v) = body.get(name).filter(|v| !v.is_null()) {
        return Some(v);
    }
    let mut camel = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            camel.extend(c.to_uppercase());
            upper = false;
        } else {
            camel.push(c);
        }
    }
    body.get(&camel).filter(|v| !v.is_null())
}

/// An optional string field.
pub fn opt_str(body: &serde_json::Value, name: &str) -> Result<Option<String>, ApiError> {
    match field(body, name) {
        None => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("`{name}` must be a string"))),
    }
}

/// A required, non-empty string field.
pub fn req_str(body: &serde_json::Value, name: &str) -> Result<String, ApiError> {
    opt_str(body, name)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request(format!("`{name}` is required")))
}

/// An optional int64 field: a JSON number or a decimal string.
pub fn opt_i64(body: &serde_json::Value, name: &str) -> Result<Option<i64>, ApiError> {
    let bad = || ApiError::bad_request(format!("`{name}` must be an integer"));
    match field(body, name) {
        None => Ok(None),
        Some(serde_json::Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
        Some(serde_json::Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

/// An optional list of strings (absent means empty).
pub fn str_list(body: &serde_json::Value, name: &str) -> Result<Vec<String>, ApiError> {
    let bad = || ApiError::bad_request(format!("`{name}` must be a list of strings"));
    match field(body, name) {
        None => Ok(Vec::new()),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(bad))
            .collect(),
        Some(_) => Err(bad()),
    }
}

/// Runs blocking store work off the async threads.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("store task failed: {e}")))?
}
