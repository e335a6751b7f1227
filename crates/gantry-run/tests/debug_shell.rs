//! Debug shells without a terminal: `mxschmitt/action-tmate` and
//! `--debug-on-failure` ask a [`DebugShell`] (here a fake that records what
//! it was asked) for a shell in the job's workspace with the step's
//! environment, and say how to get one when there is no terminal.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use gantry_run::actions::Registry;
use gantry_run::commands::AnnotationLevel;
use gantry_run::debug_shell::{DebugShell, ShellReason, ShellRequest};
use gantry_run::event::{Conclusion, Event};
use gantry_run::mask::Masker;

mod support;

use support::{Ran, test_job};

/// Records each request; leaves a file in the workspace so that later steps
/// show they ran after the shell.
struct FakeShell {
    interactive: bool,
    seen: Mutex<Vec<ShellRequest>>,
}

impl FakeShell {
    fn new(interactive: bool) -> Arc<FakeShell> {
        Arc::new(FakeShell {
            interactive,
            seen: Mutex::default(),
        })
    }

    fn seen(&self) -> Vec<ShellRequest> {
        self.seen.lock().unwrap().clone()
    }
}

impl DebugShell for FakeShell {
    fn interactive(&self) -> bool {
        self.interactive
    }

    fn open(&self, request: &ShellRequest) -> Result<(), String> {
        std::fs::write(request.workspace.join("shell-was-here"), "yes").unwrap();
        self.seen.lock().unwrap().push(request.clone());
        Ok(())
    }
}

impl Ran {
    fn annotations(&self, level: AnnotationLevel) -> Vec<String> {
        self.annotation_messages(Some(level))
    }
}

async fn run_job(steps: &str, registry: &Registry) -> Ran {
    let yaml = format!(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      JOB_LEVEL: j\n    steps:\n{steps}"
    );
    test_job(&yaml, "ci:build", "Build")
        .run(&Masker::new(), registry, None)
        .await
}

const FAILING: &str = r#"
      - run: |
          mkdir -p "$RUNNER_TEMP/bin"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
          echo "FROM_FILE=set-earlier" >> "$GITHUB_ENV"
      - name: Compile
        env:
          STEP_LEVEL: s
        run: exit 3
      - if: always()
        run: echo "after=$(cat shell-was-here 2>/dev/null || echo none)"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_step_opens_a_shell_with_its_environment_before_the_next_steps() {
    let fake = FakeShell::new(true);
    let mut registry = Registry::default();
    registry.set_debug_shell(fake.clone(), true);
    let r = run_job(FAILING, &registry).await;
    assert_eq!(r.outcome.result, Conclusion::Failure);
    let seen = fake.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let req = &seen[0];
    assert_eq!(req.job, "ci:build");
    assert_eq!(req.job_name, "Build");
    assert_eq!(req.workspace, r.workspace);
    assert_eq!(
        req.reason,
        ShellReason::StepFailed {
            step: "Compile".into()
        }
    );
    assert_eq!(
        req.env.get("GITHUB_WORKSPACE").map(String::as_str),
        r.workspace.to_str()
    );
    assert_eq!(req.env["STEP_LEVEL"], "s");
    assert_eq!(req.env["JOB_LEVEL"], "j");
    assert_eq!(req.env["FROM_FILE"], "set-earlier");
    assert!(req.env.contains_key("RUNNER_TEMP"));
    assert!(
        req.env["PATH"].starts_with(&format!("{}/bin", req.env["RUNNER_TEMP"])),
        "{}",
        req.env["PATH"]
    );
    // The shell opened before the job's remaining steps ran.
    assert!(r.output().contains("after=yes"), "{}", r.output());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_flag_or_a_failure_no_shell_opens() {
    let fake = FakeShell::new(true);
    let mut registry = Registry::default();
    registry.set_debug_shell(fake.clone(), false);
    let r = run_job(FAILING, &registry).await;
    assert_eq!(r.outcome.result, Conclusion::Failure);
    assert!(fake.seen().is_empty());
    assert!(r.output().contains("after=none"), "{}", r.output());

    registry.set_debug_shell(fake.clone(), true);
    let r = run_job(
        "      - run: 'true'\n      - run: exit 1\n        continue-on-error: true\n",
        &registry,
    )
    .await;
    assert_eq!(r.outcome.result, Conclusion::Success);
    assert!(fake.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_debug_on_failure_warns() {
    let fake = FakeShell::new(false);
    let mut registry = Registry::default();
    registry.set_debug_shell(fake.clone(), true);
    let r = run_job(FAILING, &registry).await;
    assert_eq!(r.outcome.result, Conclusion::Failure);
    assert!(fake.seen().is_empty());
    let warnings = r.annotations(AnnotationLevel::Warning);
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("--debug-on-failure: no shell opened: it needs a terminal")),
        "{warnings:?}"
    );
}

const TMATE: &str = r#"
      - run: exit 1
      - name: Debug
        if: failure()
        uses: mxschmitt/action-tmate@v3
        with:
          limit-access-to-actor: true
          connect-timeout-seconds: 60
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tmate_without_a_terminal_succeeds_with_a_notice() {
    let r = run_job(TMATE, &Registry::default()).await;
    assert_eq!(r.outcome.result, Conclusion::Failure);
    let notices = r.annotations(AnnotationLevel::Notice);
    assert!(
        notices
            .iter()
            .any(|n| n.contains("there is no terminal")
                && n.contains("gantry run --debug-on-failure")),
        "{notices:?}"
    );
    let debug_step = r.events.iter().find_map(|e| match e {
        Event::StepFinished {
            name, conclusion, ..
        } if name == "Debug" => Some(*conclusion),
        _ => None,
    });
    assert_eq!(debug_step, Some(Conclusion::Success));
}

#[tokio::test]
async fn tmate_in_a_terminal_opens_a_shell_in_the_workspace() {
    // A current-thread runtime: the shell blocks the step directly.
    let fake = FakeShell::new(true);
    let mut registry = Registry::default();
    registry.set_debug_shell(fake.clone(), false);
    let r = run_job(TMATE, &registry).await;
    assert_eq!(r.outcome.result, Conclusion::Failure);
    let seen = fake.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].reason, ShellReason::Tmate { detached: false });
    assert_eq!(seen[0].workspace, r.workspace);
    assert!(seen[0].env.contains_key("GITHUB_WORKSPACE"));
    assert!(r.annotations(AnnotationLevel::Notice).is_empty());
}
