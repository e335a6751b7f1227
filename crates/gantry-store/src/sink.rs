//! [`StoreSink`]: records a run as its events arrive.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use gantry_report::json::{event_line, now_ms};
use gantry_run::event::{Event, JobKey, Sink};

use crate::log::{lines, slug};
use crate::record::{JobRecord, RESULT_VERSION, RunRecord};
use crate::time::rfc3339;
use crate::{Store, StoreError, io_err};

type ErrorHandler = Box<dyn Fn(&StoreError) + Send + Sync>;

/// A [`Sink`] that records a run under `runs/<N>/` of a [`Store`]. Writes
/// are buffered and flushed when a job ends and when the run ends (and when
/// the sink is dropped). The first error is reported once, through the
/// error handler, and recording stops; it never panics.
pub struct StoreSink {
    number: u64,
    dir: PathBuf,
    state: Mutex<State>,
    on_error: ErrorHandler,
}

struct State {
    events: BufWriter<File>,
    seq: u64,
    record: RunRecord,
    logs: HashMap<String, BufWriter<File>>,
    slugs: HashSet<String>,
    /// (job key, job name, markdown), in the order written.
    summaries: Vec<(String, String, String)>,
    error: Option<String>,
}

impl StoreSink {
    /// Allocates the next run of `store` and opens its files. The lead
    /// passes [`StoreSink::run_number`] to the runner as the run id.
    pub fn create(store: &Store) -> Result<StoreSink, StoreError> {
        Self::create_after(store, 0)
    }

    /// Like [`StoreSink::create`], the run numbered above `used` (see
    /// [`Store::create_run_after`]).
    ///
    /// # Errors
    /// When the run's folder or files cannot be made.
    pub fn create_after(store: &Store, used: u64) -> Result<StoreSink, StoreError> {
        let (number, dir) = store.create_run_after(used)?;
        let path = dir.join("events.jsonl");
        let events = BufWriter::new(File::create(&path).map_err(io_err(&path))?);
        let started = now_ms();
        let record = RunRecord {
            v: RESULT_VERSION,
            run: number,
            run_id: None,
            event_name: String::new(),
            started_at: rfc3339(started),
            started_at_ms: started,
            result: None,
            duration_ms: None,
            jobs: Vec::new(),
        };
        write_record(&dir, &record)?;
        Ok(StoreSink {
            number,
            dir,
            state: Mutex::new(State {
                events,
                seq: 0,
                record,
                logs: HashMap::new(),
                slugs: HashSet::new(),
                summaries: Vec::new(),
                error: None,
            }),
            on_error: Box::new(|e| {
                eprintln!("warning: cannot record this run: {e}");
            }),
        })
    }

    /// Replaces the error handler (by default, a `warning:` line on
    /// standard error).
    pub fn with_error_handler(
        mut self,
        handler: impl Fn(&StoreError) + Send + Sync + 'static,
    ) -> StoreSink {
        self.on_error = Box::new(handler);
        self
    }

    /// The run's number.
    pub fn run_number(&self) -> u64 {
        self.number
    }

    /// The run's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The error that stopped recording, if one did.
    pub fn error(&self) -> Option<String> {
        lock(&self.state).error.clone()
    }

    fn record_event(&self, state: &mut State, event: &Event) -> Result<(), StoreError> {
        let events_path = || self.dir.join("events.jsonl");
        let line = event_line(event, state.seq, now_ms());
        state.seq += 1;
        state
            .events
            .write_all(line.as_bytes())
            .map_err(|e| io_err(&events_path())(e))?;
        self.update_record(state, event);
        if let Some(key) = job_of(event) {
            let (name, workflow, log) = state.job_entry(key);
            if let Some(text) = lines(event, &name, &workflow) {
                let path = self.dir.join(&log);
                let w = match state.logs.entry(key.0.clone()) {
                    std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        let f = std::fs::OpenOptions::new()
                            .create(true)
                            .append(true)
                            .open(&path)
                            .map_err(io_err(&path))?;
                        v.insert(BufWriter::new(f))
                    }
                };
                w.write_all(text.as_bytes()).map_err(io_err(&path))?;
            }
        }
        match event {
            Event::JobFinished { job, .. } | Event::JobSkipped { job, .. } => {
                if let Some(mut w) = state.logs.remove(&job.0) {
                    let path = self.dir.join(&state.job_entry(job).2);
                    w.flush().map_err(io_err(&path))?;
                }
                state
                    .events
                    .flush()
                    .map_err(|e| io_err(&events_path())(e))?;
                self.write_summary(state)?;
                write_record(&self.dir, &state.record)?;
            }
            Event::RunStarted { .. } => write_record(&self.dir, &state.record)?,
            Event::RunFinished { .. } => self.finish(state)?,
            _ => {}
        }
        Ok(())
    }

    fn update_record(&self, state: &mut State, event: &Event) {
        match event {
            Event::RunStarted {
                run_id,
                event_name,
                jobs,
            } => {
                state.record.run_id = Some(*run_id);
                state.record.event_name = event_name.clone();
                for j in jobs {
                    state.ensure_job(&j.key, Some(&j.name));
                    if let Some(r) = state.record.jobs.iter_mut().find(|r| r.key == j.key.0) {
                        r.name = j.name.clone();
                        r.workflow = j.workflow.clone();
                        r.needs = j.needs.iter().map(|k| k.0.clone()).collect();
                    }
                }
            }
            Event::JobStarted { job, name, .. } => {
                state.ensure_job(job, Some(name));
                if let Some(r) = state.job_mut(job) {
                    r.name = name.clone();
                }
            }
            Event::JobSkipped {
                job,
                reason,
                result,
            } => {
                state.job_entry(job);
                if let Some(r) = state.job_mut(job) {
                    r.result = Some((*result).into());
                    r.reason = Some(reason.clone());
                }
            }
            Event::JobFinished {
                job,
                name,
                result,
                outputs,
                duration_ms,
            } => {
                state.ensure_job(job, Some(name));
                if let Some(r) = state.job_mut(job) {
                    r.name = name.clone();
                    r.result = Some((*result).into());
                    r.outputs = outputs.clone();
                    r.duration_ms = Some(*duration_ms);
                }
            }
            Event::StepSummary { job, markdown, .. } => {
                let (name, _, _) = state.job_entry(job);
                state
                    .summaries
                    .push((job.0.clone(), name, markdown.clone()));
            }
            Event::RunFinished {
                result,
                duration_ms,
            } => {
                state.record.result = Some((*result).into());
                state.record.duration_ms = Some(*duration_ms);
            }
            _ => {}
        }
    }

    fn write_summary(&self, state: &State) -> Result<(), StoreError> {
        if state.summaries.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        let mut order: Vec<&str> = Vec::new();
        for (key, _, _) in &state.summaries {
            if !order.contains(&key.as_str()) {
                order.push(key);
            }
        }
        for key in order {
            let mut first = true;
            for (_, name, md) in state.summaries.iter().filter(|s| s.0 == key) {
                if first {
                    text.push_str(&format!("## {name}\n\n"));
                    first = false;
                }
                text.push_str(md.trim_end_matches('\n'));
                text.push_str("\n\n");
            }
        }
        let path = self.dir.join("summary.md");
        std::fs::write(&path, text).map_err(io_err(&path))
    }

    /// Flushes everything and writes `summary.md` and `result.json`.
    fn finish(&self, state: &mut State) -> Result<(), StoreError> {
        let events_path = self.dir.join("events.jsonl");
        state.events.flush().map_err(io_err(&events_path))?;
        let open: Vec<String> = state.logs.keys().cloned().collect();
        for key in open {
            if let Some(mut w) = state.logs.remove(&key) {
                let path = self.dir.join(&state.job_entry(&JobKey(key)).2);
                w.flush().map_err(io_err(&path))?;
            }
        }
        self.write_summary(state)?;
        write_record(&self.dir, &state.record)
    }

    fn fail(&self, state: &mut State, e: &StoreError) {
        if state.error.is_none() {
            state.error = Some(e.to_string());
            (self.on_error)(e);
        }
    }
}

