//! Per-job workspaces: a clean tree of the event's commit, made fast.
//!
//! In a git repository each job gets a detached `git worktree` of the
//! commit (a checkout from the local object store: no network, no copy of
//! history). Elsewhere the directory's files are copied. Worktrees are
//! removed when the run ends; logs stay.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// `git worktree add` and `remove` of concurrent jobs touch the same
/// administrative folder (`.git/worktrees`): one at a time.
static WORKTREE_LOCK: Mutex<()> = Mutex::new(());

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("git worktree add {dir} failed: {message}")]
    Worktree { dir: String, message: String },
    #[error("cannot copy {from} to {to}: {source}")]
    Copy {
        from: String,
        to: String,
        source: std::io::Error,
    },
}

/// How a job's workspace was made (and so how to remove it).
#[derive(Clone, Debug)]
pub enum Workspace {
    Worktree { repo: PathBuf, dir: PathBuf },
    Copy { dir: PathBuf },
}

impl Workspace {
    pub fn dir(&self) -> &Path {
        match self {
            Workspace::Worktree { dir, .. } | Workspace::Copy { dir } => dir,
        }
    }

    /// Removes the workspace.
    pub fn remove(&self) {
        match self {
            Workspace::Worktree { repo, dir } => {
                let _guard = WORKTREE_LOCK
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let _ = Command::new("git")
                    .arg("-C")
                    .arg(repo)
                    .args(["worktree", "remove", "--force"])
                    .arg(dir)
                    .output();
                let _ = std::fs::remove_dir_all(dir);
            }
            Workspace::Copy { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

/// Whether `dir` is inside a git work tree.
pub fn is_git_repo(dir: &Path) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--is-inside-work-tree"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Makes a workspace at `dest` holding `repo` at `sha` (or, outside git,
/// a copy of `repo`'s files).
pub fn create(repo: &Path, sha: Option<&str>, dest: &Path) -> Result<Workspace, WorkspaceError> {
    if let Some(parent) = dest.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    if let (true, Some(sha)) = (is_git_repo(repo), sha.filter(|s| !s.is_empty())) {
        let _guard = WORKTREE_LOCK
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let out = Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["worktree", "add", "--detach", "--force", "--quiet"])
            .arg(dest)
            .arg(sha)
            .output()
            .map_err(|e| WorkspaceError::Worktree {
                dir: dest.display().to_string(),
                message: e.to_string(),
            })?;
        if !out.status.success() {
            return Err(WorkspaceError::Worktree {
                dir: dest.display().to_string(),
                message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        return Ok(Workspace::Worktree {
            repo: repo.to_path_buf(),
            dir: dest.to_path_buf(),
        });
    }
    copy_dir(repo, dest, 0)?;
    Ok(Workspace::Copy {
        dir: dest.to_path_buf(),
    })
}

fn copy_dir(from: &Path, to: &Path, depth: usize) -> Result<(), WorkspaceError> {
    let err = |source| WorkspaceError::Copy {
        from: from.display().to_string(),
        to: to.display().to_string(),
        source,
    };
    std::fs::create_dir_all(to).map_err(err)?;
    if depth > 64 {
        return Ok(());
    }
    for entry in std::fs::read_dir(from).map_err(err)? {
        let entry = entry.map_err(err)?;
        let name = entry.file_name();
        if depth == 0 && (name == ".git" || name == ".gantry" || name == "target") {
            continue;
        }
        let src = entry.path();
        let dst = to.join(&name);
        let ft = entry.file_type().map_err(err)?;
        if ft.is_dir() {
            copy_dir(&src, &dst, depth + 1)?;
        } else if ft.is_symlink() {
            if let Ok(target) = std::fs::read_link(&src) {
                let _ = std::os::unix::fs::symlink(target, &dst);
            }
        } else {
            std::fs::copy(&src, &dst).map_err(|source| WorkspaceError::Copy {
                from: src.display().to_string(),
                to: dst.display().to_string(),
                source,
            })?;
        }
    }
    Ok(())
}
