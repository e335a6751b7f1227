//! `on:` — the events that trigger a workflow.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_yaml::{Node, NodeKind};
use serde::Serialize;

use crate::lower::{Ctx, closest, rules};
use crate::value::{ExprString, Scalar, Spanned};

/// Filter keys an event may take.
const TYPES: &[&str] = &["types"];
const PUSH: &[&str] = &[
    "branches",
    "branches-ignore",
    "tags",
    "tags-ignore",
    "paths",
    "paths-ignore",
];
const PULL_REQUEST: &[&str] = &[
    "types",
    "branches",
    "branches-ignore",
    "paths",
    "paths-ignore",
];
const WORKFLOW_RUN: &[&str] = &["types", "workflows", "branches", "branches-ignore"];
const MERGE_GROUP: &[&str] = &["types", "branches", "branches-ignore"];
const IMAGE_VERSION: &[&str] = &["names", "versions"];
const NONE: &[&str] = &[];

/// Every event GitHub documents for `on:`, with the filter keys it accepts.
/// `schedule`, `workflow_call` and `workflow_dispatch` have their own shapes.
pub const EVENTS: &[(&str, &[&str])] = &[
    ("branch_protection_rule", TYPES),
    ("check_run", TYPES),
    ("check_suite", TYPES),
    ("create", NONE),
    ("delete", NONE),
    ("deployment", NONE),
    ("deployment_status", NONE),
    ("discussion", TYPES),
    ("discussion_comment", TYPES),
    ("fork", NONE),
    ("gollum", NONE),
    ("image_version", IMAGE_VERSION),
    ("issue_comment", TYPES),
    ("issues", TYPES),
    ("label", TYPES),
    ("merge_group", MERGE_GROUP),
    ("milestone", TYPES),
    ("page_build", NONE),
    ("project", TYPES),
    ("project_card", TYPES),
    ("project_column", TYPES),
    ("public", NONE),
    ("pull_request", PULL_REQUEST),
    ("pull_request_review", TYPES),
    ("pull_request_review_comment", TYPES),
    ("pull_request_target", PULL_REQUEST),
    ("push", PUSH),
    ("registry_package", TYPES),
    ("release", TYPES),
    ("repository_dispatch", TYPES),
    ("schedule", NONE),
    ("status", NONE),
    ("watch", TYPES),
    ("workflow_call", NONE),
    ("workflow_dispatch", NONE),
    ("workflow_run", WORKFLOW_RUN),
];

/// `on:` — every event the workflow listens to, in source order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct On {
    /// The triggers.
    pub triggers: Vec<Trigger>,
    /// Where `on:`'s value is.
    pub span: Span,
}

impl On {
    /// The trigger for `event`, if the workflow listens to it.
    #[must_use]
    pub fn get(&self, event: &str) -> Option<&Trigger> {
        self.triggers.iter().find(|t| t.event.value == event)
    }
}

/// One event of `on:`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trigger {
    /// The event name (one of [`EVENTS`]).
    pub event: Spanned<String>,
    /// Its configuration.
    pub config: TriggerConfig,
}

/// What an event is configured with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TriggerConfig {
    /// Nothing (`on: push`, `push:` or `push: {}`).
    None,
    /// Activity types and branch/tag/path/workflow filters.
    Filters(Box<Filters>),
    /// `schedule:` cron entries.
    Schedule(Vec<Schedule>),
    /// `workflow_dispatch:`.
    WorkflowDispatch(WorkflowDispatch),
    /// `workflow_call:`.
    WorkflowCall(WorkflowCall),
}

/// A list of filter patterns or names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilterList {
    /// The items.
    pub items: Vec<Spanned<String>>,
    /// Where the list is.
    pub span: Span,
}

/// Filters of an event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Filters {
    /// `types`
    pub types: Option<FilterList>,
    /// `branches`
    pub branches: Option<FilterList>,
    /// `branches-ignore`
    pub branches_ignore: Option<FilterList>,
    /// `tags`
    pub tags: Option<FilterList>,
    /// `tags-ignore`
    pub tags_ignore: Option<FilterList>,
    /// `paths`
    pub paths: Option<FilterList>,
    /// `paths-ignore`
    pub paths_ignore: Option<FilterList>,
    /// `workflows` (`workflow_run`)
    pub workflows: Option<FilterList>,
    /// `names` (`image_version`)
    pub names: Option<FilterList>,
    /// `versions` (`image_version`)
    pub versions: Option<FilterList>,
}

