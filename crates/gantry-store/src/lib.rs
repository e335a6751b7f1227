//! The history of gantry runs, kept under the repository's `.gantry/` (or
//! another state directory):
//!
//! ```text
//! .gantry/
//!   .gitignore              `*`: git ignores the whole directory
//!   runs/<N>/
//!     events.jsonl          every event, as `gantry run --format json` prints them
//!     jobs/<job-slug>.log   each job's output with step headers, as a person reads it
//!     summary.md            every step summary, under its job's name
//!     result.json           the run's result, jobs, results, durations, outputs
//! ```
//!
//! [`StoreSink`] records a run as its events arrive; [`Store`] lists runs
//! and reads them back. The formats are described in `docs/output.md`.

mod log;
mod record;
mod sink;
mod time;

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

pub use record::{JobRecord, Outcome, RESULT_VERSION, RunRecord};
pub use sink::StoreSink;
pub use time::rfc3339;

/// What can go wrong recording or reading runs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a valid run record: {source}", path.display())]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("no runs recorded under {}", dir.display())]
    NoRuns { dir: PathBuf },
    #[error("run {run} does not exist (recorded runs: {})", list_or_none(known))]
    RunNotFound { run: u64, known: Vec<u64> },
    #[error("run {run} has no job matching `{query}`; its jobs: {}", candidates.join(", "))]
    JobNotFound {
        run: u64,
        query: String,
        candidates: Vec<String>,
    },
    #[error("`{query}` matches several jobs of run {run}: {}", candidates.join(", "))]
    AmbiguousJob {
        run: u64,
        query: String,
        candidates: Vec<String>,
    },
}

