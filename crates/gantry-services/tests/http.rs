//! The services over raw HTTP: the flows GitHub's clients use, in shapes
//! they rarely produce (blocks out of order, v1 chunks out of order), and
//! bad input, which must get a clear 4xx and never bring the server down.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use gantry_services::{Services, ServicesConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// One HTTP/1.1 request on a fresh connection.
async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// The path and query of a URL the services handed out.
fn target(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    rest[rest.find('/').unwrap()..].to_string()
}

struct Env {
    _data: tempfile::TempDir,
    services: Services,
    token: String,
    run: String,
    job: String,
}

fn decode_b64url(s: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let vals: Vec<u32> = s
        .bytes()
        .map(|c| alphabet.iter().position(|&a| a == c).unwrap() as u32)
        .collect();
    let mut out = Vec::new();
    for chunk in vals.chunks(4) {
        let mut n = 0u32;
        for (i, v) in chunk.iter().enumerate() {
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

async fn start() -> Env {
    let data = tempfile::tempdir().unwrap();
    let services = Services::start(ServicesConfig::new(data.path(), "octo/hello", 3))
        .await
        .unwrap();
    let env = services.job_env("test");
    let token = env
        .iter()
        .find(|(k, _)| k == "ACTIONS_RUNTIME_TOKEN")
        .unwrap()
        .1
        .clone();
    let payload: Value =
        serde_json::from_slice(&decode_b64url(token.split('.').nth(1).unwrap())).unwrap();
    let scp = payload["scp"].as_str().unwrap().to_string();
    let results = scp
        .split(' ')
        .find(|s| s.starts_with("Actions.Results:"))
        .unwrap();
    let parts: Vec<&str> = results.split(':').collect();
    assert_eq!(parts[1], services.run_backend_id());
    Env {
        _data: data,
        run: parts[1].to_string(),
        job: parts[2].to_string(),
        services,
        token,
    }
}

impl Env {
    async fn twirp(&self, service: &str, method: &str, body: Value) -> Reply {
        let auth = format!("Bearer {}", self.token);
        send(
            self.services.addr(),
            "POST",
            &format!("/twirp/github.actions.results.api.v1.{service}/{method}"),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.to_string().as_bytes(),
        )
        .await
    }
    async fn rest(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let auth = format!("Bearer {}", self.token);
        let mut all = vec![("Authorization", auth.as_str())];
        all.extend_from_slice(headers);
        send(
            self.services.addr(),
            method,
            &format!("/_apis/artifactcache/{path}"),
            &all,
            body,
        )
        .await
    }
}

#[tokio::test]
async fn cache_v2_blocks_out_of_order_then_download() {
    let env = start().await;
    let created = env
        .twirp(
            "CacheService",
            "CreateCacheEntry",
            json!({"key": "k-1", "version": "v"}),
        )
        .await;
    assert_eq!(created.status, 200);
    let url = created.json()["signed_upload_url"]
        .as_str()
        .unwrap()
        .to_string();
    let addr = env.services.addr();
    // Blocks arrive out of order; the list decides the order.
    let put = |id: &'static str, data: &'static [u8]| {
        let t = format!("{}&comp=block&blockid={id}", target(&url));
        async move { send(addr, "PUT", &t, &[], data).await }
    };
    assert_eq!(put("QkJC", b"world").await.status, 201);
    assert_eq!(put("QUFB", b"hello ").await.status, 201);
    let list = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><BlockList><Latest>QUFB</Latest><Latest>QkJC</Latest></BlockList>"#;
    let committed = send(
        addr,
        "PUT",
        &format!("{}&comp=blocklist", target(&url)),
        &[],
        list.as_bytes(),
    )
    .await;
    assert_eq!(committed.status, 201);
    let fin = env
        .twirp(
            "CacheService",
            "FinalizeCacheEntryUpload",
            json!({"key": "k-1", "version": "v", "size_bytes": "11"}),
        )
        .await;
    assert_eq!(fin.json()["ok"], true, "{:?}", fin.json());
    let got = env
        .twirp(
            "CacheService",
            "GetCacheEntryDownloadURL",
            json!({"key": "k-2", "restore_keys": ["k-"], "version": "v"}),
        )
        .await
        .json();
    assert_eq!(got["matched_key"], "k-1");
    let blob = send(
        addr,
        "GET",
        &target(got["signed_download_url"].as_str().unwrap()),
        &[],
        b"",
    )
    .await;
    assert_eq!(blob.status, 200);
    assert_eq!(blob.body, b"hello world");
    assert_eq!(blob.header("content-length").as_deref(), Some("11"));
    // Saving it again: ok false, as the client expects.
    let again = env
        .twirp(
            "CacheService",
            "CreateCacheEntry",
            json!({"key": "k-1", "version": "v"}),
        )
        .await
        .json();
    assert_eq!(again["ok"], false);
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("already exists")
    );
    // URLs follow the address the client used (a container reaching the
    // host under another name).
    let auth = format!("Bearer {}", env.token);
    let via = send(
        addr,
        "POST",
        "/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL",
        &[
            ("Authorization", &auth),
            ("Host", "host.docker.internal:4242"),
        ],
        json!({"key": "k-1", "version": "v"}).to_string().as_bytes(),
    )
    .await
    .json();
    let url = via["signed_download_url"].as_str().unwrap();
    assert!(
        url.starts_with("http://host.docker.internal:4242/devstoreaccount1/"),
        "{url}"
    );
    // Another version misses.
    let miss = env
        .twirp(
            "CacheService",
            "GetCacheEntryDownloadURL",
            json!({"key": "k-1", "version": "other"}),
        )
        .await
        .json();
    assert_eq!(miss["ok"], false);
    env.services.shutdown().await;
}

#[tokio::test]
async fn cache_v1_chunks_out_of_order() {
    let env = start().await;
    let reserved = env
        .rest(
            "POST",
            "caches",
            &[],
            json!({"key": "v1-key", "version": "ver", "cacheSize": 10})
                .to_string()
                .as_bytes(),
        )
        .await;
    assert_eq!(reserved.status, 201);
    let id = reserved.json()["cacheId"].as_u64().unwrap();
    let path = format!("caches/{id}");
    let hi = env
        .rest(
            "PATCH",
            &path,
            &[("Content-Range", "bytes 5-9/*")],
            b"56789",
        )
        .await;
    assert_eq!(hi.status, 204);
    let lo = env
        .rest(
            "PATCH",
            &path,
            &[("Content-Range", "bytes 0-4/*")],
            b"01234",
        )
        .await;
    assert_eq!(lo.status, 204);
    // A second reservation of the key while the first is open conflicts.
    let busy = env
        .rest(
            "POST",
            "caches",
            &[],
            json!({"key": "v1-key", "version": "ver"})
                .to_string()
                .as_bytes(),
        )
        .await;
    assert_eq!(busy.status, 409);
    let done = env.rest("POST", &path, &[], br#"{"size":10}"#).await;
    assert_eq!(done.status, 204);
    let hit = env
        .rest("GET", "cache?keys=other%2Cv1-&version=ver", &[], b"")
        .await;
    assert_eq!(hit.status, 200);
    let hit = hit.json();
    assert_eq!(hit["cacheKey"], "v1-key");
    assert_eq!(hit["scope"], "refs/heads/main");
    let blob = send(
        env.services.addr(),
        "GET",
        &target(hit["archiveLocation"].as_str().unwrap()),
        &[],
        b"",
    )
    .await;
    assert_eq!(blob.body, b"0123456789");
    let miss = env
        .rest("GET", "cache?keys=nope&version=ver", &[], b"")
        .await;
    assert_eq!(miss.status, 204);
    let listed = env.rest("GET", "caches?key=v1-key", &[], b"").await.json();
    assert_eq!(listed["totalCount"], 1);
    let dup = env
        .rest(
            "POST",
            "caches",
            &[],
            json!({"key": "v1-key", "version": "ver"})
                .to_string()
                .as_bytes(),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert!(
        dup.json()["message"]
            .as_str()
            .unwrap()
            .contains("already exists")
    );
    env.services.shutdown().await;
}

#[tokio::test]
async fn bad_requests_get_clear_4xx() {
    let env = start().await;
    let addr = env.services.addr();
    let cases: Vec<(Reply, u16, &str)> = vec![
        (send(addr, "POST", "/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry", &[], b"{}").await, 401, "Authorization"),
        (send(addr, "POST", "/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry", &[("Authorization", "Bearer nope")], b"{}").await, 401, "unknown"),
        (env.twirp("CacheService", "NoSuchMethod", json!({})).await, 404, "no method"),
        (env.twirp("Nope", "X", json!({})).await, 404, "no such Twirp"),
        (env.twirp("CacheService", "CreateCacheEntry", json!({"version": "v"})).await, 400, "`key` is required"),
        (env.twirp("CacheService", "CreateCacheEntry", json!({"key": "a,b", "version": "v"})).await, 400, "commas"),
        (env.twirp("CacheService", "CreateCacheEntry", json!({"key": 5, "version": "v"})).await, 400, "must be a string"),
        (env.twirp("CacheService", "GetCacheEntryDownloadURL", json!({"key": "k", "version": "v", "restore_keys": "k-"})).await, 400, "list of strings"),
        (env.twirp("CacheService", "FinalizeCacheEntryUpload", json!({"key": "k", "version": "v", "size_bytes": "ten"})).await, 400, "integer"),
        (env.twirp("CacheService", "CreateCacheEntry", json!([1, 2])).await, 400, "JSON object"),
        (env.twirp("ArtifactService", "ListArtifacts", json!({"workflow_run_backend_id": "x", "workflow_job_run_backend_id": env.job})).await, 403, "do not match"),
        // Only the calling job creates; reading names any job of the run (download-artifact in a later job).
        (env.twirp("ArtifactService", "CreateArtifact", json!({"workflow_run_backend_id": env.run, "workflow_job_run_backend_id": "other-job", "name": "a"})).await, 403, "do not match"),
        (env.twirp("ArtifactService", "GetSignedArtifactURL", json!({"workflow_run_backend_id": env.run, "workflow_job_run_backend_id": "other-job", "name": "ghost"})).await, 404, "ghost"),
        (env.twirp("ArtifactService", "CreateArtifact", json!({"workflow_run_backend_id": env.run, "workflow_job_run_backend_id": env.job, "name": "a/b"})).await, 400, "not allowed"),
        (env.twirp("ArtifactService", "CreateArtifact", json!({"workflow_run_backend_id": env.run, "workflow_job_run_backend_id": env.job, "name": "a", "expires_at": "yesterday"})).await, 400, "RFC 3339"),
        (env.twirp("ArtifactService", "FinalizeArtifact", json!({"workflow_run_backend_id": env.run, "workflow_job_run_backend_id": env.job, "name": "ghost"})).await, 404, "ghost"),
        (env.twirp("ArtifactService", "GetSignedArtifactURL", json!({"workflow_run_backend_id": env.run, "workflow_job_run_backend_id": env.job, "name": "ghost"})).await, 404, "ghost"),
        (env.twirp("ArtifactService", "DeleteArtifact", json!({"workflow_run_backend_id": env.run, "workflow_job_run_backend_id": env.job})).await, 400, "`name` is required"),
        (env.rest("GET", "cache?keys=a", &[], b"").await, 400, "`version`"),
        (env.rest("PATCH", "caches/999", &[("Content-Range", "bytes 0-0/*")], b"x").await, 404, "no cache reservation"),
        (env.rest("POST", "caches/abc", &[], b"{}").await, 400, "number"),
        (env.rest("POST", "caches", &[], b"{not json").await, 400, "not valid JSON"),
        (env.rest("POST", "caches", &[], json!({"key": "big", "version": "v", "cacheSize": 1u64 << 40}).to_string().as_bytes()).await, 400, "over the"),
        (send(addr, "GET", "/devstoreaccount1/actions-cache/blobs/00", &[], b"").await, 403, "signature"),
        (send(addr, "PUT", "/devstoreaccount1/actions-cache/uploads/x?sig=forged", &[], b"x").await, 403, "signature"),
        (send(addr, "GET", "/elsewhere", &[], b"").await, 404, "nothing at"),
    ];
    for (i, (reply, status, needle)) in cases.iter().enumerate() {
        let text = String::from_utf8_lossy(&reply.body);
        assert_eq!(reply.status, *status, "case {i}: {text}");
        assert!(text.contains(needle), "case {i}: {text:?} lacks {needle:?}");
    }
    // Twirp errors are JSON with a code, which the clients parse.
    let e = env
        .twirp("CacheService", "CreateCacheEntry", json!({}))
        .await
        .json();
    assert_eq!(e["code"], "invalid_argument");

    // Oversized bodies are refused. The server answers before reading it
    // all, so the connection may be reset under the client: check the
    // status when it arrived.
    let big = vec![b' '; 5 * 1024 * 1024];
    let auth = format!("Bearer {}", env.token);
    let head = format!(
        "POST /twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        big.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.split();
    let write = async {
        let _ = wr.write_all(head.as_bytes()).await;
        let _ = wr.write_all(&big).await;
    };
    let mut raw = Vec::new();
    let read = rd.read_to_end(&mut raw);
    let (_, _) = tokio::join!(write, read);
    if !raw.is_empty() {
        assert!(
            raw.starts_with(b"HTTP/1.1 413"),
            "{}",
            String::from_utf8_lossy(&raw)
        );
    }

    // Blob endpoint: unknown block in a list, unknown comp.
    let url = env
        .twirp(
            "CacheService",
            "CreateCacheEntry",
            json!({"key": "blk", "version": "v"}),
        )
        .await
        .json()["signed_upload_url"]
        .as_str()
        .unwrap()
        .to_string();
    let r = send(
        addr,
        "PUT",
        &format!("{}&comp=blocklist", target(&url)),
        &[],
        b"<BlockList><Latest>QUFB</Latest></BlockList>",
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(String::from_utf8_lossy(&r.body).contains("InvalidBlockList"));
    let r = send(
        addr,
        "PUT",
        &format!("{}&comp=appendblock", target(&url)),
        &[],
        b"x",
    )
    .await;
    assert_eq!(r.status, 400);
    // Finalizing before uploading: ok false with a message.
    let fin = env
        .twirp(
            "CacheService",
            "FinalizeCacheEntryUpload",
            json!({"key": "blk", "version": "v", "size_bytes": "1"}),
        )
        .await
        .json();
    assert_eq!(fin["ok"], false);

    // The server is still up.
    let r = env
        .twirp(
            "CacheService",
            "GetCacheEntryDownloadURL",
            json!({"key": "x", "version": "v"}),
        )
        .await;
    assert_eq!(r.status, 200);
    env.services.shutdown().await;
}
