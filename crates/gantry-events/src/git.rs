//! A small, read-only wrapper around the `git` command line.
//!
//! Every call runs `git -C ROOT …` with a fixed environment (no pager, no
//! prompts, no locale surprises) and returns its standard output; a failure
//! becomes an [`Error`] that names the command and carries git's message.
//! Nothing here changes the repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;

/// The SHA git (and GitHub) use for "no commit": a created or deleted ref.
pub const ZERO_SHA: &str = "0000000000000000000000000000000000000000";

/// A git repository on disk.
#[derive(Clone, Debug)]
pub struct Git {
    root: PathBuf,
}

/// One commit's metadata, as the push payload needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitInfo {
    pub sha: String,
    pub tree: String,
    pub parents: Vec<String>,
    pub author_name: String,
    pub author_email: String,
    pub author_date: String,
    pub committer_name: String,
    pub committer_email: String,
    pub committer_date: String,
    /// The full message, without the trailing newline.
    pub message: String,
}

impl CommitInfo {
    /// The first line of the message.
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }
}

/// Files a commit added, removed and modified (renames count as a removal
/// and an addition, as in GitHub's push payload).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub modified: Vec<String>,
}

fn command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    cmd
}

fn run_in(dir: &Path, args: &[&str]) -> Result<String, Error> {
    let output = command(dir).args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::GitMissing
        } else {
            Error::Io {
                what: format!("cannot run git {}", args.join(" ")),
                source: e,
            }
        }
    })?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(Error::Git {
            command: format!("git {}", args.join(" ")),
            message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }
}

impl Git {
    /// Opens the repository that contains `dir`.
    pub fn discover(dir: &Path) -> Result<Git, Error> {
        if !dir.is_dir() {
            return Err(Error::NotARepository {
                path: dir.to_path_buf(),
                message: "no such directory".to_owned(),
            });
        }
        match run_in(dir, &["rev-parse", "--show-toplevel"]) {
            Ok(out) => Ok(Git {
                root: PathBuf::from(out.trim_end_matches(['\n', '\r'])),
            }),
            Err(Error::Git { message, .. }) => Err(Error::NotARepository {
                path: dir.to_path_buf(),
                message,
            }),
            Err(e) => Err(e),
        }
    }

    /// The top directory of the working tree.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Runs git and returns its output; a non-zero exit is an error.
    pub fn run(&self, args: &[&str]) -> Result<String, Error> {
        run_in(&self.root, args)
    }

