//! Action metadata (`action.yml` / `action.yaml`).

use gantry_diagnostics::{Diagnostic, Span};
use gantry_yaml::Node;
use serde::Serialize;

use crate::lower::{Ctx, closest, rules};
use crate::step::{Step, StepContext, lower_steps};
use crate::value::{Env, ExprString, Spanned};

/// An action's metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// `name` (required; `None` only when diagnosed)
    pub name: Option<ExprString>,
    /// `author`
    pub author: Option<ExprString>,
    /// `description`
    pub description: Option<ExprString>,
    /// `inputs` in source order.
    pub inputs: Vec<ActionInput>,
    /// `outputs` in source order.
    pub outputs: Vec<ActionOutput>,
    /// `runs` (required; `None` only when diagnosed)
    pub runs: Option<Runs>,
    /// `branding`
    pub branding: Option<Branding>,
    /// Where the document is.
    pub span: Span,
}

/// One action input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionInput {
    /// The input's name.
    pub name: Spanned<String>,
    /// `description`
    pub description: Option<ExprString>,
    /// `default` (text, may contain expressions)
    pub default: Option<ExprString>,
    /// `required`
    pub required: Option<Spanned<bool>>,
    /// `deprecationMessage`
    pub deprecation_message: Option<ExprString>,
    /// Where the definition is.
    pub span: Span,
}

/// One action output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionOutput {
    /// The output's name.
    pub name: Spanned<String>,
    /// `description`
    pub description: Option<ExprString>,
    /// `value` (composite actions)
    pub value: Option<ExprString>,
    /// Where the definition is.
    pub span: Span,
}

/// A Node.js runtime of a JavaScript action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeVersion {
    /// `node12` (no longer runs on GitHub-hosted runners)
    Node12,
    /// `node16` (no longer runs on GitHub-hosted runners)
    Node16,
    /// `node20`
    Node20,
    /// `node24`
    Node24,
}

/// `runs` of a JavaScript action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeRuns {
    /// `using`
    pub using: Spanned<NodeVersion>,
    /// `main` (required; `None` only when diagnosed)
    pub main: Option<ExprString>,
    /// `pre`
    pub pre: Option<ExprString>,
    /// `post`
    pub post: Option<ExprString>,
    /// `pre-if`
    pub pre_if: Option<ExprString>,
    /// `post-if`
    pub post_if: Option<ExprString>,
}

/// `runs` of a composite action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompositeRuns {
    /// `steps`
    pub steps: Vec<Step>,
}

/// `runs.args` of a Docker action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DockerRuns {
    /// `image` (`Dockerfile`, a path, or `docker://…`; required)
    pub image: Option<ExprString>,
    /// `args`
    pub args: Vec<ExprString>,
    /// `entrypoint`
    pub entrypoint: Option<ExprString>,
    /// `pre-entrypoint`
    pub pre_entrypoint: Option<ExprString>,
    /// `post-entrypoint`
    pub post_entrypoint: Option<ExprString>,
    /// `pre-if`
    pub pre_if: Option<ExprString>,
    /// `post-if`
    pub post_if: Option<ExprString>,
    /// `env`
    pub env: Option<Env>,
}

/// `runs`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "using", rename_all = "kebab-case")]
pub enum Runs {
    /// `using: node20` etc.
    Node(NodeRuns),
    /// `using: composite`
    Composite(CompositeRuns),
    /// `using: docker`
    Docker(DockerRuns),
}

/// `branding`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Branding {
    /// `icon` (a Feather icon name)
    pub icon: Option<Spanned<String>>,
    /// `color`
    pub color: Option<Spanned<String>>,
}

const BRANDING_COLORS: &[&str] = &[
    "white",
    "black",
    "yellow",
    "blue",
    "green",
    "orange",
    "red",
    "purple",
    "gray-dark",
];

const TOP_KEYS: &[&str] = &[
    "name",
    "author",
    "description",
    "inputs",
    "outputs",
    "runs",
    "branding",
];

