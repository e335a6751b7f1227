//! `dorny/paths-filter` (v2, v3): the `filters` YAML (inline, or a file of
//! the workspace) evaluated against the event's changed files, with the
//! real action's outputs: one `'true'`/`'false'` per filter,
//! `<filter>_count`, `<filter>_files` (with `list-files`), and `changes`
//! (a JSON array of the filters that matched).
//!
//! The changed files are those Gantry computed for the event (a push's
//! range, a pull request's files, `--changed`), else the push payload's
//! commits. A file's change type (`added`, `modified`, `deleted`) comes from
//! the payload's commits when they list it; otherwise it is treated as
//! `modified`.

use std::collections::BTreeMap;

use gantry_expr::Value;
use gantry_yaml::{Node, NodeKind};

use super::glob::Glob;
use crate::actions::{ActionContext, ActionOutput, NativeAction};

/// A file and how it changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    /// `added`, `modified`, `deleted` (`renamed`, `copied`, `unmerged`
    /// in the real action for pull requests).
    pub status: String,
}

/// One rule of a filter: a pattern and, optionally, the change types it
/// applies to.
#[derive(Clone, Debug)]
struct Rule {
    glob: Glob,
    statuses: Option<Vec<String>>,
}

impl Rule {
    fn is_match(&self, c: &Change) -> bool {
        self.statuses.as_ref().is_none_or(|s| s.contains(&c.status)) && self.glob.is_match(&c.path)
    }
}

/// Parses the filters YAML: `name: [pattern | {type|type: pattern(s)} |
/// nested lists]`, in order.
fn parse_filters(yaml: &str) -> Result<Vec<(String, Vec<Rule>)>, String> {
    let loaded =
        gantry_yaml::load(yaml).map_err(|e| format!("the filters are not valid YAML: {e}"))?;
    let Some(map) = loaded.root.as_map() else {
        return Err("the filters must be a mapping of filter names to lists of patterns".into());
    };
    let mut out = Vec::new();
    for (k, v) in map {
        let name = k.scalar_string().unwrap_or_default();
        let mut rules = Vec::new();
        collect_rules(v, None, &mut rules)?;
        out.push((name, rules));
    }
    Ok(out)
}

fn collect_rules(
    node: &Node,
    statuses: Option<&[String]>,
    out: &mut Vec<Rule>,
) -> Result<(), String> {
    match &node.kind {
        NodeKind::Seq(items) => {
            for i in items {
                collect_rules(i, statuses, out)?;
            }
        }
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                let types: Vec<String> = k
                    .scalar_string()
                    .unwrap_or_default()
                    .split('|')
                    .map(|t| t.trim().to_ascii_lowercase())
                    .filter(|t| !t.is_empty())
                    .collect();
                collect_rules(v, Some(&types), out)?;
            }
        }
        NodeKind::Null => {}
        _ => {
            let pattern = node.scalar_string().unwrap_or_default();
            out.push(Rule {
                glob: Glob::new(&pattern),
                statuses: statuses.map(<[String]>::to_vec),
            });
        }
    }
    Ok(())
}

/// The changes of the push payload's commits (the last word wins).
fn payload_changes(event: Option<&Value>) -> Vec<Change> {
    let mut by_path: BTreeMap<String, String> = BTreeMap::new();
    let commits = event
        .and_then(|e| e.get("commits"))
        .and_then(Value::as_array)
        .unwrap_or_default();
    for c in commits {
        for (key, status) in [
            ("added", "added"),
            ("modified", "modified"),
            ("removed", "deleted"),
        ] {
            for f in c.get(key).and_then(Value::as_array).unwrap_or_default() {
                by_path.insert(f.to_display_string(), status.to_owned());
            }
        }
    }
    by_path
        .into_iter()
        .map(|(path, status)| Change { path, status })
        .collect()
}

