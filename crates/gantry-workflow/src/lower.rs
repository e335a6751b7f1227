//! The lowering context: type checks and key checks with diagnostics.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_yaml::{Node, NodeKind};

use crate::value::{
    BoolOrExpr, Concurrency, ConcurrencyQueue, Condition, Defaults, Env, ExprString, NumberOrExpr,
    Scalar, Spanned, SpannedNumber, With,
};

/// Rule names used by this crate.
pub mod rules {
    /// A key that is not allowed where it is.
    pub const UNKNOWN_KEY: &str = "unknown-key";
    /// A value of the wrong YAML type.
    pub const WRONG_TYPE: &str = "wrong-type";
    /// A required key is absent.
    pub const MISSING_KEY: &str = "missing-key";
    /// A mapping key appears twice.
    pub const DUPLICATE_KEY: &str = "duplicate-key";
    /// The file is not well-formed YAML.
    pub const YAML_SYNTAX: &str = "yaml-syntax";
    /// The file has more than one YAML document.
    pub const EXTRA_DOCUMENT: &str = "extra-document";
    /// An anchor no alias refers to.
    pub const UNUSED_ANCHOR: &str = "unused-anchor";
    /// An unquoted number that GitHub turns into a different version string.
    pub const NUMBER_VERSION: &str = "number-version";
    /// A value outside the allowed set.
    pub const INVALID_VALUE: &str = "invalid-value";
    /// A `uses:` reference that GitHub cannot resolve.
    pub const INVALID_USES: &str = "invalid-uses";
    /// A job or step id, or an input name, that is not a valid identifier.
    pub const INVALID_ID: &str = "invalid-id";
    /// Two keys that cannot be used together.
    pub const CONFLICTING_KEYS: &str = "conflicting-keys";
    /// An event name GitHub does not know.
    pub const UNKNOWN_EVENT: &str = "unknown-event";
}

/// The mapping entries of a node that survived key checks: `(name, key node, value node)`.
pub(crate) type Fields<'n> = Vec<(&'n str, &'n Node, &'n Node)>;

pub(crate) struct Ctx<'s> {
    pub src: &'s str,
    pub diags: Vec<Diagnostic>,
}

/// Levenshtein distance between two short strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(word)) {
        return Some(c);
    }
    let normalized = word.to_ascii_lowercase().replace('_', "-");
    let len = word.chars().count();
    let threshold = if len <= 3 { 1 } else { (len / 4).max(2) };
    candidates
        .iter()
        .map(|c| (edit_distance(&normalized, c), *c))
        .filter(|(d, _)| *d <= threshold)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

