//! Rules: `on:` — cron schedules, filter patterns, activity types, and the
//! inputs of `workflow_dispatch` and `workflow_call`.
//!
//! Filters on events that do not take them, and `branches` together with
//! `branches-ignore` (likewise tags and paths), are reported by the loader.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_filters::cron::{Cron, CronErrorKind};
use gantry_filters::pattern::{FilterKind, ListIssue, Pattern, PatternList};
use gantry_workflow::{
    Action, CallInputType, DispatchInputType, FilterList, Filters, Scalar, Spanned, Trigger,
    TriggerConfig, Workflow, WorkflowCall, WorkflowDispatch,
};

use crate::Cx;
use crate::locate::span_in;

pub use gantry_workflow::activity::{ACTIVITY_TYPES, known_types as activity_types};

/// The rule ids this module reports, with one line each.
pub const RULES: &[(&str, &str)] = &[
    ("cron-syntax", "a `cron` that is not five-field POSIX cron"),
    (
        "cron-frequency",
        "a schedule more frequent than GitHub's 5-minute minimum (warning)",
    ),
    (
        "cron-never-fires",
        "a schedule that matches no date, e.g. 31 February (warning)",
    ),
    (
        "filter-pattern",
        "a branch, tag or path filter pattern with bad syntax, or one that can never match (warning)",
    ),
    (
        "ignore-negation",
        "a `!` pattern in an `-ignore` list, where GitHub does not document it (warning)",
    ),
    (
        "only-negations",
        "a positive filter list whose patterns are all `!`, so nothing matches (warning)",
    ),
    (
        "ineffective-negation",
        "a `!` pattern before any positive pattern, which excludes nothing (warning)",
    ),
    ("activity-types", "a `types` value the event does not have"),
    (
        "workflow-dispatch-input",
        "a `workflow_dispatch` input whose default does not fit its type or options, or too many inputs",
    ),
    (
        "workflow-call-input",
        "a `workflow_call` input whose default does not fit its type",
    ),
];

/// GitHub's limit on `workflow_dispatch` inputs.
pub const MAX_DISPATCH_INPUTS: usize = 25;

pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    let Some(on) = &wf.on else {
        return;
    };
    for trigger in &on.triggers {
        match &trigger.config {
            TriggerConfig::None => {}
            TriggerConfig::Filters(f) => check_filters(cx, trigger, f),
            TriggerConfig::Schedule(entries) => {
                for s in entries {
                    check_cron(cx, &s.cron);
                }
            }
            TriggerConfig::WorkflowDispatch(d) => check_dispatch(cx, trigger, d),
            TriggerConfig::WorkflowCall(c) => check_call(cx, c),
        }
    }
}

pub fn check_action(cx: &mut Cx<'_>, action: &Action) {
    let _ = (cx, action);
}

/// The span of `len` characters from 1-based character `column` of a
/// scalar's value.
pub(crate) fn span_of_chars(
    src: &str,
    scalar: Span,
    value: &str,
    column: usize,
    len: usize,
) -> Span {
    let start = value
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(value.len(), |(i, _)| i);
    let end = value[start..]
        .char_indices()
        .nth(len)
        .map_or(value.len(), |(i, _)| start + i);
    span_in(src, scalar, value, start, end)
}

fn check_cron(cx: &mut Cx<'_>, cron: &Spanned<String>) {
    let text = &cron.value;
    match Cron::parse(text) {
        Err(e) => {
            // Underline the offending field (up to the next blank).
            let rest: String = text
                .chars()
                .skip(e.column.saturating_sub(1))
                .take_while(|c| !c.is_whitespace())
                .collect();
            let len = rest.chars().count().max(1);
            let span = if e.column == 0 || e.column > text.chars().count() {
                cron.span
            } else {
                span_of_chars(cx.src, cron.span, text, e.column, len)
            };
            let message = match e.field {
                Some(field) => format!("invalid cron `{text}`: {field} field: {}", e.kind),
                None => format!("invalid cron `{text}`: {}", e.kind),
            };
            let hint = match e.kind {
                CronErrorKind::Nickname(_) => "write e.g. `0 0 * * *` for daily at midnight (UTC)",
                CronErrorKind::SundayAsSeven => "use 0 for Sunday",
                _ => {
                    "five fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12) day-of-week (0-6)"
                }
            };
            cx.push(Diagnostic::error("cron-syntax", span, message).with_hint(hint));
        }
        Ok(c) => {
            if !c.ever_fires() {
                cx.push(Diagnostic::warning(
                    "cron-never-fires",
                    cron.span,
                    format!("the schedule `{text}` matches no date, so it never runs"),
                ));
            } else if may_be_too_frequent(&c) && c.is_more_frequent_than_github_allows() {
                let every = c.min_interval_minutes().unwrap_or(1);
                cx.push(
                    Diagnostic::warning(
                        "cron-frequency",
                        cron.span,
                        format!(
                            "`{text}` asks to run every {every} minute{}, but GitHub runs schedules at most every 5 minutes",
                            if every == 1 { "" } else { "s" }
                        ),
                    )
                    .with_hint("use an interval of 5 minutes or more, e.g. `*/5` in the minute field"),
                );
            }
        }
    }
}

