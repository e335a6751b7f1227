//! `pull_request` and `pull_request_target`: the current branch proposed
//! for merging into the base branch.

use serde_json::{Value, json};

use super::objects::{repository, user};
use super::push::into_map;
use super::{Facts, short_name, tip_of};
use crate::git::Git;
use crate::identity::Identity;
use crate::{Error, Options};

/// The tip of the base branch: `origin/BASE` (what the pull request is
/// compared with on GitHub) when it exists, else the local branch.
pub fn base_tip(git: &Git, base: &str) -> Result<String, Error> {
    if let Some(sha) = git.resolve(&format!("refs/remotes/origin/{base}"))? {
        return Ok(sha);
    }
    if let Some(sha) = git.resolve(&format!("refs/heads/{base}"))? {
        return Ok(sha);
    }
    Err(Error::BadBase(base.to_owned()))
}

/// Files the pull request changes: from the merge base of base and head.
pub fn changed_files(git: &Git, base_sha: &str, head_sha: &str) -> Result<Vec<String>, Error> {
    let from = git
        .merge_base(base_sha, head_sha)?
        .unwrap_or_else(|| base_sha.to_owned());
    git.diff_names(Some(&from), head_sha)
}

fn numstat(git: &Git, from: &str, to: &str) -> Result<(u64, u64), Error> {
    let out = git.run(&["diff", "--numstat", "--no-renames", from, to, "--"])?;
    let mut adds = 0;
    let mut dels = 0;
    for line in out.lines() {
        let mut parts = line.split('\t');
        adds += parts
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
        dels += parts
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Ok((adds, dels))
}

fn branch_side(id: &Identity, branch: &str, sha: &str) -> Value {
    json!({
        "label": format!("{}:{branch}", id.owner),
        "ref": branch,
        "sha": sha,
        "user": user(id, &id.owner),
        "repo": repository(id, false),
    })
}

pub fn build(git: &Git, id: &Identity, name: &str, opts: &Options) -> Result<Facts, Error> {
    let head_branch = match &opts.git_ref {
        Some(r) => short_name(r).to_owned(),
        None => git.current_branch()?.ok_or_else(|| Error::Detached {
            event: "pull request".to_owned(),
        })?,
    };
    let head_sha = match &opts.after {
        Some(rev) => git.resolve_required(rev, "--after")?,
        None => match &opts.git_ref {
            Some(r) => match tip_of(git, &format!("refs/heads/{}", short_name(r)))? {
                Some(sha) => sha,
                None => git.head()?,
            },
            None => git.head()?,
        },
    };
    let base = opts
        .base
        .as_deref()
        .map(|b| short_name(b).to_owned())
        .unwrap_or_else(|| id.default_branch.clone());
    let base_sha = base_tip(git, &base)?;
    let changed = changed_files(git, &base_sha, &head_sha)?;
    let merge_base = git
        .merge_base(&base_sha, &head_sha)?
        .unwrap_or_else(|| base_sha.clone());
    let (additions, deletions) = numstat(git, &merge_base, &head_sha)?;
    let commit_count = git.rev_list(&head_sha, &[&base_sha])?.len();
    let head_info = git.commits(std::slice::from_ref(&head_sha))?;
    let (title, updated) = head_info
        .first()
        .map(|c| (c.subject().to_owned(), c.committer_date.clone()))
        .unwrap_or_default();
    let number = opts.number.unwrap_or(1);
    let action = opts.action.clone().unwrap_or_else(|| "opened".to_owned());
    let api_pr = format!("{}/pulls/{number}", id.api_repo_url());
    let html_pr = format!("{}/pull/{number}", id.html_url());

    let pull_request = json!({
        "url": api_pr,
        "id": number,
        "node_id": format!("PR_gantry{number}"),
        "html_url": html_pr,
        "diff_url": format!("{html_pr}.diff"),
        "patch_url": format!("{html_pr}.patch"),
        "issue_url": format!("{}/issues/{number}", id.api_repo_url()),
        "number": number,
        "state": if action == "closed" { "closed" } else { "open" },
        "locked": false,
        "title": title,
        "user": user(id, &id.actor),
        "body": null,
        "created_at": updated,
        "updated_at": updated,
        "closed_at": null,
        "merged_at": null,
        "merge_commit_sha": null,
        "assignee": null,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [],
        "milestone": null,
        "draft": false,
        "head": branch_side(id, &head_branch, &head_sha),
        "base": branch_side(id, &base, &base_sha),
        "author_association": "OWNER",
        "auto_merge": null,
        "active_lock_reason": null,
        "merged": false,
        "mergeable": null,
        "rebaseable": null,
        "mergeable_state": "unknown",
        "merged_by": null,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": false,
        "commits": commit_count,
        "additions": additions,
        "deletions": deletions,
        "changed_files": changed.len(),
    });
    let mut payload = into_map(json!({ "action": action, "number": number }));
    if action == "synchronize" {
        let before = git
            .resolve(&format!("{head_sha}^1"))?
            .unwrap_or_else(|| head_sha.clone());
        payload.insert("before".to_owned(), Value::String(before));
        payload.insert("after".to_owned(), Value::String(head_sha.clone()));
    }
    payload.insert("pull_request".to_owned(), pull_request);
    payload.insert("repository".to_owned(), repository(id, false));
    payload.insert("sender".to_owned(), user(id, &id.actor));

    let mut facts = Facts {
        payload,
        action: Some(action),
        ..Facts::default()
    };
    set_refs(
        &mut facts,
        name,
        number,
        &head_branch,
        &head_sha,
        &base,
        &base_sha,
    );
    facts.changed = Some(changed);
    Ok(facts)
}

/// The refs and SHA of a pull request event: `pull_request` runs on the
/// merge ref, `pull_request_target` on the base branch.
pub fn set_refs(
    facts: &mut Facts,
    name: &str,
    number: u64,
    head: &str,
    head_sha: &str,
    base: &str,
    base_sha: &str,
) {
    if name == "pull_request_target" {
        facts.github_ref = format!("refs/heads/{base}");
        facts.sha = base_sha.to_owned();
    } else {
        facts.github_ref = format!("refs/pull/{number}/merge");
        facts.sha = head_sha.to_owned();
    }
    facts.filter_ref = Some(format!("refs/heads/{base}"));
    facts.head_ref = Some(head.to_owned());
    facts.base_ref = Some(base.to_owned());
}
