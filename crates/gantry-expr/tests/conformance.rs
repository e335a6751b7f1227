//! GitHub's cross-language expression test suite (`../shared/conformance/
//! expressions`, from actions/languageservices). Every case must pass; a case
//! may be skipped only if GitHub skips it for every implementation.

use std::path::PathBuf;

use gantry_expr::{Contexts, Object, ParseOptions, Value, evaluate, parse};
use serde_json::Value as Json;

fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/expressions")
}

/// Compares a result with the suite's expected JSON value.
fn same(actual: &Value, expected: &Json) -> bool {
    match (actual, expected) {
        (Value::Null, Json::Null) => true,
        (Value::Bool(a), Json::Bool(b)) => a == b,
        (Value::Number(a), Json::Number(b)) => Some(*a) == b.as_f64(),
        (Value::Number(a), Json::String(s)) => match s.as_str() {
            "NaN" => a.is_nan(),
            "Infinity" => *a == f64::INFINITY,
            "-Infinity" => *a == f64::NEG_INFINITY,
            _ => false,
        },
        (Value::String(a), Json::String(b)) => a.as_ref() == b,
        (Value::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Json::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => false,
    }
}

const IMPLEMENTATIONS: [&str; 3] = ["typescript", "go", "csharp"];

#[test]
fn github_expression_suite_passes_in_full() {
    let dir = suite_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let (mut passed, mut skipped) = (0, 0);
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let groups: serde_json::Map<String, Json> = serde_json::from_str(&text).unwrap();
        for (group, cases) in &groups {
            for case in cases.as_array().unwrap() {
                let skip = case.pointer("/options/skip").and_then(Json::as_array);
                if skip.is_some_and(|s| {
                    IMPLEMENTATIONS
                        .iter()
                        .all(|i| s.iter().any(|x| x.as_str() == Some(i)))
                }) {
                    skipped += 1;
                    continue;
                }
                let expr = case["expr"].as_str().unwrap();
                let ctx_json = case
                    .get("contexts")
                    .cloned()
                    .unwrap_or(Json::Object(Default::default()));
                let names: Vec<String> = ctx_json
                    .as_object()
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default();
                let allow = |n: &str| names.iter().any(|k| k.eq_ignore_ascii_case(n));
                let opts = ParseOptions {
                    allow_context: Some(&allow),
                    ..ParseOptions::default()
                };
                let contexts = match Value::from_json(&ctx_json) {
                    Value::Object(o) => (*o).clone(),
                    _ => Object::new(),
                };
                let host = Contexts::new(contexts);
                let outcome = parse(expr, &opts).and_then(|e| evaluate(e.as_ref(), &host));
                let name = format!(
                    "{}/{group}: {expr:?}",
                    file.file_name().unwrap().to_string_lossy()
                );
                match (&outcome, case.get("result"), case.get("err")) {
                    (Ok(v), Some(res), _) => {
                        let kind = res["kind"].as_str().unwrap();
                        if v.kind().as_str() == kind && same(v, &res["value"]) {
                            passed += 1;
                        } else {
                            failures.push(format!(
                                "{name}\n    expected {res}\n    got {} {:?}",
                                v.kind(),
                                v.to_json()
                            ));
                        }
                    }
                    (Err(e), _, Some(err)) => {
                        let kind = err["kind"].as_str().unwrap();
                        let fragment = err["value"].as_str().unwrap_or("");
                        if e.kind.as_str() == kind && e.to_string().contains(fragment) {
                            passed += 1;
                        } else {
                            failures.push(format!("{name}\n    expected {kind} error containing {fragment:?}\n    got {} error {:?}", e.kind.as_str(), e.to_string()));
                        }
                    }
                    (Ok(v), None, Some(err)) => failures.push(format!(
                        "{name}\n    expected error {err}\n    got {} {:?}",
                        v.kind(),
                        v.to_json()
                    )),
                    (Err(e), Some(res), _) => failures.push(format!(
                        "{name}\n    expected {res}\n    got error {:?}",
                        e.to_string()
                    )),
                    _ => failures.push(format!("{name}\n    malformed case")),
                }
            }
        }
    }
    eprintln!(
        "expression suite: {passed} passed, {} failed, {skipped} skipped",
        failures.len()
    );
    assert!(
        passed + skipped >= 1000,
        "the suite looks incomplete: {passed} cases ran"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
