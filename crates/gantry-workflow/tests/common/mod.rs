//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The shared material next to the project (`../shared` from the project root).
pub fn shared_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        dir.is_dir(),
        "shared material not found at {} (tests read ../shared from the project root)",
        dir.display()
    );
    dir
}

pub fn corpus_dir() -> PathBuf {
    shared_dir().join("corpus")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
}

/// Workflow files: `*/.github/workflows/*.y{a,}ml`.
pub fn workflow_files(corpus: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    walk(corpus, &mut all);
    let mut files: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| is_yaml(p) && p.parent().is_some_and(|d| d.ends_with(".github/workflows")))
        .collect();
    files.sort();
    files
}

/// Action metadata files: `action.yml` / `action.yaml` anywhere.
pub fn action_files(corpus: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    walk(corpus, &mut all);
    let mut files: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| {
            matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some("action.yml" | "action.yaml")
            )
        })
        .collect();
    files.sort();
    files
}

/// Files of a directory with a YAML extension.
pub fn yaml_files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_yaml(p))
        .collect();
    files.sort();
    files
}
