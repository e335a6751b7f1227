//! Every real workflow and action in `../shared/corpus` (24 public projects;
//! GitHub runs them all) checks with zero errors, every rule included. Local
//! actions and reusable workflows resolve inside each project's folder.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use gantry_check::{Config, Repo, check_action, check_workflow};

struct Project(PathBuf);

/// Self-hosted and larger-runner labels the projects use, as each team
/// would declare them in Gantry's configuration (`self-hosted-runner-labels`).
fn labels_of(project: &str) -> Vec<String> {
    let labels: &[&str] = match project {
        "astral-sh__ruff" => &[
            "depot-ubuntu-24.04-4",
            "depot-ubuntu-24.04-8",
            "depot-ubuntu-24.04-arm-8",
            "depot-ubuntu-22.04-16",
            "depot-ubuntu-22.04-arm-4",
            "codspeed-macro",
        ],
        "duckdb__duckdb" => &[
            "namespace-profile-linux-slim",
            "namespace-profile-linux-small",
        ],
        "jax-ml__jax" => &[
            "linux-x86-n4-4",
            "linux-x86-n4-16",
            "linux-x86-n4-32",
            "linux-x86-n4-64",
            "linux-x86-g2-16-l4-1gpu",
            "linux-x86-a4-224-b200-1gpu",
            "linux-x86-a3-8g-h100-8gpu",
        ],
        "microsoft__playwright" => &["playwright-x64-ubuntu24-64-core"],
        "nextest-rs__nextest" => &["riscv64"],
        "numpy__numpy" => &["ubuntu-24.04-riscv"],
        _ => &[],
    };
    labels.iter().map(|s| (*s).to_owned()).collect()
}

/// Errors that are right: GitHub loads the file, but the job cannot run.
const KNOWN_TRUE_POSITIVES: &[(&str, &str)] = &[
    (
        "redis__redis/.github/workflows/daily.yml:879",
        "matrix value `macos-12`: GitHub retired the macOS 12 image, so that job never gets a runner",
    ),
    (
        "redis__redis/.github/workflows/daily.yml:906",
        "matrix value `macos-12`, as above",
    ),
];

impl Repo for Project {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path.trim_start_matches("./"))).ok()
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_has_no_errors() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut projects: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    assert_eq!(projects.len(), 24);
    let (mut workflows, mut actions) = (0, 0);
    let mut errors = Vec::new();
    for project in &projects {
        let mut files = Vec::new();
        walk(project, &mut files);
        files.sort();
        let repo = Project(project.clone());
        let name = project.file_name().unwrap().to_string_lossy().into_owned();
        let config = Config {
            self_hosted_labels: labels_of(&name),
            ..Config::default()
        };
        for f in files {
            let rel = f
                .strip_prefix(project)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let src = std::fs::read_to_string(&f).unwrap();
            let is_action = f
                .file_name()
                .is_some_and(|n| n == "action.yml" || n == "action.yaml");
            let is_workflow = rel.starts_with(".github/workflows/");
            let diags = if is_action {
                actions += 1;
                check_action(&src, Some(&rel), &config, &repo)
            } else if is_workflow {
                workflows += 1;
                check_workflow(&src, Some(&rel), &config, &repo)
            } else {
                continue;
            };
            for d in diags.iter().filter(|d| d.is_error()) {
                let place = format!("{name}/{rel}:{}", d.span.start.line);
                if KNOWN_TRUE_POSITIVES.iter().any(|(p, _)| *p == place) {
                    continue;
                }
                errors.push(format!(
                    "{place}:{}: {} [{}]",
                    d.span.start.column, d.message, d.rule
                ));
            }
        }
    }
    eprintln!(
        "corpus: {workflows} workflows and {actions} actions checked, {} errors",
        errors.len()
    );
    assert!(workflows > 300 && actions > 20);
    assert!(
        errors.is_empty(),
        "{} errors on files GitHub runs:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
