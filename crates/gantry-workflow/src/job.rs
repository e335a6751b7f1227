//! Jobs: normal jobs and reusable-workflow calls.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_yaml::{Node, NodeKind};
use serde::Serialize;

use crate::lower::{Ctx, rules};
use crate::permissions::{Permissions, lower_permissions};
use crate::step::{Step, StepContext, Uses, UsesTarget, check_id, lower_steps, lower_uses};
use crate::value::{
    BoolOrExpr, Concurrency, Condition, Defaults, Env, ExprString, NumberOrExpr, Spanned, Value,
    With,
};

/// A job id (key under `jobs:`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct JobId(pub String);

impl JobId {
    /// The id as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Keys shared by both kinds of jobs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobCommon {
    /// The job's id.
    pub id: Spanned<JobId>,
    /// `name`
    pub name: Option<ExprString>,
    /// `needs` (string or list form)
    pub needs: Vec<Spanned<JobId>>,
    /// `if`
    pub condition: Option<Condition>,
    /// `permissions`
    pub permissions: Option<Permissions>,
    /// `concurrency`
    pub concurrency: Option<Concurrency>,
    /// `strategy`
    pub strategy: Option<Strategy>,
    /// Where the job's body is.
    pub span: Span,
}

/// A job.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Job {
    /// A job with `runs-on` and `steps`.
    Normal(Box<NormalJob>),
    /// A job that calls a reusable workflow (`uses:`).
    Call(Box<CallJob>),
}

impl Job {
    /// The shared keys.
    #[must_use]
    pub fn common(&self) -> &JobCommon {
        match self {
            Job::Normal(j) => &j.common,
            Job::Call(j) => &j.common,
        }
    }

    /// The job's id.
    #[must_use]
    pub fn id(&self) -> &JobId {
        &self.common().id.value
    }
}

/// A normal job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormalJob {
    /// Shared keys.
    pub common: JobCommon,
    /// `runs-on` (`None` only when diagnosed).
    pub runs_on: Option<RunsOn>,
    /// `environment`
    pub environment: Option<Environment>,
    /// `outputs`
    pub outputs: Vec<(Spanned<String>, ExprString)>,
    /// `env`
    pub env: Option<Env>,
    /// `defaults`
    pub defaults: Option<Defaults>,
    /// `timeout-minutes`
    pub timeout_minutes: Option<NumberOrExpr>,
    /// `continue-on-error`
    pub continue_on_error: Option<BoolOrExpr>,
    /// `container`
    pub container: Option<Container>,
    /// `services`
    pub services: Option<Services>,
    /// `snapshot` (custom image generation)
    pub snapshot: Option<Snapshot>,
    /// `steps`
    pub steps: Vec<Step>,
    /// Where `steps:`'s value is (`None` when the key is missing).
    #[serde(skip)]
    pub steps_span: Option<Span>,
}

/// `secrets:` of a reusable-workflow call.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CallSecrets {
    /// `secrets: inherit`
    Inherit {
        /// Where.
        span: Span,
    },
    /// Named secrets.
    Map {
        /// `name: value` pairs.
        entries: Vec<(Spanned<String>, ExprString)>,
    },
}

/// A job calling a reusable workflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallJob {
    /// Shared keys.
    pub common: JobCommon,
    /// `uses` (`None` only when diagnosed as malformed).
    pub uses: Option<Uses>,
    /// `with`
    pub with: With,
    /// `secrets`
    pub secrets: Option<CallSecrets>,
}

/// `runs-on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RunsOn {
    /// A label, or a list of labels the runner must all have (each may be an expression).
    Labels {
        /// The labels.
        labels: Vec<ExprString>,
        /// Where.
        span: Span,
    },
    /// `group:` and/or `labels:`.
    Group {
        /// `group`
        group: Option<ExprString>,
        /// `labels` (string or list)
        labels: Vec<ExprString>,
        /// Where.
        span: Span,
    },
}

/// `environment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// The environment's name.
    pub name: Option<ExprString>,
    /// `url`
    pub url: Option<ExprString>,
    /// `deployment`
    pub deployment: Option<BoolOrExpr>,
    /// Whether it was written as a plain name.
    pub short_form: bool,
    /// Where.
    pub span: Span,
}

