//! [`gantry_plan::Repo`] over a repository on disk: its working tree, or the
//! files of one commit.

use std::path::PathBuf;

use gantry_plan::Repo;

use crate::git::Git;

/// A path the planner asked for, made safe: relative, no `..`.
fn clean(path: &str) -> Option<&str> {
    let rel = path.trim_start_matches("./").trim_start_matches('/');
    if rel.is_empty() || rel.split('/').any(|s| s == "..") {
        None
    } else {
        Some(rel)
    }
}

/// Reads the working tree (what `gantry plan` sees, uncommitted edits
/// included).
#[derive(Clone, Debug)]
pub struct WorktreeRepo {
    root: PathBuf,
}

impl WorktreeRepo {
    pub fn new(root: impl Into<PathBuf>) -> WorktreeRepo {
        WorktreeRepo { root: root.into() }
    }
}

impl Repo for WorktreeRepo {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(clean(path)?)).ok()
    }
}

/// Reads files as they are at one commit.
#[derive(Clone, Debug)]
pub struct CommitRepo {
    git: Git,
    commit: String,
}

impl CommitRepo {
    pub fn new(git: Git, commit: impl Into<String>) -> CommitRepo {
        CommitRepo {
            git,
            commit: commit.into(),
        }
    }
}

impl Repo for CommitRepo {
    fn read(&self, path: &str) -> Option<String> {
        self.git
            .show_file(&self.commit, clean(path)?)
            .ok()
            .flatten()
    }
}