pub(crate) fn lower_action(cx: &mut Ctx<'_>, root: &Node) -> Option<Action> {
    // GitHub ignores unknown top-level keys of action metadata.
    let fields = cx.fields_lenient(root, "action metadata", TOP_KEYS, false)?;
    let mut action = Action {
        name: None,
        author: None,
        description: None,
        inputs: Vec::new(),
        outputs: Vec::new(),
        runs: None,
        branding: None,
        span: root.span,
    };
    for (name, _, v) in fields {
        match name {
            "name" => action.name = cx.non_empty_string(v, "`name`"),
            "author" => action.author = cx.string(v, "`author`"),
            "description" => action.description = cx.string(v, "`description`"),
            "inputs" => action.inputs = lower_inputs(cx, v),
            "outputs" => action.outputs = lower_outputs(cx, v),
            "runs" => action.runs = lower_runs(cx, v),
            _ => action.branding = lower_branding(cx, v),
        }
    }
    for key in ["name", "runs"] {
        if root.get(key).is_none() {
            cx.missing_key(root.span, key, "action metadata");
        }
    }
    Some(action)
}

fn lower_inputs(cx: &mut Ctx<'_>, node: &Node) -> Vec<ActionInput> {
    let Some(entries) = cx.map(node, "`inputs`", true) else {
        return Vec::new();
    };
    cx.check_case_duplicates(entries, "`inputs`");
    let mut out = Vec::new();
    for (k, v) in entries {
        let Some(name) = cx.spanned_key(k, "`inputs`") else {
            continue;
        };
        let what = format!("input `{}`", name.value);
        let Some(fields) = cx.fields(
            v,
            &what,
            &["description", "default", "required", "deprecationMessage"],
            true,
        ) else {
            continue;
        };
        let mut input = ActionInput {
            name,
            description: None,
            default: None,
            required: None,
            deprecation_message: None,
            span: v.span,
        };
        for (key, _, val) in fields {
            match key {
                "description" => input.description = cx.string(val, "`description`"),
                "default" => {
                    cx.check_number_version(val, &input.name.value);
                    input.default = cx.string(val, "`default`");
                }
                "required" => input.required = cx.bool(val, "`required`"),
                _ => input.deprecation_message = cx.string(val, "`deprecationMessage`"),
            }
        }
        out.push(input);
    }
    out
}

fn lower_outputs(cx: &mut Ctx<'_>, node: &Node) -> Vec<ActionOutput> {
    let Some(entries) = cx.map(node, "`outputs`", true) else {
        return Vec::new();
    };
    cx.check_case_duplicates(entries, "`outputs`");
    let mut out = Vec::new();
    for (k, v) in entries {
        let Some(name) = cx.spanned_key(k, "`outputs`") else {
            continue;
        };
        let what = format!("output `{}`", name.value);
        let Some(fields) = cx.fields(v, &what, &["description", "value"], true) else {
            continue;
        };
        let mut output = ActionOutput {
            name,
            description: None,
            value: None,
            span: v.span,
        };
        for (key, _, val) in fields {
            if key == "value" {
                output.value = cx.string(val, "`value`");
            } else {
                output.description = cx.string(val, "`description`");
            }
        }
        out.push(output);
    }
    out
}

const USING: &[&str] = &[
    "node12",
    "node16",
    "node20",
    "node24",
    "composite",
    "docker",
];