/// `snapshot` (custom runner image generation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The image name (string form, or `image-name`).
    pub image_name: Option<ExprString>,
    /// `version`
    pub version: Option<ExprString>,
    /// `if`
    pub condition: Option<Condition>,
    /// Where.
    pub span: Span,
}

/// A container's registry credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credentials {
    /// `username`
    pub username: Option<ExprString>,
    /// `password`
    pub password: Option<ExprString>,
    /// Where.
    pub span: Span,
}

/// A port mapping: a number or `host:container` text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Port {
    /// `8080`
    Number(Spanned<i64>),
    /// `"8080:80"` or an expression.
    Text(ExprString),
}

/// `services:`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Services {
    /// Named service containers in source order.
    Map {
        /// The services.
        services: Vec<(Spanned<String>, Container)>,
        /// Where.
        span: Span,
    },
    /// `services: ${{ fromJSON(…) }}`.
    Expr(ExprString),
}

/// `container:` or one of `services:`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Container {
    /// `image` (the string form is the image); `None` only when diagnosed.
    pub image: Option<ExprString>,
    /// `credentials`
    pub credentials: Option<Credentials>,
    /// `env`
    pub env: Option<Env>,
    /// `ports`
    pub ports: Vec<Port>,
    /// `volumes`
    pub volumes: Vec<ExprString>,
    /// `options`
    pub options: Option<ExprString>,
    /// `entrypoint` (service containers only)
    pub entrypoint: Option<ExprString>,
    /// `command` (service containers only)
    pub command: Option<ExprString>,
    /// Whether it was written as a plain image name.
    pub short_form: bool,
    /// Where.
    pub span: Span,
}

/// `strategy`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strategy {
    /// `matrix`
    pub matrix: Option<Matrix>,
    /// `fail-fast`
    pub fail_fast: Option<BoolOrExpr>,
    /// `max-parallel`
    pub max_parallel: Option<NumberOrExpr>,
    /// Where.
    pub span: Span,
}

/// `strategy.matrix`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Matrix {
    /// `matrix: ${{ fromJSON(…) }}`.
    Expr(ExprString),
    /// Axes plus `include` / `exclude`.
    Map(MatrixMap),
}

/// The mapping form of a matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixMap {
    /// Axes in source order.
    pub axes: Vec<MatrixAxis>,
    /// `include`
    pub include: Option<MatrixRows>,
    /// `exclude`
    pub exclude: Option<MatrixRows>,
    /// Where.
    pub span: Span,
}

/// One matrix axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixAxis {
    /// The axis name.
    pub name: Spanned<String>,
    /// Its values.
    pub values: MatrixValues,
}

/// The values of an axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MatrixValues {
    /// A literal list (items of any YAML type).
    List {
        /// The items.
        items: Vec<Value>,
        /// Where.
        span: Span,
    },
    /// An expression producing the list.
    Expr(ExprString),
}

/// `include` / `exclude`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MatrixRows {
    /// A literal list of rows.
    List {
        /// The rows.
        rows: Vec<MatrixRow>,
        /// Where.
        span: Span,
    },
    /// An expression producing the list.
    Expr(ExprString),
}

/// One row of `include` / `exclude`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MatrixRow {
    /// `key: value` pairs.
    Map {
        /// The pairs.
        entries: Vec<(Spanned<String>, Value)>,
        /// Where.
        span: Span,
    },
    /// An expression producing the row.
    Expr(ExprString),
}

const COMMON_KEYS: &[&str] = &[
    "name",
    "needs",
    "if",
    "permissions",
    "concurrency",
    "strategy",
];
const NORMAL_ONLY: &[&str] = &[
    "runs-on",
    "environment",
    "outputs",
    "env",
    "defaults",
    "timeout-minutes",
    "continue-on-error",
    "container",
    "services",
    "snapshot",
    "steps",
];
const CALL_ONLY: &[&str] = &["uses", "with", "secrets"];

fn expr_of(node: &Node) -> Option<ExprString> {
    match &node.kind {
        NodeKind::String { value, .. } if value.contains("${{") => {
            Some(ExprString::new(value.clone(), node.span))
        }
        _ => None,
    }
}

