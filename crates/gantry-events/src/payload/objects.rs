//! The objects payloads share: users, the repository, commits.

use serde_json::{Map, Value, json};

use crate::git::{CommitInfo, FileChanges};
use crate::identity::{Identity, placeholder_id};

/// A user (or organisation) object as GitHub's payloads show it.
pub fn user(identity: &Identity, login: &str) -> Value {
    let id = placeholder_id(login);
    json!({
        "login": login,
        "id": id,
        "node_id": format!("U_gantry{id}"),
        "avatar_url": "",
        "html_url": format!("{}/{login}", identity.server_url),
        "url": format!("{}/users/{login}", identity.api_url),
        "type": "User",
        "site_admin": false,
    })
}

/// The `repository` object. Push payloads use the web URL for `url` and
/// carry `master_branch`; the others use the API URL.
pub fn repository(identity: &Identity, push_style: bool) -> Value {
    let full = identity.full_name();
    let id = placeholder_id(&full);
    let html = identity.html_url();
    let mut repo = json!({
        "id": id,
        "node_id": format!("R_gantry{id}"),
        "name": identity.name,
        "full_name": full,
        "private": false,
        "owner": user(identity, &identity.owner),
        "html_url": html,
        "description": null,
        "fork": false,
        "url": if push_style { html.clone() } else { identity.api_repo_url() },
        "git_url": identity.git_url(),
        "ssh_url": format!("git@{}:{full}.git", identity.host()),
        "clone_url": format!("{html}.git"),
        "homepage": null,
        "archived": false,
        "disabled": false,
        "visibility": "public",
        "topics": [],
        "default_branch": identity.default_branch,
    });
    if push_style && let Some(obj) = repo.as_object_mut() {
        obj.insert(
            "master_branch".to_owned(),
            Value::String(identity.default_branch.clone()),
        );
    }
    repo
}

/// `name`, `email` and, when the e-mail is a GitHub no-reply address,
/// `username` (GitHub adds it for e-mails linked to an account).
pub fn person(name: &str, email: &str) -> Value {
    let mut obj = Map::new();
    obj.insert("name".to_owned(), Value::String(name.to_owned()));
    obj.insert("email".to_owned(), Value::String(email.to_owned()));
    if let Some(login) = noreply_login(email) {
        obj.insert("username".to_owned(), Value::String(login));
    }
    Value::Object(obj)
}

/// `12345+octocat@users.noreply.github.com` → `octocat`.
fn noreply_login(email: &str) -> Option<String> {
    let local = email.strip_suffix("@users.noreply.github.com")?;
    let login = local.split_once('+').map_or(local, |(_, l)| l);
    (!login.is_empty()).then(|| login.to_owned())
}

/// A commit as push payloads list it.
pub fn commit(identity: &Identity, c: &CommitInfo, changes: Option<&FileChanges>) -> Value {
    let mut obj = Map::new();
    obj.insert("id".to_owned(), Value::String(c.sha.clone()));
    obj.insert("tree_id".to_owned(), Value::String(c.tree.clone()));
    obj.insert("distinct".to_owned(), Value::Bool(true));
    obj.insert("message".to_owned(), Value::String(c.message.clone()));
    obj.insert(
        "timestamp".to_owned(),
        Value::String(c.committer_date.clone()),
    );
    obj.insert(
        "url".to_owned(),
        Value::String(format!("{}/commit/{}", identity.html_url(), c.sha)),
    );
    obj.insert("author".to_owned(), person(&c.author_name, &c.author_email));
    obj.insert(
        "committer".to_owned(),
        person(&c.committer_name, &c.committer_email),
    );
    if let Some(ch) = changes {
        obj.insert("added".to_owned(), json!(ch.added));
        obj.insert("removed".to_owned(), json!(ch.removed));
        obj.insert("modified".to_owned(), json!(ch.modified));
    }
    Value::Object(obj)
}

/// Merges `over` into `base`: objects merge key by key, anything else in
/// `over` replaces what `base` has.
pub fn deep_merge(base: &mut Map<String, Value>, over: Map<String, Value>) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Object(b)), Value::Object(o)) => deep_merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// A string at a path of keys, if there is one.
pub fn str_at<'a>(v: &'a Map<String, Value>, path: &[&str]) -> Option<&'a str> {
    let (last, init) = path.split_last()?;
    let mut cur = v;
    for k in init {
        cur = cur.get(*k)?.as_object()?;
    }
    cur.get(*last)?.as_str()
}

/// A value at a path of keys, if there is one.
pub fn value_at<'a>(v: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (last, init) = path.split_last()?;
    let mut cur = v;
    for k in init {
        cur = cur.get(*k)?.as_object()?;
    }
    cur.get(*last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_deep() {
        let mut a = json!({"x": {"y": 1, "z": 2}, "l": [1, 2]});
        let b = json!({"x": {"y": 3}, "l": [9]});
        if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
            deep_merge(a, b);
        }
        assert_eq!(a, json!({"x": {"y": 3, "z": 2}, "l": [9]}));
    }

    #[test]
    fn noreply() {
        assert_eq!(
            noreply_login("583231+octocat@users.noreply.github.com").as_deref(),
            Some("octocat")
        );
        assert_eq!(
            noreply_login("octocat@users.noreply.github.com").as_deref(),
            Some("octocat")
        );
        assert_eq!(noreply_login("a@example.com"), None);
    }
}
