//! The `push` event: the commits a `git push` would send.

use serde_json::{Map, Value, json};

use super::objects::{commit, repository, user};
use super::{Facts, current_ref, short_name, tip_of};
use crate::git::{CommitInfo, Git, ZERO_SHA};
use crate::identity::Identity;
use crate::{Error, Options};

/// GitHub lists at most this many commits in a push payload.
pub const MAX_COMMITS: usize = 2048;

fn is_zero(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b == b'0')
}

/// Resolves `--before`/`--after`: all zeros stays zeros (a created or
/// deleted ref), anything else must name a commit.
fn resolve_flag(git: &Git, rev: &str, what: &str) -> Result<String, Error> {
    if is_zero(rev) {
        Ok(ZERO_SHA.to_owned())
    } else {
        git.resolve_required(rev, what)
    }
}

/// Where the pushed branch already is on the remote: its upstream, else
/// `origin/BRANCH`.
fn remote_tip(git: &Git, branch: &str) -> Result<Option<String>, Error> {
    if let Some(up) = git.upstream(branch)?
        && let Some(sha) = git.resolve(&up)?
    {
        return Ok(Some(sha));
    }
    git.resolve(&format!("refs/remotes/origin/{branch}"))
}

pub fn build(git: &Git, id: &Identity, opts: &Options) -> Result<Facts, Error> {
    let git_ref = current_ref(git, opts, "push")?;
    let is_tag = git_ref.starts_with("refs/tags/");
    let after = match &opts.after {
        Some(rev) => resolve_flag(git, rev, "--after")?,
        None => match tip_of(git, &git_ref)? {
            Some(sha) if opts.git_ref.is_some() => sha,
            _ => git.head()?,
        },
    };
    let deleted = after == ZERO_SHA;

    // before, and the pushed commits (oldest first).
    let (before, shas): (String, Vec<String>) = match &opts.before {
        Some(rev) => {
            let before = resolve_flag(git, rev, "--before")?;
            let shas = if deleted {
                Vec::new()
            } else if before == ZERO_SHA {
                // A new ref: the commits no remote has yet.
                git.rev_list(&after, &["--remotes"])?
            } else {
                git.rev_list(&after, &[&before])?
            };
            (before, shas)
        }
        None if deleted => {
            let tip = match tip_of(git, &git_ref)? {
                Some(sha) => sha,
                None => git.head()?,
            };
            (tip, Vec::new())
        }
        None if is_tag => (ZERO_SHA.to_owned(), Vec::new()),
        None => {
            let branch = short_name(&git_ref);
            let pending = match remote_tip(git, branch)? {
                Some(up) => {
                    let shas = git.rev_list(&after, &[&up])?;
                    (!shas.is_empty()).then_some((up, shas))
                }
                None => None,
            };
            match pending {
                Some(p) => p,
                None => {
                    let parent = git
                        .resolve(&format!("{after}^1"))?
                        .unwrap_or_else(|| ZERO_SHA.to_owned());
                    (parent, vec![after.clone()])
                }
            }
        }
    };
    let created = before == ZERO_SHA;
    let forced = !created && !deleted && !git.is_ancestor(&before, &after)?;

    // GitHub lists the most recent commits when there are too many.
    let listed: Vec<String> = shas
        .iter()
        .skip(shas.len().saturating_sub(MAX_COMMITS))
        .cloned()
        .collect();
    let infos = git.commits(&listed)?;
    let mut commits = Vec::with_capacity(infos.len());
    for info in &infos {
        let changes = git.file_changes(info)?;
        commits.push(commit(id, info, Some(&changes)));
    }
    let head_commit = if deleted {
        Value::Null
    } else {
        match commits.last() {
            Some(c) => c.clone(),
            None => {
                let infos = git.commits(std::slice::from_ref(&after))?;
                match infos.first() {
                    Some(info) => {
                        let changes = git.file_changes(info)?;
                        commit(id, info, Some(&changes))
                    }
                    None => Value::Null,
                }
            }
        }
    };

    let changed = if deleted {
        Some(Vec::new())
    } else if created {
        // Against the parent of the oldest commit pushed.
        let oldest: Option<&CommitInfo> = infos.first();
        let parent = oldest.and_then(|c| c.parents.first()).cloned();
        Some(git.diff_names(parent.as_deref(), &after)?)
    } else {
        Some(git.diff_names(Some(&before), &after)?)
    };

    let html = id.html_url();
    let compare = if created {
        format!("{html}/compare/{}", short_name(&git_ref))
    } else {
        format!(
            "{html}/compare/{}...{}",
            &before[..12.min(before.len())],
            &after[..12.min(after.len())]
        )
    };
    let mut pusher = Map::new();
    pusher.insert("name".to_owned(), Value::String(id.actor.clone()));
    pusher.insert(
        "email".to_owned(),
        id.actor_email.clone().map_or(Value::Null, Value::String),
    );

    let payload = json!({
        "ref": git_ref,
        "before": before,
        "after": after,
        "repository": repository(id, true),
        "pusher": Value::Object(pusher),
        "sender": user(id, &id.actor),
        "created": created,
        "deleted": deleted,
        "forced": forced,
        "base_ref": null,
        "compare": compare,
        "commits": commits,
        "head_commit": head_commit,
    });
    Ok(Facts {
        payload: into_map(payload),
        github_ref: git_ref.clone(),
        sha: after,
        filter_ref: Some(git_ref),
        changed: if is_tag && opts.before.is_none() {
            None
        } else {
            changed
        },
        ..Facts::default()
    })
}

pub fn into_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
