//! `ACTIONS_RUNTIME_TOKEN`: a JWT (HS256 with the server's secret) whose
//! `scp` claim carries `Actions.Results:<run backend id>:<job backend id>`,
//! which the artifact client decodes (without checking the signature).

use crate::util::{base64url, hmac_sha256, sha256_hex};

/// A token for `job_backend_id` of `run_backend_id`, valid for a day from
/// `now_secs`. `scopes` are the cache scopes (refs) the job may read; it
/// may write the first.
pub fn issue(
    secret: &[u8],
    run_backend_id: &str,
    job_backend_id: &str,
    scopes: &[String],
    now_secs: u64,
) -> String {
    let header = serde_json::json!({"typ": "JWT", "alg": "HS256"});
    let ac: Vec<serde_json::Value> = scopes
        .iter()
        .enumerate()
        .map(|(i, s)| serde_json::json!({"Scope": s, "Permission": if i == 0 { 3 } else { 1 }}))
        .collect();
    let payload = serde_json::json!({
        "iss": "gantry",
        "aud": "vso:gantry",
        "nbf": now_secs,
        "iat": now_secs,
        "exp": now_secs + 24 * 3600,
        "scp": format!(
            "Actions.GenericRead:{run_backend_id} Actions.UploadArtifacts:{run_backend_id}:{job_backend_id} Actions.Results:{run_backend_id}:{job_backend_id}"
        ),
        "ac": serde_json::Value::String(serde_json::Value::Array(ac).to_string()),
    });
    let signing_input = format!(
        "{}.{}",
        base64url(header.to_string().as_bytes()),
        base64url(payload.to_string().as_bytes())
    );
    let sig = hmac_sha256(secret, signing_input.as_bytes());
    format!("{signing_input}.{}", base64url(&sig))
}

/// A backend id in uuid form, derived from `seed`.
pub fn backend_id(seed: &str) -> String {
    let h = sha256_hex(seed.as_bytes());
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Decodes unpadded base64url (test only).
    fn decode(s: &str) -> Vec<u8> {
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

    #[test]
    fn scp_claim_is_what_the_artifact_client_parses() {
        let run = backend_id("run");
        let job = backend_id("job");
        assert_eq!(run.len(), 36);
        let token = issue(b"secret", &run, &job, &["refs/heads/main".into()], 1000);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let payload: serde_json::Value = serde_json::from_slice(&decode(parts[1])).unwrap();
        let scp = payload["scp"].as_str().unwrap();
        // The client's rule: the space-separated scope starting with
        // `Actions.Results`, split on `:` into exactly three parts.
        let results: Vec<&str> = scp
            .split(' ')
            .find(|s| s.starts_with("Actions.Results:"))
            .unwrap()
            .split(':')
            .collect();
        assert_eq!(results, ["Actions.Results", run.as_str(), job.as_str()]);
        assert_eq!(payload["exp"], 1000 + 24 * 3600);
    }
}
