//! Event payloads, per event, from git; then a payload file merged over
//! them, and the facts the planner needs read back from the result.

pub mod objects;
mod pull;
mod push;

use gantry_plan::event::WorkflowRun;
use serde_json::{Map, Value, json};

use crate::git::{Git, ZERO_SHA};
use crate::identity::Identity;
use crate::{Error, Options};
use objects::{commit, deep_merge, repository, str_at, user, value_at};
use push::into_map;

/// Everything known about the event once built.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The payload (`github.event`).
    pub payload: Map<String, Value>,
    /// `github.ref`.
    pub github_ref: String,
    /// `github.sha`.
    pub sha: String,
    /// The ref branch and tag filters test (`Event::git_ref`).
    pub filter_ref: Option<String>,
    pub head_ref: Option<String>,
    pub base_ref: Option<String>,
    pub changed: Option<Vec<String>>,
    pub action: Option<String>,
    pub schedule: Option<String>,
    pub workflow_run: Option<WorkflowRun>,
    pub raw_inputs: Vec<(String, String)>,
}

/// `refs/heads/x` → `x`, `refs/tags/v1` → `v1`, `refs/pull/1/merge` →
/// `1/merge`; anything else unchanged.
pub fn short_name(r: &str) -> &str {
    r.strip_prefix("refs/heads/")
        .or_else(|| r.strip_prefix("refs/tags/"))
        .or_else(|| r.strip_prefix("refs/pull/"))
        .or_else(|| r.strip_prefix("refs/remotes/"))
        .unwrap_or(r)
}

/// The full ref for a name the user typed: `refs/…` as is; else a branch,
/// or a tag when only a tag of that name exists.
pub fn full_ref(git: &Git, name: &str) -> Result<String, Error> {
    if name.starts_with("refs/") {
        return Ok(name.to_owned());
    }
    if !git.has_branch(name)? && git.has_ref(&format!("refs/tags/{name}"))? {
        return Ok(format!("refs/tags/{name}"));
    }
    Ok(format!("refs/heads/{name}"))
}

/// The commit a full ref points at: the local ref, else for a branch
/// `origin/BRANCH`.
pub fn tip_of(git: &Git, full: &str) -> Result<Option<String>, Error> {
    if let Some(sha) = git.resolve(full)? {
        return Ok(Some(sha));
    }
    match full.strip_prefix("refs/heads/") {
        Some(b) => git.resolve(&format!("refs/remotes/origin/{b}")),
        None => Ok(None),
    }
}

/// `--ref`, else the checked-out branch.
pub fn current_ref(git: &Git, opts: &Options, event: &str) -> Result<String, Error> {
    match &opts.git_ref {
        Some(r) => full_ref(git, r),
        None => match git.current_branch()? {
            Some(b) => Ok(format!("refs/heads/{b}")),
            None => Err(Error::Detached {
                event: event.to_owned(),
            }),
        },
    }
}

/// The default branch's ref and its last commit (HEAD when the branch is
/// not there locally).
fn default_ref(git: &Git, id: &Identity) -> Result<(String, String), Error> {
    let full = format!("refs/heads/{}", id.default_branch);
    let sha = match tip_of(git, &full)? {
        Some(sha) => sha,
        None => git.head()?,
    };
    Ok((full, sha))
}

/// Builds the facts for an event: from git, then the payload file merged
/// over them (it wins).
pub fn build(
    git: &Git,
    id: &Identity,
    name: &str,
    opts: &Options,
    file: Option<Map<String, Value>>,
) -> Result<Facts, Error> {
    let mut facts = match name {
        "push" => push::build(git, id, opts)?,
        "pull_request" | "pull_request_target" => pull::build(git, id, name, opts)?,
        "workflow_dispatch" | "workflow_call" => dispatch(git, id, name, opts)?,
        "schedule" => schedule(git, id, opts)?,
        "release" => release(git, id, opts)?,
        "merge_group" => merge_group(git, id, opts)?,
        "workflow_run" => workflow_run(git, id, opts)?,
        _ => generic(git, id, opts)?,
    };
    if let Some(file) = file {
        deep_merge(&mut facts.payload, file.clone());
        reconcile(git, name, &mut facts, &file)?;
    }
    Ok(facts)
}

