//! One job at a time, straight from workflow YAML: steps, contexts, file
//! and workflow commands, masking, status functions.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use gantry_expr::{Object, Value};
use gantry_run::actions::Registry;
use gantry_run::event::Conclusion;
use gantry_run::mask::Masker;
use tokio::sync::watch;

mod support;

use support::{Ran, test_job};

impl Ran {
    fn annotations(&self) -> Vec<String> {
        self.annotation_messages(None)
    }
}

async fn run_yaml(yaml: &str, secrets: &[(&str, &str)], cancel_after: Option<Duration>) -> Ran {
    let mut t = test_job(yaml, "wf:job", "job");
    t.spec.timeout = Duration::from_secs(60);
    let masker = Masker::new();
    let mut sec = Object::new();
    for (k, v) in secrets {
        masker.add_secret(v);
        sec.insert(*k, Value::from(*v));
    }
    t.spec.contexts.set("secrets", Value::object(sec));
    let (tx, rx) = watch::channel(false);
    if let Some(d) = cancel_after {
        tokio::spawn(async move {
            tokio::time::sleep(d).await;
            let _ = tx.send(true);
        });
    } else {
        std::mem::forget(tx);
    }
    t.run(&masker, &Registry::default(), Some(rx)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outputs_env_and_path_flow_between_steps() {
    let r = run_yaml(
        r#"
on: push
env: { LEVEL: workflow, WF_ONLY: w }
jobs:
  job:
    runs-on: ubuntu-latest
    env: { LEVEL: job }
    outputs:
      greeting: ${{ steps.a.outputs.greeting }}
      multi: ${{ steps.a.outputs.multi }}
    steps:
      - id: a
        run: |
          echo "greeting=hello" >> "$GITHUB_OUTPUT"
          printf 'multi<<EOF\nline1\nline2\nEOF\n' >> "$GITHUB_OUTPUT"
          echo "FROM_ENV_FILE=yes" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\necho tool-ran\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - env: { LEVEL: step }
        run: |
          echo "level=$LEVEL wf=$WF_ONLY file=$FROM_ENV_FILE ci=$CI actions=$GITHUB_ACTIONS"
          echo "out=${{ steps.a.outputs.greeting }} ctx=${{ env.FROM_ENV_FILE }}"
          mytool
"#,
        &[],
        None,
    )
    .await;
    assert_eq!(
        r.outcome.result,
        Conclusion::Success,
        "{:?}",
        r.annotations()
    );
    let out = r.output();
    assert!(
        out.contains("level=step wf=w file=yes ci=true actions=true"),
        "{out}"
    );
    assert!(out.contains("out=hello ctx=yes"), "{out}");
    assert!(out.contains("tool-ran"), "{out}");
    assert_eq!(r.outcome.outputs["greeting"], "hello");
    assert_eq!(r.outcome.outputs["multi"], "line1\nline2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_functions_after_a_failure() {
    let r = run_yaml(
        r#"
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - id: boom
        run: exit 3
      - name: skipped by default
        run: echo never
      - name: on failure
        if: failure()
        run: echo "outcome=${{ steps.boom.outcome }}"
      - name: always
        if: always()
        run: echo always-ran
      - name: success only
        if: success()
        run: echo never
"#,
        &[],
        None,
    )
    .await;
    assert_eq!(r.outcome.result, Conclusion::Failure);
    let steps = r.steps();
    assert_eq!(steps[0].1, Conclusion::Failure);
    assert_eq!(steps[1].1, Conclusion::Skipped);
    assert_eq!(steps[2].1, Conclusion::Success);
    assert_eq!(steps[3].1, Conclusion::Success);
    assert_eq!(steps[4].1, Conclusion::Skipped);
    assert!(r.output().contains("outcome=failure"));
    assert!(r.annotations().iter().any(|a| a.contains("exit code 3")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continue_on_error_keeps_the_job_green() {
    let r = run_yaml(
        r#"
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - id: flaky
        continue-on-error: true
        run: exit 1
      - run: echo "outcome=${{ steps.flaky.outcome }} conclusion=${{ steps.flaky.conclusion }}"
"#,
        &[],
        None,
    )
    .await;
    assert_eq!(r.outcome.result, Conclusion::Success);
    assert!(
        r.output().contains("outcome=failure conclusion=success"),
        "{}",
        r.output()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_and_add_mask_values_are_masked() {
    let r = run_yaml(
        r#"
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "token is ${{ secrets.TOKEN }}"
          echo "::add-mask::runtime-value"
          echo "later runtime-value appears"
          echo "::warning title=t::leaks ${{ secrets.TOKEN }}?"
          printf 'line-a\nline-b\n' | sed 's/^/multi: /'
"#,
        &[("TOKEN", "s3cr3t-token"), ("ML", "line-a\nline-b")],
        None,
    )
    .await;
    let out = r.output();
    assert!(
        !out.contains("s3cr3t-token") && !out.contains("runtime-value") && !out.contains("line-a"),
        "{out}"
    );
    assert!(out.contains("token is ***"), "{out}");
    assert!(out.contains("later *** appears"), "{out}");
    assert!(out.contains("multi: ***"), "{out}");
    assert!(
        r.annotations().iter().any(|a| a == "leaks ***?"),
        "{:?}",
        r.annotations()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_command_errors_fail_the_step() {
    let r = run_yaml(
        r#"
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - run: printf 'X<<EOF\nno end\n' >> "$GITHUB_ENV"
"#,
        &[],
        None,
    )
    .await;
    assert_eq!(r.outcome.result, Conclusion::Failure);
    assert!(
        r.annotations().iter().any(|a| a.contains("delimiter")),
        "{:?}",
        r.annotations()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_runs_always_steps() {
    let r = run_yaml(
        r#"
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 30
      - run: echo not-after-cancel
      - if: cancelled()
        run: echo cleanup-ran
"#,
        &[],
        Some(Duration::from_millis(500)),
    )
    .await;
    assert_eq!(r.outcome.result, Conclusion::Cancelled);
    let out = r.output();
    assert!(
        out.contains("cleanup-ran") && !out.contains("not-after-cancel"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deprecated_and_disabled_commands() {
    let r = run_yaml(
        r#"
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    outputs:
      legacy: ${{ steps.s.outputs.legacy }}
    steps:
      - id: s
        run: |
          echo "::set-output name=legacy::old-way"
          echo "::stop-commands::pause123"
          echo "::error::not a command while stopped"
          echo "::pause123::"
          echo "::notice::commands again"
      - run: echo "::set-env name=X::y"
"#,
        &[],
        None,
    )
    .await;
    assert_eq!(
        r.outcome.outputs.get("legacy").map(String::as_str),
        Some("old-way")
    );
    assert!(r.output().contains("::error::not a command while stopped"));
    let ann = r.annotations();
    assert!(
        ann.iter()
            .any(|a| a.contains("set-output") && a.contains("deprecated")),
        "{ann:?}"
    );
    assert!(ann.iter().any(|a| a == "commands again"), "{ann:?}");
    assert!(
        ann.iter()
            .any(|a| a.contains("set-env") && a.contains("disabled")),
        "{ann:?}"
    );
    assert_eq!(r.outcome.result, Conclusion::Failure);
}
