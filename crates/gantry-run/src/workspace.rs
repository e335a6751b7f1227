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

    /// Removes the workspace. The directory is first renamed aside (and a
    /// worktree's registration pruned), which is instant; its files are
    /// deleted on a background thread, so a job with a large workspace
    /// (a virtual environment, build outputs) does not wait for that. Call
    /// [`wait_for_removals`] before the process exits.
    pub fn remove(&self) {
        let dir = self.dir();
        let Workspace::Worktree { repo, .. } = self else {
            discard(dir);
            return;
        };
        let trash = trash_path(dir);
        let moved = std::fs::rename(dir, &trash).is_ok();
        {
            let _guard = WORKTREE_LOCK
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut git = Command::new("git");
            git.arg("-C").arg(repo);
            if moved {
                // The worktree's directory is gone: drop its registration.
                git.args(["worktree", "prune"]);
            } else {
                git.args(["worktree", "remove", "--force"]).arg(dir);
            }
            let _ = git.output();
        }
        if moved {
            remove_in_background(trash);
        } else {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Removes a directory the way [`Workspace::remove`] does: renamed aside at
/// once, deleted in the background (or at once when it cannot be renamed).
pub fn discard(dir: &Path) {
    let trash = trash_path(dir);
    if std::fs::rename(dir, &trash).is_ok() {
        remove_in_background(trash);
    } else {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Deletions still running on background threads.
static REMOVALS: Mutex<Vec<std::thread::JoinHandle<()>>> = Mutex::new(Vec::new());

/// Where a directory goes to be deleted: beside it, so the rename stays on
/// one file system.
fn trash_path(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".removing-{}", std::process::id()));
    dir.with_file_name(name)
}

/// Deletes `dir` on a background thread ([`wait_for_removals`] waits for it).
fn remove_in_background(dir: PathBuf) {
    let spawned = std::thread::Builder::new()
        .name("gantry-remove".into())
        .spawn({
            let dir = dir.clone();
            move || {
                let _ = std::fs::remove_dir_all(&dir);
                if let Some(parent) = dir.parent() {
                    // The job's folder, once its workspace, temp and tool
                    // cache are all gone.
                    let _ = std::fs::remove_dir(parent);
                }
            }
        });
    match spawned {
        Ok(handle) => REMOVALS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(handle),
        Err(_) => {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// Waits until every workspace removed so far is deleted.
pub fn wait_for_removals() {
    let handles = std::mem::take(
        &mut *REMOVALS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    for h in handles {
        let _ = h.join();
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
