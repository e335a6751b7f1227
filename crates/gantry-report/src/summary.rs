//! The end-of-run summary: step summaries rendered for the terminal, a
//! table of workflow, job, result and duration, and a final line with the
//! run's result.
//!
//! [`RunOverview`] is what the summary needs, gathered from events
//! ([`RunOverview::observe`]) or built by hand from a stored run (`gantry
//! logs`); [`render_summary`] turns it into text.

use gantry_run::event::{Conclusion, Event};

use crate::format::{Paint, duration, pad, paint, result_label, result_paint, result_word};
use crate::markdown;

/// One job's line in the summary table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRow {
    pub key: String,
    pub workflow: String,
    pub name: String,
    /// `None` while the job has not ended (or never ran).
    pub result: Option<Conclusion>,
    pub duration_ms: Option<u64>,
    /// Why the job was skipped, when it was.
    pub reason: Option<String>,
}

/// One step summary (the markdown a step wrote to `GITHUB_STEP_SUMMARY`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepSummary {
    pub job_key: String,
    pub job_name: String,
    pub step: usize,
    pub markdown: String,
}

/// Everything the end-of-run summary shows. Small: output lines are not
/// kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOverview {
    pub run_id: Option<u64>,
    pub event_name: String,
    /// In the order the run announced them.
    pub jobs: Vec<JobRow>,
    /// In the order they were written.
    pub summaries: Vec<StepSummary>,
    /// `None` when the run did not finish.
    pub result: Option<Conclusion>,
    pub duration_ms: Option<u64>,
    /// The deployment environments jobs ran in, in the order they entered.
    pub environments: Vec<EnvironmentRow>,
}

/// A job's deployment environment, and its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentRow {
    pub job_key: String,
    pub name: String,
    pub url: Option<String>,
}

/// Options of [`render_summary`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SummaryOptions {
    /// Style for a terminal (ANSI); plain text otherwise.
    pub styled: bool,
}

impl RunOverview {
    /// Gathers an overview from a sequence of events.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> RunOverview {
        let mut o = RunOverview::default();
        for e in events {
            o.observe(e);
        }
        o
    }

    fn row(&mut self, key: &str) -> &mut JobRow {
        let idx = match self.jobs.iter().position(|j| j.key == key) {
            Some(i) => i,
            None => {
                self.jobs.push(JobRow {
                    key: key.to_owned(),
                    workflow: String::new(),
                    name: key.to_owned(),
                    result: None,
                    duration_ms: None,
                    reason: None,
                });
                self.jobs.len() - 1
            }
        };
        &mut self.jobs[idx]
    }

    /// The display name of a job.
    pub fn job_name(&self, key: &str) -> String {
        self.jobs
            .iter()
            .find(|j| j.key == key)
            .map_or_else(|| key.to_owned(), |j| j.name.clone())
    }

    /// Takes one event into account.
    pub fn observe(&mut self, e: &Event) {
        match e {
            Event::RunStarted {
                run_id,
                event_name,
                jobs,
            } => {
                self.run_id = Some(*run_id);
                self.event_name = event_name.clone();
                for j in jobs {
                    let row = self.row(&j.key.0);
                    row.name = j.name.clone();
                    row.workflow = j.workflow.clone();
                }
            }
            Event::JobStarted { job, name, .. } => {
                self.row(&job.0).name = name.clone();
            }
            Event::JobSkipped {
                job,
                reason,
                result,
            } => {
                let row = self.row(&job.0);
                row.result = Some(*result);
                row.reason = Some(reason.clone());
            }
            Event::JobFinished {
                job,
                name,
                result,
                duration_ms,
                ..
            } => {
                let row = self.row(&job.0);
                row.name = name.clone();
                row.result = Some(*result);
                row.duration_ms = Some(*duration_ms);
            }
            Event::StepSummary {
                job,
                step,
                markdown,
            } => {
                let job_name = self.job_name(&job.0);
                self.summaries.push(StepSummary {
                    job_key: job.0.clone(),
                    job_name,
                    step: *step,
                    markdown: markdown.clone(),
                });
            }
            Event::JobEnvironment { job, name, url } => {
                self.environments.push(EnvironmentRow {
                    job_key: job.0.clone(),
                    name: name.clone(),
                    url: url.clone(),
                });
            }
            Event::RunFinished {
                result,
                duration_ms,
            } => {
                self.result = Some(*result);
                self.duration_ms = Some(*duration_ms);
            }
            _ => {}
        }
    }
}

/// The summary of a run, from its events.
pub fn summarize<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    options: SummaryOptions,
) -> String {
    render_summary(&RunOverview::from_events(events), options)
}