/// The changes to evaluate, or why they are unknown.
fn changes(cx: &ActionContext<'_>) -> Result<Vec<Change>, String> {
    let event = cx.github.and_then(|g| g.get("event"));
    let from_payload = payload_changes(event);
    match cx.changed_files {
        Some(files) => Ok(files
            .iter()
            .map(|f| Change {
                path: f.clone(),
                status: from_payload
                    .iter()
                    .find(|c| c.path == *f)
                    .map_or_else(|| "modified".to_owned(), |c| c.status.clone()),
            })
            .collect()),
        None if event.and_then(|e| e.get("commits")).is_some() => Ok(from_payload),
        None => Err(
            "dorny/paths-filter: the event's changed files are not known (give them with --changed, or run a push with --before/--after or a pull request)"
                .into(),
        ),
    }
}

/// `^[a-zA-Z0-9,._+:@%/-]+$` without the comma when `comma` is false.
fn is_safe(v: &str, comma: bool) -> bool {
    !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._+:@%/-".contains(c) || (comma && c == ','))
}

fn shell_escape(v: &str) -> String {
    if v.is_empty() || is_safe(v, true) {
        return v.to_owned();
    }
    if v.contains('\'') {
        let simple = v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ",._+:@%/'-".contains(c) || c.is_whitespace());
        if simple {
            return format!("\"{v}\"");
        }
        return v
            .split('\'')
            .map(shell_escape)
            .collect::<Vec<_>>()
            .join("\\'");
    }
    format!("'{v}'")
}