/// One `schedule:` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    /// `cron`
    pub cron: Spanned<String>,
    /// `timezone` (IANA name)
    pub timezone: Option<Spanned<String>>,
    /// Where the entry is.
    pub span: Span,
}

/// Type of a `workflow_dispatch` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum DispatchInputType {
    /// `string` (the default)
    String,
    /// `boolean`
    Boolean,
    /// `choice` with its `options`
    Choice {
        /// The options.
        options: Vec<Spanned<String>>,
    },
    /// `number`
    Number,
    /// `environment`
    Environment,
}

/// One `workflow_dispatch` input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DispatchInput {
    /// The input's name.
    pub name: Spanned<String>,
    /// `description`
    pub description: Option<ExprString>,
    /// `required`
    pub required: Option<Spanned<bool>>,
    /// `default`
    pub default: Option<Scalar>,
    /// `type` (with `options` for choices)
    pub kind: DispatchInputType,
    /// Where `type:` was written.
    pub type_span: Option<Span>,
    /// Where the input's definition is.
    pub span: Span,
}

/// `workflow_dispatch:`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct WorkflowDispatch {
    /// `inputs`
    pub inputs: Vec<DispatchInput>,
}

/// Type of a `workflow_call` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CallInputType {
    /// `boolean`
    Boolean,
    /// `number`
    Number,
    /// `string`
    String,
}

/// One `workflow_call` input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallInput {
    /// The input's name.
    pub name: Spanned<String>,
    /// `description`
    pub description: Option<ExprString>,
    /// `required`
    pub required: Option<Spanned<bool>>,
    /// `default`
    pub default: Option<Scalar>,
    /// `type` (required by GitHub; `None` only when diagnosed)
    pub kind: Option<Spanned<CallInputType>>,
    /// Where the definition is.
    pub span: Span,
}

/// One `workflow_call` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallOutput {
    /// The output's name.
    pub name: Spanned<String>,
    /// `description`
    pub description: Option<ExprString>,
    /// `value` (required; `None` only when diagnosed)
    pub value: Option<ExprString>,
    /// Where the definition is.
    pub span: Span,
}

/// One `workflow_call` secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallSecret {
    /// The secret's name.
    pub name: Spanned<String>,
    /// `description`
    pub description: Option<ExprString>,
    /// `required`
    pub required: Option<Spanned<bool>>,
    /// Where the definition is.
    pub span: Span,
}

/// `workflow_call:`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct WorkflowCall {
    /// `inputs`
    pub inputs: Vec<CallInput>,
    /// `outputs`
    pub outputs: Vec<CallOutput>,
    /// `secrets`
    pub secrets: Vec<CallSecret>,
    /// Whether `secrets:` is written (even empty): the workflow then takes
    /// only the secrets it lists.
    pub secrets_declared: bool,
}

fn event_names() -> Vec<&'static str> {
    EVENTS.iter().map(|(n, _)| *n).collect()
}

fn unknown_event(cx: &mut Ctx<'_>, name: &str, span: Span) {
    let mut d = Diagnostic::error(
        rules::UNKNOWN_EVENT,
        span,
        format!("unknown event `{name}` in `on`"),
    );
    if let Some(c) = closest(name, &event_names()) {
        d = d.with_hint(format!("did you mean `{c}`?"));
    }
    cx.push(d);
}

fn is_known(name: &str) -> bool {
    EVENTS.iter().any(|(n, _)| *n == name)
}

