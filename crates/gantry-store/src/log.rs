//! The text of a job's log (`jobs/<job-slug>.log`): the job's output with
//! a header for each step, as a person reads it. No colour, no prefixes.

use gantry_report::format::{annotation, duration, result_mark, result_word, step_result};
use gantry_run::event::{Conclusion, Event};

/// A file-name slug: lower-case letters, digits and single dashes.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s: String = s.trim_matches(['-', '.']).chars().take(80).collect();
    if s.is_empty() { "job".to_owned() } else { s }
}

/// The lines an event adds to its job's log, or `None` when it adds none
/// (or is not about one job).
pub fn lines(event: &Event, job_name: &str, workflow: &str) -> Option<String> {
    let text = match event {
        Event::JobStarted { workspace, .. } => {
            format!("Job: {job_name}\nWorkflow: {workflow}\nWorkspace: {workspace}\n")
        }
        Event::JobSkipped { reason, result, .. } => {
            let r = *result;
            format!(
                "Job: {job_name}\nWorkflow: {workflow}\n{} {}: {reason}\n",
                result_mark(r),
                result_word(r)
            )
        }
        Event::JobWaiting { reason, .. } => format!("… waiting: {reason}\n"),
        Event::JobEnvironment { name, url, .. } => match url {
            Some(url) => format!("Environment: {name} ({url})\n"),
            None => format!("Environment: {name}\n"),
        },
        Event::StepStarted { step, name, .. } => format!("\n── Step {step}: {name} ──\n"),
        Event::StepCommand { command, .. } => {
            let mut s = String::new();
            for (i, l) in command.lines().enumerate() {
                s.push_str(if i == 0 { "$ " } else { "  " });
                s.push_str(l);
                s.push('\n');
            }
            s
        }
        Event::Output { line, .. } => format!("{line}\n"),
        Event::GroupStarted { title, .. } => format!("▸ {title}\n"),
        Event::GroupEnded { .. } | Event::StepSummary { .. } => return None,
        Event::Debug { message, .. } => format!("debug: {message}\n"),
        Event::Annotation { annotation: a, .. } => format!("{}\n", annotation(a, false)),
        Event::StepFinished {
            step,
            name,
            outcome,
            conclusion,
            duration_ms,
            ..
        } => {
            let shown = if *outcome == Conclusion::Failure {
                Conclusion::Failure
            } else {
                *conclusion
            };
            let words = step_result(*outcome, *conclusion);
            if *conclusion == Conclusion::Skipped {
                format!("\n{} Step {step}: {name} {words}\n", result_mark(shown))
            } else {
                format!(
                    "{} Step {step}: {name} {words} in {}\n",
                    result_mark(shown),
                    duration(*duration_ms)
                )
            }
        }
        Event::JobFinished {
            result,
            outputs,
            duration_ms,
            ..
        } => {
            let mut s = String::from("\n");
            for (k, v) in outputs {
                s.push_str(&format!("output {k}={v}\n"));
            }
            s.push_str(&format!(
                "{} Job {job_name} {} in {}\n",
                result_mark(*result),
                result_word(*result),
                duration(*duration_ms)
            ));
            s
        }
        Event::RunStarted { .. } | Event::RunFinished { .. } => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("test (ubuntu-latest, 1.80)"),
            "test-ubuntu-latest-1.80"
        );
        assert_eq!(slug("Build & Deploy"), "build-deploy");
        assert_eq!(slug("///"), "job");
    }
}
