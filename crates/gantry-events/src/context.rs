//! The `github` context, with every documented field GitHub fills before a
//! job starts. Step-level fields (`action_path`, `action_ref`, `env`, `path`,
//! …) are the runner's; `workflow`, `workflow_ref` and `job` are filled per
//! workflow and job by the planner.

use std::path::Path;

use gantry_expr::{Object, Value};

use crate::identity::{Identity, placeholder_id};
use crate::payload::Facts;
use crate::payload::short_name;

/// How long GitHub keeps artifacts and logs by default, in days.
pub const RETENTION_DAYS: &str = "90";

pub fn github_context(
    name: &str,
    id: &Identity,
    facts: &Facts,
    root: &Path,
    event_path: &str,
) -> Object {
    let s = |v: &str| Value::string(v);
    let git_ref = facts.github_ref.as_str();
    let ref_type = if git_ref.starts_with("refs/tags/") {
        "tag"
    } else if git_ref.is_empty() {
        ""
    } else {
        "branch"
    };
    let is_pr = matches!(name, "pull_request" | "pull_request_target");
    let (head_ref, base_ref) = if is_pr {
        (
            facts.head_ref.clone().unwrap_or_default(),
            facts.base_ref.clone().unwrap_or_default(),
        )
    } else {
        (String::new(), String::new())
    };
    let full_name = id.full_name();
    let payload = Value::from_json(&serde_json::Value::Object(facts.payload.clone()));

    let mut g = Object::new();
    g.insert("action", s(""));
    g.insert("actor", s(&id.actor));
    g.insert("actor_id", s(&placeholder_id(&id.actor).to_string()));
    g.insert("api_url", s(&id.api_url));
    g.insert("base_ref", s(&base_ref));
    g.insert("event", payload);
    g.insert("event_name", s(name));
    g.insert("event_path", s(event_path));
    g.insert("graphql_url", s(&id.graphql_url));
    g.insert("head_ref", s(&head_ref));
    g.insert("job", s(""));
    g.insert("ref", s(git_ref));
    g.insert("ref_name", s(short_name(git_ref)));
    g.insert("ref_protected", Value::Bool(false));
    g.insert("ref_type", s(ref_type));
    g.insert("repository", s(&full_name));
    g.insert("repository_id", s(&placeholder_id(&full_name).to_string()));
    g.insert("repository_owner", s(&id.owner));
    g.insert(
        "repository_owner_id",
        s(&placeholder_id(&id.owner).to_string()),
    );
    g.insert("repositoryUrl", s(&id.git_url()));
    g.insert("retention_days", s(RETENTION_DAYS));
    g.insert("run_id", s("1"));
    g.insert("run_number", s("1"));
    g.insert("run_attempt", s("1"));
    g.insert("secret_source", s("Actions"));
    g.insert("server_url", s(&id.server_url));
    g.insert("sha", s(&facts.sha));
    g.insert("token", s(""));
    g.insert("triggering_actor", s(&id.actor));
    g.insert("workflow", s(""));
    g.insert("workflow_ref", s(""));
    g.insert("workflow_sha", s(&facts.sha));
    g.insert("workspace", s(&root.to_string_lossy()));
    g
}