pub(crate) fn lower_on(cx: &mut Ctx<'_>, node: &Node) -> On {
    let mut on = On {
        triggers: Vec::new(),
        span: node.span,
    };
    match &node.kind {
        NodeKind::String { value, .. } => {
            if is_known(value) {
                on.triggers.push(bare_trigger(cx, value, node.span));
            } else {
                unknown_event(cx, value, node.span);
            }
        }
        NodeKind::Seq(items) => {
            for item in items {
                let Some(name) = item.as_str() else {
                    cx.wrong_type(item, "an event in `on`", "an event name");
                    continue;
                };
                if !is_known(name) {
                    unknown_event(cx, name, item.span);
                } else if on.get(name).is_some() {
                    cx.error(
                        rules::DUPLICATE_KEY,
                        item.span,
                        format!("event `{name}` is listed twice"),
                    );
                } else {
                    on.triggers.push(bare_trigger(cx, name, item.span));
                }
            }
        }
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                let Some(name) = k.as_str() else {
                    cx.wrong_type(k, "an event in `on`", "an event name");
                    continue;
                };
                if !is_known(name) {
                    unknown_event(cx, name, k.span);
                    continue;
                }
                let config = lower_event_config(cx, name, v);
                on.triggers.push(Trigger {
                    event: Spanned::new(name.to_owned(), k.span),
                    config,
                });
            }
        }
        _ => cx.wrong_type(node, "`on`", "an event name, a list of events or a mapping"),
    }
    if on.triggers.is_empty() && !cx.diags.iter().any(|d| d.span == node.span) {
        cx.error(
            rules::MISSING_KEY,
            node.span,
            "`on` must name at least one event",
        );
    }
    on
}

fn bare_trigger(cx: &mut Ctx<'_>, name: &str, span: Span) -> Trigger {
    if name == "schedule" {
        cx.push(
            Diagnostic::error(
                rules::WRONG_TYPE,
                span,
                "`schedule` needs a list of `cron` entries",
            )
            .with_hint("write `on: { schedule: [ { cron: '0 0 * * *' } ] }`"),
        );
    }
    Trigger {
        event: Spanned::new(name.to_owned(), span),
        config: TriggerConfig::None,
    }
}

fn lower_event_config(cx: &mut Ctx<'_>, name: &str, v: &Node) -> TriggerConfig {
    match name {
        "schedule" => TriggerConfig::Schedule(lower_schedule(cx, v)),
        "workflow_dispatch" => TriggerConfig::WorkflowDispatch(lower_dispatch(cx, v)),
        "workflow_call" => TriggerConfig::WorkflowCall(lower_call(cx, v)),
        _ => {
            let allowed = EVENTS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(NONE, |(_, a)| a);
            let what = format!("event `{name}`");
            let Some(fields) = cx.fields(v, &what, allowed, true) else {
                return TriggerConfig::None;
            };
            if fields.is_empty() {
                return TriggerConfig::None;
            }
            let mut f = Filters::default();
            // Where each filter key is written, for conflicts.
            let mut key_spans: Vec<(&str, Span)> = Vec::new();
            for (key, k, val) in fields {
                key_spans.push((key, k.span));
                let list = filter_list(cx, val, &format!("`{name}.{key}`"));
                let slot = match key {
                    "types" => &mut f.types,
                    "branches" => &mut f.branches,
                    "branches-ignore" => &mut f.branches_ignore,
                    "tags" => &mut f.tags,
                    "tags-ignore" => &mut f.tags_ignore,
                    "paths" => &mut f.paths,
                    "paths-ignore" => &mut f.paths_ignore,
                    "workflows" => &mut f.workflows,
                    "names" => &mut f.names,
                    _ => &mut f.versions,
                };
                *slot = list;
            }
            for (a, b, la, lb) in [
                (
                    "branches",
                    "branches-ignore",
                    &f.branches,
                    &f.branches_ignore,
                ),
                ("tags", "tags-ignore", &f.tags, &f.tags_ignore),
                ("paths", "paths-ignore", &f.paths, &f.paths_ignore),
            ] {
                if let (Some(_), Some(_)) = (la, lb) {
                    // At whichever of the two keys comes second.
                    let span = key_spans
                        .iter()
                        .filter(|(k, _)| *k == a || *k == b)
                        .map(|(_, s)| *s)
                        .max_by_key(|s| s.start.offset)
                        .unwrap_or(v.span);
                    cx.push(
                        Diagnostic::error(
                            rules::CONFLICTING_KEYS,
                            span,
                            format!("`{name}` cannot have both `{a}` and `{b}`"),
                        )
                        .with_hint(format!("use `{a}` with `!`-prefixed patterns instead")),
                    );
                }
            }
            TriggerConfig::Filters(Box::new(f))
        }
    }
}

