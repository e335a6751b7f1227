//! Building the plan: triggers, then each triggered workflow's jobs in
//! dependency order, matrices expanded, reusable workflows called.

use gantry_expr::{Object, Value};
use gantry_workflow::{
    BoolOrExpr, CallJob, Concurrency, Condition, ExprString, Job, RunsOn, Scalar, TriggerConfig,
    UsesTarget, Workflow,
};

use crate::eval::{Eval, Scope};
use crate::event::{Event, Repo};
use crate::inputs::{self, Given};
use crate::matrix::{self, Resolved, cell_label};
use crate::model::{
    ConcurrencyPlan, ConditionPlan, ConditionResult, ContainersPlan, EventSummary, JobKind,
    JobPlan, PLAN_VERSION, Plan, PlanOptions, StrategyPlan, WorkflowPlan,
};
use crate::remote::RemoteWorkflow;
use crate::runner;
use crate::{graph, triggers};

/// GitHub: "You can connect a maximum of ten levels of workflows", the
/// top-level caller included.
pub const MAX_NESTING: usize = 10;

/// Plans every workflow for `event`. Workflows are given as `(path,
/// workflow)`, the path relative to the repository root; the plan lists
/// them ordered by path.
#[must_use]
pub fn plan(
    workflows: &[(String, Workflow)],
    event: &Event,
    options: &PlanOptions,
    repo: &dyn Repo,
) -> Plan {
    let mut sorted: Vec<&(String, Workflow)> = workflows.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let workflows = sorted
        .into_iter()
        .map(|(path, wf)| plan_workflow(path, wf, event, options, repo))
        .collect();
    let sha = event
        .github
        .get("sha")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Plan {
        version: PLAN_VERSION,
        event: EventSummary {
            name: event.name.clone(),
            action: event.action.clone(),
            git_ref: event.git_ref.clone(),
            sha,
        },
        workflows,
    }
}

/// The display name of a workflow: `name:`, else its path (as GitHub shows
/// it, and as `github.workflow` is then set).
fn workflow_name(path: &str, wf: &Workflow) -> String {
    wf.name
        .as_ref()
        .map(|n| n.raw.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| path.to_owned())
}

fn plan_workflow(
    path: &str,
    wf: &Workflow,
    event: &Event,
    options: &PlanOptions,
    repo: &dyn Repo,
) -> WorkflowPlan {
    let name = workflow_name(path, wf);
    let mut out = WorkflowPlan {
        file: path.to_owned(),
        name: name.clone(),
        triggered: false,
        reason: None,
        not_triggered: None,
        run_name: None,
        concurrency: None,
        inputs: None,
        errors: Vec::new(),
        jobs: Vec::new(),
    };
    let triggered = match triggers::check(wf, event) {
        Ok(t) => t,
        Err(reason) => {
            out.reason = Some(reason.to_string());
            out.not_triggered = Some(reason);
            return out;
        }
    };
    out.triggered = true;
    let github = github_context(event, path, &name, triggered.inputs.as_ref());
    let inputs = triggered
        .inputs
        .as_ref()
        .map(|t| t.inputs.clone())
        .unwrap_or_default();
    if triggered.inputs.is_some() {
        out.inputs = Some(Value::object(inputs.clone()).to_json());
    }
    let mut contexts = Object::new();
    contexts.insert("github", Value::object(github));
    contexts.insert("inputs", Value::object(inputs));
    contexts.insert("vars", Value::object(event.vars.clone()));
    let scope = Scope::new(contexts);
    if let Some(rn) = &wf.run_name {
        out.run_name = Some(match scope.render(&rn.raw) {
            Eval::Known(s) => s,
            _ => rn.raw.clone(),
        });
    }
    let mut errors = Vec::new();
    out.concurrency = wf
        .concurrency
        .as_ref()
        .map(|c| concurrency(c, &scope, &mut errors));
    let mut planner = Planner {
        options,
        repo,
        errors,
    };
    let at = Nesting {
        id_prefix: String::new(),
        name_prefix: String::new(),
        root_needs: Vec::new(),
        stack: vec![path.to_owned()],
        caller: None,
        file: path.to_owned(),
        level_offset: 0,
    };
    out.jobs = planner.jobs(wf, &scope, &at);
    out.errors = planner.errors;
    out
}