/// Cheap pre-check: two firings less than 5 minutes apart need two minute
/// values less than 5 apart (cyclically).
fn may_be_too_frequent(c: &Cron) -> bool {
    let minutes = c.values(gantry_filters::cron::CronField::Minute);
    if minutes.len() < 2 {
        return false;
    }
    let wrap = minutes[0] + 60 - minutes[minutes.len() - 1];
    wrap < 5 || minutes.windows(2).any(|w| w[1] - w[0] < 5)
}

fn check_filters(cx: &mut Cx<'_>, trigger: &Trigger, f: &Filters) {
    let event = trigger.event.value.as_str();
    if let Some(types) = &f.types {
        check_types(cx, event, types);
    }
    for (kind, list) in [
        (FilterKind::Branches, &f.branches),
        (FilterKind::BranchesIgnore, &f.branches_ignore),
        (FilterKind::Tags, &f.tags),
        (FilterKind::TagsIgnore, &f.tags_ignore),
        (FilterKind::Paths, &f.paths),
        (FilterKind::PathsIgnore, &f.paths_ignore),
    ] {
        if let Some(list) = list {
            // `tags: ['!**']` next to `branches` is an idiom for "branches
            // only" (and the reverse): the all-`!` list is then meaningful.
            let sibling = match kind {
                FilterKind::Branches => f.tags.is_some() || f.tags_ignore.is_some(),
                FilterKind::Tags => f.branches.is_some() || f.branches_ignore.is_some(),
                _ => false,
            };
            check_pattern_list(cx, kind, list, sibling);
        }
    }
    for (key, list) in [("names", &f.names), ("versions", &f.versions)] {
        let Some(list) = list else {
            continue;
        };
        if list.items.is_empty() {
            cx.push(
                Diagnostic::warning(
                    "filter-pattern",
                    list.span,
                    format!("`{event}.{key}` is empty, so the workflow never runs for this event"),
                )
                .with_hint(format!(
                    "list the image {key} to react to, or remove `{key}`"
                )),
            );
        }
        for item in &list.items {
            if let Err(e) = Pattern::parse(&item.value) {
                pattern_error(cx, item, e.column, &e.kind.to_string());
            }
        }
    }
}

fn pattern_error(cx: &mut Cx<'_>, item: &Spanned<String>, column: usize, what: &str) {
    let span = if item.value.is_empty() {
        item.span
    } else {
        span_of_chars(cx.src, item.span, &item.value, column, 1)
    };
    cx.push(
        Diagnostic::error(
            "filter-pattern",
            span,
            format!("invalid filter pattern `{}`: {what}", item.value),
        )
        .with_hint("see \"Filter pattern cheat sheet\" in GitHub's workflow syntax reference"),
    );
}

