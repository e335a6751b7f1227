//! Rules: expressions. Every `${{ }}` of a workflow or action is parsed once
//! and checked for syntax, for the contexts and functions GitHub makes
//! available at its place, and for properties whose shape is known
//! (`github.*`, `matrix.*`, `needs.*`, `steps.*`, `inputs.*`, …). `if:`
//! conditions with text outside `${{ }}` and deprecated workflow commands in
//! `run` scripts are reported too.
//!
//! Every expression is also typed once (`types.rs`, `infer.rs`): matrix
//! values from the matrix literal, inputs from their declared types, the
//! documented types of `github.*`, `steps.*.outputs.*` and the like. Type
//! errors (`expression-type`), `if:` conditions fixed before the run
//! (`constant-condition`, `constants.rs`) and untrusted text pasted into
//! scripts (`untrusted-input`, `security.rs`) are reported from there.
//!
//! Which contexts each key allows follows GitHub's context availability
//! table ([`crate::availability`]) and, for keys the table does not list,
//! GitHub's workflow schema (keys without a context allow none).

mod check;
mod commands;
mod constants;
mod infer;
mod props;
mod scope;
mod security;
mod types;

use gantry_workflow::{
    Action, Concurrency, Container, Defaults, Env, Job, Matrix, MatrixRow, MatrixRows,
    MatrixValues, Port, Runs, RunsOn, Services, Step, Strategy, TriggerConfig, Workflow,
};

use self::check::{Checker, Want};
use self::scope::{
    At, CONTAINER_ENV, DISPATCH_INPUT_DEFAULT, Inputs, SERVICE_ENV, SNAPSHOT_IF, SNAPSHOT_IMAGE,
    STEP_ID, STEP_SHELL, Scope, WORKFLOW_DEFAULTS_RUN, WORKFLOW_NAME,
};
use self::types::Ty;
use crate::Cx;
use crate::availability::Place;

pub const EXPRESSION_SYNTAX: &str = "expression-syntax";
pub const UNKNOWN_CONTEXT: &str = "unknown-context";
pub const CONTEXT_AVAILABILITY: &str = "context-availability";
pub const UNKNOWN_FUNCTION: &str = "unknown-function";
pub const FUNCTION_AVAILABILITY: &str = "function-availability";
pub const UNKNOWN_PROPERTY: &str = "unknown-property";
pub const IF_ALWAYS_TRUE: &str = "if-always-true";
pub const DEPRECATED_COMMAND: &str = "deprecated-command";
pub const INVALID_LITERAL_ARGUMENT: &str = "invalid-literal-argument";
pub const EXPRESSION_TYPE: &str = "expression-type";
pub const CONSTANT_CONDITION: &str = "constant-condition";
pub const UNTRUSTED_INPUT: &str = "untrusted-input";

/// The rule ids this module reports, with one line each.
pub const RULES: &[(&str, &str)] = &[
    (
        EXPRESSION_SYNTAX,
        "a `${{ }}` expression that does not lex or parse, or is not closed",
    ),
    (UNKNOWN_CONTEXT, "a context name that does not exist"),
    (
        CONTEXT_AVAILABILITY,
        "a context used where GitHub does not make it available",
    ),
    (UNKNOWN_FUNCTION, "a call to a function that does not exist"),
    (
        FUNCTION_AVAILABILITY,
        "a status function or `hashFiles` used where GitHub does not allow it",
    ),
    (
        UNKNOWN_PROPERTY,
        "a property, input, job, step or matrix key that is not defined there",
    ),
    (
        IF_ALWAYS_TRUE,
        "an `if:` with text outside `${{ }}`, which makes it always true",
    ),
    (
        INVALID_LITERAL_ARGUMENT,
        "a `fromJSON` of invalid JSON or a `format` with a bad format string, which always fails",
    ),
    (
        DEPRECATED_COMMAND,
        "a deprecated or disabled workflow command (`::set-output`, `::set-env`, …) in a `run` script",
    ),
    (
        EXPRESSION_TYPE,
        "a type error in an expression: a comparison that is fixed or meaningless, a property of a value that has none, an object or array where text is needed, an argument of the wrong type",
    ),
    (
        CONSTANT_CONDITION,
        "an `if:` whose value is the same on every run (warning)",
    ),
    (
        UNTRUSTED_INPUT,
        "text anyone can write (issue titles, branch names, commit messages, …) put into a `run` or `github-script` script with `${{ }}` (warning)",
    ),
];

