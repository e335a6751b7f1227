//! Planning every workflow of `../shared/corpus` (24 public projects)
//! succeeds for push, pull_request and workflow_dispatch: no panic, a plan
//! for every file, JSON and graphs that render.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use gantry_expr::{Object, Value};
use gantry_plan::{
    Event, MemoryRepo, PlanOptions, plan, render_dot, render_human, render_json, render_mermaid,
};

fn projects() -> Vec<PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// Every workflow file of a project, as `(.github/workflows/x.yml, text)`.
fn workflow_files(project: &Path) -> Vec<(String, String)> {
    let dir = project.join(".github/workflows");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some((format!(".github/workflows/{name}"), text))
        })
        .collect();
    out.sort();
    out
}

fn event(name: &str) -> Event {
    let (git_ref, action) = match name {
        "pull_request" => ("refs/pull/1/merge", Some("opened")),
        _ => ("refs/heads/main", None),
    };
    let mut gh = Object::new();
    gh.insert("event_name", Value::from(name));
    gh.insert("ref", Value::from(git_ref));
    gh.insert("ref_name", Value::from("main"));
    gh.insert(
        "sha",
        Value::from("0000000000000000000000000000000000000001"),
    );
    gh.insert("repository", Value::from("octo/project"));
    gh.insert("repository_owner", Value::from("octo"));
    gh.insert("event", Value::object(Object::new()));
    Event {
        name: name.into(),
        action: action.map(str::to_owned),
        git_ref: Some(git_ref.into()),
        base_ref: (name == "pull_request").then(|| "main".to_owned()),
        head_ref: (name == "pull_request").then(|| "feature".to_owned()),
        changed_files: Some(vec!["src/main.rs".into(), "README.md".into()]),
        default_branch: "main".into(),
        github: gh,
        ..Event::default()
    }
}

#[test]
fn every_corpus_workflow_plans() {
    let mut files_seen = 0;
    let mut triggered = [0usize; 3];
    let mut jobs = 0;
    for project in projects() {
        let files = workflow_files(&project);
        let workflows: Vec<_> = files
            .iter()
            .filter_map(|(p, src)| Some((p.clone(), gantry_workflow::parse_workflow(src).0?)))
            .collect();
        files_seen += workflows.len();
        let repo = MemoryRepo(files.clone());
        for (k, name) in ["push", "pull_request", "workflow_dispatch"]
            .iter()
            .enumerate()
        {
            let p = plan(&workflows, &event(name), &PlanOptions::default(), &repo);
            assert_eq!(p.workflows.len(), workflows.len(), "{}", project.display());
            triggered[k] += p.triggered().count();
            jobs += p.triggered().map(|w| w.jobs.len()).sum::<usize>();
            let json = render_json(&p);
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(v["version"], 1);
            assert!(!render_human(&p, true, true).is_empty());
            assert!(render_mermaid(&p).starts_with("flowchart"));
            assert!(render_dot(&p).starts_with("digraph"));
        }
    }
    eprintln!(
        "corpus: {files_seen} workflows; triggered push {}, pull_request {}, workflow_dispatch {}; {jobs} jobs planned",
        triggered[0], triggered[1], triggered[2]
    );
    assert!(files_seen > 200, "corpus looks incomplete: {files_seen}");
    assert!(triggered.iter().all(|&t| t > 10), "{triggered:?}");
}
