//! Lexer, parser and evaluator on arbitrary bytes: as an expression, as a
//! template and as an `if:` condition. Nothing may panic.
#![no_main]

use gantry_expr::{Condition, Contexts, ParseOptions, Template, Value, evaluate, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let json = serde_json::json!({
        "github": {"ref": "refs/heads/main", "event": {"commits": [{"id": "a"}]}},
        "matrix": {"os": "linux", "n": [1, 2, {"x": null}]},
    });
    let host = match Value::from_json(&json) {
        Value::Object(o) => Contexts::new((*o).clone()),
        _ => return,
    };
    let opts = ParseOptions::default();
    if let Ok(e) = parse(src, &opts) {
        let _ = evaluate(e.as_ref(), &host);
    }
    if let Ok(t) = Template::parse(src, &opts) {
        let _ = t.render(&host);
    }
    if let Ok(c) = Condition::parse(src, &opts) {
        let _ = c.evaluate(&host);
    }
});
