//! `gantry logs [RUN] [JOB]`: replay what a recorded run printed.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use gantry_events::Git;
use gantry_report::summary::{JobRow, RunOverview, SummaryOptions, final_line, render_job_table};
use gantry_report::{format, markdown};
use gantry_store::{RunRecord, Store, StoreError, find_job};

use crate::cli::{ColorChoice, LogsArgs};
use crate::exit::Exit;
use crate::style::{Level, emit};

fn colour(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// The state directory: `--state-dir`, else the repository's `.gantry`,
/// else `./.gantry` outside a repository.
fn store(args: &LogsArgs) -> Result<Store> {
    if let Some(dir) = &args.state_dir {
        return Ok(Store::new(dir.clone()));
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    Ok(match Git::discover(&cwd) {
        Ok(git) => Store::for_repository(git.root()),
        Err(_) => Store::for_repository(&cwd),
    })
}

/// A missing run or job: a message, the hint, and exit code 2.
fn not_found(e: &StoreError) -> Exit {
    emit(Level::Error, &e.to_string());
    if matches!(e, StoreError::NoRuns { .. }) {
        emit(
            Level::Hint,
            "`gantry run` records runs there; pass --state-dir for another directory",
        );
    }
    Exit::Usage
}

pub fn run(args: &LogsArgs) -> Result<Exit> {
    let store = store(args)?;
    // `gantry logs JOB` means a job of the latest run.
    let (run, job) = match (&args.run, &args.job) {
        (Some(r), job) => match r.parse::<u64>() {
            Ok(n) => (Some(n), job.clone()),
            Err(_) if job.is_none() => (None, Some(r.clone())),
            Err(_) => {
                emit(
                    Level::Error,
                    &format!("RUN must be a run number, found `{r}`"),
                );
                return Ok(Exit::Usage);
            }
        },
        (None, job) => (None, job.clone()),
    };
    let number = match run {
        Some(n) => n,
        None => match store.latest_run() {
            Ok(n) => n,
            Err(e @ StoreError::NoRuns { .. }) => return Ok(not_found(&e)),
            Err(e) => return Err(e.into()),
        },
    };
    let record = match store.load_run(number) {
        Ok(r) => r,
        Err(e @ StoreError::RunNotFound { .. }) => return Ok(not_found(&e)),
        Err(e) => return Err(e.into()),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match job {
        Some(query) => {
            let job = match find_job(&record, &query) {
                Ok(j) => j,
                Err(e) => return Ok(not_found(&e)),
            };
            match store.copy_job_log(number, job, &mut out) {
                Ok(_) => {}
                Err(StoreError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    emit(
                        Level::Warning,
                        &format!("{} left no log in run {number}", job.name),
                    );
                }
                Err(e) => return Err(e.into()),
            }
        }
        None => {
            let text = overview(&store, &record, colour(args.color))?;
            out.write_all(text.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}

/// The run's header, its step summaries, its jobs and its result.
fn overview(store: &Store, record: &RunRecord, colour: bool) -> Result<String> {
    let mut text = format::paint(
        &format!(
            "Run {} for {}, started {}",
            record.run,
            if record.event_name.is_empty() {
                "an unknown event"
            } else {
                &record.event_name
            },
            record.started_at
        ),
        format::Paint::Bold,
        colour,
    );
    text.push_str("\n\n");
    if let Some(md) = store.summary(record.run)? {
        text.push_str(&markdown::render(md.trim_end(), colour));
        text.push('\n');
    }
    let o = RunOverview {
        run_id: record.run_id,
        event_name: record.event_name.clone(),
        jobs: record
            .jobs
            .iter()
            .map(|j| JobRow {
                key: j.key.clone(),
                workflow: j.workflow.clone(),
                name: j.name.clone(),
                result: j.result.map(Into::into),
                duration_ms: j.duration_ms,
                reason: j.reason.clone(),
            })
            .collect(),
        summaries: Vec::new(),
        result: record.result.map(Into::into),
        duration_ms: record.duration_ms,
        environments: Vec::new(),
    };
    let options = SummaryOptions { styled: colour };
    text.push_str(&render_job_table(&o, options));
    text.push('\n');
    text.push_str(&final_line(&o, options));
    text.push('\n');
    let logs: PathBuf = store.run_dir(record.run).join("jobs");
    text.push_str(&format::paint(
        &format!(
            "\nA job's log: gantry logs {} JOB (files in {})\n",
            record.run,
            logs.display()
        ),
        format::Paint::Dim,
        colour,
    ));
    Ok(text)
}
