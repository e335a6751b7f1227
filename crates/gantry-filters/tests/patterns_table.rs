//! Runs the known-answer table in `tests/data/patterns.json`.

use gantry_filters::pattern::{Pattern, PatternList};
use serde_json::Value;

const TABLE: &str = include_str!("data/patterns.json");

fn table() -> Value {
    serde_json::from_str(TABLE).expect("patterns.json is valid JSON")
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("'{key}' must be an array in {v}"))
        .iter()
        .map(|s| s.as_str().expect("strings only").to_owned())
        .collect()
}

/// Every (subject, expected) pair of an entry.
fn expectations(entry: &Value) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = strings(entry, "match")
        .into_iter()
        .map(|s| (s, true))
        .collect();
    out.extend(strings(entry, "no_match").into_iter().map(|s| (s, false)));
    out
}

#[test]
fn single_patterns() {
    let t = table();
    let mut failures = Vec::new();
    let mut count = 0;
    for entry in t["cases"].as_array().expect("cases") {
        let source = entry["pattern"].as_str().expect("pattern");
        let pattern = match Pattern::parse(source) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{source:?} failed to parse: {e}"));
                continue;
            }
        };
        for (subject, expected) in expectations(entry) {
            count += 1;
            if pattern.matches(&subject) != expected {
                failures.push(format!(
                    "{source:?} vs {subject:?}: expected {} ({})",
                    if expected { "match" } else { "no match" },
                    entry["source"]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 100, "table has only {count} single-pattern cases");
}

#[test]
fn pattern_lists() {
    let t = table();
    let mut failures = Vec::new();
    for entry in t["lists"].as_array().expect("lists") {
        let patterns = strings(entry, "patterns");
        let list = PatternList::parse(&patterns).expect("list parses");
        for (subject, expected) in expectations(entry) {
            if list.matches(&subject) != expected {
                failures.push(format!(
                    "{patterns:?} vs {subject:?}: expected {}",
                    if expected { "selected" } else { "not selected" }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn parse_errors() {
    let t = table();
    let mut failures = Vec::new();
    for entry in t["errors"].as_array().expect("errors") {
        let source = entry["pattern"].as_str().expect("pattern");
        let column = entry["column"].as_u64().expect("column");
        let message = entry["message"].as_str().expect("message");
        match Pattern::parse(source) {
            Ok(_) => failures.push(format!("{source:?} parsed but should not")),
            Err(e) => {
                let text = e.to_string();
                if e.column as u64 != column || !text.contains(message) {
                    failures.push(format!(
                        "{source:?}: got '{text}' (column {}), expected column {column} and '{message}'",
                        e.column
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn table_size() {
    let t = table();
    let total: usize = ["cases", "lists"]
        .iter()
        .flat_map(|k| t[*k].as_array().expect("array"))
        .map(|e| expectations(e).len())
        .sum();
    assert!(total >= 100, "only {total} cases");
}