fn dispatch(git: &Git, id: &Identity, name: &str, opts: &Options) -> Result<Facts, Error> {
    let git_ref = current_ref(git, opts, name)?;
    let sha = match tip_of(git, &git_ref)? {
        Some(sha) if opts.git_ref.is_some() => sha,
        _ => git.head()?,
    };
    let mut inputs = Map::new();
    for (k, v) in &opts.inputs {
        inputs.insert(k.clone(), Value::String(v.clone()));
    }
    let payload = json!({
        "inputs": inputs,
        "ref": git_ref,
        "repository": repository(id, false),
        "sender": user(id, &id.actor),
    });
    Ok(Facts {
        payload: into_map(payload),
        github_ref: git_ref.clone(),
        sha,
        filter_ref: Some(git_ref),
        action: opts.action.clone(),
        raw_inputs: opts.inputs.clone(),
        ..Facts::default()
    })
}

fn schedule(git: &Git, id: &Identity, opts: &Options) -> Result<Facts, Error> {
    let (git_ref, sha) = default_ref(git, id)?;
    let mut payload = Map::new();
    if let Some(cron) = &opts.schedule {
        payload.insert("schedule".to_owned(), Value::String(cron.clone()));
    }
    payload.insert("repository".to_owned(), repository(id, false));
    Ok(Facts {
        payload,
        github_ref: git_ref.clone(),
        sha,
        filter_ref: Some(git_ref),
        schedule: opts.schedule.clone(),
        ..Facts::default()
    })
}

fn release(git: &Git, id: &Identity, opts: &Options) -> Result<Facts, Error> {
    let tag = match &opts.tag {
        Some(t) => short_name(t).to_owned(),
        None => git.latest_tag("HEAD")?.ok_or(Error::NoTag)?,
    };
    let git_ref = format!("refs/tags/{tag}");
    let sha = match git.resolve(&git_ref)? {
        Some(sha) => sha,
        None => git.head()?,
    };
    let info = git.commits(std::slice::from_ref(&sha))?;
    let date = info
        .first()
        .map(|c| c.committer_date.clone())
        .unwrap_or_default();
    let action = opts
        .action
        .clone()
        .unwrap_or_else(|| "published".to_owned());
    let html = format!("{}/releases/tag/{tag}", id.html_url());
    let payload = json!({
        "action": action,
        "release": {
            "url": format!("{}/releases/1", id.api_repo_url()),
            "html_url": html,
            "id": 1,
            "node_id": "RE_gantry1",
            "tag_name": tag,
            "target_commitish": id.default_branch,
            "name": tag,
            "draft": false,
            "prerelease": false,
            "immutable": false,
            "author": user(id, &id.actor),
            "created_at": date,
            "published_at": date,
            "assets": [],
            "tarball_url": format!("{}/tarball/{tag}", id.api_repo_url()),
            "zipball_url": format!("{}/zipball/{tag}", id.api_repo_url()),
            "body": null,
        },
        "repository": repository(id, false),
        "sender": user(id, &id.actor),
    });
    Ok(Facts {
        payload: into_map(payload),
        github_ref: git_ref.clone(),
        sha,
        filter_ref: Some(git_ref),
        action: Some(action),
        ..Facts::default()
    })
}

fn merge_group(git: &Git, id: &Identity, opts: &Options) -> Result<Facts, Error> {
    let base = opts
        .base
        .as_deref()
        .map(|b| short_name(b).to_owned())
        .unwrap_or_else(|| id.default_branch.clone());
    let base_sha = pull::base_tip(git, &base)?;
    let head_sha = match &opts.after {
        Some(rev) => git.resolve_required(rev, "--after")?,
        None => git.head()?,
    };
    let number = opts.number.unwrap_or(1);
    let head_ref = format!("refs/heads/gh-readonly-queue/{base}/pr-{number}-{base_sha}");
    let base_ref = format!("refs/heads/{base}");
    let action = opts
        .action
        .clone()
        .unwrap_or_else(|| "checks_requested".to_owned());
    let head_commit = match git.commits(std::slice::from_ref(&head_sha))?.first() {
        Some(info) => commit(id, info, None),
        None => Value::Null,
    };
    let payload = json!({
        "action": action,
        "merge_group": {
            "head_sha": head_sha,
            "head_ref": head_ref,
            "base_sha": base_sha,
            "base_ref": base_ref,
            "head_commit": head_commit,
        },
        "repository": repository(id, false),
        "sender": user(id, &id.actor),
    });
    let changed = pull::changed_files(git, &base_sha, &head_sha)?;
    Ok(Facts {
        payload: into_map(payload),
        github_ref: head_ref,
        sha: head_sha,
        filter_ref: Some(base_ref),
        action: Some(action),
        changed: Some(changed),
        ..Facts::default()
    })
}