impl<'s> Ctx<'s> {
    pub fn new(src: &'s str) -> Self {
        Ctx {
            src,
            diags: Vec::new(),
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub fn error(&mut self, rule: &'static str, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(rule, span, message));
    }

    pub fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.diags.push(Diagnostic::error(
            rules::WRONG_TYPE,
            node.span,
            format!("{what} must be {expected}, not a {}", node.type_name()),
        ));
    }

    /// Reports a key written with no value where GitHub's parser requires a
    /// mapping (it rejects the file with "Unexpected value ''"). Returns
    /// whether `node` was such an empty value.
    pub fn empty_mapping(&mut self, node: &Node, what: &str) -> bool {
        if !node.is_null() {
            return false;
        }
        self.diags.push(
            Diagnostic::error(
                rules::WRONG_TYPE,
                node.span,
                format!("{what} has no value, and GitHub requires a mapping here"),
            )
            .with_hint("remove the key, or write `{}` for an empty mapping"),
        );
        true
    }

    pub fn missing_key(&mut self, span: Span, key: &str, what: &str) {
        self.diags.push(Diagnostic::error(
            rules::MISSING_KEY,
            span,
            format!("{what} is missing required key `{key}`"),
        ));
    }

    pub fn unknown_key(&mut self, key: &Node, name: &str, what: &str, known: &[&str]) {
        let mut d = Diagnostic::error(
            rules::UNKNOWN_KEY,
            key.span,
            format!("unknown key `{name}` in {what}"),
        );
        if name == "<<" {
            d = d.with_hint(
                "GitHub Actions does not support YAML merge keys (`<<`); write the keys out or alias a whole value",
            );
        } else if let Some(c) = closest(name, known) {
            d = d.with_hint(format!("did you mean `{c}`?"));
        } else if !known.is_empty() {
            d = d.with_hint(format!("expected one of: {}", known.join(", ")));
        }
        self.diags.push(d);
    }

    /// The text of a key node (scalars only).
    pub fn key_text(&mut self, key: &Node, what: &str) -> Option<String> {
        if key.is_scalar() {
            key.scalar_string()
        } else {
            self.wrong_type(key, &format!("a key in {what}"), "a string");
            None
        }
    }

    /// Checks `node` is a mapping; `null` counts as an empty mapping when `null_ok`.
    pub fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        null_ok: bool,
    ) -> Option<&'n [(Node, Node)]> {
        match &node.kind {
            NodeKind::Map(entries) => Some(entries),
            NodeKind::Null if null_ok => Some(&[]),
            _ => {
                self.wrong_type(node, what, "a mapping");
                None
            }
        }
    }

    /// Entries of a mapping whose keys are all in `known` (others are diagnosed and dropped).
    /// Keys must be strings.
    pub fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
        null_ok: bool,
    ) -> Option<Fields<'n>> {
        let entries = self.map(node, what, null_ok)?;
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Some(name) = k.as_str() else {
                let text = k.scalar_string().unwrap_or_default();
                self.unknown_key(k, &text, what, known);
                continue;
            };
            if known.contains(&name) {
                out.push((name, k, v));
            } else {
                self.unknown_key(k, name, what, known);
            }
        }
        Some(out)
    }

    /// Like [`Ctx::fields`], but unknown keys are only warnings (GitHub ignores them).
    pub fn fields_lenient<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
        null_ok: bool,
    ) -> Option<Fields<'n>> {
        let before = self.diags.len();
        let out = self.fields(node, what, known, null_ok);
        for d in &mut self.diags[before..] {
            if d.rule == rules::UNKNOWN_KEY {
                d.severity = gantry_diagnostics::Severity::Warning;
            }
        }
        out
    }

    /// A string-like scalar (numbers and booleans are turned into text as GitHub does).
    pub fn string(&mut self, node: &Node, what: &str) -> Option<ExprString> {
        if let Some(s) = node.scalar_string() {
            Some(ExprString::new(s, node.span))
        } else {
            self.wrong_type(node, what, "a string");
            None
        }
    }

    /// A string that must be present and non-empty.
    pub fn non_empty_string(&mut self, node: &Node, what: &str) -> Option<ExprString> {
        if node.is_null() {
            self.wrong_type(node, what, "a non-empty string");
            return None;
        }
        if node.as_str() == Some("") {
            self.push(
                Diagnostic::error(
                    rules::WRONG_TYPE,
                    node.span,
                    format!("{what} must not be an empty string"),
                )
                .with_hint("GitHub rejects an empty string here; give a value or remove it"),
            );
            return None;
        }
        self.string(node, what)
    }

    /// A literal boolean.
    pub fn bool(&mut self, node: &Node, what: &str) -> Option<Spanned<bool>> {
        if let NodeKind::Bool(b) = node.kind {
            Some(Spanned::new(b, node.span))
        } else {
            self.wrong_type(node, what, "a boolean");
            None
        }
    }

    /// A boolean or a `${{ }}` expression.
    pub fn bool_or_expr(&mut self, node: &Node, what: &str) -> Option<BoolOrExpr> {
        match &node.kind {
            NodeKind::Bool(b) => Some(BoolOrExpr::Bool(Spanned::new(*b, node.span))),
            NodeKind::String { value, .. } if value.contains("${{") => {
                Some(BoolOrExpr::Expr(ExprString::new(value.clone(), node.span)))
            }
            _ => {
                self.wrong_type(node, what, "a boolean or an expression");
                None
            }
        }
    }

    /// A number or a `${{ }}` expression.
    pub fn number_or_expr(&mut self, node: &Node, what: &str) -> Option<NumberOrExpr> {
        match &node.kind {
            NodeKind::Int(i) => {
                #[allow(clippy::cast_precision_loss)]
                let value = *i as f64;
                Some(NumberOrExpr::Number(SpannedNumber {
                    value,
                    span: node.span,
                }))
            }
            NodeKind::Float(f) => Some(NumberOrExpr::Number(SpannedNumber {
                value: *f,
                span: node.span,
            })),
            NodeKind::String { value, .. } if value.contains("${{") => Some(NumberOrExpr::Expr(
                ExprString::new(value.clone(), node.span),
            )),
            _ => {
                self.wrong_type(node, what, "a number or an expression");
                None
            }
        }
    }

    /// `if:` value.
    pub fn condition(&mut self, node: &Node, what: &str) -> Option<Condition> {
        match &node.kind {
            NodeKind::Bool(b) => Some(Condition::Bool(Spanned::new(*b, node.span))),
            _ => self.string(node, what).map(Condition::Expr),
        }
    }

    /// A typed scalar.
    pub fn scalar(&mut self, node: &Node, what: &str) -> Option<Scalar> {
        let span = node.span;
        Some(match &node.kind {
            NodeKind::Null => Scalar::Null { span },
            NodeKind::Bool(b) => Scalar::Bool(Spanned::new(*b, span)),
            NodeKind::Int(i) => Scalar::Int(Spanned::new(*i, span)),
            NodeKind::Float(f) => Scalar::Float(SpannedNumber { value: *f, span }),
            NodeKind::String { value, .. } => Scalar::String(ExprString::new(value.clone(), span)),
            NodeKind::Seq(_) | NodeKind::Map(_) => {
                self.wrong_type(node, what, "a string, number or boolean");
                return None;
            }
        })
    }

    /// Warns when an unquoted number would reach GitHub as a different string than written
    /// (`3.10` → `3.1`, `18.0` → `18`).
    pub fn check_number_version(&mut self, node: &Node, key: &str) {
        if !matches!(node.kind, NodeKind::Float(_) | NodeKind::Int(_)) {
            return;
        }
        let Some(written) = node.span.slice(self.src) else {
            return;
        };
        let Some(seen) = node.scalar_string() else {
            return;
        };
        if written.trim() != seen {
            self.diags.push(
                Diagnostic::warning(
                    rules::NUMBER_VERSION,
                    node.span,
                    format!(
                        "`{key}: {written}` is read as the number {seen}, so GitHub passes \"{seen}\""
                    ),
                )
                .with_hint(format!("quote it: `{key}: '{written}'`")),
            );
        }
    }

    /// A sequence of strings; a single string is accepted as a one-item list when `single_ok`.
    pub fn string_list(
        &mut self,
        node: &Node,
        what: &str,
        single_ok: bool,
    ) -> Option<Vec<ExprString>> {
        self.list_of_strings(node, what, single_ok, true)
    }

    /// Like [`Ctx::string_list`], but items may be empty strings (choice
    /// `options`, an action's `args`).
    pub fn loose_string_list(&mut self, node: &Node, what: &str) -> Option<Vec<ExprString>> {
        self.list_of_strings(node, what, false, false)
    }

    fn list_of_strings(
        &mut self,
        node: &Node,
        what: &str,
        single_ok: bool,
        non_empty: bool,
    ) -> Option<Vec<ExprString>> {
        match &node.kind {
            NodeKind::Seq(items) => Some(
                items
                    .iter()
                    .filter_map(|item| {
                        let what = format!("an item of {what}");
                        if non_empty {
                            self.non_empty_string(item, &what)
                        } else if item.is_null() {
                            self.wrong_type(item, &what, "a string");
                            None
                        } else {
                            self.string(item, &what)
                        }
                    })
                    .collect(),
            ),
            _ if single_ok && node.is_scalar() && !node.is_null() => {
                self.non_empty_string(node, what).map(|s| vec![s])
            }
            _ => {
                self.wrong_type(node, what, "a sequence of strings");
                None
            }
        }
    }

    /// Reports keys that differ only in case (GitHub treats input, output, secret, env,
    /// service, matrix and job names case-insensitively).
    pub fn check_case_duplicates(&mut self, entries: &[(Node, Node)], what: &str) {
        let mut seen: Vec<(String, Span)> = Vec::new();
        for (k, _) in entries {
            let Some(text) = k.scalar_string() else {
                continue;
            };
            let lower = text.to_lowercase();
            if let Some((_, first)) = seen.iter().find(|(s, _)| *s == lower) {
                self.push(
                    Diagnostic::error(
                        rules::DUPLICATE_KEY,
                        k.span,
                        format!(
                            "key `{text}` is defined twice in {what} (names are case-insensitive)"
                        ),
                    )
                    .with_related(*first, "first defined here")
                    .with_hint("rename or remove one of them"),
                );
            } else {
                seen.push((lower, k.span));
            }
        }
    }

    /// A key as a spanned string.
    pub fn spanned_key(&mut self, key: &Node, what: &str) -> Option<Spanned<String>> {
        self.key_text(key, what).map(|t| Spanned::new(t, key.span))
    }

    /// `env:`-like mapping of scalars, or a whole expression when `expr_ok`.
    pub fn env(&mut self, node: &Node, what: &str, expr_ok: bool) -> Option<Env> {
        if expr_ok
            && let NodeKind::String { value, .. } = &node.kind
            && value.contains("${{")
        {
            return Some(Env::Expr(ExprString::new(value.clone(), node.span)));
        }
        if self.empty_mapping(node, what) {
            return None;
        }
        let entries = self.map(node, what, true)?;
        self.check_case_duplicates(entries, what);
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Some(key) = self.spanned_key(k, what) else {
                continue;
            };
            let item = format!("`{}` in {what}", key.value);
            if let Some(value) = self.scalar(v, &item) {
                out.push((key, value));
            }
        }
        Some(Env::Map(out))
    }

    /// `with:` mapping.
    pub fn with(&mut self, node: &Node, what: &str) -> With {
        let mut with = With {
            entries: Vec::new(),
            span: Some(node.span),
        };
        if self.empty_mapping(node, what) {
            return with;
        }
        let Some(entries) = self.map(node, what, true) else {
            return with;
        };
        self.check_case_duplicates(entries, what);
        for (k, v) in entries {
            let Some(key) = self.spanned_key(k, what) else {
                continue;
            };
            self.check_number_version(v, &key.value);
            let item = format!("input `{}`", key.value);
            if let Some(value) = self.scalar(v, &item) {
                with.entries.push((key, value));
            }
        }
        with
    }

    /// A string-to-template mapping (`outputs:` of a job).
    pub fn string_map(&mut self, node: &Node, what: &str) -> Vec<(Spanned<String>, ExprString)> {
        let Some(entries) = self.map(node, what, true) else {
            return Vec::new();
        };
        self.check_case_duplicates(entries, what);
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Some(key) = self.spanned_key(k, what) else {
                continue;
            };
            let item = format!("`{}` in {what}", key.value);
            if let Some(value) = self.string(v, &item) {
                out.push((key, value));
            }
        }
        out
    }

    /// `defaults:`.
    pub fn defaults(&mut self, node: &Node, what: &str) -> Option<Defaults> {
        let fields = self.fields(node, what, &["run"], false)?;
        let mut out = Defaults {
            span: node.span,
            ..Defaults::default()
        };
        for (_, _, run) in fields {
            let Some(run_fields) = self.fields(
                run,
                "`defaults.run`",
                &["shell", "working-directory"],
                false,
            ) else {
                continue;
            };
            for (name, _, v) in run_fields {
                match name {
                    "shell" => out.shell = self.non_empty_string(v, "`shell`"),
                    _ => out.working_directory = self.non_empty_string(v, "`working-directory`"),
                }
            }
        }
        Some(out)
    }

    /// `concurrency:`.
    pub fn concurrency(&mut self, node: &Node) -> Option<Concurrency> {
        if node.is_scalar() {
            return self
                .non_empty_string(node, "`concurrency`")
                .map(|g| Concurrency {
                    group: Some(g),
                    cancel_in_progress: None,
                    queue: None,
                    short_form: true,
                    span: node.span,
                });
        }
        let fields = self.fields(
            node,
            "`concurrency`",
            &["group", "cancel-in-progress", "queue"],
            false,
        )?;
        let mut out = Concurrency {
            group: None,
            cancel_in_progress: None,
            queue: None,
            short_form: false,
            span: node.span,
        };
        for (name, _, v) in fields {
            match name {
                "group" => out.group = self.non_empty_string(v, "`concurrency.group`"),
                "cancel-in-progress" => {
                    out.cancel_in_progress =
                        self.bool_or_expr(v, "`concurrency.cancel-in-progress`");
                }
                _ => {
                    out.queue = match v.as_str() {
                        Some("single") => Some(Spanned::new(ConcurrencyQueue::Single, v.span)),
                        Some("max") => Some(Spanned::new(ConcurrencyQueue::Max, v.span)),
                        _ => {
                            self.push(
                                Diagnostic::error(
                                    rules::INVALID_VALUE,
                                    v.span,
                                    "`concurrency.queue` must be `single` or `max`",
                                )
                                .with_hint("use `queue: single` (the default) or `queue: max`"),
                            );
                            None
                        }
                    }
                }
            }
        }
        if out.group.is_none() && !fields_have_group(node) {
            self.missing_key(node.span, "group", "`concurrency`");
        }
        Some(out)
    }
}

fn fields_have_group(node: &Node) -> bool {
    node.get("group").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let known = ["runs-on", "steps", "needs", "timeout-minutes"];
        assert_eq!(closest("Runs-On", &known), Some("runs-on"));
        assert_eq!(closest("runs_on", &known), Some("runs-on"));
        assert_eq!(closest("step", &known), Some("steps"));
        assert_eq!(closest("timeout-minute", &known), Some("timeout-minutes"));
        assert_eq!(closest("zzz", &known), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