fn list_or_none(runs: &[u64]) -> String {
    match runs {
        [] => "none".to_owned(),
        [one] => one.to_string(),
        [first, .., last] if runs.len() > 10 => format!("{first} to {last}"),
        _ => runs
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A state directory holding recorded runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Store {
    root: PathBuf,
}

/// A recorded run as listed: its number and its record, when readable.
#[derive(Debug)]
pub struct RunEntry {
    pub number: u64,
    /// `Err` when `result.json` is missing or unreadable (a run that was
    /// killed before it started, or a damaged record).
    pub record: Result<RunRecord, StoreError>,
}

impl Store {
    /// The store in `state_dir` (created when the first run is recorded).
    pub fn new(state_dir: impl Into<PathBuf>) -> Store {
        Store {
            root: state_dir.into(),
        }
    }

    /// The store of a repository: `<repo_root>/.gantry`.
    pub fn for_repository(repo_root: &Path) -> Store {
        Store::new(repo_root.join(".gantry"))
    }

    /// The state directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of run `n` (it may not exist).
    pub fn run_dir(&self, n: u64) -> PathBuf {
        self.root.join("runs").join(n.to_string())
    }

    /// Creates the state directory and its `.gitignore` if missing.
    pub fn ensure(&self) -> Result<(), StoreError> {
        let runs = self.root.join("runs");
        std::fs::create_dir_all(&runs).map_err(io_err(&runs))?;
        let ignore = self.root.join(".gitignore");
        if !ignore.exists() {
            let mut f = File::create(&ignore).map_err(io_err(&ignore))?;
            f.write_all(b"# Written by gantry: its run history stays out of git.\n*\n")
                .map_err(io_err(&ignore))?;
        }
        Ok(())
    }

    /// Allocates the next run number and creates its directory. Numbers
    /// increase: one more than the highest recorded (1 for the first run).
    pub fn create_run(&self) -> Result<(u64, PathBuf), StoreError> {
        self.create_run_after(0)
    }

    /// Like [`Store::create_run`], numbered above `used` too: run numbers
    /// others have seen (the artifact store's runs of the repository, which
    /// outlive a deleted state directory) are not given again.
    ///
    /// # Errors
    /// When the run's folder cannot be made.
    pub fn create_run_after(&self, used: u64) -> Result<(u64, PathBuf), StoreError> {
        self.ensure()?;
        let last = self.run_numbers()?.last().copied().unwrap_or(0);
        let mut n = last.max(used) + 1;
        loop {
            let dir = self.run_dir(n);
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    let jobs = dir.join("jobs");
                    std::fs::create_dir(&jobs).map_err(io_err(&jobs))?;
                    return Ok((n, dir));
                }
                // Another gantry took this number meanwhile.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
                Err(e) => return Err(io_err(&dir)(e)),
            }
        }
    }

    /// The numbers of the recorded runs, in increasing order.
    pub fn run_numbers(&self) -> Result<Vec<u64>, StoreError> {
        let runs = self.root.join("runs");
        let entries = match std::fs::read_dir(&runs) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&runs)(e)),
        };
        let mut numbers: Vec<u64> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        numbers.sort_unstable();
        Ok(numbers)
    }

    /// The highest run number.
    pub fn latest_run(&self) -> Result<u64, StoreError> {
        self.run_numbers()?
            .last()
            .copied()
            .ok_or_else(|| StoreError::NoRuns {
                dir: self.root.clone(),
            })
    }

    /// Every recorded run, oldest first.
    pub fn list_runs(&self) -> Result<Vec<RunEntry>, StoreError> {
        Ok(self
            .run_numbers()?
            .into_iter()
            .map(|number| RunEntry {
                number,
                record: self.load_run(number),
            })
            .collect())
    }

    fn check_exists(&self, n: u64) -> Result<PathBuf, StoreError> {
        let dir = self.run_dir(n);
        if dir.is_dir() {
            Ok(dir)
        } else {
            Err(StoreError::RunNotFound {
                run: n,
                known: self.run_numbers()?,
            })
        }
    }

    /// The record (`result.json`) of run `n`.
    pub fn load_run(&self, n: u64) -> Result<RunRecord, StoreError> {
        let path = self.check_exists(n)?.join("result.json");
        let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
        serde_json::from_str(&text).map_err(|source| StoreError::Json { path, source })
    }

    /// The step summaries of run `n` (`summary.md`), if any were written.
    pub fn summary(&self, n: u64) -> Result<Option<String>, StoreError> {
        let path = self.check_exists(n)?.join("summary.md");
        match std::fs::read_to_string(&path) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    /// The path of a job's log in run `n`.
    pub fn job_log_path(&self, n: u64, job: &JobRecord) -> PathBuf {
        self.run_dir(n).join(&job.log)
    }

    /// Opens a job's log for reading, line by line.
    pub fn open_job_log(&self, n: u64, job: &JobRecord) -> Result<impl BufRead, StoreError> {
        let path = self.job_log_path(n, job);
        let f = File::open(&path).map_err(io_err(&path))?;
        Ok(BufReader::new(f))
    }

    /// Copies a job's log to `out`; returns the number of bytes.
    pub fn copy_job_log(
        &self,
        n: u64,
        job: &JobRecord,
        out: &mut dyn Write,
    ) -> Result<u64, StoreError> {
        let path = self.job_log_path(n, job);
        let mut log = self.open_job_log(n, job)?;
        std::io::copy(&mut log, out).map_err(io_err(&path))
    }
}

/// Finds the job of `record` that `query` names: a job whose name or key
/// equals it (ignoring case), else the only one whose name or key contains
/// it.
pub fn find_job<'a>(record: &'a RunRecord, query: &str) -> Result<&'a JobRecord, StoreError> {
    let q = query.to_lowercase();
    let exact: Vec<&JobRecord> = record
        .jobs
        .iter()
        .filter(|j| j.name.to_lowercase() == q || j.key.to_lowercase() == q)
        .collect();
    let matches = if exact.is_empty() {
        record
            .jobs
            .iter()
            .filter(|j| j.name.to_lowercase().contains(&q) || j.key.to_lowercase().contains(&q))
            .collect()
    } else {
        exact
    };
    let describe = |j: &&JobRecord| format!("{} ({})", j.name, j.key);
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(StoreError::JobNotFound {
            run: record.run,
            query: query.to_owned(),
            candidates: record.jobs.iter().map(|j| describe(&j)).collect(),
        }),
        many => Err(StoreError::AmbiguousJob {
            run: record.run,
            query: query.to_owned(),
            candidates: many.iter().map(describe).collect(),
        }),
    }
}
