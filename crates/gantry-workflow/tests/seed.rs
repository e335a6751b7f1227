//! The reference pipeline's complete workflows (shared/seed) lower without errors; its
//! fragments lower without structural errors other than the keys they leave out.

mod common;

use gantry_workflow::{parse_workflow, rules};

/// `(first line number, text)` of each ```yaml block.
fn yaml_blocks(doc: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in doc.lines().enumerate() {
        match &mut current {
            None if line.trim_start().starts_with("```yaml") => {
                current = Some((i + 2, String::new()))
            }
            Some(_) if line.trim_start().starts_with("```") => blocks.extend(current.take()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn seed_pipeline_workflows() {
    let path = common::shared_dir().join("seed/ci-cd-pipeline-details.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let blocks = yaml_blocks(&doc);
    let complete: Vec<_> = blocks
        .iter()
        .filter(|(_, b)| b.starts_with("# .github/workflows/"))
        .collect();
    assert!(
        complete.len() >= 5,
        "expected the complete workflows of the seed"
    );
    let mut failures = String::new();
    for (line, block) in &blocks {
        let (_, diags) = parse_workflow(block);
        let is_complete = block.starts_with("# .github/workflows/");
        for d in diags.iter().filter(|d| d.is_error()) {
            // Fragments (a `jobs:` excerpt, a list of steps) lack `on:` and more.
            if !is_complete && (d.rule == rules::MISSING_KEY || d.rule == rules::WRONG_TYPE) {
                continue;
            }
            failures.push_str(&format!(
                "seed block at line {}: {}:{} [{}] {}\n",
                line, d.span.start.line, d.span.start.column, d.rule, d.message
            ));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}
