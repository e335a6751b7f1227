//! Per-job workspaces (a clean tree of the event's commit, made fast) and
//! `RUNNER_TEMP` folders (reused between the jobs of a run, emptied).
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

/// The folder of `RUNNER_TEMP` holding the file-command files.
pub const FILE_COMMANDS_DIR: &str = "_runner_file_commands";
/// The folder of `RUNNER_TEMP` holding the event payload, `event.json`.
pub const EVENT_DIR: &str = "_github_workflow";

/// Spare `RUNNER_TEMP` folders left by finished jobs, by the run's work
/// folder they are in.
static SPARE_TEMPS: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());
static SPARE_SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The run's work folder of a job's `RUNNER_TEMP` (`<work>/<job>/temp`).
fn run_work_dir(temp: &Path) -> Option<&Path> {
    temp.parent()?.parent()
}

/// Makes a job's `RUNNER_TEMP`: a spare one an earlier job of the run left
/// (see [`retire_temp`]) when there is one, else a new folder.
///
/// # Errors
/// When the folder cannot be made.
pub fn make_temp(temp: &Path) -> std::io::Result<()> {
    if let Some(work) = run_work_dir(temp) {
        let spare = {
            let mut spares = SPARE_TEMPS
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            spares
                .iter()
                .position(|(w, _)| w == work)
                .map(|i| spares.swap_remove(i).1)
        };
        if let Some(spare) = spare {
            if let Some(parent) = temp.parent() {
                std::fs::create_dir_all(parent)?;
            }
            if std::fs::rename(&spare, temp).is_ok() {
                return Ok(());
            }
            let _ = std::fs::remove_dir_all(&spare);
        }
    }
    std::fs::create_dir_all(temp)
}

/// Ends a job's `RUNNER_TEMP`. Everything the job put there goes at once
/// (scripts and what steps wrote can hold secrets); what stays is the
/// runner's own skeleton: the file-command files, empty (a step's are
/// removed once read when it wrote to them), and the event payload's
/// folder. That skeleton is kept for the next job of the run: making new
/// files and folders costs more than a short job's steps on some file
/// systems. Whatever cannot be emptied is deleted.
pub fn retire_temp(temp: &Path) {
    let kept = empty_but_skeleton(temp).is_ok()
        && run_work_dir(temp).is_some_and(|work| {
            let n = SPARE_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let spare = work.join(format!(".spare-temp-{n}"));
            let moved = std::fs::rename(temp, &spare).is_ok();
            if moved {
                SPARE_TEMPS
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((work.to_path_buf(), spare));
            }
            moved
        });
    if !kept {
        let _ = std::fs::remove_dir_all(temp);
    }
}

/// Removes from `temp` all but empty files in `_runner_file_commands` and
/// `_github_workflow/event.json`.
fn empty_but_skeleton(temp: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(temp)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let is_dir = entry.file_type()?.is_dir();
        match name.to_str() {
            Some(inner) if is_dir && (inner == FILE_COMMANDS_DIR || inner == EVENT_DIR) => {
                for file in std::fs::read_dir(&path)? {
                    let file = file?;
                    let meta = std::fs::symlink_metadata(file.path())?;
                    let keep = meta.is_file()
                        && if inner == FILE_COMMANDS_DIR {
                            meta.len() == 0
                        } else {
                            file.file_name() == "event.json"
                        };
                    if keep {
                        continue;
                    }
                    if meta.is_dir() {
                        std::fs::remove_dir_all(file.path())?;
                    } else {
                        std::fs::remove_file(file.path())?;
                    }
                }
            }
            _ if is_dir => std::fs::remove_dir_all(&path)?,
            _ => std::fs::remove_file(&path)?,
        }
    }
    Ok(())
}

/// Deletes the spare `RUNNER_TEMP` folders of the run whose work folder is
/// `work` (when the run ends).
pub fn discard_spare_temps(work: &Path) {
    let mine: Vec<PathBuf> = {
        let mut spares = SPARE_TEMPS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (mine, rest): (Vec<_>, Vec<_>) = spares.drain(..).partition(|(w, _)| w == work);
        *spares = rest;
        mine.into_iter().map(|(_, p)| p).collect()
    };
    for p in mine {
        discard(&p);
    }
}

/// Replaces a file's content in place: written from the start, then cut to
/// the new length. Unlike opening with `O_TRUNC`, this never truncates a
/// file with unwritten data to zero bytes, which makes ext4 (with its
/// default `auto_da_alloc`) write that data out when the file is closed.
///
/// # Errors
/// When the file cannot be opened or written.
pub fn rewrite(path: &Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    f.write_all(content)?;
    f.set_len(content.len() as u64)
}
