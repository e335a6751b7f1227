//! What the job-level tests share: a job spec built from workflow YAML (one
//! job, in a temporary folder, with the runner's environment), running it
//! with a sink that collects the events, and reading those events back.
//! Included by each test file with `mod support;`.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gantry_expr::{Object, Value};
use gantry_run::actions::Registry;
use gantry_run::commands::AnnotationLevel;
use gantry_run::event::{Conclusion, Event, JobKey, Sink};
use gantry_run::job::{self, JobDirs, JobOutcome, JobSpec};
use gantry_run::mask::Masker;
use gantry_run::resolve::{Resolver, ResolverOptions};
use gantry_workflow::{Job, parse_workflow};
use tokio::sync::watch;

/// Collects every event.
#[derive(Default)]
pub struct Collect(pub Mutex<Vec<Event>>);

impl Sink for Collect {
    fn emit(&self, e: Event) {
        self.0.lock().unwrap().push(e);
    }
}

/// A job ready to run, and the temporary folder its directories are in.
pub struct TestJob {
    pub spec: JobSpec,
    pub dir: tempfile::TempDir,
}

/// The first job of `yaml` as a job spec with key `key` and display name
/// `name`: workspace, temp and tool cache in a new temporary folder, the
/// `github` context of a push to `main` of `octo/demo` at `abc123`, empty
/// `secrets`/`matrix`/`inputs`/`vars`, the runner's environment, a
/// resolver that is offline and has no cache.
pub fn test_job(yaml: &str, key: &str, name: &str) -> TestJob {
    let (wf, diags) = parse_workflow(yaml);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let wf = Arc::new(wf.unwrap());
    let job_id = wf.jobs[0].id().as_str().to_owned();
    let Job::Normal(job) = wf.jobs[0].clone() else {
        panic!("not a normal job")
    };
    let dir = tempfile::tempdir().unwrap();
    let dirs = JobDirs {
        workspace: dir.path().join("ws"),
        temp: dir.path().join("tmp"),
        tool_cache: dir.path().join("tc"),
    };
    let mut github = Object::new();
    github.insert("repository", Value::from("octo/demo"));
    github.insert("sha", Value::from("abc123"));
    github.insert("ref", Value::from("refs/heads/main"));
    github.insert("event_name", Value::from("push"));
    github.insert("job", Value::from(job_id.as_str()));
    github.insert(
        "workspace",
        Value::from(dirs.workspace.to_string_lossy().as_ref()),
    );
    let mut contexts = Object::new();
    contexts.insert("github", Value::object(github.clone()));
    for empty in ["secrets", "matrix", "inputs", "vars"] {
        contexts.insert(empty, Value::object(Object::new()));
    }
    let base_env = gantry_run::runner_env::base_env(
        std::env::vars(),
        &github,
        &dirs,
        &dir.path().join("event.json"),
        false,
    );
    let spec = JobSpec {
        key: JobKey(key.into()),
        name: name.into(),
        workflow: wf.clone(),
        job: *job,
        contexts,
        dirs,
        base_env,
        timeout: Duration::from_secs(120),
        debug: false,
        checkout: None,
        extra_env: Vec::new(),
        event_json: "{}".into(),
        keep_workspace: false,
        resolver: Arc::new(Resolver::new(ResolverOptions {
            server_url: Some("file:///nonexistent-gantry-server".into()),
            cache_dir: Some(std::env::temp_dir().join("gantry-test-no-cache")),
            offline: true,
        })),
        action_env: Vec::new(),
        changed_files: None,
    };
    TestJob { spec, dir }
}

impl TestJob {
    /// Runs the job; the run is cancelled when `cancel` says so (or never,
    /// with `None`).
    pub async fn run(
        self,
        masker: &Masker,
        registry: &Registry,
        cancel: Option<watch::Receiver<bool>>,
    ) -> Ran {
        let sink = Collect::default();
        let (tx, rx) = watch::channel(false);
        let rx = cancel.unwrap_or(rx);
        let outcome = job::run(&self.spec, &sink, masker, registry, rx).await;
        drop(tx);
        Ran {
            outcome,
            events: sink.0.into_inner().unwrap(),
            workspace: self.spec.dirs.workspace.clone(),
            _dir: self.dir,
        }
    }
}

/// A finished job and its events.
pub struct Ran {
    pub outcome: JobOutcome,
    pub events: Vec<Event>,
    pub workspace: PathBuf,
    _dir: tempfile::TempDir,
}

impl Ran {
    /// Every output line, joined by newlines.
    pub fn output(&self) -> String {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Output { line, .. } => Some(line.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn lines(&self) -> Vec<String> {
        self.output().lines().map(str::to_owned).collect()
    }

    /// `(name, outcome, conclusion)` of each finished step.
    pub fn steps(&self) -> Vec<(String, Conclusion, Conclusion)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::StepFinished {
                    name,
                    outcome,
                    conclusion,
                    ..
                } => Some((name.clone(), *outcome, *conclusion)),
                _ => None,
            })
            .collect()
    }

    /// The annotations' messages, of one level or (`None`) all.
    pub fn annotation_messages(&self, level: Option<AnnotationLevel>) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Annotation { annotation, .. }
                    if level.is_none_or(|l| annotation.level == l) =>
                {
                    Some(annotation.message.clone())
                }
                _ => None,
            })
            .collect()
    }
}