pub(crate) fn lower_job(cx: &mut Ctx<'_>, id: Spanned<JobId>, node: &Node) -> Option<Job> {
    let entries = cx.map(node, &format!("job `{}`", id.value.0), false)?;
    let is_call = node.get("uses").is_some();
    let what = if is_call {
        format!("reusable-workflow call job `{}`", id.value.0)
    } else {
        format!("job `{}`", id.value.0)
    };
    let (own, other, other_kind): (&[&str], &[&str], &str) = if is_call {
        (CALL_ONLY, NORMAL_ONLY, "a job with `runs-on` and `steps`")
    } else {
        (
            NORMAL_ONLY,
            CALL_ONLY,
            "a job that calls a reusable workflow",
        )
    };
    let known: Vec<&str> = COMMON_KEYS.iter().chain(own).copied().collect();
    let mut fields = Vec::new();
    for (k, v) in entries {
        let name = k.as_str();
        match name {
            Some(n) if known.contains(&n) => fields.push((n, k, v)),
            Some(n) if other.contains(&n) => cx.push(
                Diagnostic::error(
                    rules::UNKNOWN_KEY,
                    k.span,
                    format!("`{n}` is not allowed in {what}"),
                )
                .with_hint(format!("`{n}` is only valid in {other_kind}")),
            ),
            _ => {
                let text = k.scalar_string().unwrap_or_default();
                cx.unknown_key(k, &text, &what, &known);
            }
        }
    }
    let mut common = JobCommon {
        id,
        name: None,
        needs: Vec::new(),
        condition: None,
        permissions: None,
        concurrency: None,
        strategy: None,
        span: node.span,
    };
    let mut rest = Vec::new();
    for (name, k, v) in fields {
        match name {
            "name" => common.name = cx.string(v, "`name`"),
            "needs" => {
                if let Some(list) = cx.string_list(v, "`needs`", true) {
                    common.needs = list
                        .into_iter()
                        .map(|s| Spanned::new(JobId(s.raw), s.span))
                        .collect();
                }
            }
            "if" => common.condition = cx.condition(v, "`if`"),
            "permissions" => common.permissions = lower_permissions(cx, v),
            "concurrency" => common.concurrency = cx.concurrency(v),
            "strategy" => common.strategy = lower_strategy(cx, v),
            _ => rest.push((name, k, v)),
        }
    }
    if is_call {
        let mut job = CallJob {
            common,
            uses: None,
            with: With::default(),
            secrets: None,
        };
        for (name, _, v) in rest {
            match name {
                "uses" => {
                    job.uses = lower_uses(cx, v);
                    if let Some(u) = &job.uses {
                        check_call_target(cx, u);
                    }
                }
                "with" => job.with = cx.with(v, "`with`"),
                _ => job.secrets = lower_call_secrets(cx, v),
            }
        }
        return Some(Job::Call(Box::new(job)));
    }
    let mut job = NormalJob {
        common,
        runs_on: None,
        environment: None,
        outputs: Vec::new(),
        env: None,
        defaults: None,
        timeout_minutes: None,
        continue_on_error: None,
        container: None,
        services: None,
        snapshot: None,
        steps: Vec::new(),
        steps_span: None,
    };
    let mut saw_steps = false;
    let mut saw_runs_on = false;
    for (name, _, v) in rest {
        match name {
            "runs-on" => {
                saw_runs_on = true;
                job.runs_on = lower_runs_on(cx, v);
            }
            "environment" => job.environment = lower_environment(cx, v),
            "outputs" => job.outputs = cx.string_map(v, "`outputs`"),
            "env" => job.env = cx.env(v, "`env`", true),
            "defaults" => job.defaults = cx.defaults(v, "`defaults`"),
            "timeout-minutes" => job.timeout_minutes = cx.number_or_expr(v, "`timeout-minutes`"),
            "continue-on-error" => {
                job.continue_on_error = cx.bool_or_expr(v, "`continue-on-error`");
            }
            "container" if v.is_null() => {}
            "container" => job.container = lower_container(cx, v, "`container`", false),
            "services" => job.services = lower_services(cx, v),
            "snapshot" => job.snapshot = lower_snapshot(cx, v),
            _ => {
                saw_steps = true;
                job.steps_span = Some(v.span);
                job.steps = lower_steps(cx, v, StepContext::Job);
            }
        }
    }
    if !saw_runs_on {
        cx.push(
            Diagnostic::error(
                rules::MISSING_KEY,
                job.common.id.span,
                format!("{what} is missing required key `runs-on`"),
            )
            .with_hint("add e.g. `runs-on: ubuntu-latest`"),
        );
    }
    if !saw_steps {
        cx.push(
            Diagnostic::error(
                rules::MISSING_KEY,
                job.common.id.span,
                format!("{what} is missing required key `steps`"),
            )
            .with_hint("add `steps:`, or `uses:` to call a reusable workflow"),
        );
    }
    Some(Job::Normal(Box::new(job)))
}