    /// Runs git; a non-zero exit (e.g. a ref that does not exist) is `None`.
    pub fn run_opt(&self, args: &[&str]) -> Result<Option<String>, Error> {
        match self.run(args) {
            Ok(out) => Ok(Some(out)),
            Err(Error::Git { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The commit a revision names, or `None` when it names none.
    pub fn resolve(&self, rev: &str) -> Result<Option<String>, Error> {
        if rev.starts_with('-') {
            return Ok(None);
        }
        let spec = format!("{rev}^{{commit}}");
        Ok(self
            .run_opt(&[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ])?
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()))
    }

    /// Like [`Git::resolve`], but a revision that names nothing is an error.
    pub fn resolve_required(&self, rev: &str, what: &str) -> Result<String, Error> {
        self.resolve(rev)?.ok_or_else(|| Error::BadRevision {
            what: what.to_owned(),
            rev: rev.to_owned(),
        })
    }

    /// `HEAD`'s commit; an error in a repository without commits.
    pub fn head(&self) -> Result<String, Error> {
        self.resolve("HEAD")?.ok_or(Error::NoCommits)
    }

    /// The checked-out branch's short name; `None` when HEAD is detached.
    pub fn current_branch(&self) -> Result<Option<String>, Error> {
        Ok(self
            .run_opt(&["symbolic-ref", "--quiet", "--short", "HEAD"])?
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()))
    }

    /// Whether `refs/heads/NAME` exists.
    pub fn has_branch(&self, name: &str) -> Result<bool, Error> {
        self.has_ref(&format!("refs/heads/{name}"))
    }

    /// Whether a full ref exists.
    pub fn has_ref(&self, full: &str) -> Result<bool, Error> {
        Ok(self
            .run_opt(&["show-ref", "--verify", "--quiet", full])?
            .is_some())
    }

    /// The short name `refs/remotes/origin/HEAD` points at (`main`), if set.
    pub fn origin_head(&self) -> Result<Option<String>, Error> {
        Ok(self
            .run_opt(&["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"])?
            .and_then(|s| {
                s.trim()
                    .strip_prefix("refs/remotes/origin/")
                    .map(str::to_owned)
            })
            .filter(|s| !s.is_empty()))
    }

    /// The full name of a branch's upstream (`refs/remotes/origin/x`), if set.
    pub fn upstream(&self, branch: &str) -> Result<Option<String>, Error> {
        let spec = format!("refs/heads/{branch}");
        Ok(self
            .run_opt(&["for-each-ref", "--format=%(upstream)", &spec])?
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()))
    }

    /// A configuration value, if set.
    pub fn config(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self
            .run_opt(&["config", "--get", key])?
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()))
    }

    /// Commits reachable from `to` but not from any of `not`, oldest first.
    pub fn rev_list(&self, to: &str, not: &[&str]) -> Result<Vec<String>, Error> {
        let mut args = vec!["rev-list", "--reverse", "--topo-order", to];
        if !not.is_empty() {
            args.push("--not");
            args.extend_from_slice(not);
        }
        args.push("--");
        Ok(lines(&self.run(&args)?))
    }

    /// Whether `a` is an ancestor of (or equal to) `b`.
    pub fn is_ancestor(&self, a: &str, b: &str) -> Result<bool, Error> {
        Ok(self
            .run_opt(&["merge-base", "--is-ancestor", a, b])?
            .is_some())
    }

    /// The best common ancestor of two commits, if any.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<String>, Error> {
        Ok(self
            .run_opt(&["merge-base", a, b])?
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()))
    }

    /// Files that differ between two commits (`from` `None`: the empty tree),
    /// in git's order.
    pub fn diff_names(&self, from: Option<&str>, to: &str) -> Result<Vec<String>, Error> {
        let out = match from {
            Some(from) => {
                self.run(&["diff", "--name-only", "--no-renames", "-z", from, to, "--"])?
            }
            None => self.run(&[
                "diff-tree",
                "-r",
                "--root",
                "--name-only",
                "--no-renames",
                "--no-commit-id",
                "-z",
                to,
            ])?,
        };
        Ok(out
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// Metadata of each commit, in the order given.
    pub fn commits(&self, shas: &[String]) -> Result<Vec<CommitInfo>, Error> {
        if shas.is_empty() {
            return Ok(Vec::new());
        }
        // Fields separated by NUL, records by SOH; the message comes last.
        const FORMAT: &str =
            "--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x01";
        let mut out = Vec::with_capacity(shas.len());
        for chunk in shas.chunks(256) {
            let mut args = vec!["show", "-s", "--no-walk=unsorted", "--no-color", FORMAT];
            args.extend(chunk.iter().map(String::as_str));
            args.push("--");
            let text = self.run(&args)?;
            for record in text.split('\u{1}') {
                let record = record.trim_start_matches('\n');
                if record.is_empty() {
                    continue;
                }
                let f: Vec<&str> = record.splitn(10, '\0').collect();
                if f.len() < 10 {
                    continue;
                }
                out.push(CommitInfo {
                    sha: f[0].to_owned(),
                    tree: f[1].to_owned(),
                    parents: f[2].split_whitespace().map(str::to_owned).collect(),
                    author_name: f[3].to_owned(),
                    author_email: f[4].to_owned(),
                    author_date: f[5].to_owned(),
                    committer_name: f[6].to_owned(),
                    committer_email: f[7].to_owned(),
                    committer_date: f[8].to_owned(),
                    message: f[9].trim_end_matches('\n').to_owned(),
                });
            }
        }
        Ok(out)
    }

    /// What a commit changed against its first parent (everything, for a
    /// root commit).
    pub fn file_changes(&self, commit: &CommitInfo) -> Result<FileChanges, Error> {
        let out = match commit.parents.first() {
            Some(parent) => self.run(&[
                "diff-tree",
                "-r",
                "--no-renames",
                "--name-status",
                "-z",
                parent,
                &commit.sha,
            ])?,
            None => self.run(&[
                "diff-tree",
                "-r",
                "--root",
                "--no-commit-id",
                "--no-renames",
                "--name-status",
                "-z",
                &commit.sha,
            ])?,
        };
        let mut changes = FileChanges::default();
        let mut parts = out.split('\0').filter(|s| !s.is_empty());
        while let (Some(status), Some(path)) = (parts.next(), parts.next()) {
            let path = path.to_owned();
            match status.chars().next() {
                Some('A') => changes.added.push(path),
                Some('D') => changes.removed.push(path),
                _ => changes.modified.push(path),
            }
        }
        Ok(changes)
    }

    /// The most recent tag reachable from `rev`, if any.
    pub fn latest_tag(&self, rev: &str) -> Result<Option<String>, Error> {
        Ok(self
            .run_opt(&["describe", "--tags", "--abbrev=0", rev])?
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()))
    }

    /// The URL of a remote, if it exists.
    pub fn remote_url(&self, remote: &str) -> Result<Option<String>, Error> {
        self.config(&format!("remote.{remote}.url"))
    }

    /// A file's content at a commit, if it exists there.
    pub fn show_file(&self, commit: &str, path: &str) -> Result<Option<String>, Error> {
        let spec = format!("{commit}:{path}");
        self.run_opt(&["show", "--no-color", &spec])
    }
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