fn filter_list(cx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<FilterList> {
    let items = cx.string_list(node, what, true)?;
    Some(FilterList {
        items: items
            .into_iter()
            .map(|s| Spanned::new(s.raw, s.span))
            .collect(),
        span: node.span,
    })
}

fn lower_schedule(cx: &mut Ctx<'_>, node: &Node) -> Vec<Schedule> {
    let Some(items) = node.as_seq() else {
        cx.wrong_type(node, "`schedule`", "a sequence of `cron` entries");
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(fields) = cx.fields(item, "a `schedule` entry", &["cron", "timezone"], false)
        else {
            continue;
        };
        let mut cron = None;
        let mut timezone = None;
        for (name, _, v) in fields {
            let s = cx
                .non_empty_string(v, &format!("`{name}`"))
                .map(|s| Spanned::new(s.raw, s.span));
            if name == "cron" {
                cron = s;
            } else {
                timezone = s;
            }
        }
        match cron {
            Some(cron) => out.push(Schedule {
                cron,
                timezone,
                span: item.span,
            }),
            None if item.get("cron").is_none() => {
                cx.missing_key(item.span, "cron", "a `schedule` entry");
            }
            None => {}
        }
    }
    out
}

fn lower_dispatch(cx: &mut Ctx<'_>, node: &Node) -> WorkflowDispatch {
    let mut out = WorkflowDispatch::default();
    let Some(fields) = cx.fields(node, "`workflow_dispatch`", &["inputs"], true) else {
        return out;
    };
    for (_, _, inputs) in fields {
        let Some(entries) = cx.map(inputs, "`workflow_dispatch.inputs`", true) else {
            continue;
        };
        cx.check_case_duplicates(entries, "`workflow_dispatch.inputs`");
        for (k, v) in entries {
            let Some(name) = cx.spanned_key(k, "`workflow_dispatch.inputs`") else {
                continue;
            };
            let what = format!("input `{}`", name.value);
            let Some(fields) = cx.fields(
                v,
                &what,
                &["description", "required", "default", "type", "options"],
                true,
            ) else {
                continue;
            };
            let mut input = DispatchInput {
                name,
                description: None,
                required: None,
                default: None,
                kind: DispatchInputType::String,
                type_span: None,
                span: v.span,
            };
            let mut options = None;
            for (key, _, val) in &fields {
                match *key {
                    "description" => input.description = cx.string(val, "`description`"),
                    "required" => input.required = cx.bool(val, "`required`"),
                    "default" => input.default = cx.scalar(val, "`default`"),
                    "options" => {
                        options = cx.loose_string_list(val, "`options`").map(|items| {
                            items
                                .into_iter()
                                .map(|s| Spanned::new(s.raw, s.span))
                                .collect::<Vec<_>>()
                        });
                    }
                    _ => {
                        input.type_span = Some(val.span);
                        input.kind = match val.as_str() {
                            Some("string") => DispatchInputType::String,
                            Some("boolean") => DispatchInputType::Boolean,
                            Some("choice") => DispatchInputType::Choice {
                                options: Vec::new(),
                            },
                            Some("number") => DispatchInputType::Number,
                            Some("environment") => DispatchInputType::Environment,
                            _ => {
                                invalid_type(
                                    cx,
                                    val,
                                    &["string", "boolean", "choice", "number", "environment"],
                                );
                                DispatchInputType::String
                            }
                        };
                    }
                }
            }
            if let DispatchInputType::Choice { options: slot } = &mut input.kind {
                match options {
                    Some(o) => *slot = o,
                    None => cx.missing_key(v.span, "options", &format!("choice {what}")),
                }
            }
            out.inputs.push(input);
        }
    }
    out
}

fn invalid_type(cx: &mut Ctx<'_>, val: &Node, allowed: &[&str]) {
    let written = val
        .scalar_string()
        .unwrap_or_else(|| val.type_name().into());
    let mut d = Diagnostic::error(
        rules::INVALID_VALUE,
        val.span,
        format!("`{written}` is not an input type"),
    );
    d = d.with_hint(match closest(&written, allowed) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("use one of: {}", allowed.join(", ")),
    });
    cx.push(d);
}