/// The variable that re-enables `set-env` and `add-path`.
const UNSECURE: &str = "ACTIONS_ALLOW_UNSECURE_COMMANDS";

fn allows_unsecure(env: Option<&Env>) -> bool {
    env.and_then(|e| e.get(UNSECURE)).is_some()
}

/// A checker for `at` in `scope`.
fn at<'c, 'a>(scope: &'c Scope<'a>, at: impl Into<At>) -> Checker<'c, 'a> {
    Checker {
        at: at.into(),
        scope,
        want: Want::Text,
        script: false,
    }
}

/// The type of an input of each kind.
fn call_input_type(kind: Option<gantry_workflow::CallInputType>) -> Ty {
    match kind {
        Some(gantry_workflow::CallInputType::Boolean) => Ty::Bool,
        Some(gantry_workflow::CallInputType::Number) => Ty::Number,
        Some(gantry_workflow::CallInputType::String) => Ty::String,
        None => Ty::Any,
    }
}

fn dispatch_input_type(kind: &gantry_workflow::DispatchInputType) -> Ty {
    match kind {
        gantry_workflow::DispatchInputType::Boolean => Ty::Bool,
        gantry_workflow::DispatchInputType::Number => Ty::Number,
        _ => Ty::String,
    }
}

/// The type of every input the workflow declares.
fn input_types(wf: &Workflow) -> Vec<(&str, Ty)> {
    let mut out: Vec<(&str, Ty)> = Vec::new();
    let Some(on) = &wf.on else { return out };
    for t in &on.triggers {
        let inputs: Vec<(&str, Ty)> = match &t.config {
            TriggerConfig::WorkflowCall(c) => c
                .inputs
                .iter()
                .map(|i| {
                    (
                        i.name.value.as_str(),
                        call_input_type(i.kind.as_ref().map(|k| k.value)),
                    )
                })
                .collect(),
            TriggerConfig::WorkflowDispatch(d) => d
                .inputs
                .iter()
                .map(|i| (i.name.value.as_str(), dispatch_input_type(&i.kind)))
                .collect(),
            _ => continue,
        };
        for (name, t) in inputs {
            match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some((_, old)) => *old = std::mem::replace(old, Ty::Any).merge(t),
                None => out.push((name, t)),
            }
        }
    }
    out
}

fn workflow_inputs(wf: &Workflow) -> Inputs<'_> {
    let Some(on) = &wf.on else {
        return Inputs::Any;
    };
    let mut names = Vec::new();
    let mut trigger = false;
    for t in &on.triggers {
        match &t.config {
            TriggerConfig::WorkflowCall(c) => {
                trigger = true;
                names.extend(c.inputs.iter().map(|i| i.name.value.as_str()));
            }
            TriggerConfig::WorkflowDispatch(d) => {
                trigger = true;
                names.extend(d.inputs.iter().map(|i| i.name.value.as_str()));
            }
            _ => {
                trigger |= matches!(
                    t.event.value.as_str(),
                    "workflow_call" | "workflow_dispatch"
                );
            }
        }
    }
    if trigger {
        Inputs::Declared(names)
    } else {
        Inputs::NoTrigger
    }
}

fn dispatch_inputs(wf: &Workflow) -> Option<Vec<&str>> {
    let on = wf.on.as_ref()?;
    if on.get("workflow_call").is_some() {
        return None;
    }
    match &on.get("workflow_dispatch")?.config {
        TriggerConfig::WorkflowDispatch(d) => {
            Some(d.inputs.iter().map(|i| i.name.value.as_str()).collect())
        }
        _ => Some(Vec::new()),
    }
}

pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    let mut scope = Scope::new(workflow_inputs(wf), &wf.jobs, false);
    scope.dispatch_inputs = dispatch_inputs(wf);
    scope.input_types = input_types(wf);
    at(&scope, WORKFLOW_NAME).opt(cx, wf.name.as_ref());
    at(&scope, Place::RunName).opt(cx, wf.run_name.as_ref());
    at(&scope, Place::WorkflowEnv).env(cx, wf.env.as_ref());
    defaults(cx, &at(&scope, WORKFLOW_DEFAULTS_RUN), wf.defaults.as_ref());
    concurrency(
        cx,
        &at(&scope, Place::WorkflowConcurrency),
        wf.concurrency.as_ref(),
    );
    if let Some(on) = &wf.on {
        for t in &on.triggers {
            match &t.config {
                TriggerConfig::WorkflowCall(call) => {
                    call_input_defaults(cx, wf, call);
                    let c = at(&scope, Place::WorkflowCallOutputValue);
                    for o in &call.outputs {
                        c.opt(cx, o.value.as_ref());
                    }
                }
                TriggerConfig::WorkflowDispatch(d) => {
                    let c = at(&scope, DISPATCH_INPUT_DEFAULT);
                    for i in &d.inputs {
                        if let Some(d) = &i.default {
                            c.scalar(cx, d);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let unsecure = allows_unsecure(wf.env.as_ref());
    for job in &wf.jobs {
        check_job(cx, &mut scope, job, unsecure);
    }
}

/// The defaults of `workflow_call` inputs: each can use the inputs
/// declared before it, and must have the input's type.
fn call_input_defaults(cx: &mut Cx<'_>, wf: &Workflow, call: &gantry_workflow::WorkflowCall) {
    for (n, i) in call.inputs.iter().enumerate() {
        let Some(gantry_workflow::Scalar::String(d)) = &i.default else {
            continue;
        };
        if !d.has_expression() {
            continue;
        }
        let before = &call.inputs[..n];
        let mut scope = Scope::new(
            Inputs::Declared(before.iter().map(|i| i.name.value.as_str()).collect()),
            &wf.jobs,
            false,
        );
        scope.input_types = before
            .iter()
            .map(|i| {
                (
                    i.name.value.as_str(),
                    call_input_type(i.kind.as_ref().map(|k| k.value)),
                )
            })
            .collect();
        scope.later_inputs = call.inputs[n..]
            .iter()
            .map(|i| i.name.value.as_str())
            .collect();
        let want = match i.kind.as_ref().map(|k| k.value) {
            Some(gantry_workflow::CallInputType::Boolean) => Want::Bool,
            Some(gantry_workflow::CallInputType::Number) => Want::Number,
            _ => Want::Text,
        };
        at(&scope, Place::WorkflowCallInputDefault)
            .want(want)
            .expr_string(cx, d);
    }
}

fn defaults(cx: &mut Cx<'_>, c: &Checker<'_, '_>, d: Option<&Defaults>) {
    if let Some(d) = d {
        c.opt(cx, d.shell.as_ref());
        c.opt(cx, d.working_directory.as_ref());
    }
}

fn concurrency(cx: &mut Cx<'_>, c: &Checker<'_, '_>, con: Option<&Concurrency>) {
    if let Some(con) = con {
        c.opt(cx, con.group.as_ref());
        c.bool_or_expr(cx, con.cancel_in_progress.as_ref());
    }
}

/// The keys `matrix.<key>` may name; `None` when an expression builds the
/// matrix or its `include`, so any key may exist.
fn matrix_keys(strategy: Option<&Strategy>) -> Option<Vec<&str>> {
    let Some(matrix) = strategy.and_then(|s| s.matrix.as_ref()) else {
        return Some(Vec::new());
    };
    match matrix {
        Matrix::Expr(_) => None,
        Matrix::Map(map) => {
            let mut keys: Vec<&str> = map.axes.iter().map(|a| a.name.value.as_str()).collect();
            match &map.include {
                None => {}
                Some(MatrixRows::Expr(_)) => return None,
                Some(MatrixRows::List { rows, .. }) => {
                    for row in rows {
                        match row {
                            MatrixRow::Expr(_) => return None,
                            MatrixRow::Map { entries, .. } => {
                                keys.extend(entries.iter().map(|(k, _)| k.value.as_str()));
                            }
                        }
                    }
                }
            }
            Some(keys)
        }
    }
}

/// Step ids in the order they become available: a parallel group's steps
/// before the group itself.
fn collect_step_ids<'a>(steps: &'a [Step], out: &mut Vec<&'a str>) {
    for s in steps {
        if let Step::Parallel(g) = s {
            collect_step_ids(&g.steps, out);
        }
        if let Some(id) = &s.common().id {
            out.push(id.value.as_str());
        }
    }
}

fn strategy(cx: &mut Cx<'_>, scope: &Scope<'_>, s: Option<&Strategy>) {
    let Some(s) = s else { return };
    let c = at(scope, Place::JobStrategy).want(Want::Any);
    match &s.matrix {
        Some(Matrix::Expr(e)) => c.expr_string(cx, e),
        Some(Matrix::Map(map)) => {
            for axis in &map.axes {
                match &axis.values {
                    MatrixValues::List { items, .. } => {
                        for i in items {
                            c.node(cx, i);
                        }
                    }
                    MatrixValues::Expr(e) => c.expr_string(cx, e),
                }
            }
            for rows in [&map.include, &map.exclude].into_iter().flatten() {
                match rows {
                    MatrixRows::Expr(e) => c.expr_string(cx, e),
                    MatrixRows::List { rows, .. } => {
                        for row in rows {
                            match row {
                                MatrixRow::Expr(e) => c.expr_string(cx, e),
                                MatrixRow::Map { entries, .. } => {
                                    for (_, v) in entries {
                                        c.node(cx, v);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        None => {}
    }
    c.bool_or_expr(cx, s.fail_fast.as_ref());
    c.number_or_expr(cx, s.max_parallel.as_ref());
}

fn container(cx: &mut Cx<'_>, scope: &Scope<'_>, ct: &Container, places: (Place, Place, At)) {
    let (main, credentials, env) = places;
    let c = at(scope, main);
    c.opt(cx, ct.image.as_ref());
    c.opt(cx, ct.options.as_ref());
    c.opt(cx, ct.entrypoint.as_ref());
    c.opt(cx, ct.command.as_ref());
    for v in &ct.volumes {
        c.expr_string(cx, v);
    }
    for p in &ct.ports {
        if let Port::Text(e) = p {
            c.expr_string(cx, e);
        }
    }
    if let Some(cred) = &ct.credentials {
        let c = at(scope, credentials);
        // `credentials: ${{ … }}` is kept as a username spanning the
        // whole value; the expression must give the object.
        let whole =
            cred.password.is_none() && cred.username.as_ref().is_some_and(|u| u.span == cred.span);
        let c = if whole { c.want(Want::Object) } else { c };
        c.opt(cx, cred.username.as_ref());
        c.opt(cx, cred.password.as_ref());
    }
    at(scope, env).env(cx, ct.env.as_ref());
}

fn check_job<'a>(cx: &mut Cx<'_>, scope: &mut Scope<'a>, job: &'a Job, unsecure: bool) {
    let common = job.common();
    scope.job = Some(job);
    scope.matrix = matrix_keys(common.strategy.as_ref());
    scope.matrix_types = None;
    scope.matrix_types = infer::matrix_types(scope, common.strategy.as_ref());
    scope.step_ids.clear();
    if let Job::Normal(j) = job {
        collect_step_ids(&j.steps, &mut scope.step_ids);
    }
    // Job-level keys that may use `steps` see every step of the job.
    scope.visible = scope.step_ids.len();

    at(scope, Place::JobName).opt(cx, common.name.as_ref());
    if let Some(cond) = &common.condition {
        at(scope, Place::JobIf).condition(cx, cond);
    }
    concurrency(
        cx,
        &at(scope, Place::JobConcurrency),
        common.concurrency.as_ref(),
    );
    strategy(cx, scope, common.strategy.as_ref());

    match job {
        Job::Normal(j) => {
            if let Some(runs_on) = &j.runs_on {
                let c = at(scope, Place::JobRunsOn).want(Want::StringOrArray);
                match runs_on {
                    RunsOn::Labels { labels, .. } => {
                        for l in labels {
                            c.expr_string(cx, l);
                        }
                    }
                    RunsOn::Group { group, labels, .. } => {
                        c.opt(cx, group.as_ref());
                        for l in labels {
                            c.expr_string(cx, l);
                        }
                    }
                }
            }
            if let Some(env) = &j.environment {
                let c = at(scope, Place::JobEnvironment);
                c.opt(cx, env.name.as_ref());
                c.bool_or_expr(cx, env.deployment.as_ref());
                at(scope, Place::JobEnvironmentUrl).opt(cx, env.url.as_ref());
            }
            let c = at(scope, Place::JobOutputs);
            for (_, v) in &j.outputs {
                c.expr_string(cx, v);
            }
            at(scope, Place::JobEnv).env(cx, j.env.as_ref());
            defaults(cx, &at(scope, Place::JobDefaultsRun), j.defaults.as_ref());
            at(scope, Place::JobTimeoutMinutes).number_or_expr(cx, j.timeout_minutes.as_ref());
            at(scope, Place::JobContinueOnError).bool_or_expr(cx, j.continue_on_error.as_ref());
            if let Some(ct) = &j.container {
                container(
                    cx,
                    scope,
                    ct,
                    (
                        Place::JobContainer,
                        Place::JobContainerCredentials,
                        CONTAINER_ENV,
                    ),
                );
            }
            match &j.services {
                Some(Services::Map { services, .. }) => {
                    for (_, ct) in services {
                        container(
                            cx,
                            scope,
                            ct,
                            (
                                Place::JobServices,
                                Place::JobServiceCredentials,
                                SERVICE_ENV,
                            ),
                        );
                    }
                }
                Some(Services::Expr(e)) => at(scope, Place::JobServices)
                    .want(Want::Object)
                    .expr_string(cx, e),
                None => {}
            }
            if let Some(snap) = &j.snapshot {
                let c = at(scope, SNAPSHOT_IMAGE);
                c.opt(cx, snap.image_name.as_ref());
                c.opt(cx, snap.version.as_ref());
                if let Some(cond) = &snap.condition {
                    at(scope, SNAPSHOT_IF).condition(cx, cond);
                }
            }
            let unsecure = unsecure || allows_unsecure(j.env.as_ref());
            scope.visible = 0;
            steps(cx, scope, &j.steps, false, unsecure);
        }
        Job::Call(j) => {
            at(scope, Place::JobWith).with(cx, &j.with);
            if let Some(gantry_workflow::CallSecrets::Map { entries }) = &j.secrets {
                let c = at(scope, Place::JobSecrets);
                for (_, v) in entries {
                    c.expr_string(cx, v);
                }
            }
        }
    }
    scope.job = None;
}

/// Checks steps in order; `scope.visible` counts the step ids defined so far.
fn steps(cx: &mut Cx<'_>, scope: &mut Scope<'_>, list: &[Step], composite: bool, unsecure: bool) {
    let (step, step_if) = if composite {
        (Place::ActionStep, Place::ActionStepIf)
    } else {
        (Place::StepRun, Place::StepIf)
    };
    let place = |p: Place| if composite { step } else { p };
    for s in list {
        let common = s.common();
        at(scope, place(Place::StepName)).opt(cx, common.name.as_ref());
        if let Some(cond) = &common.condition {
            at(scope, step_if).condition(cx, cond);
        }
        at(scope, place(Place::StepEnv)).env(cx, common.env.as_ref());
        at(scope, place(Place::StepContinueOnError))
            .bool_or_expr(cx, common.continue_on_error.as_ref());
        at(scope, place(Place::StepTimeoutMinutes))
            .number_or_expr(cx, common.timeout_minutes.as_ref());
        if let Some(id) = &common.id
            && id.value.as_str().contains("${{")
        {
            at(scope, STEP_ID).template(
                cx,
                check::Text {
                    raw: id.value.as_str(),
                    span: id.span,
                },
            );
        }
        let unsecure = unsecure || allows_unsecure(common.env.as_ref());
        match s {
            Step::Run(r) => {
                let c = at(scope, place(Place::StepRun)).script();
                c.expr_string(cx, &r.run);
                commands::check(cx, (&r.run).into(), unsecure);
                let shell = if composite {
                    At::from(step)
                } else {
                    STEP_SHELL
                };
                at(scope, shell).opt(cx, r.shell.as_ref());
                at(scope, place(Place::StepWorkingDirectory)).opt(cx, r.working_directory.as_ref());
            }
            Step::Uses(u) => {
                let c = at(scope, place(Place::StepWith));
                if is_github_script(u) {
                    for (k, v) in &u.with.entries {
                        if k.value == "script" {
                            at(scope, place(Place::StepWith)).script().scalar(cx, v);
                        } else {
                            c.scalar(cx, v);
                        }
                    }
                } else {
                    c.with(cx, &u.with);
                }
            }
            Step::Parallel(g) => steps(cx, scope, &g.steps, composite, unsecure),
        }
        if common.id.is_some() {
            scope.visible += 1;
        }
    }
}

/// Whether a step runs `actions/github-script`, whose `script` input is
/// JavaScript.
fn is_github_script(u: &gantry_workflow::UsesStep) -> bool {
    matches!(
        u.uses.as_ref().map(|u| &u.target),
        Some(gantry_workflow::UsesTarget::Repo { owner, repo, path: None, .. })
            if owner.eq_ignore_ascii_case("actions") && repo.eq_ignore_ascii_case("github-script")
    )
}

pub fn check_action(cx: &mut Cx<'_>, action: &Action) {
    let inputs = Inputs::Declared(
        action
            .inputs
            .iter()
            .map(|i| i.name.value.as_str())
            .collect(),
    );
    let mut scope = Scope::new(inputs, &[], true);
    scope.input_types = action
        .inputs
        .iter()
        .map(|i| (i.name.value.as_str(), Ty::String))
        .collect();
    if let Some(Runs::Composite(runs)) = &action.runs {
        collect_step_ids(&runs.steps, &mut scope.step_ids);
    }
    scope.visible = scope.step_ids.len();
    let c = at(&scope, Place::ActionStep);
    for i in &action.inputs {
        c.opt(cx, i.default.as_ref());
    }
    let c = at(&scope, Place::ActionOutputValue);
    for o in &action.outputs {
        c.opt(cx, o.value.as_ref());
    }
    match &action.runs {
        Some(Runs::Composite(runs)) => {
            scope.visible = 0;
            steps(cx, &mut scope, &runs.steps, true, false);
        }
        Some(Runs::Node(n)) => {
            let c = at(&scope, Place::ActionStepIf);
            for e in [&n.pre_if, &n.post_if].into_iter().flatten() {
                c.condition_text(cx, e.into());
            }
        }
        Some(Runs::Docker(d)) => {
            let c = at(&scope, Place::ActionStep);
            c.opt(cx, d.image.as_ref());
            for a in &d.args {
                c.expr_string(cx, a);
            }
            c.opt(cx, d.entrypoint.as_ref());
            c.opt(cx, d.pre_entrypoint.as_ref());
            c.opt(cx, d.post_entrypoint.as_ref());
            c.env(cx, d.env.as_ref());
            let c = at(&scope, Place::ActionStepIf);
            for e in [&d.pre_if, &d.post_if].into_iter().flatten() {
                c.condition_text(cx, e.into());
            }
        }
        None => {}
    }
}