fn check_pattern_list(cx: &mut Cx<'_>, kind: FilterKind, list: &FilterList, sibling: bool) {
    let (parsed, errors) = PatternList::parse_lenient(list.items.iter().map(|i| &i.value));
    for e in &errors {
        if let Some(item) = list.items.get(e.index) {
            pattern_error(cx, item, e.error.column, &e.error.kind.to_string());
        }
    }
    for item in &list.items {
        if let Some(problem) = never_matches(kind, &item.value) {
            cx.push(Diagnostic::warning(
                "filter-pattern",
                item.span,
                format!("`{}` can never match: {problem}", item.value),
            ));
        }
    }
    if !errors.is_empty() {
        // Indices of list issues would not line up with the items.
        return;
    }
    for issue in parsed.issues(kind) {
        match issue {
            ListIssue::NegationInIgnoreList { index, pattern, .. } => {
                if let Some(item) = list.items.get(index) {
                    cx.push(
                        Diagnostic::warning(
                            "ignore-negation",
                            item.span,
                            format!("`{pattern}`: `!` patterns are not meant for `{kind}`"),
                        )
                        .with_hint(format!(
                            "use `{}` with this `!` pattern after the patterns it excludes from",
                            kind.counterpart()
                        )),
                    );
                }
            }
            ListIssue::OnlyNegations { .. } if sibling => {}
            ListIssue::OnlyNegations { .. } => cx.push(
                Diagnostic::warning(
                    "only-negations",
                    list.span,
                    format!(
                        "every pattern of `{kind}` starts with `!`, so nothing matches and the event never runs the workflow"
                    ),
                )
                .with_hint(format!(
                    "add a positive pattern first (e.g. `'**'`), or use `{}`",
                    kind.counterpart()
                )),
            ),
            ListIssue::IneffectiveNegation { index, pattern, .. } => {
                if let Some(item) = list.items.get(index) {
                    cx.push(
                        Diagnostic::warning(
                            "ineffective-negation",
                            item.span,
                            format!(
                                "`{pattern}` excludes nothing: no pattern before it includes anything"
                            ),
                        )
                        .with_hint("patterns apply in order; move it after the pattern it narrows"),
                    );
                }
            }
        }
    }
}

/// Why a syntactically valid pattern can never match a ref name or a path.
fn never_matches(kind: FilterKind, pattern: &str) -> Option<&'static str> {
    let body = pattern.strip_prefix('!').unwrap_or(pattern);
    if body.trim() != body {
        return Some("names and paths are compared without surrounding blanks");
    }
    match kind {
        FilterKind::Paths | FilterKind::PathsIgnore => {
            let parts: Vec<&str> = body.split('/').collect();
            if parts.iter().any(|p| *p == "." || *p == "..") {
                return Some(
                    "changed paths are relative to the repository root, without `.` or `..`",
                );
            }
            if body.starts_with('/') {
                return Some("changed paths do not start with `/`");
            }
            None
        }
        _ => {
            if body.contains(' ') {
                Some("Git branch and tag names cannot contain spaces")
            } else if body.contains(['~', '^', ':']) {
                Some("Git branch and tag names cannot contain `~`, `^` or `:`")
            } else if body.starts_with('/') || body.ends_with('/') {
                Some("Git branch and tag names cannot start or end with `/`")
            } else if escapes_ordinary_char(body) {
                Some(
                    "Git branch and tag names cannot contain `\\` (it only escapes `*`, `?`, `+`, `[`, `]`, `!` and `\\`)",
                )
            } else {
                None
            }
        }
    }
}

/// Whether a `\` escapes a character with no special meaning (so the name
/// would need a literal backslash).
fn escapes_ordinary_char(body: &str) -> bool {
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('*' | '?' | '+' | '[' | ']' | '!' | '\\') => {}
                _ => return true,
            }
        }
    }
    false
}

fn check_types(cx: &mut Cx<'_>, event: &str, types: &FilterList) {
    let Some(known) = activity_types(event) else {
        return;
    };
    for item in &types.items {
        let t = item.value.as_str();
        if t.contains("${{") || known.contains(&t) {
            continue;
        }
        let mut d = Diagnostic::error(
            "activity-types",
            item.span,
            format!("`{t}` is not an activity type of `{event}`"),
        );
        d = match crate::rules::jobs::suggest_ci(known, t) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None => d.with_hint(format!("`{event}` has: {}", known.join(", "))),
        };
        cx.push(d);
    }
}

/// Whether a literal default can be read as a boolean.
fn is_boolean(s: &Scalar) -> bool {
    match s {
        Scalar::Bool(_) => true,
        Scalar::String(e) => {
            e.has_expression() || matches!(e.raw.trim(), "true" | "false" | "True" | "False")
        }
        _ => false,
    }
}