fn check_call_target(cx: &mut Ctx<'_>, uses: &Uses) {
    let problem = match &uses.target {
        UsesTarget::Docker { .. } => Some("a job cannot use a Docker image; call a workflow file"),
        UsesTarget::Repo { path: None, .. } => {
            Some("a reusable workflow reference needs the path of the workflow file")
        }
        UsesTarget::Local { path }
        | UsesTarget::SelfRepo { path }
        | UsesTarget::Repo {
            path: Some(path), ..
        } if !(path.ends_with(".yml") || path.ends_with(".yaml")) => {
            Some("a reusable workflow reference must name a `.yml` or `.yaml` file")
        }
        _ => None,
    };
    if let Some(message) = problem {
        cx.push(
            Diagnostic::error(rules::INVALID_USES, uses.span, message)
                .with_hint("write e.g. `owner/repo/.github/workflows/build.yml@v1` or `./.github/workflows/build.yml`"),
        );
    }
}

fn lower_call_secrets(cx: &mut Ctx<'_>, node: &Node) -> Option<CallSecrets> {
    match node.as_str() {
        Some("inherit") => Some(CallSecrets::Inherit { span: node.span }),
        Some(other) => {
            cx.push(
                Diagnostic::error(
                    rules::INVALID_VALUE,
                    node.span,
                    format!("`secrets: {other}` is not valid"),
                )
                .with_hint("use `secrets: inherit` or a mapping of secrets"),
            );
            None
        }
        None => Some(CallSecrets::Map {
            entries: cx.string_map(node, "`secrets`"),
        }),
    }
}

fn lower_runs_on(cx: &mut Ctx<'_>, node: &Node) -> Option<RunsOn> {
    match &node.kind {
        NodeKind::Map(_) => {
            let fields = cx.fields(node, "`runs-on`", &["group", "labels"], false)?;
            let mut group = None;
            let mut labels = Vec::new();
            for (name, _, v) in fields {
                if name == "group" {
                    group = cx.non_empty_string(v, "`runs-on.group`");
                } else {
                    labels = cx
                        .string_list(v, "`runs-on.labels`", true)
                        .unwrap_or_default();
                }
            }
            // GitHub's parser takes a mapping with either key; with neither,
            // no runner is chosen.
            if node.get("group").is_none() && node.get("labels").is_none() {
                cx.missing_key(node.span, "group", "`runs-on`");
            }
            Some(RunsOn::Group {
                group,
                labels,
                span: node.span,
            })
        }
        _ => {
            let labels = if node.is_null() {
                cx.wrong_type(
                    node,
                    "`runs-on`",
                    "a runner label, a list of labels or a mapping",
                );
                return None;
            } else {
                cx.string_list(node, "`runs-on`", true)?
            };
            Some(RunsOn::Labels {
                labels,
                span: node.span,
            })
        }
    }
}

fn lower_environment(cx: &mut Ctx<'_>, node: &Node) -> Option<Environment> {
    if node.is_scalar() {
        return cx.string(node, "`environment`").map(|name| Environment {
            name: Some(name),
            url: None,
            deployment: None,
            short_form: true,
            span: node.span,
        });
    }
    let fields = cx.fields(node, "`environment`", &["name", "url", "deployment"], false)?;
    let mut env = Environment {
        name: None,
        url: None,
        deployment: None,
        short_form: false,
        span: node.span,
    };
    for (name, _, v) in fields {
        match name {
            "name" => env.name = cx.non_empty_string(v, "`environment.name`"),
            "url" => env.url = cx.string(v, "`environment.url`"),
            _ => env.deployment = cx.bool_or_expr(v, "`environment.deployment`"),
        }
    }
    if node.get("name").is_none() {
        cx.missing_key(node.span, "name", "`environment`");
    }
    Some(env)
}