fn lower_runs(cx: &mut Ctx<'_>, node: &Node) -> Option<Runs> {
    cx.map(node, "`runs`", false)?;
    let Some(using_node) = node.get("using") else {
        cx.missing_key(node.span, "using", "`runs`");
        return None;
    };
    let using = cx.non_empty_string(using_node, "`runs.using`")?;
    let version = match using.raw.as_str() {
        "node12" => Some(NodeVersion::Node12),
        "node16" => Some(NodeVersion::Node16),
        "node20" => Some(NodeVersion::Node20),
        "node24" => Some(NodeVersion::Node24),
        _ => None,
    };
    if let Some(version) = version {
        let keys = ["using", "main", "pre", "post", "pre-if", "post-if"];
        let fields = cx.fields(node, "`runs` of a JavaScript action", &keys, false)?;
        let mut runs = NodeRuns {
            using: Spanned::new(version, using.span),
            main: None,
            pre: None,
            post: None,
            pre_if: None,
            post_if: None,
        };
        for (key, _, v) in fields {
            let what = format!("`runs.{key}`");
            match key {
                "main" => runs.main = cx.non_empty_string(v, &what),
                "pre" => runs.pre = cx.non_empty_string(v, &what),
                "post" => runs.post = cx.non_empty_string(v, &what),
                "pre-if" => runs.pre_if = cx.string(v, &what),
                "post-if" => runs.post_if = cx.string(v, &what),
                _ => {}
            }
        }
        if node.get("main").is_none() {
            cx.missing_key(node.span, "main", "`runs` of a JavaScript action");
        }
        return Some(Runs::Node(runs));
    }
    match using.raw.as_str() {
        "composite" => {
            let fields = cx.fields(
                node,
                "`runs` of a composite action",
                &["using", "steps"],
                false,
            )?;
            let mut steps = Vec::new();
            for (key, _, v) in fields {
                if key == "steps" {
                    steps = lower_steps(cx, v, StepContext::Composite);
                }
            }
            if node.get("steps").is_none() {
                cx.missing_key(node.span, "steps", "`runs` of a composite action");
            }
            Some(Runs::Composite(CompositeRuns { steps }))
        }
        "docker" => {
            let keys = [
                "using",
                "image",
                "args",
                "entrypoint",
                "env",
                "pre-entrypoint",
                "post-entrypoint",
                "pre-if",
                "post-if",
            ];
            let fields = cx.fields(node, "`runs` of a Docker action", &keys, false)?;
            let mut runs = DockerRuns {
                image: None,
                args: Vec::new(),
                entrypoint: None,
                pre_entrypoint: None,
                post_entrypoint: None,
                pre_if: None,
                post_if: None,
                env: None,
            };
            for (key, _, v) in fields {
                let what = format!("`runs.{key}`");
                match key {
                    "image" => runs.image = cx.non_empty_string(v, &what),
                    "args" => runs.args = cx.loose_string_list(v, &what).unwrap_or_default(),
                    "entrypoint" => runs.entrypoint = cx.string(v, &what),
                    "env" => runs.env = cx.env(v, &what, false),
                    "pre-entrypoint" => runs.pre_entrypoint = cx.string(v, &what),
                    "post-entrypoint" => runs.post_entrypoint = cx.string(v, &what),
                    "pre-if" => runs.pre_if = cx.string(v, &what),
                    "post-if" => runs.post_if = cx.string(v, &what),
                    _ => {}
                }
            }
            if node.get("image").is_none() {
                cx.missing_key(node.span, "image", "`runs` of a Docker action");
            }
            Some(Runs::Docker(runs))
        }
        other => {
            let mut d = Diagnostic::error(
                rules::INVALID_VALUE,
                using.span,
                format!("`using: {other}` is not a supported action runtime"),
            );
            d = d.with_hint(match closest(other, USING) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("use one of: {}", USING.join(", ")),
            });
            cx.push(d);
            None
        }
    }
}

fn lower_branding(cx: &mut Ctx<'_>, node: &Node) -> Option<Branding> {
    let fields = cx.fields(node, "`branding`", &["icon", "color"], true)?;
    let mut b = Branding {
        icon: None,
        color: None,
    };
    for (key, _, v) in fields {
        let s = cx
            .non_empty_string(v, &format!("`branding.{key}`"))
            .map(|s| Spanned::new(s.raw, s.span));
        if key == "icon" {
            b.icon = s;
        } else {
            if let Some(c) = &s
                && !BRANDING_COLORS.contains(&c.value.as_str())
            {
                cx.push(
                    Diagnostic::error(
                        rules::INVALID_VALUE,
                        c.span,
                        format!("`{}` is not a branding color", c.value),
                    )
                    .with_hint(format!("use one of: {}", BRANDING_COLORS.join(", "))),
                );
            }
            b.color = s;
        }
    }
    Some(b)
}