/// Whether a literal default can be read as a number.
fn is_number(s: &Scalar) -> bool {
    match s {
        Scalar::Int(_) | Scalar::Float(_) => true,
        Scalar::String(e) => e.has_expression() || e.raw.trim().parse::<f64>().is_ok(),
        _ => false,
    }
}

fn check_dispatch(cx: &mut Cx<'_>, trigger: &Trigger, d: &WorkflowDispatch) {
    if d.inputs.len() > MAX_DISPATCH_INPUTS {
        cx.push(
            Diagnostic::error(
                "workflow-dispatch-input",
                trigger.event.span,
                format!(
                    "`workflow_dispatch` has {} inputs; GitHub allows at most {MAX_DISPATCH_INPUTS}",
                    d.inputs.len()
                ),
            )
            .with_hint("combine related inputs, e.g. into one JSON string input"),
        );
    }
    for input in &d.inputs {
        let name = &input.name.value;
        let Some(default) = &input.default else {
            if let DispatchInputType::Choice { options } = &input.kind {
                check_options(cx, name, options);
            }
            continue;
        };
        if matches!(default, Scalar::Null { .. }) {
            continue;
        }
        match &input.kind {
            DispatchInputType::Boolean if !is_boolean(default) => cx.push(
                Diagnostic::error(
                    "workflow-dispatch-input",
                    default.span(),
                    format!(
                        "boolean input `{name}` has default `{}`, which is not `true` or `false`",
                        default.to_github_string()
                    ),
                )
                .with_hint("write `default: true` or `default: false`"),
            ),
            DispatchInputType::Number if !is_number(default) => cx.push(Diagnostic::error(
                "workflow-dispatch-input",
                default.span(),
                format!(
                    "number input `{name}` has default `{}`, which is not a number",
                    default.to_github_string()
                ),
            )),
            DispatchInputType::Choice { options } => {
                check_options(cx, name, options);
                let value = default.to_github_string();
                let is_expr = matches!(default, Scalar::String(e) if e.has_expression());
                if !is_expr && !options.is_empty() && !options.iter().any(|o| o.value == value) {
                    cx.push(
                        Diagnostic::error(
                            "workflow-dispatch-input",
                            default.span(),
                            format!(
                                "choice input `{name}` has default `{value}`, which is not one of its options"
                            ),
                        )
                        .with_hint(format!(
                            "options are: {}",
                            options
                                .iter()
                                .map(|o| format!("`{}`", o.value))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                }
            }
            _ => {}
        }
    }
}

fn check_options(cx: &mut Cx<'_>, name: &str, options: &[Spanned<String>]) {
    for (i, o) in options.iter().enumerate() {
        if let Some(first) = options[..i].iter().find(|p| p.value == o.value) {
            cx.push(
                Diagnostic::warning(
                    "workflow-dispatch-input",
                    o.span,
                    format!("option `{}` of input `{name}` is listed twice", o.value),
                )
                .with_related(first.span, "first listed here"),
            );
        }
    }
}

fn check_call(cx: &mut Cx<'_>, c: &WorkflowCall) {
    for input in &c.inputs {
        let Some(default) = &input.default else {
            continue;
        };
        if matches!(default, Scalar::Null { .. }) {
            continue;
        }
        if input.required.as_ref().is_some_and(|r| r.value) {
            cx.push(
                Diagnostic::warning(
                    "workflow-call-input",
                    default.span(),
                    format!(
                        "input `{}` is required, so callers always give it and this default is never used",
                        input.name.value
                    ),
                )
                .with_hint("remove the default, or make the input optional"),
            );
        }
        let Some(kind) = &input.kind else {
            continue;
        };
        let name = &input.name.value;
        let (ok, what) = match kind.value {
            CallInputType::Boolean => (is_boolean(default), "`true` or `false`"),
            CallInputType::Number => (is_number(default), "a number"),
            CallInputType::String => (true, ""),
        };
        if !ok {
            cx.push(
                Diagnostic::error(
                    "workflow-call-input",
                    default.span(),
                    format!(
                        "input `{name}` is of type `{}` but its default `{}` is not {what}",
                        match kind.value {
                            CallInputType::Boolean => "boolean",
                            CallInputType::Number => "number",
                            CallInputType::String => "string",
                        },
                        default.to_github_string()
                    ),
                )
                .with_related(kind.span, "type declared here"),
            );
        }
    }
}