impl State {
    /// The job's name, workflow and log path, adding the job if new.
    fn job_entry(&mut self, key: &JobKey) -> (String, String, String) {
        self.ensure_job(key, None)
    }

    /// Like [`State::job_entry`]; a new job's log is named after `name`.
    fn ensure_job(&mut self, key: &JobKey, name: Option<&str>) -> (String, String, String) {
        if let Some(r) = self.record.jobs.iter().find(|r| r.key == key.0) {
            return (r.name.clone(), r.workflow.clone(), r.log.clone());
        }
        let name = name.unwrap_or(&key.0).to_owned();
        let base = slug(&name);
        let mut s = base.clone();
        let mut n = 2;
        while self.slugs.contains(&s) {
            s = format!("{base}-{n}");
            n += 1;
        }
        self.slugs.insert(s.clone());
        let log = format!("jobs/{s}.log");
        self.record.jobs.push(JobRecord {
            key: key.0.clone(),
            name: name.clone(),
            workflow: String::new(),
            needs: Vec::new(),
            result: None,
            duration_ms: None,
            reason: None,
            outputs: Default::default(),
            log: log.clone(),
        });
        (name, String::new(), log)
    }

    fn job_mut(&mut self, key: &JobKey) -> Option<&mut JobRecord> {
        self.record.jobs.iter_mut().find(|r| r.key == key.0)
    }
}

fn job_of(event: &Event) -> Option<&JobKey> {
    match event {
        Event::RunStarted { .. } | Event::RunFinished { .. } => None,
        Event::JobSkipped { job, .. }
        | Event::JobWaiting { job, .. }
        | Event::JobEnvironment { job, .. }
        | Event::JobStarted { job, .. }
        | Event::StepStarted { job, .. }
        | Event::StepCommand { job, .. }
        | Event::Output { job, .. }
        | Event::GroupStarted { job, .. }
        | Event::GroupEnded { job, .. }
        | Event::Debug { job, .. }
        | Event::Annotation { job, .. }
        | Event::StepSummary { job, .. }
        | Event::StepFinished { job, .. }
        | Event::JobFinished { job, .. } => Some(job),
    }
}

/// Writes `result.json` whole (through a temporary file and a rename, so
/// that a reader never sees half of it).
fn write_record(dir: &Path, record: &RunRecord) -> Result<(), StoreError> {
    let path = dir.join("result.json");
    let tmp = dir.join("result.json.tmp");
    let mut text = serde_json::to_string_pretty(record).map_err(|source| StoreError::Json {
        path: path.clone(),
        source,
    })?;
    text.push('\n');
    std::fs::write(&tmp, text).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io_err(&path))
}

fn lock(m: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl Sink for StoreSink {
    fn emit(&self, event: Event) {
        let mut state = lock(&self.state);
        if state.error.is_some() {
            return;
        }
        if let Err(e) = self.record_event(&mut state, &event) {
            self.fail(&mut state, &e);
        }
    }
}

impl Drop for StoreSink {
    /// Flushes what a run that did not finish (an interrupted gantry) left.
    fn drop(&mut self) {
        let mut state = lock(&self.state);
        if state.error.is_none()
            && (!state.logs.is_empty() || state.record.result.is_none())
            && let Err(e) = self.finish(&mut state)
        {
            self.fail(&mut state, &e);
        }
    }
}
