//! Property tests: no input makes the lexer, parser or evaluator panic, and
//! templates and conditions behave on arbitrary text.

use gantry_expr::{Condition, Contexts, Object, ParseOptions, Template, Value, evaluate, parse};
use proptest::prelude::*;

fn host() -> Contexts<'static> {
    let json = serde_json::json!({
        "github": {"ref": "refs/heads/main", "event": {"commits": [{"id": "a"}, {"id": "b"}]}},
        "matrix": {"os": "ubuntu-latest", "n": 3},
        "env": {"A-B": "1"},
    });
    match Value::from_json(&json) {
        Value::Object(o) => Contexts::new((*o).clone()),
        _ => Contexts::new(Object::new()),
    }
}

/// Strings built from expression-ish pieces, to reach deep into the parser.
fn expression_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("github".to_owned()),
        Just("matrix".to_owned()),
        Just(".".to_owned()),
        Just("*".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just(",".to_owned()),
        Just("!".to_owned()),
        Just("==".to_owned()),
        Just("<=".to_owned()),
        Just("&&".to_owned()),
        Just("||".to_owned()),
        Just("'x''y'".to_owned()),
        Just("format('{0}{1}'".to_owned()),
        Just("fromJSON(".to_owned()),
        Just("toJSON(".to_owned()),
        Just("case(".to_owned()),
        Just("contains(".to_owned()),
        Just("join(".to_owned()),
        Just("1e3".to_owned()),
        Just("-0x1F".to_owned()),
        Just("NaN".to_owned()),
        Just(" ".to_owned()),
        "[a-z0-9'{}]{0,3}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(src in any::<String>()) {
        let h = host();
        if let Ok(e) = parse(&src, &ParseOptions::default()) {
            let _ = evaluate(e.as_ref(), &h);
        }
        if let Ok(t) = Template::parse(&src, &ParseOptions::default()) {
            let _ = t.render(&h);
        }
        if let Ok(c) = Condition::parse(&src, &ParseOptions::default()) {
            let _ = c.evaluate(&h);
        }
    }

    #[test]
    fn expression_like_strings_never_panic(src in expression_like()) {
        let h = host();
        match parse(&src, &ParseOptions::default()) {
            Ok(e) => { let _ = evaluate(e.as_ref(), &h); }
            Err(err) => {
                // Every parse error points inside the text.
                if let Some(span) = err.span {
                    prop_assert!(span.start <= src.len() && span.end <= src.len());
                }
            }
        }
    }

    #[test]
    fn templates_without_markers_are_literal(src in "[^$]*") {
        let t = Template::parse(&src, &ParseOptions::default()).unwrap();
        prop_assert_eq!(t.render(&host()).unwrap(), src);
    }
}
