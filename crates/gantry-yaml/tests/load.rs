//! Edge cases of YAML loading.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap too

use gantry_yaml::{ALIAS_EXPANSION_LIMIT, Issue, Node, NodeKind, ScalarStyle, YamlError, load};

fn root(src: &str) -> Node {
    let loaded = load(src).unwrap();
    loaded.root
}

fn str_of(n: &Node) -> &str {
    n.as_str().unwrap()
}

/// `(start line, start column, end line, end column)`.
fn lc(n: &Node) -> (u32, u32, u32, u32) {
    (
        n.span.start.line,
        n.span.start.column,
        n.span.end.line,
        n.span.end.column,
    )
}

#[test]
fn on_is_a_string_key() {
    let r = root("on: push\nyes: no\nY: n\n");
    let m = r.as_map().unwrap();
    assert_eq!(str_of(&m[0].0), "on");
    assert_eq!(str_of(&m[0].1), "push");
    assert_eq!(str_of(&m[1].0), "yes");
    assert_eq!(str_of(&m[1].1), "no");
    assert_eq!(str_of(&m[2].0), "Y");
}

#[test]
fn core_schema_scalars() {
    let r = root(
        "a: true\nb: False\nc: ~\nd:\ne: 0x10\nf: 0o10\ng: 3.10\nh: .inf\ni: -.Inf\nj: .nan\nk: '3.10'\nl: \"true\"\nm: null\nn: 007\n",
    );
    let get = |k: &str| r.get(k).unwrap().kind.clone();
    assert_eq!(get("a"), NodeKind::Bool(true));
    assert_eq!(get("b"), NodeKind::Bool(false));
    assert_eq!(get("c"), NodeKind::Null);
    assert_eq!(get("d"), NodeKind::Null);
    assert_eq!(get("e"), NodeKind::Int(16));
    assert_eq!(get("f"), NodeKind::Int(8));
    assert_eq!(get("g"), NodeKind::Float(3.1));
    assert_eq!(get("h"), NodeKind::Float(f64::INFINITY));
    assert_eq!(get("i"), NodeKind::Float(f64::NEG_INFINITY));
    assert!(matches!(get("j"), NodeKind::Float(f) if f.is_nan()));
    assert_eq!(
        get("k"),
        NodeKind::String {
            value: "3.10".into(),
            style: ScalarStyle::SingleQuoted
        }
    );
    assert_eq!(
        get("l"),
        NodeKind::String {
            value: "true".into(),
            style: ScalarStyle::DoubleQuoted
        }
    );
    assert_eq!(get("m"), NodeKind::Null);
    assert_eq!(get("n"), NodeKind::Int(7));
}

#[test]
fn tags() {
    let r = root("a: !!str 12\nb: !!int '12'\nc: ! 12\nd: !custom 12\n");
    assert_eq!(r.get("a").unwrap().as_str(), Some("12"));
    assert_eq!(r.get("b").unwrap().kind, NodeKind::Int(12));
    assert_eq!(r.get("c").unwrap().as_str(), Some("12"));
    assert_eq!(r.get("d").unwrap().kind, NodeKind::Int(12));
}

#[test]
fn block_scalars_keep_style() {
    let r = root("run: |\n  echo a\n  echo b\nf: >\n  x\n  y\n");
    assert_eq!(
        r.get("run").unwrap().kind,
        NodeKind::String {
            value: "echo a\necho b\n".into(),
            style: ScalarStyle::Literal
        }
    );
    assert_eq!(r.get("f").unwrap().as_str(), Some("x y\n"));
}

#[test]
fn exact_spans() {
    let src = "jobs:\n  build:\n    runs-on: [a, 'b']\n    steps:\n      - run: echo\n";
    let r = root(src);
    assert_eq!(lc(&r), (1, 1, 5, 18));
    let (jobs_key, jobs) = &r.as_map().unwrap()[0];
    assert_eq!(lc(jobs_key), (1, 1, 1, 5));
    assert_eq!(jobs_key.span.start.offset, 0);
    assert_eq!(jobs_key.span.end.offset, 4);
    let build = jobs.get("build").unwrap();
    let runs_on = build.get("runs-on").unwrap();
    assert_eq!(lc(runs_on), (3, 14, 3, 22));
    assert_eq!(runs_on.span.slice(src), Some("[a, 'b']"));
    let b = &runs_on.as_seq().unwrap()[1];
    assert_eq!(b.span.slice(src), Some("'b'"));
    assert_eq!(lc(b), (3, 18, 3, 21));
    let steps = build.get("steps").unwrap();
    assert_eq!(lc(steps), (5, 7, 5, 18));
    let run = steps.as_seq().unwrap()[0].get("run").unwrap();
    assert_eq!(run.span.slice(src), Some("echo"));
    assert_eq!(lc(run), (5, 14, 5, 18));
}

#[test]
fn spans_with_multibyte_characters() {
    let src = "name: \"héllo ✓\"\nx: 1\n";
    let r = root(src);
    let name = r.get("name").unwrap();
    assert_eq!(name.span.slice(src), Some("\"héllo ✓\""));
    assert_eq!(lc(name), (1, 7, 1, 16));
    let x = r.get("x").unwrap();
    assert_eq!(x.span.slice(src), Some("1"));
    assert_eq!(lc(x), (2, 4, 2, 5));
}