/// The `github` context of a workflow run: the event's, with the
/// per-workflow fields filled in.
fn github_context(
    event: &Event,
    path: &str,
    name: &str,
    inputs: Option<&inputs::TypedInputs>,
) -> Object {
    let mut gh = event.github.clone();
    let set_missing = |gh: &mut Object, key: &str, v: Option<&str>| {
        if let Some(v) = v
            && !gh.contains_key(key)
        {
            gh.insert(key, Value::from(v));
        }
    };
    set_missing(&mut gh, "event_name", Some(&event.name));
    set_missing(&mut gh, "ref", event.git_ref.as_deref());
    if event.name.starts_with("pull_request") {
        set_missing(&mut gh, "head_ref", event.head_ref.as_deref());
        set_missing(&mut gh, "base_ref", event.base_ref.as_deref());
    }
    gh.set("workflow", Value::from(name));
    if !gh.contains_key("workflow_ref")
        && let (Some(repo), Some(r)) = (
            gh.get("repository")
                .and_then(Value::as_str)
                .map(str::to_owned),
            event.git_ref.as_deref(),
        )
    {
        gh.insert("workflow_ref", Value::from(format!("{repo}/{path}@{r}")));
    }
    let mut payload = gh
        .get("event")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if event.name == "workflow_dispatch"
        && let Some(t) = inputs
    {
        payload.set("inputs", Value::object(t.event_inputs.clone()));
    }
    gh.set("event", Value::object(payload));
    gh
}

fn concurrency(c: &Concurrency, scope: &Scope, errors: &mut Vec<String>) -> ConcurrencyPlan {
    let (group, runtime) = match &c.group {
        Some(g) => match scope.render(&g.raw) {
            Eval::Known(s) => (s, None),
            Eval::Runtime(r) => (g.raw.clone(), Some(r)),
            Eval::Error(e) => {
                errors.push(format!("concurrency: {e}"));
                (g.raw.clone(), None)
            }
        },
        None => (String::new(), None),
    };
    let cancel = c.cancel_in_progress.as_ref().map(|b| match b {
        BoolOrExpr::Bool(b) => b.value.to_string(),
        BoolOrExpr::Expr(e) => match scope.eval_template(&e.raw) {
            Eval::Known(v) => v.is_truthy().to_string(),
            _ => e.raw.clone(),
        },
    });
    ConcurrencyPlan {
        group,
        decided_at_run_time: runtime,
        cancel_in_progress: cancel,
    }
}

/// Where a workflow's jobs sit: at the top, or inside a call.
#[derive(Debug, Clone)]
struct Nesting {
    /// `caller/` inside a call.
    id_prefix: String,
    /// `Caller name / ` inside a call.
    name_prefix: String,
    /// What jobs without `needs` wait for (a call's own needs).
    root_needs: Vec<String>,
    /// The workflow files being expanded, outermost first.
    stack: Vec<String>,
    /// The id of the call.
    caller: Option<String>,
    /// The file of this workflow.
    file: String,
    /// The level of the call (added to the called jobs' levels).
    level_offset: usize,
}

struct Planner<'a> {
    options: &'a PlanOptions,
    repo: &'a dyn Repo,
    errors: Vec<String>,
}

/// Whether a job as a whole was skipped, for the jobs that need it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Planned,
    Skipped,
}