/// Renders the step summaries, the job table and the final line.
pub fn render_summary(o: &RunOverview, options: SummaryOptions) -> String {
    let mut out = String::new();
    out.push_str(&render_step_summaries(o, options));
    out.push_str(&render_job_table(o, options));
    out.push_str(&render_environments(o, options));
    out.push('\n');
    out.push_str(&final_line(o, options));
    out.push('\n');
    out
}

/// The step summaries, grouped under the name of their job, or nothing.
pub fn render_step_summaries(o: &RunOverview, options: SummaryOptions) -> String {
    let styled = options.styled;
    let mut out = String::new();
    // Group by job, jobs in the order of their first summary.
    let mut order: Vec<&str> = Vec::new();
    for s in &o.summaries {
        if !order.contains(&s.job_key.as_str()) {
            order.push(&s.job_key);
        }
    }
    for key in order {
        let name = o
            .summaries
            .iter()
            .find(|s| s.job_key == key)
            .map_or(key, |s| s.job_name.as_str());
        let heading = format!("── Summary of {name} ──");
        out.push_str(&paint(&heading, Paint::Bold, styled));
        out.push_str("\n\n");
        for s in o.summaries.iter().filter(|s| s.job_key == key) {
            let text = markdown::render(s.markdown.trim_end_matches('\n'), styled);
            out.push_str(&text);
            if !text.is_empty() {
                out.push('\n');
            }
        }
    }
    out
}

/// The table of workflow, job, result and duration, and, when any job has
/// one, why a job did not run (`NOTE`: the skip reason).
pub fn render_job_table(o: &RunOverview, options: SummaryOptions) -> String {
    let styled = options.styled;
    let with_notes = o.jobs.iter().any(|j| j.reason.is_some());
    let mut header = vec!["WORKFLOW", "JOB", "RESULT", "DURATION"];
    if with_notes {
        header.push("NOTE");
    }
    let rows: Vec<Vec<String>> = o
        .jobs
        .iter()
        .map(|j| {
            let mut row = vec![
                j.workflow.clone(),
                j.name.clone(),
                j.result
                    .map_or_else(|| "not run".to_owned(), |r| result_label(r, styled)),
                j.duration_ms.map_or_else(|| "-".to_owned(), duration),
            ];
            if with_notes {
                row.push(j.reason.clone().unwrap_or_default());
            }
            row
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| crate::format::width(h)).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(crate::format::width(c));
        }
    }
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        parts.join("  ").trim_end().to_owned()
    };
    let mut out = String::new();
    let head: Vec<String> = header
        .iter()
        .map(|h| paint(h, Paint::Bold, styled))
        .collect();
    out.push_str(&line(&head));
    out.push('\n');
    for r in &rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// One line per deployment environment a job ran in, with its URL:
/// `environment production (deploy): https://example.com`.
pub fn render_environments(o: &RunOverview, options: SummaryOptions) -> String {
    let mut out = String::new();
    for e in &o.environments {
        let job = o.job_name(&e.job_key);
        let head = paint(
            &format!("environment {}", e.name),
            Paint::Bold,
            options.styled,
        );
        match &e.url {
            Some(url) => out.push_str(&format!("{head} ({job}): {url}\n")),
            None => out.push_str(&format!("{head} ({job})\n")),
        }
    }
    if !out.is_empty() {
        out.insert(0, '\n');
    }
    out
}

/// `✗ Run failed in 5.2s: 1 failed, 2 succeeded, 1 skipped`.
pub fn final_line(o: &RunOverview, options: SummaryOptions) -> String {
    let styled = options.styled;
    let mut counts: Vec<String> = Vec::new();
    for c in [
        Conclusion::Failure,
        Conclusion::Cancelled,
        Conclusion::Success,
        Conclusion::Skipped,
    ] {
        let n = o.jobs.iter().filter(|j| j.result == Some(c)).count();
        if n > 0 {
            counts.push(format!("{n} {}", result_word(c)));
        }
    }
    let not_run = o.jobs.iter().filter(|j| j.result.is_none()).count();
    if not_run > 0 {
        counts.push(format!("{not_run} not run"));
    }
    let jobs = if counts.is_empty() {
        "no jobs".to_owned()
    } else {
        counts.join(", ")
    };
    match o.result {
        Some(r) => {
            let head = format!("{} Run {}", crate::format::result_mark(r), result_word(r));
            let time = o
                .duration_ms
                .map(|d| format!(" in {}", duration(d)))
                .unwrap_or_default();
            format!("{}{time}: {jobs}", paint(&head, result_paint(r), styled))
        }
        None => format!(
            "{}: {jobs}",
            paint("Run did not finish", Paint::Yellow, styled)
        ),
    }
}