fn backslash_escape(v: &str) -> String {
    let mut out = String::new();
    for c in v.chars() {
        if !(c.is_ascii_alphanumeric() || ",._+:@%/-".contains(c)) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn csv_escape(v: &str) -> String {
    if v.is_empty() || is_safe(v, false) {
        return v.to_owned();
    }
    format!("\"{}\"", v.replace('"', "\"\""))
}

/// `<filter>_files` in a `list-files` format.
fn serialize(files: &[String], format: &str) -> Option<String> {
    Some(match format {
        "csv" => files
            .iter()
            .map(|f| csv_escape(f))
            .collect::<Vec<_>>()
            .join(","),
        "json" => serde_json::to_string(files).unwrap_or_else(|_| "[]".into()),
        "shell" => files
            .iter()
            .map(|f| shell_escape(f))
            .collect::<Vec<_>>()
            .join(" "),
        "escape" => files
            .iter()
            .map(|f| backslash_escape(f))
            .collect::<Vec<_>>()
            .join(" "),
        _ => return None,
    })
}

/// Evaluates the filters: for each, the matching files.
fn evaluate(
    filters: &[(String, Vec<Rule>)],
    changes: &[Change],
    every: bool,
) -> Vec<(String, Vec<String>)> {
    filters
        .iter()
        .map(|(name, rules)| {
            let files = changes
                .iter()
                .filter(|c| {
                    if every {
                        rules.iter().all(|r| r.is_match(c))
                    } else {
                        rules.iter().any(|r| r.is_match(c))
                    }
                })
                .map(|c| c.path.clone())
                .collect();
            (name.clone(), files)
        })
        .collect()
}

/// Whether the `filters` input names a file: the real action reads it as a
/// path when it has neither a line break nor a colon.
fn is_path_input(text: &str) -> bool {
    !(text.contains('\n') || text.contains(':'))
}

/// The filters file, relative to the workspace.
fn read_filters_file(workspace: &std::path::Path, name: &str) -> Result<String, String> {
    let path = workspace.join(name);
    if !path.exists() {
        return Err(format!("Configuration file '{name}' not found"));
    }
    if !path.is_file() {
        return Err(format!("'{name}' is not a file."));
    }
    std::fs::read_to_string(&path)
        .map_err(|e| format!("dorny/paths-filter: cannot read the filters file `{name}`: {e}"))
}

/// `dorny/paths-filter`.
pub struct PathsFilter;

impl NativeAction for PathsFilter {
    fn name(&self) -> &'static str {
        "dorny/paths-filter"
    }

    fn majors(&self) -> &'static [u32] {
        &[2, 3]
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        let input = |k: &str| {
            cx.inputs
                .get(k)
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let filters_in = cx.inputs.get("filters").cloned().unwrap_or_default();
        if filters_in.trim().is_empty() {
            return Err("dorny/paths-filter: the `filters` input is required".into());
        }
        // Text without a line break or a colon is a file of the workspace,
        // anything else inline YAML, as in the real action.
        let yaml = if is_path_input(&filters_in) {
            read_filters_file(cx.workspace, filters_in.trim())?
        } else {
            filters_in
        };
        let filters = parse_filters(&yaml).map_err(|e| format!("dorny/paths-filter: {e}"))?;
        let quantifier = input("predicate-quantifier");
        let every = match quantifier.as_str() {
            "" | "some" => false,
            "every" => true,
            other => {
                return Err(format!(
                    "Input parameter 'predicate-quantifier' is set to invalid value '{other}'. Valid values: some, every"
                ));
            }
        };
        // Read case-insensitively, as the real action lower-cases it.
        let list_files = match input("list-files").to_ascii_lowercase().as_str() {
            "" => "none".to_owned(),
            f @ ("none" | "csv" | "json" | "shell" | "escape") => f.to_owned(),
            other => {
                return Err(format!(
                    "Input parameter 'list-files' is set to invalid value '{other}'"
                ));
            }
        };
        let changes = changes(cx)?;
        let mut out = ActionOutput::default();
        out.log
            .push(format!("Detected {} changed files", changes.len()));
        let mut matched = Vec::new();
        for (name, files) in evaluate(&filters, &changes, every) {
            let hit = !files.is_empty();
            out.log.push(format!("Filter {name} = {hit}"));
            if hit {
                matched.push(name.clone());
            }
            out.outputs.insert(name.clone(), hit.to_string());
            out.outputs
                .insert(format!("{name}_count"), files.len().to_string());
            if let Some(s) = serialize(&files, &list_files) {
                out.outputs.insert(format!("{name}_files"), s);
            }
        }
        // A filter named `changes` keeps its own output, as in the real action.
        if filters.iter().any(|(name, _)| name == "changes") {
            out.log.push(
                "Cannot set changes output variable - name already used by filter output".into(),
            );
        } else {
            out.outputs.insert(
                "changes".into(),
                serde_json::to_string(&matched).unwrap_or_else(|_| "[]".into()),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(p: &str, s: &str) -> Change {
        Change {
            path: p.into(),
            status: s.into(),
        }
    }

    const FILTERS: &str = "shared: &shared\n  - 'shared/**'\npython:\n  - *shared\n  - '**/*.py'\ndocs:\n  - 'docs/**'\n  - '*.md'\nadded_src:\n  - added|modified: 'src/**'\nnot_docs:\n  - '**'\n  - '!docs/**'\n";

    fn run(changes: &[Change], every: bool) -> BTreeMap<String, Vec<String>> {
        let f = parse_filters(FILTERS).expect("filters");
        evaluate(&f, changes, every).into_iter().collect()
    }

    #[test]
    fn filters_with_anchors_types_and_quantifiers() {
        let r = run(&[ch("shared/x.py", "modified")], false);
        assert_eq!(r["shared"], ["shared/x.py"]);
        assert_eq!(r["python"], ["shared/x.py"]);
        assert!(r["docs"].is_empty());
        let r = run(
            &[ch("docs/a.md", "added"), ch("src/a.rs", "deleted")],
            false,
        );
        assert_eq!(r["docs"], ["docs/a.md"]);
        assert!(r["added_src"].is_empty());
        // `some`: `**` matches docs too; `every` needs the negation as well.
        assert_eq!(r["not_docs"].len(), 2);
        let r = run(&[ch("docs/a.md", "added"), ch("src/a.rs", "added")], true);
        assert_eq!(r["not_docs"], ["src/a.rs"]);
    }

    #[test]
    fn list_files_formats() {
        let files = vec!["a b.txt".to_owned(), "c,d".to_owned(), "it's".to_owned()];
        assert_eq!(serialize(&files, "none"), None);
        assert_eq!(
            serialize(&files, "json").as_deref(),
            Some(r#"["a b.txt","c,d","it's"]"#)
        );
        assert_eq!(
            serialize(&files, "csv").as_deref(),
            Some("\"a b.txt\",\"c,d\",\"it's\"")
        );
        assert_eq!(
            serialize(&files, "shell").as_deref(),
            Some("'a b.txt' c,d \"it's\"")
        );
        assert_eq!(
            serialize(&files, "escape").as_deref(),
            Some("a\\ b.txt c,d it\\'s")
        );
    }

    /// Runs the built-in as a step would: `inputs`, the event's changed
    /// files, and a push payload whose commits give the change types.
    fn step(
        inputs: &[(&str, &str)],
        changed: &[&str],
        payload: serde_json::Value,
        files: &[(&str, &str)],
    ) -> Result<ActionOutput, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        let inputs: BTreeMap<String, String> = inputs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let github = Value::from_json(&serde_json::json!({ "event": payload }));
        let changed: Vec<String> = changed.iter().map(|s| (*s).to_owned()).collect();
        let empty = BTreeMap::new();
        let cx = ActionContext {
            workspace: dir.path(),
            inputs: &inputs,
            env: &empty,
            github: Some(&github),
            process_env: &empty,
            changed_files: Some(&changed),
            job: "test",
            stores: None,
        };
        PathsFilter.run(&cx)
    }

    fn outputs(r: Result<ActionOutput, String>) -> BTreeMap<String, String> {
        r.expect("the step succeeds").outputs
    }

    /// Known answers from dorny/paths-filter's README ("Outputs", "Usage",
    /// "Examples") and its `src/main.ts` (`exportResults`, `isPathInput`).
    #[test]
    fn documented_outputs() {
        let none = serde_json::json!({});
        // README, Outputs: `<filter>` is 'true'/'false', `<filter>_count` the
        // number of matching files, `changes` a JSON array of the filters
        // that matched; `<filter>_files` only "if enabled" (list-files).
        let o = outputs(step(
            &[("filters", "src:\n  - 'src/**'\ndocs:\n  - 'docs/**'\n")],
            &["src/a.rs", "src/b.rs", "README.md"],
            none.clone(),
            &[],
        ));
        assert_eq!(o["src"], "true");
        assert_eq!(o["src_count"], "2");
        assert_eq!(o["docs"], "false");
        assert_eq!(o["docs_count"], "0");
        assert_eq!(o["changes"], r#"["src"]"#);
        assert!(!o.contains_key("src_files"), "list-files defaults to none");

        // README, list-files: csv ("uses double quotes to wrap filename with
        // unsafe characters"), json, shell ("single or double quotes"),
        // escape ("Backslash escapes every potentially unsafe character");
        // main.ts lower-cases the input.
        for (format, want) in [
            ("csv", "\"src/a b.rs\",src/c.rs"),
            ("json", r#"["src/a b.rs","src/c.rs"]"#),
            ("shell", "'src/a b.rs' src/c.rs"),
            ("escape", "src/a\\ b.rs src/c.rs"),
            ("JSON", r#"["src/a b.rs","src/c.rs"]"#),
        ] {
            let o = outputs(step(
                &[("filters", "src:\n  - 'src/**'\n"), ("list-files", format)],
                &["src/a b.rs", "src/c.rs"],
                none.clone(),
                &[],
            ));
            assert_eq!(o["src_files"], want, "list-files: {format}");
        }
        // An empty match lists nothing.
        let o = outputs(step(
            &[("filters", "src:\n  - 'src/**'\n"), ("list-files", "json")],
            &["x"],
            none.clone(),
            &[],
        ));
        assert_eq!(o["src_files"], "[]");
        let err = step(
            &[("filters", "src:\n  - 'src/**'\n"), ("list-files", "xml")],
            &["x"],
            none.clone(),
            &[],
        )
        .err()
        .expect("fails");
        assert_eq!(
            err,
            "Input parameter 'list-files' is set to invalid value 'xml'"
        );

        // README, Advanced options: filters in their own file.
        let o = outputs(step(
            &[("filters", ".github/filters.yml")],
            &["lib/x.py"],
            none.clone(),
            &[(".github/filters.yml", "py:\n  - '**/*.py'\n")],
        ));
        assert_eq!(o["py"], "true");
        let err = step(
            &[("filters", ".github/nope.yml")],
            &["x"],
            none.clone(),
            &[],
        )
        .err()
        .expect("fails");
        assert_eq!(err, "Configuration file '.github/nope.yml' not found");
        // main.ts `isPathInput`: a single line with a colon is inline YAML
        // (the README's matrix example: `package1: src/package1`).
        let o = outputs(step(
            &[("filters", "pkg: 'src/pkg/**'")],
            &["src/pkg/a.rs"],
            none.clone(),
            &[],
        ));
        assert_eq!(o["pkg"], "true");
        assert_eq!(o["changes"], r#"["pkg"]"#);

        // README: picomatch with `dot: true` matches dot files and folders.
        let o = outputs(step(
            &[("filters", "all:\n  - '**'\n")],
            &[".github/workflows/ci.yml"],
            none.clone(),
            &[],
        ));
        assert_eq!(o["all"], "true");

        // exportResults: a filter named `changes` keeps its own output.
        let o = outputs(step(
            &[("filters", "changes:\n  - 'src/**'\n")],
            &["src/a.rs"],
            none.clone(),
            &[],
        ));
        assert_eq!(o["changes"], "true");
    }

    /// README, "Consider if file was added, modified or deleted", and the
    /// `predicate-quantifier` input (`some` by default, or `every`).
    #[test]
    fn documented_change_types_and_quantifier() {
        let push = serde_json::json!({"commits": [
            {"added": ["src/new.rs"], "modified": ["src/old.rs"], "removed": ["src/gone.rs"]}
        ]});
        let changed = ["src/new.rs", "src/old.rs", "src/gone.rs"];
        let filters = "addedOrModified:\n  - added|modified: 'src/**'\nallChanges:\n  - added|deleted|modified: 'src/**'\ndeleted:\n  - Deleted: 'src/**'\n";
        let o = outputs(step(
            &[("filters", filters), ("list-files", "json")],
            &changed,
            push.clone(),
            &[],
        ));
        assert_eq!(o["addedOrModified_files"], r#"["src/new.rs","src/old.rs"]"#);
        assert_eq!(o["allChanges_count"], "3");
        // Change types are read case-insensitively (filter.ts lower-cases them).
        assert_eq!(o["deleted_files"], r#"["src/gone.rs"]"#);

        // predicate-quantifier: `every` needs all of a filter's patterns.
        let filters = "rust_not_tests:\n  - '**/*.rs'\n  - '!**/tests/**'\n";
        let changed = ["src/a.rs", "src/tests/t.rs"];
        let o = outputs(step(
            &[("filters", filters), ("list-files", "json")],
            &changed,
            push.clone(),
            &[],
        ));
        assert_eq!(o["rust_not_tests_count"], "2", "some: either pattern");
        let o = outputs(step(
            &[
                ("filters", filters),
                ("list-files", "json"),
                ("predicate-quantifier", "every"),
            ],
            &changed,
            push.clone(),
            &[],
        ));
        assert_eq!(o["rust_not_tests_files"], r#"["src/a.rs"]"#);
        let err = step(
            &[("filters", filters), ("predicate-quantifier", "all")],
            &changed,
            push,
            &[],
        )
        .err()
        .expect("fails");
        assert_eq!(
            err,
            "Input parameter 'predicate-quantifier' is set to invalid value 'all'. Valid values: some, every"
        );
    }
}