impl Planner<'_> {
    fn error(&mut self, at: &Nesting, msg: impl std::fmt::Display) {
        if at.caller.is_some() {
            self.errors.push(format!("{}: {msg}", at.file));
        } else {
            self.errors.push(msg.to_string());
        }
    }

    fn jobs(&mut self, wf: &Workflow, scope: &Scope, at: &Nesting) -> Vec<JobPlan> {
        let spec: Vec<(String, Vec<String>)> = wf
            .jobs
            .iter()
            .map(|j| {
                (
                    j.id().as_str().to_owned(),
                    j.common()
                        .needs
                        .iter()
                        .map(|n| n.value.as_str().to_owned())
                        .collect(),
                )
            })
            .collect();
        let order = graph::order(&spec);
        for e in &order.errors {
            self.error(at, e);
        }
        let mut fates: Vec<Option<Fate>> = vec![None; wf.jobs.len()];
        let mut out = Vec::new();
        for &i in &order.order {
            let job = &wf.jobs[i];
            let level = order.levels[i].map(|l| l + at.level_offset);
            let mut skipped_need = None;
            for need in &job.common().needs {
                if let Some(j) = wf
                    .jobs
                    .iter()
                    .position(|j| j.id().as_str().eq_ignore_ascii_case(need.value.as_str()))
                    && fates[j] == Some(Fate::Skipped)
                {
                    skipped_need = Some(need.value.as_str().to_owned());
                    break;
                }
            }
            let (entries, fate) = self.job(job, level, skipped_need, scope, at);
            fates[i] = Some(fate);
            out.extend(entries);
        }
        out
    }

    /// Plans one job: one entry per matrix combination (plus, for calls,
    /// the called jobs).
    fn job(
        &mut self,
        job: &Job,
        level: Option<usize>,
        skipped_need: Option<String>,
        scope: &Scope,
        at: &Nesting,
    ) -> (Vec<JobPlan>, Fate) {
        let common = job.common();
        let job_id = common.id.value.as_str();
        let id = format!("{}{job_id}", at.id_prefix);
        let needs: Vec<String> = if common.needs.is_empty() {
            at.root_needs.clone()
        } else {
            common
                .needs
                .iter()
                .map(|n| format!("{}{}", at.id_prefix, n.value.as_str()))
                .collect()
        };
        let scope = job_scope(scope, job_id);
        let mut base = JobPlan {
            id,
            name: String::new(),
            matrix: None,
            needs,
            runnable: false,
            runner: None,
            skip_reason: None,
            kind: match job {
                Job::Normal(_) => JobKind::Job,
                Job::Call(_) => JobKind::Call,
            },
            skipped: false,
            level,
            platform: None,
            condition: None,
            strategy: None,
            dynamic_matrix: None,
            concurrency: None,
            uses: match job {
                Job::Call(c) => c.uses.as_ref().map(|u| u.raw.clone()),
                Job::Normal(_) => None,
            },
            containers: None,
            caller: at.caller.clone(),
            workflow_file: at.caller.as_ref().map(|_| at.file.clone()),
            callee: None,
            call_inputs: None,
        };
        base.name = format!(
            "{}{}",
            at.name_prefix,
            display_name(job_id, common.name.as_ref(), None, &scope)
        );
        if level.is_none() {
            base.skip_reason = Some("needs: the job is part of a `needs` cycle".to_owned());
            return (vec![base], Fate::Skipped);
        }
        // `if:`, and needed jobs that were skipped.
        let condition = common
            .condition
            .as_ref()
            .map(|c| condition(c, !common.needs.is_empty(), &scope));
        let uses_status = condition.as_ref().is_some_and(|c| {
            c.result == ConditionResult::RunTime && c.detail.as_deref() == Some(STATUS_DETAIL)
        });
        let cond_result = condition.as_ref().map(|c| c.result);
        base.condition = condition;
        if let Some(need) = skipped_need
            && !uses_status
        {
            base.skipped = true;
            base.skip_reason = Some(format!("needs: '{need}' is skipped"));
            return (vec![base], Fate::Skipped);
        }
        match cond_result {
            Some(ConditionResult::False) => {
                base.skipped = true;
                let expr = base
                    .condition
                    .as_ref()
                    .map_or(String::new(), |c| one_line(&c.expression));
                base.skip_reason = Some(format!("if: `{expr}` is false"));
                return (vec![base], Fate::Skipped);
            }
            Some(ConditionResult::Error) => {
                let detail = base
                    .condition
                    .as_ref()
                    .and_then(|c| c.detail.clone())
                    .unwrap_or_default();
                self.error(at, format!("job '{job_id}': if: {detail}"));
                base.skip_reason = Some(format!("if: {detail}"));
                return (vec![base], Fate::Planned);
            }
            _ => {}
        }
        // The matrix.
        let strategy = common.strategy.as_ref();
        let cells: Vec<Option<Object>> = match strategy.and_then(|s| s.matrix.as_ref()) {
            None => vec![None],
            Some(m) => match matrix::resolve(m, &scope) {
                Resolved::Cells(cells) if cells.is_empty() => {
                    base.skipped = true;
                    base.skip_reason = Some("matrix: every combination is excluded".to_owned());
                    return (vec![base], Fate::Skipped);
                }
                Resolved::Cells(cells) => cells.into_iter().map(Some).collect(),
                Resolved::Dynamic(dep) => {
                    base.dynamic_matrix = Some(dep);
                    let mut s = scope.clone();
                    s.matrix_unknown = true;
                    return (self.cell(job, base, &s, at), Fate::Planned);
                }
                Resolved::Error(e) => {
                    self.error(at, format!("job '{job_id}': {e}"));
                    base.skip_reason = Some(e.to_string());
                    return (vec![base], Fate::Planned);
                }
            },
        };
        let total = cells.len();
        let fail_fast = match strategy.and_then(|s| s.fail_fast.as_ref()) {
            Some(BoolOrExpr::Bool(b)) => Value::Bool(b.value),
            _ => Value::Bool(true),
        };
        let mut out = Vec::new();
        for (index, cell) in cells.into_iter().enumerate() {
            let mut st = Object::new();
            st.insert("fail-fast", fail_fast.clone());
            #[allow(clippy::cast_precision_loss)]
            {
                st.insert("job-index", Value::Number(index as f64));
                st.insert("job-total", Value::Number(total as f64));
                st.insert("max-parallel", Value::Number(total as f64));
            }
            let mut s = scope.with("strategy", Value::object(st));
            let mut entry = base.clone();
            if let Some(cell) = &cell {
                s = s.with("matrix", Value::object(cell.clone()));
                entry.matrix = Some(Value::object(cell.clone()).to_json());
                entry.strategy = Some(StrategyPlan {
                    job_index: index,
                    job_total: total,
                });
            } else {
                s = s.with("matrix", Value::object(Object::new()));
            }
            entry.name = format!(
                "{}{}",
                at.name_prefix,
                display_name(job_id, common.name.as_ref(), cell.as_ref(), &s)
            );
            out.extend(self.cell(job, entry, &s, at));
        }
        (out, Fate::Planned)
    }

    /// One combination of a job: runner and concurrency, or the call.
    fn cell(&mut self, job: &Job, mut entry: JobPlan, scope: &Scope, at: &Nesting) -> Vec<JobPlan> {
        if let Some(c) = &job.common().concurrency {
            let mut errors = Vec::new();
            entry.concurrency = Some(concurrency(c, scope, &mut errors));
            for e in errors {
                self.error(at, format!("job '{}': {e}", job.id().as_str()));
            }
        }
        match job {
            Job::Normal(n) => {
                entry.containers = containers(n, scope);
                match n.runs_on.as_ref().map(|r| runs_on(r, scope)) {
                    None => entry.skip_reason = Some("the job has no `runs-on`".to_owned()),
                    Some(Eval::Known((labels, group))) => {
                        let r = runner::classify(labels, group, &self.options.platforms);
                        entry.runner = Some(r.describe());
                        entry.platform = r.target.clone();
                        entry.runnable = r.runnable;
                        entry.skip_reason = r.reason;
                    }
                    Some(Eval::Runtime(dep)) => {
                        entry.runner = n.runs_on.as_ref().map(raw_runs_on);
                        entry.skip_reason =
                            Some(format!("runs-on: decided at run time (depends on {dep})"));
                    }
                    Some(Eval::Error(e)) => {
                        self.error(at, format!("job '{}': runs-on: {e}", job.id().as_str()));
                        entry.skip_reason = Some(format!("runs-on: {e}"));
                    }
                }
                vec![entry]
            }
            Job::Call(c) => self.call(c, entry, scope, at),
        }
    }

    /// A reusable-workflow call: the call's entry, then the called jobs.
    fn call(
        &mut self,
        call: &CallJob,
        mut entry: JobPlan,
        scope: &Scope,
        at: &Nesting,
    ) -> Vec<JobPlan> {
        let job_id = call.common.id.value.as_str().to_owned();
        let Some(uses) = &call.uses else {
            entry.skip_reason = Some("the call has no valid `uses`".to_owned());
            return vec![entry];
        };
        let fail = |this: &mut Self, entry: &mut JobPlan, msg: String| {
            this.error(at, format!("job '{job_id}': {msg}"));
            entry.skip_reason = Some(msg);
        };
        // A `./` call made by a workflow of another repository names a
        // file of that repository.
        let within = |p: &str| match RemoteWorkflow::parse(&at.file) {
            Some(r) => r.sibling(p).key(),
            None => p.to_owned(),
        };
        let path = match &uses.target {
            UsesTarget::Local { path } => within(path.trim_start_matches("./")),
            UsesTarget::SelfRepo { path } => within(path.trim_start_matches('/')),
            UsesTarget::Repo {
                owner,
                repo,
                path: Some(path),
                git_ref,
            } => RemoteWorkflow {
                owner: owner.clone(),
                repo: repo.clone(),
                path: path.trim_start_matches('/').to_owned(),
                git_ref: git_ref.clone(),
            }
            .key(),
            UsesTarget::Repo { path: None, .. } => {
                fail(
                    self,
                    &mut entry,
                    format!(
                        "'{}' names no workflow file (owner/repo/.github/workflows/x.yml@ref)",
                        uses.raw
                    ),
                );
                return vec![entry];
            }
            UsesTarget::Docker { .. } => {
                entry.skip_reason = Some("a job cannot call a Docker image".to_owned());
                return vec![entry];
            }
        };
        if let Some(pos) = at.stack.iter().position(|p| *p == path) {
            let mut chain: Vec<&str> = at.stack[pos..].iter().map(String::as_str).collect();
            chain.push(&path);
            fail(
                self,
                &mut entry,
                format!(
                    "reusable workflows call each other in a cycle: {}",
                    chain.join(" → ")
                ),
            );
            return vec![entry];
        }
        if at.stack.len() >= MAX_NESTING {
            fail(
                self,
                &mut entry,
                format!("reusable workflows nest more than {MAX_NESTING} levels deep"),
            );
            return vec![entry];
        }
        let Some(src) = self.repo.read(&path) else {
            if RemoteWorkflow::parse(&path).is_some() {
                // Not fetched: `gantry run` fetches it and plans again.
                entry.callee = Some(path);
                entry.skip_reason = Some(format!(
                    "remote reusable workflow '{}' is not expanded",
                    uses.raw
                ));
                return vec![entry];
            }
            fail(
                self,
                &mut entry,
                format!("cannot read the called workflow '{path}'"),
            );
            return vec![entry];
        };
        let (Some(callee), _) = gantry_workflow::parse_workflow(&src) else {
            fail(
                self,
                &mut entry,
                format!("the called workflow '{path}' is not a valid workflow"),
            );
            return vec![entry];
        };
        let Some(trigger) = callee.on.as_ref().and_then(|o| o.get("workflow_call")) else {
            fail(
                self,
                &mut entry,
                format!("the called workflow '{path}' does not listen to workflow_call"),
            );
            return vec![entry];
        };
        let decl = match &trigger.config {
            TriggerConfig::WorkflowCall(c) => c.clone(),
            _ => gantry_workflow::WorkflowCall::default(),
        };
        let mut given = Vec::new();
        for (k, v) in &call.with.entries {
            let value = match v {
                Scalar::String(s) if s.has_expression() => match scope.eval_template(&s.raw) {
                    Eval::Known(v) => Given::Known(v),
                    Eval::Runtime(_) => Given::Runtime,
                    Eval::Error(e) => {
                        fail(self, &mut entry, format!("with.{}: {e}", k.value));
                        return vec![entry];
                    }
                },
                other => Given::Known(scalar_value(other)),
            };
            given.push((k.value.clone(), value));
        }
        let typed = match inputs::call(&decl, &given) {
            Ok(t) => t,
            Err(errors) => {
                let msg = errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                fail(self, &mut entry, format!("inputs of '{path}': {msg}"));
                return vec![entry];
            }
        };
        entry.runnable = true;
        entry.callee = Some(path.clone());
        entry.call_inputs = Some(Value::object(typed.inputs.clone()).to_json());
        let mut child = Scope::new(scope.contexts.clone());
        child.contexts.set("inputs", Value::object(typed.inputs));
        child.unknown_inputs = typed.unknown;
        child.contexts.set("matrix", Value::Null);
        let mut stack = at.stack.clone();
        stack.push(path.clone());
        let nested = Nesting {
            id_prefix: format!("{}/", entry.id),
            name_prefix: format!("{} / ", entry.name),
            root_needs: entry.needs.clone(),
            stack,
            caller: Some(entry.id.clone()),
            file: path,
            level_offset: entry.level.map_or(0, |l| l + 1),
        };
        let children = self.jobs(&callee, &child, &nested);
        entry.runnable = children.iter().all(|c| c.runnable || c.skipped);
        let mut out = vec![entry];
        out.extend(children);
        out
    }
}