#[test]
fn crlf_line_endings() {
    let src = "a: 1\r\nb: two\r\n";
    let r = root(src);
    let b = r.get("b").unwrap();
    assert_eq!(b.span.slice(src), Some("two"));
    assert_eq!(lc(b), (2, 4, 2, 7));
}

#[test]
fn anchors_and_aliases_expand() {
    let src = "base: &b\n  x: 1\nuse: *b\nlist: [&i 1, *i]\n";
    let r = root(src);
    let used = r.get("use").unwrap();
    assert_eq!(used.get("x").unwrap().kind, NodeKind::Int(1));
    // The alias node points at `*b`; its children at the anchored original.
    assert_eq!(used.span.slice(src), Some("*b"));
    assert_eq!(lc(used.get("x").unwrap()), (2, 6, 2, 7));
    let list = r.get("list").unwrap().as_seq().unwrap();
    assert_eq!(list[1].kind, NodeKind::Int(1));
}

#[test]
fn merge_key_is_an_ordinary_key() {
    let r = root("base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n");
    let m = r.get("m").unwrap().as_map().unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].0.as_str(), Some("<<"));
    assert!(m[0].1.get("x").is_some());
}

#[test]
fn duplicate_keys_report_both_spans() {
    let src = "a: 1\nb: 2\na: 3\n";
    let loaded = load(src).unwrap();
    assert_eq!(loaded.root.as_map().unwrap().len(), 2);
    assert_eq!(loaded.root.get("a").unwrap().kind, NodeKind::Int(1));
    match &loaded.issues[..] {
        [
            Issue::DuplicateKey {
                key,
                first,
                duplicate,
            },
        ] => {
            assert_eq!(key, "a");
            assert_eq!((first.start.line, first.start.column), (1, 1));
            assert_eq!((duplicate.start.line, duplicate.start.column), (3, 1));
        }
        other => panic!("unexpected issues {other:?}"),
    }
}

#[test]
fn keys_of_different_types_are_different() {
    let loaded = load("1: a\n'1': b\ntrue: c\n'true': d\n").unwrap();
    assert!(loaded.issues.is_empty());
    assert_eq!(loaded.root.as_map().unwrap().len(), 4);
}

#[test]
fn only_first_document_is_used() {
    let loaded = load("a: 1\n---\nb: 2\n").unwrap();
    assert!(loaded.root.get("a").is_some());
    assert!(loaded.root.get("b").is_none());
    match &loaded.issues[..] {
        [Issue::ExtraDocument { span }] => assert_eq!(span.start.line, 2),
        other => panic!("unexpected issues {other:?}"),
    }
}

#[test]
fn explicit_first_document() {
    let loaded = load("---\na: 1\n...\n").unwrap();
    assert!(loaded.issues.is_empty());
    assert!(loaded.root.get("a").is_some());
}

#[test]
fn empty_stream_is_null() {
    assert!(root("").is_null());
    assert!(root("# only a comment\n").is_null());
}

#[test]
fn syntax_error_has_position() {
    let err = load("a: [1, 2\nb: 3\n").unwrap_err();
    match err {
        YamlError::Syntax { pos, .. } => assert!(pos.line >= 1),
        other => panic!("unexpected {other:?}"),
    }
    let err = load("a:\n  b: 1\n c: 2\n").unwrap_err();
    let YamlError::Syntax { pos, message } = err else {
        panic!("expected a syntax error");
    };
    assert_eq!(pos.line, 3, "{message}");
}

#[test]
fn unknown_alias_is_an_error() {
    assert!(matches!(
        load("a: *nope\n"),
        Err(YamlError::Syntax { .. } | YamlError::UnknownAlias { .. })
    ));
}

#[test]
fn billion_laughs_is_refused() {
    let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        src.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    match load(&src) {
        Err(YamlError::AliasLimit { limit, .. }) => assert_eq!(limit, ALIAS_EXPANSION_LIMIT),
        other => panic!("expected alias limit, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn deep_nesting_is_refused() {
    let src = format!("{}{}", "[".repeat(210), "]".repeat(210));
    assert!(matches!(load(&src), Err(YamlError::TooDeep { .. })));
    // saphyr-parser has its own (flow) limit.
    let src = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    assert!(load(&src).is_err());
    let mut block = String::new();
    for i in 0..300 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    assert!(matches!(load(&block), Err(YamlError::TooDeep { .. })));
}

#[test]
fn closing_bracket_at_block_indentation_is_accepted() {
    // saphyr-parser rejects this; GitHub accepts it (numpy's linux_simd.yml).
    let src = "m:\n  k:\n    - [\n      \"a\",\n      \"b\"\n    ]\n    - [ 'c'\n    ]\nz: é\n";
    let r = root(src);
    let k = r.get("m").unwrap().get("k").unwrap().as_seq().unwrap();
    assert_eq!(k.len(), 2);
    assert_eq!(k[0].as_seq().unwrap()[1].as_str(), Some("b"));
    // Positions are those of the original text.
    let b = &k[0].as_seq().unwrap()[1];
    assert_eq!(b.span.slice(src), Some("\"b\""));
    assert_eq!(lc(b), (5, 7, 5, 10));
    assert_eq!(
        k[0].span.slice(src),
        Some("[\n      \"a\",\n      \"b\"\n    ]")
    );
    let z = r.get("z").unwrap();
    assert_eq!(z.span.slice(src), Some("é"));
    assert_eq!(lc(z), (9, 4, 9, 5));
}

#[test]
fn error_display_mentions_line_and_column() {
    let err = load("a: 'x\n").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("line"), "{text}");
}