fn workflow_run(git: &Git, id: &Identity, opts: &Options) -> Result<Facts, Error> {
    let (git_ref, sha) = default_ref(git, id)?;
    let head_branch = match &opts.git_ref {
        Some(r) => short_name(r).to_owned(),
        None => git
            .current_branch()?
            .unwrap_or_else(|| id.default_branch.clone()),
    };
    let head_sha = git.head()?;
    let workflow = opts.workflow.clone().unwrap_or_default();
    let action = opts
        .action
        .clone()
        .unwrap_or_else(|| "completed".to_owned());
    let completed = action == "completed";
    let payload = json!({
        "action": action,
        "workflow_run": {
            "id": 1,
            "name": workflow,
            "node_id": "WFR_gantry1",
            "head_branch": head_branch,
            "head_sha": head_sha,
            "path": "",
            "display_title": workflow,
            "run_number": 1,
            "event": "push",
            "status": if completed { "completed" } else { "in_progress" },
            "conclusion": if completed { json!("success") } else { Value::Null },
            "workflow_id": 1,
            "run_attempt": 1,
            "html_url": format!("{}/actions/runs/1", id.html_url()),
            "pull_requests": [],
            "actor": user(id, &id.actor),
            "triggering_actor": user(id, &id.actor),
            "repository": repository(id, false),
            "head_repository": repository(id, false),
        },
        "workflow": { "id": 1, "name": workflow, "path": "", "state": "active" },
        "repository": repository(id, false),
        "sender": user(id, &id.actor),
    });
    Ok(Facts {
        payload: into_map(payload),
        github_ref: git_ref.clone(),
        sha,
        filter_ref: Some(git_ref),
        action: Some(action),
        workflow_run: Some(WorkflowRun {
            workflow,
            head_branch: Some(head_branch),
        }),
        ..Facts::default()
    })
}

/// Every other event (`repository_dispatch`, `issues`, …) runs on the
/// default branch's last commit; `--action` becomes the payload's `action`.
fn generic(git: &Git, id: &Identity, opts: &Options) -> Result<Facts, Error> {
    let (git_ref, sha) = default_ref(git, id)?;
    let mut payload = Map::new();
    if let Some(a) = &opts.action {
        payload.insert("action".to_owned(), Value::String(a.clone()));
    }
    payload.insert("repository".to_owned(), repository(id, false));
    payload.insert("sender".to_owned(), user(id, &id.actor));
    Ok(Facts {
        payload,
        github_ref: git_ref.clone(),
        sha,
        filter_ref: Some(git_ref),
        action: opts.action.clone(),
        ..Facts::default()
    })
}