/// Text on one line: runs of white space become one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

const STATUS_DETAIL: &str = "the results of the jobs it needs";

fn job_scope(scope: &Scope, job_id: &str) -> Scope {
    let mut gh = scope
        .contexts
        .get("github")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    gh.set("job", Value::from(job_id));
    scope.with("github", Value::object(gh))
}

fn scalar_value(s: &Scalar) -> Value {
    match s {
        Scalar::Null { .. } => Value::Null,
        Scalar::Bool(b) => Value::Bool(b.value),
        #[allow(clippy::cast_precision_loss)]
        Scalar::Int(i) => Value::Number(i.value as f64),
        Scalar::Float(f) => Value::Number(f.value),
        Scalar::String(s) => Value::from(s.raw.as_str()),
    }
}

fn condition(c: &Condition, has_needs: bool, scope: &Scope) -> ConditionPlan {
    let (expression, eval) = match c {
        Condition::Bool(b) => (b.value.to_string(), Eval::Known(b.value)),
        Condition::Expr(e) => (e.raw.clone(), scope.eval_condition(&e.raw, has_needs)),
    };
    let (result, detail) = match eval {
        Eval::Known(true) => (ConditionResult::True, None),
        Eval::Known(false) => (ConditionResult::False, None),
        Eval::Runtime(r) => (ConditionResult::RunTime, Some(r)),
        Eval::Error(e) => (ConditionResult::Error, Some(e)),
    };
    ConditionPlan {
        expression,
        result,
        detail,
    }
}