fn lower_snapshot(cx: &mut Ctx<'_>, node: &Node) -> Option<Snapshot> {
    if node.is_scalar() {
        return cx.non_empty_string(node, "`snapshot`").map(|n| Snapshot {
            image_name: Some(n),
            version: None,
            condition: None,
            span: node.span,
        });
    }
    let fields = cx.fields(node, "`snapshot`", &["image-name", "version", "if"], false)?;
    let mut s = Snapshot {
        image_name: None,
        version: None,
        condition: None,
        span: node.span,
    };
    for (name, _, v) in fields {
        match name {
            "image-name" => s.image_name = cx.non_empty_string(v, "`snapshot.image-name`"),
            "version" => s.version = cx.string(v, "`snapshot.version`"),
            _ => s.condition = cx.condition(v, "`snapshot.if`"),
        }
    }
    if node.get("image-name").is_none() {
        cx.missing_key(node.span, "image-name", "`snapshot`");
    }
    Some(s)
}

const CONTAINER_KEYS: &[&str] = &["image", "credentials", "env", "ports", "volumes", "options"];
const SERVICE_KEYS: &[&str] = &[
    "image",
    "credentials",
    "env",
    "ports",
    "volumes",
    "options",
    "entrypoint",
    "command",
];

pub(crate) fn lower_container(
    cx: &mut Ctx<'_>,
    node: &Node,
    what: &str,
    service: bool,
) -> Option<Container> {
    if node.is_scalar() {
        return cx.non_empty_string(node, what).map(|image| Container {
            image: Some(image),
            credentials: None,
            env: None,
            ports: Vec::new(),
            volumes: Vec::new(),
            options: None,
            entrypoint: None,
            command: None,
            short_form: true,
            span: node.span,
        });
    }
    let keys = if service {
        SERVICE_KEYS
    } else {
        CONTAINER_KEYS
    };
    let fields = cx.fields(node, what, keys, false)?;
    let mut c = Container {
        image: None,
        credentials: None,
        env: None,
        ports: Vec::new(),
        volumes: Vec::new(),
        options: None,
        entrypoint: None,
        command: None,
        short_form: false,
        span: node.span,
    };
    for (name, _, v) in fields {
        match name {
            "image" => c.image = cx.non_empty_string(v, "`image`"),
            "credentials" => {
                if let Some(expr) = expr_of(v) {
                    // A whole expression (e.g. `${{ fromJSON(…) }}`) is allowed.
                    c.credentials = Some(Credentials {
                        username: Some(expr),
                        password: None,
                        span: v.span,
                    });
                    continue;
                }
                let Some(fields) = cx.fields(v, "`credentials`", &["username", "password"], false)
                else {
                    continue;
                };
                let mut cred = Credentials {
                    username: None,
                    password: None,
                    span: v.span,
                };
                for (n, _, val) in fields {
                    if n == "username" {
                        cred.username = cx.string(val, "`username`");
                    } else {
                        cred.password = cx.string(val, "`password`");
                    }
                }
                c.credentials = Some(cred);
            }
            "env" => c.env = cx.env(v, "`env`", true),
            "ports" => {
                let Some(items) = v.as_seq() else {
                    cx.wrong_type(v, "`ports`", "a sequence");
                    continue;
                };
                for item in items {
                    match item.kind {
                        NodeKind::Int(i) => c.ports.push(Port::Number(Spanned::new(i, item.span))),
                        _ => {
                            if let Some(s) = cx.non_empty_string(item, "a port") {
                                c.ports.push(Port::Text(s));
                            }
                        }
                    }
                }
            }
            "volumes" => c.volumes = cx.string_list(v, "`volumes`", false).unwrap_or_default(),
            "entrypoint" => c.entrypoint = cx.string(v, "`entrypoint`"),
            "command" => c.command = cx.string(v, "`command`"),
            _ => c.options = cx.string(v, "`options`"),
        }
    }
    if node.get("image").is_none() {
        cx.missing_key(node.span, "image", what);
    }
    Some(c)
}

fn lower_services(cx: &mut Ctx<'_>, node: &Node) -> Option<Services> {
    if let Some(e) = expr_of(node) {
        return Some(Services::Expr(e));
    }
    let entries = cx.map(node, "`services`", true)?;
    cx.check_case_duplicates(entries, "`services`");
    let mut out = Vec::new();
    for (k, v) in entries {
        let Some(name) = cx.spanned_key(k, "`services`") else {
            continue;
        };
        let what = format!("service `{}`", name.value);
        if let Some(c) = lower_container(cx, v, &what, true) {
            out.push((name, c));
        }
    }
    Some(Services::Map {
        services: out,
        span: node.span,
    })
}