fn lower_call(cx: &mut Ctx<'_>, node: &Node) -> WorkflowCall {
    let mut out = WorkflowCall::default();
    let Some(fields) = cx.fields(
        node,
        "`workflow_call`",
        &["inputs", "outputs", "secrets"],
        true,
    ) else {
        return out;
    };
    for (section, _, body) in fields {
        let what = format!("`workflow_call.{section}`");
        if section == "secrets" {
            out.secrets_declared = true;
        }
        if cx.empty_mapping(body, &what) {
            continue;
        }
        let Some(entries) = cx.map(body, &what, true) else {
            continue;
        };
        cx.check_case_duplicates(entries, &what);
        for (k, v) in entries {
            let Some(name) = cx.spanned_key(k, &what) else {
                continue;
            };
            match section {
                "inputs" => {
                    if let Some(i) = lower_call_input(cx, name, v) {
                        out.inputs.push(i);
                    }
                }
                "outputs" => {
                    if let Some(o) = lower_call_output(cx, name, v) {
                        out.outputs.push(o);
                    }
                }
                _ => {
                    if let Some(s) = lower_call_secret(cx, name, v) {
                        out.secrets.push(s);
                    }
                }
            }
        }
    }
    out
}

fn lower_call_input(cx: &mut Ctx<'_>, name: Spanned<String>, v: &Node) -> Option<CallInput> {
    let what = format!("input `{}`", name.value);
    let fields = cx.fields(
        v,
        &what,
        &["description", "required", "default", "type"],
        false,
    )?;
    let mut input = CallInput {
        name,
        description: None,
        required: None,
        default: None,
        kind: None,
        span: v.span,
    };
    let mut saw_type = false;
    for (key, _, val) in fields {
        match key {
            "description" => input.description = cx.string(val, "`description`"),
            "required" => input.required = cx.bool(val, "`required`"),
            "default" => input.default = cx.scalar(val, "`default`"),
            _ => {
                saw_type = true;
                input.kind = match val.as_str() {
                    Some("boolean") => Some(Spanned::new(CallInputType::Boolean, val.span)),
                    Some("number") => Some(Spanned::new(CallInputType::Number, val.span)),
                    Some("string") => Some(Spanned::new(CallInputType::String, val.span)),
                    _ => {
                        invalid_type(cx, val, &["boolean", "number", "string"]);
                        None
                    }
                };
            }
        }
    }
    if !saw_type {
        // At the input's name, which is what lacks the key.
        cx.missing_key(input.name.span, "type", &what);
    }
    Some(input)
}

fn lower_call_output(cx: &mut Ctx<'_>, name: Spanned<String>, v: &Node) -> Option<CallOutput> {
    let what = format!("output `{}`", name.value);
    let fields = cx.fields(v, &what, &["description", "value"], false)?;
    let mut out = CallOutput {
        name,
        description: None,
        value: None,
        span: v.span,
    };
    let mut saw_value = false;
    for (key, _, val) in fields {
        if key == "value" {
            saw_value = true;
            out.value = cx.string(val, "`value`");
        } else {
            out.description = cx.string(val, "`description`");
        }
    }
    if !saw_value {
        cx.missing_key(out.name.span, "value", &what);
    }
    Some(out)
}

fn lower_call_secret(cx: &mut Ctx<'_>, name: Spanned<String>, v: &Node) -> Option<CallSecret> {
    let what = format!("secret `{}`", name.value);
    let fields = cx.fields(v, &what, &["description", "required"], true)?;
    let mut out = CallSecret {
        name,
        description: None,
        required: None,
        span: v.span,
    };
    for (key, _, val) in fields {
        if key == "required" {
            out.required = cx.bool(val, "`required`");
        } else {
            out.description = cx.string(val, "`description`");
        }
    }
    Some(out)
}