/// Reads the facts back from a payload a file has overridden; changed files
/// are worked out again only when the file moved the commits compared.
fn reconcile(
    git: &Git,
    name: &str,
    facts: &mut Facts,
    file: &Map<String, Value>,
) -> Result<(), Error> {
    let p = &facts.payload.clone();
    if let Some(a) = p.get("action") {
        facts.action = a.as_str().map(str::to_owned);
    }
    match name {
        "push" => {
            if let Some(r) = str_at(p, &["ref"]) {
                facts.github_ref = r.to_owned();
                facts.filter_ref = Some(r.to_owned());
            }
            let before = str_at(p, &["before"]).map(str::to_owned);
            let after = str_at(p, &["after"]).map(str::to_owned);
            if let Some(after) = &after
                && after != ZERO_SHA
            {
                facts.sha = after.clone();
            }
            let moved = file.contains_key("before") || file.contains_key("after");
            if moved && let (Some(b), Some(a)) = (&before, &after) {
                match (git.resolve(b)?, git.resolve(a)?) {
                    (Some(b), Some(a)) => facts.changed = Some(git.diff_names(Some(&b), &a)?),
                    _ => {
                        if let Some(files) = union_of_commits(p) {
                            facts.changed = Some(files);
                        }
                    }
                }
            }
        }
        "pull_request" | "pull_request_target" => {
            let number = p
                .get("number")
                .or_else(|| value_at(p, &["pull_request", "number"]))
                .and_then(Value::as_u64)
                .unwrap_or(1);
            let head = str_at(p, &["pull_request", "head", "ref"]).unwrap_or("");
            let base = str_at(p, &["pull_request", "base", "ref"]).unwrap_or("");
            let head_sha = str_at(p, &["pull_request", "head", "sha"]).unwrap_or("");
            let base_sha = str_at(p, &["pull_request", "base", "sha"]).unwrap_or("");
            let (head, base) = (head.to_owned(), base.to_owned());
            let (head_sha, base_sha) = (head_sha.to_owned(), base_sha.to_owned());
            if let (Some(b), Some(h)) = (git.resolve(&base_sha)?, git.resolve(&head_sha)?) {
                facts.changed = Some(pull::changed_files(git, &b, &h)?);
            }
            pull::set_refs(facts, name, number, &head, &head_sha, &base, &base_sha);
        }
        "workflow_dispatch" | "workflow_call" => {
            if let Some(r) = str_at(p, &["ref"]) {
                let r = full_ref(git, r)?;
                if let Some(sha) = tip_of(git, &r)? {
                    facts.sha = sha;
                }
                facts.github_ref = r.clone();
                facts.filter_ref = Some(r);
            }
            if let Some(Value::Object(inputs)) = p.get("inputs") {
                facts.raw_inputs = inputs
                    .iter()
                    .map(|(k, v)| (k.clone(), display(v)))
                    .collect();
            }
        }
        "schedule" => {
            facts.schedule = str_at(p, &["schedule"]).map(str::to_owned);
        }
        "release" => {
            if let Some(tag) = str_at(p, &["release", "tag_name"]) {
                let r = format!("refs/tags/{tag}");
                if let Some(sha) = git.resolve(&r)? {
                    facts.sha = sha;
                }
                facts.github_ref = r.clone();
                facts.filter_ref = Some(r);
            }
        }
        "merge_group" => {
            if let Some(r) = str_at(p, &["merge_group", "head_ref"]) {
                facts.github_ref = r.to_owned();
            }
            if let Some(r) = str_at(p, &["merge_group", "base_ref"]) {
                facts.filter_ref = Some(r.to_owned());
            }
            if let Some(s) = str_at(p, &["merge_group", "head_sha"]) {
                facts.sha = s.to_owned();
            }
        }
        "workflow_run" => {
            let workflow = str_at(p, &["workflow_run", "name"])
                .or_else(|| str_at(p, &["workflow", "name"]))
                .unwrap_or("")
                .to_owned();
            let head_branch = str_at(p, &["workflow_run", "head_branch"]).map(str::to_owned);
            facts.workflow_run = Some(WorkflowRun {
                workflow,
                head_branch,
            });
        }
        _ => {
            // `create` / `delete` carry a short ref and its type.
            if let Some(r) = str_at(p, &["ref"]) {
                let full = if r.starts_with("refs/") {
                    Some(r.to_owned())
                } else {
                    match str_at(p, &["ref_type"]) {
                        Some("tag") => Some(format!("refs/tags/{r}")),
                        Some("branch") => Some(format!("refs/heads/{r}")),
                        _ => None,
                    }
                };
                if let Some(full) = full {
                    if let Some(sha) = git.resolve(&full)? {
                        facts.sha = sha;
                    }
                    facts.github_ref = full.clone();
                    facts.filter_ref = Some(full);
                }
            }
        }
    }
    Ok(())
}

/// The union of the files the payload's commits list, in order.
fn union_of_commits(p: &Map<String, Value>) -> Option<Vec<String>> {
    let commits = p.get("commits")?.as_array()?;
    let mut out: Vec<String> = Vec::new();
    for c in commits {
        for key in ["added", "removed", "modified"] {
            for f in c.get(key).and_then(Value::as_array).into_iter().flatten() {
                if let Some(f) = f.as_str()
                    && !out.iter().any(|o| o == f)
                {
                    out.push(f.to_owned());
                }
            }
        }
    }
    Some(out)
}

/// A JSON value as an input string: strings as they are, others as JSON.
fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