/// The display name of a job (combination), as GitHub forms it: `name:`
/// evaluated when it has expressions; otherwise the name (or id) followed
/// by the combination's values in parentheses.
pub(crate) fn display_name(
    job_id: &str,
    name: Option<&ExprString>,
    cell: Option<&Object>,
    scope: &Scope,
) -> String {
    let label = cell.map(cell_label).filter(|l| !l.is_empty());
    let base = match name {
        Some(n) if n.has_expression() => {
            return match scope.render(&n.raw) {
                Eval::Known(s) => s,
                _ => n.raw.clone(),
            };
        }
        Some(n) => n.raw.clone(),
        None => job_id.to_owned(),
    };
    match label {
        Some(l) => format!("{base} ({l})"),
        None => base,
    }
}

/// The job's `container:` image (evaluated when it can be; an empty one
/// is no container, as on GitHub) and `services:` names.
fn containers(job: &gantry_workflow::NormalJob, scope: &Scope) -> Option<ContainersPlan> {
    let image = job
        .container
        .as_ref()
        .and_then(|c| c.image.as_ref())
        .and_then(|i| match scope.render(&i.raw) {
            Eval::Known(v) => Some(v.trim().to_owned()).filter(|v| !v.is_empty()),
            Eval::Runtime(_) | Eval::Error(_) => Some(i.raw.clone()),
        });
    let services = match &job.services {
        None => Some(Vec::new()),
        Some(gantry_workflow::Services::Map { services, .. }) => {
            Some(services.iter().map(|(n, _)| n.value.clone()).collect())
        }
        Some(gantry_workflow::Services::Expr(_)) => None,
    };
    if image.is_none() && services.as_ref().is_some_and(Vec::is_empty) {
        return None;
    }
    Some(ContainersPlan { image, services })
}

