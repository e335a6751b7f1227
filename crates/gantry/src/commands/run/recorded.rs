//! Where a finished run's records are, printed under the summary of a
//! human-format run: the logs (and how to replay them), the step summaries,
//! the artifacts the run uploaded and the GitHub API calls it made.

use std::path::Path;

/// The lines shown after the summary.
pub(super) struct Recorded<'a> {
    /// The run's record directory (`.gantry/runs/N`).
    pub run_dir: &'a Path,
    pub run_number: u64,
    /// Artifacts this run uploaded.
    pub artifacts: usize,
    /// GitHub API calls recorded (`api.json`).
    pub api_calls: usize,
}

impl Recorded<'_> {
    /// The block of text, paths relative to `cwd` when they are under it.
    pub(super) fn render(&self, cwd: &Path) -> String {
        let shown = |p: &Path| -> String {
            p.strip_prefix(cwd)
                .map_or_else(|_| p.display().to_string(), |r| r.display().to_string())
        };
        let n = self.run_number;
        let dir = shown(self.run_dir);
        let mut out = format!("\nRun {n} is recorded in {dir}/:\n");
        out.push_str(&format!(
            "  logs       gantry logs {n} [JOB]   (one file per job in {dir}/jobs/)\n"
        ));
        out.push_str(&format!("  summary    {dir}/summary.md\n"));
        if self.artifacts > 0 {
            let what = if self.artifacts == 1 {
                "1 artifact".to_owned()
            } else {
                format!("{} artifacts", self.artifacts)
            };
            out.push_str(&format!(
                "  artifacts  {what}: gantry artifacts list --run {n}\n"
            ));
        }
        if self.api_calls > 0 {
            out.push_str(&format!(
                "  API calls  {} recorded, not sent: {dir}/api.json\n",
                self.api_calls
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_repository_and_empty_parts_left_out() {
        let r = Recorded {
            run_dir: Path::new("/repo/.gantry/runs/3"),
            run_number: 3,
            artifacts: 0,
            api_calls: 0,
        };
        let text = r.render(Path::new("/repo"));
        assert!(
            text.contains("Run 3 is recorded in .gantry/runs/3/:"),
            "{text}"
        );
        assert!(text.contains("gantry logs 3 [JOB]"), "{text}");
        assert!(!text.contains("artifacts"), "{text}");
        assert!(!text.contains("API calls"), "{text}");
        let r = Recorded {
            artifacts: 2,
            api_calls: 1,
            ..r
        };
        let text = r.render(Path::new("/elsewhere"));
        assert!(text.contains("/repo/.gantry/runs/3/summary.md"), "{text}");
        assert!(
            text.contains("2 artifacts: gantry artifacts list --run 3"),
            "{text}"
        );
        assert!(text.contains("1 recorded, not sent"), "{text}");
    }
}
