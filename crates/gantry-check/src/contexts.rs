//! The documented shape of GitHub's contexts, for property checks.

/// Every context name.
pub const CONTEXTS: &[&str] = &[
    "github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix",
    "needs", "inputs",
];

/// Documented `github.*` properties.
pub const GITHUB: &[&str] = &[
    "action",
    "action_path",
    "action_ref",
    "action_repository",
    "action_status",
    "actor",
    "actor_id",
    "api_url",
    "base_ref",
    "env",
    "event",
    "event_name",
    "event_path",
    "graphql_url",
    "head_ref",
    "job",
    "job_workflow_sha",
    "path",
    "ref",
    "ref_name",
    "ref_protected",
    "ref_type",
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "repository_visibility",
    "repositoryurl",
    "retention_days",
    "run_id",
    "run_number",
    "run_attempt",
    "secret_source",
    "server_url",
    "sha",
    "token",
    "triggering_actor",
    "workflow",
    "workflow_ref",
    "workflow_sha",
    "workspace",
];

/// Documented `runner.*` properties.
pub const RUNNER: &[&str] = &[
    "name",
    "os",
    "arch",
    "temp",
    "tool_cache",
    "debug",
    "environment",
];

/// Documented `job.*` properties.
pub const JOB: &[&str] = &[
    "container",
    "services",
    "status",
    "check_run_id",
    "workflow_ref",
    "workflow_sha",
    "workflow_repository",
    "workflow_file_path",
];

/// Documented `strategy.*` properties.
pub const STRATEGY: &[&str] = &["fail-fast", "job-index", "job-total", "max-parallel"];

/// Properties of `steps.<id>`.
pub const STEP: &[&str] = &["outputs", "conclusion", "outcome"];

/// Properties of `needs.<id>` (and `jobs.<id>` in `workflow_call` outputs).
pub const NEEDS: &[&str] = &["outputs", "result"];

/// Whether `name` is one of `list`, ignoring ASCII case.
pub fn known(list: &[&str], name: &str) -> bool {
    list.iter().any(|k| k.eq_ignore_ascii_case(name))
}

/// The closest entry of `list` to `name`, for a "did you mean" hint.
pub fn suggest<'a>(list: &[&'a str], name: &str) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    list.iter()
        .map(|k| (edit_distance(k, &lower), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest(GITHUB, "event_nme"), Some("event_name"));
        assert_eq!(suggest(GITHUB, "ref-name"), Some("ref_name"));
        assert_eq!(suggest(GITHUB, "zzzzzzzz"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