/// Evaluates `runs-on` to labels (and a group).
fn runs_on(r: &RunsOn, scope: &Scope) -> Eval<(Vec<String>, Option<String>)> {
    let (labels, group) = match r {
        RunsOn::Labels { labels, .. } => (labels, None),
        RunsOn::Group { group, labels, .. } => (labels, group.as_ref()),
    };
    let mut out = Vec::new();
    for l in labels {
        match scope.eval_template(&l.raw) {
            Eval::Known(v) => push_labels(&v, &mut out),
            Eval::Runtime(d) => return Eval::Runtime(d),
            Eval::Error(e) => return Eval::Error(e),
        }
    }
    let group = match group.map(|g| scope.render(&g.raw)) {
        None => None,
        Some(Eval::Known(g)) => Some(g),
        Some(Eval::Runtime(d)) => return Eval::Runtime(d),
        Some(Eval::Error(e)) => return Eval::Error(e),
    };
    Eval::Known((out, group))
}

/// A label value may be an array (`runs-on: ${{ matrix.labels }}`) or an
/// object with `group`/`labels` (from `fromJSON`); strings are labels.
fn push_labels(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| push_labels(i, out)),
        Value::Object(o) => {
            if let Some(l) = o.get("labels") {
                push_labels(l, out);
            }
        }
        Value::Null => {}
        other => {
            let s = other.to_display_string();
            if !s.is_empty() {
                out.push(s);
            }
        }
    }
}

fn raw_runs_on(r: &RunsOn) -> String {
    match r {
        RunsOn::Labels { labels, .. } => labels
            .iter()
            .map(|l| l.raw.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        RunsOn::Group { group, labels, .. } => {
            let mut parts: Vec<String> = Vec::new();
            if let Some(g) = group {
                parts.push(format!("group {}", g.raw));
            }
            parts.extend(labels.iter().map(|l| l.raw.clone()));
            parts.join(", ")
        }
    }
}

#[cfg(test)]
mod tests;