fn lower_strategy(cx: &mut Ctx<'_>, node: &Node) -> Option<Strategy> {
    let fields = cx.fields(
        node,
        "`strategy`",
        &["matrix", "fail-fast", "max-parallel"],
        false,
    )?;
    let mut s = Strategy {
        matrix: None,
        fail_fast: None,
        max_parallel: None,
        span: node.span,
    };
    for (name, _, v) in fields {
        match name {
            "matrix" => s.matrix = lower_matrix(cx, v),
            "fail-fast" => s.fail_fast = cx.bool_or_expr(v, "`fail-fast`"),
            _ => s.max_parallel = cx.number_or_expr(v, "`max-parallel`"),
        }
    }
    Some(s)
}

fn lower_matrix(cx: &mut Ctx<'_>, node: &Node) -> Option<Matrix> {
    if let Some(e) = expr_of(node) {
        return Some(Matrix::Expr(e));
    }
    let entries = cx.map(node, "`matrix`", false)?;
    cx.check_case_duplicates(entries, "`matrix`");
    let mut m = MatrixMap {
        axes: Vec::new(),
        include: None,
        exclude: None,
        span: node.span,
    };
    for (k, v) in entries {
        let Some(name) = cx.spanned_key(k, "`matrix`") else {
            continue;
        };
        match name.value.as_str() {
            "include" => m.include = lower_rows(cx, v, "`include`"),
            "exclude" => m.exclude = lower_rows(cx, v, "`exclude`"),
            _ => {
                let values = if let Some(e) = expr_of(v) {
                    MatrixValues::Expr(e)
                } else if let Some(items) = v.as_seq() {
                    for item in items {
                        cx.check_number_version(item, &name.value);
                    }
                    MatrixValues::List {
                        items: items.to_vec(),
                        span: v.span,
                    }
                } else {
                    cx.wrong_type(
                        v,
                        &format!("matrix axis `{}`", name.value),
                        "a sequence or an expression",
                    );
                    continue;
                };
                m.axes.push(MatrixAxis { name, values });
            }
        }
    }
    Some(Matrix::Map(m))
}

fn lower_rows(cx: &mut Ctx<'_>, node: &Node, what: &str) -> Option<MatrixRows> {
    if let Some(e) = expr_of(node) {
        return Some(MatrixRows::Expr(e));
    }
    let Some(items) = node.as_seq() else {
        cx.wrong_type(node, what, "a sequence of mappings or an expression");
        return None;
    };
    let mut rows = Vec::new();
    for item in items {
        if let Some(e) = expr_of(item) {
            rows.push(MatrixRow::Expr(e));
            continue;
        }
        let Some(entries) = cx.map(item, &format!("an item of {what}"), false) else {
            continue;
        };
        let mut row = Vec::new();
        for (k, v) in entries {
            let Some(key) = cx.spanned_key(k, what) else {
                continue;
            };
            cx.check_number_version(v, &key.value);
            row.push((key, v.clone()));
        }
        rows.push(MatrixRow::Map {
            entries: row,
            span: item.span,
        });
    }
    Some(MatrixRows::List {
        rows,
        span: node.span,
    })
}

/// Lowers `jobs:`.
pub(crate) fn lower_jobs(cx: &mut Ctx<'_>, node: &Node) -> Vec<Job> {
    let Some(entries) = cx.map(node, "`jobs`", false) else {
        return Vec::new();
    };
    cx.check_case_duplicates(entries, "`jobs`");
    if entries.is_empty() {
        cx.error(
            rules::MISSING_KEY,
            node.span,
            "`jobs` must define at least one job",
        );
    }
    let mut jobs = Vec::new();
    for (k, v) in entries {
        let Some(id) = cx.key_text(k, "`jobs`") else {
            continue;
        };
        check_id(cx, &id, k.span, "job id");
        let id = Spanned::new(JobId(id), k.span);
        if let Some(job) = lower_job(cx, id, v) {
            jobs.push(job);
        }
    }
    jobs
}
