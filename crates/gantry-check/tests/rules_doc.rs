//! `docs/rules.md` lists exactly the rules the checker has.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn rules_doc_lists_every_rule() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md"))
            .unwrap();
    let documented: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect();
    let actual: BTreeSet<String> = gantry_check::all_rules()
        .iter()
        .map(|(id, _)| (*id).to_owned())
        .collect();
    let missing: Vec<_> = actual.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&actual).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "docs/rules.md is out of date: missing {missing:?}, stale {stale:?} (regenerate with `gantry check --list-rules`)"
    );
    let ids: Vec<_> = gantry_check::all_rules()
        .iter()
        .map(|(id, _)| *id)
        .collect();
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a rule id is listed twice");
    for id in ids {
        assert!(
            id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "rule id `{id}` is not lowercase-hyphenated"
        );
    }
}
