//! Regression tests, each named after what it protects.

use gantry_expr::{Contexts, Object, ParseOptions, Value, evaluate, parse};

fn eval_with(src: &str, contexts: serde_json::Value) -> Result<Value, gantry_expr::Error> {
    let obj = match Value::from_json(&contexts) {
        Value::Object(o) => (*o).clone(),
        _ => Object::new(),
    };
    let host = Contexts::new(obj);
    let e = parse(src, &ParseOptions::default())?;
    evaluate(e.as_ref(), &host)
}

/// Found by the differential test: `case` must pass a `*`-filtered array on
/// with its status, so that indexing it applies to every element.
#[test]
fn case_keeps_filtered_array_status() {
    let ctx = serde_json::json!({"inputs": {"l": [[1, 2], [3]]}});
    let v = eval_with("toJSON(case(true, inputs.l.*, 1)[0])", ctx).unwrap();
    assert_eq!(v.as_str(), Some("[\n  1,\n  3\n]"));
}

/// GitHub's runner evaluates only the value `case` chooses.
#[test]
fn case_evaluates_only_the_chosen_value() {
    let v = eval_with(
        "case(true, 'a', fromJSON('not json'))",
        serde_json::json!({}),
    )
    .unwrap();
    assert_eq!(v.as_str(), Some("a"));
    assert!(
        eval_with(
            "case(false, 'a', fromJSON('not json'))",
            serde_json::json!({})
        )
        .is_err()
    );
    assert!(eval_with("case(1, 'a', 'b')", serde_json::json!({})).is_err());
}

/// The memory limit counts strings held at once by a function's arguments.
#[test]
fn memory_limit_counts_sibling_arguments() {
    let big = "x".repeat(300_000);
    let ctx = serde_json::json!({"s": big});
    assert!(eval_with("format('{0}', s)", ctx.clone()).is_ok());
    let err = eval_with("format('{0}{1}', s, s)", ctx).unwrap_err();
    assert!(err.to_string().contains("maximum allowed memory"));
}
