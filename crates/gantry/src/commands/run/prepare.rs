//! From the plan to the scheduler's jobs: which jobs are selected, their
//! keys, `needs` and contexts, and the call nodes of reusable workflows
//! with the jobs of the called workflows as their members.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, bail};
use gantry_expr::{Object, Status, Value};
use gantry_plan::{JobPlan, Plan, RemoteWorkflow, Repo, WorkflowPlan};
use gantry_run::call::{CallNode, EnvironmentGate};
use gantry_run::eval::{self as reval, RunHost};
use gantry_run::event::{JobInfo, JobKey};
use gantry_run::job::{Checkout, JobDirs, JobSpec};
use gantry_run::resolve::Resolver;
use gantry_run::scheduler::RunJob;
use gantry_workflow::{Job, NormalJob, Workflow};

use super::calls;
use crate::cli::RunArgs;

/// GitHub's default job timeout.
const DEFAULT_TIMEOUT_MINUTES: f64 = 360.0;

/// A job's key: unique in the run.
fn job_key(wp: &WorkflowPlan, jp: &JobPlan) -> JobKey {
    match &jp.strategy {
        Some(s) if jp.matrix.is_some() => JobKey(format!("{}:{}:{}", wp.file, jp.id, s.job_index)),
        _ => JobKey(format!("{}:{}", wp.file, jp.id)),
    }
}

/// The key of a job of a called workflow: the call's key, then the job's
/// own id (and matrix index).
fn member_key(call: &JobKey, jp: &JobPlan) -> JobKey {
    let local = local_id(&jp.id);
    match &jp.strategy {
        Some(s) if jp.matrix.is_some() => JobKey(format!("{call}/{local}:{}", s.job_index)),
        _ => JobKey(format!("{call}/{local}")),
    }
}

/// A job's id in its own workflow (`caller/job` → `job`).
fn local_id(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

fn slug(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').chars().take(80).collect()
}

/// Parses `--matrix key=value` filters: a cell is kept when, for every key
/// given, its value is one of those given.
fn matrix_filter(flags: &[String]) -> Result<BTreeMap<String, Vec<String>>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in flags {
        let Some((k, v)) = f.split_once('=') else {
            bail!("--matrix `{f}` is not KEY=VALUE");
        };
        m.entry(k.trim().to_owned())
            .or_default()
            .push(v.trim().to_owned());
    }
    Ok(m)
}

fn matrix_matches(
    filter: &BTreeMap<String, Vec<String>>,
    cell: Option<&serde_json::Value>,
) -> bool {
    if filter.is_empty() {
        return true;
    }
    let Some(serde_json::Value::Object(cell)) = cell else {
        return false;
    };
    filter.iter().all(|(k, wanted)| {
        cell.get(k).is_some_and(|v| {
            let s = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            wanted.contains(&s)
        })
    })
}

pub(super) struct Prepared {
    pub jobs: Vec<RunJob>,
    pub infos: Vec<JobInfo>,
}

/// What preparing needs besides the plan.
pub(super) struct Setup<'a> {
    pub workflows: &'a HashMap<String, Arc<Workflow>>,
    pub event_github: &'a Object,
    pub args: &'a RunArgs,
    pub root: &'a Path,
    pub work_dir: PathBuf,
    pub secrets: &'a Object,
    pub vars: &'a Object,
    pub extra_env: &'a [(String, String)],
    pub run_number: u64,
    pub debug: bool,
    /// Reads called workflows.
    pub repo: &'a dyn Repo,
    /// The fetched remote reusable workflows.
    pub remotes: &'a super::remote::RemoteFiles,
    /// The deployment environments.
    pub environments: Arc<dyn EnvironmentGate>,
    /// The run gives no secrets (a pull request from a fork).
    pub withhold_secrets: bool,
    /// Fetches the actions of `uses:` steps (shared by every job).
    pub resolver: Arc<Resolver>,
    /// The event's changed files, when known.
    pub changed_files: Option<&'a [String]>,
}

/// One started expansion of a called workflow: one call (matrix cell).
struct Instance {
    key: JobKey,
    workflow: Arc<Workflow>,
    file: String,
    inputs: Value,
}

pub(super) fn prepare(plan: &Plan, s: &Setup<'_>) -> Result<Prepared> {
    let filter = matrix_filter(&s.args.matrix)?;
    let mut out = Prepared {
        jobs: Vec::new(),
        infos: Vec::new(),
    };
    let mut callees: HashMap<String, Option<Arc<Workflow>>> = HashMap::new();
    for wp in plan.triggered() {
        let Some(wf) = s.workflows.get(&wp.file) else {
            continue;
        };
        // Which jobs to run: all, or those asked for with what they need
        // (a call with all its jobs).
        let mut wanted: Option<BTreeSet<String>> = None;
        if !s.args.jobs.is_empty() {
            let mut set: BTreeSet<String> = BTreeSet::new();
            let mut todo: Vec<String> = s
                .args
                .jobs
                .iter()
                .filter(|j| wp.jobs.iter().any(|p| p.id == **j))
                .cloned()
                .collect();
            while let Some(id) = todo.pop() {
                if set.insert(id.clone()) {
                    for p in wp.jobs.iter().filter(|p| p.id == id) {
                        todo.extend(p.needs.iter().cloned());
                    }
                }
            }
            if set.is_empty() {
                continue;
            }
            wanted = Some(set);
        }
        let in_wanted = |jp: &JobPlan| {
            wanted.as_ref().is_none_or(|w| {
                w.contains(&jp.id) || w.iter().any(|x| jp.id.starts_with(&format!("{x}/")))
            })
        };
        let top_inputs = wp
            .inputs
            .as_ref()
            .map(Value::from_json)
            .unwrap_or_else(|| Value::object(Object::new()));
        // Calls being expanded: the latest instance of each call id.
        let mut instances: Vec<Instance> = Vec::new();
        let mut open: HashMap<String, Option<usize>> = HashMap::new();
        let mut keys_of: HashMap<(Option<usize>, String), Vec<JobKey>> = HashMap::new();
        // Jobs come in dependency order: what a job needs has its keys.
        for jp in &wp.jobs {
            // Where the job sits: at the top, or in an instance of a call.
            let instance = match &jp.caller {
                None => None,
                Some(c) => match open.get(c) {
                    Some(Some(i)) => Some(*i),
                    // Its call is not selected, or cannot run.
                    _ => {
                        open.insert(jp.id.clone(), None);
                        continue;
                    }
                },
            };
            let asked = s.args.jobs.is_empty() || s.args.jobs.contains(&jp.id);
            let selected = in_wanted(jp)
                && (instance.is_some()
                    || !asked
                    || jp.matrix.is_none()
                    || matrix_matches(&filter, jp.matrix.as_ref()));
            if !selected {
                open.insert(jp.id.clone(), None);
                continue;
            }
            let key = match instance {
                None => job_key(wp, jp),
                Some(i) => member_key(&instances[i].key, jp),
            };
            keys_of
                .entry((instance, jp.id.clone()))
                .or_default()
                .push(key.clone());
            // Needs: within the job's own workflow (a call's jobs wait for
            // the call, which waits for the caller's needs).
            let own_needs: Vec<&String> = jp
                .needs
                .iter()
                .filter(|n| match &jp.caller {
                    None => true,
                    Some(c) => n.starts_with(&format!("{c}/")),
                })
                .collect();
            let needs: Vec<JobKey> = own_needs
                .iter()
                .flat_map(|n| {
                    keys_of
                        .get(&(instance, (*n).clone()))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            let needs_ids: Vec<String> = own_needs.iter().map(|n| local_id(n).to_owned()).collect();
            let member_of = instance.map(|i| instances[i].key.clone());
            let mut info_needs = needs.clone();
            if info_needs.is_empty()
                && let Some(m) = &member_of
            {
                info_needs.push(m.clone());
            }
            out.infos.push(JobInfo {
                key: key.clone(),
                name: jp.name.clone(),
                workflow: wp.name.clone(),
                needs: info_needs,
            });
            // The workflow that defines the job.
            let (defining, file, inputs) = match instance {
                None => (wf.clone(), wp.file.clone(), top_inputs.clone()),
                Some(i) => (
                    instances[i].workflow.clone(),
                    instances[i].file.clone(),
                    instances[i].inputs.clone(),
                ),
            };
            let local = local_id(&jp.id);
            let Some(model) = defining.job(local).cloned() else {
                continue;
            };
            let base = Base {
                wp,
                jp,
                key: key.clone(),
                file: &file,
                workflow: defining.clone(),
                inputs,
                needs,
                needs_ids,
                member_of,
            };
            match model {
                Job::Normal(job) => {
                    let not_runnable = (!jp.runnable).then(|| {
                        jp.skip_reason
                            .clone()
                            .unwrap_or_else(|| "no runner for it here".to_owned())
                    });
                    let mut run_job = build(s, base, *job, not_runnable);
                    if run_job.spec.job.environment.is_some() {
                        run_job.environments = Some(s.environments.clone());
                    }
                    out.jobs.push(run_job);
                }
                Job::Call(call) => {
                    // The called workflow, loaded through the repository.
                    let callee = jp.callee.as_ref().and_then(|path| {
                        callees
                            .entry(path.clone())
                            .or_insert_with(|| {
                                s.repo.read(path).and_then(|src| {
                                    gantry_workflow::parse_workflow(&src).0.map(Arc::new)
                                })
                            })
                            .clone()
                            .map(|w| (path.clone(), w))
                    });
                    let placeholder = placeholder_job(&call);
                    let mut run_job = build(s, base, placeholder, None);
                    run_job.concurrency = None;
                    let node = match &callee {
                        Some((path, w)) => {
                            calls::node(&call, w, path, s.root.to_path_buf(), s.withhold_secrets)
                        }
                        None => CallNode {
                            start: Box::new(|_| Err(String::new())),
                            outputs: Vec::new(),
                            error: Some(call_error(jp)),
                        },
                    };
                    run_job.call = Some(node);
                    if let Some((path, w)) = callee {
                        let inputs = jp
                            .call_inputs
                            .as_ref()
                            .map(Value::from_json)
                            .unwrap_or_else(|| Value::object(Object::new()));
                        instances.push(Instance {
                            key: key.clone(),
                            workflow: w,
                            file: path,
                            inputs,
                        });
                        open.insert(jp.id.clone(), Some(instances.len() - 1));
                    } else {
                        open.insert(jp.id.clone(), None);
                    }
                    out.jobs.push(run_job);
                }
            }
        }
    }
    Ok(out)
}

/// Why a call cannot run: a remote workflow (not fetched yet), or what
/// the planner found.
fn call_error(jp: &JobPlan) -> String {
    let uses = jp.uses.as_deref().unwrap_or("?");
    if jp
        .callee
        .as_deref()
        .and_then(RemoteWorkflow::parse)
        .is_some()
    {
        return format!("the remote reusable workflow '{uses}' was not fetched");
    }
    match &jp.skip_reason {
        Some(r) => format!("the call cannot run: {r}"),
        None => format!("cannot read the called workflow '{uses}'"),
    }
}

/// A call runs no steps: its spec holds the call's shared keys only.
fn placeholder_job(call: &gantry_workflow::CallJob) -> NormalJob {
    NormalJob {
        common: call.common.clone(),
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
    }
}

/// What [`build`] needs to know about a job besides its model.
struct Base<'a> {
    wp: &'a WorkflowPlan,
    jp: &'a JobPlan,
    key: JobKey,
    /// The file of the workflow that defines the job.
    file: &'a str,
    workflow: Arc<Workflow>,
    inputs: Value,
    needs: Vec<JobKey>,
    needs_ids: Vec<String>,
    member_of: Option<JobKey>,
}

/// A scheduler job (or call node) with its spec and contexts.
fn build(s: &Setup<'_>, b: Base<'_>, job: NormalJob, not_runnable: Option<String>) -> RunJob {
    let (wp, jp) = (b.wp, b.jp);
    let sha = s.event_github.get("sha").map(Value::to_display_string);
    let event_json = s
        .event_github
        .get("event")
        .map(|e| e.to_json().to_string())
        .unwrap_or_else(|| "{}".into());
    // Contexts. Inside a called workflow `github` is the caller's, but
    // `workflow_ref` and `job_workflow_sha` describe the called workflow.
    let mut github = s.event_github.clone();
    github.set("workflow", Value::from(wp.name.as_str()));
    github.set("job", Value::from(local_id(&jp.id)));
    github.set("run_number", Value::from(s.run_number.to_string()));
    github.set("run_id", Value::from(s.run_number.to_string()));
    let repo_name = github
        .get("repository")
        .map(Value::to_display_string)
        .unwrap_or_default();
    let git_ref = github
        .get("ref")
        .map(Value::to_display_string)
        .unwrap_or_default();
    github.set(
        "workflow_ref",
        Value::from(format!("{repo_name}/{}@{git_ref}", wp.file)),
    );
    if b.member_of.is_some() {
        // A remote callee: its own repository and commit.
        let (workflow_ref, workflow_sha) = match RemoteWorkflow::parse(b.file) {
            Some(r) => (r.key(), s.remotes.sha(b.file).map(str::to_owned)),
            None => (format!("{repo_name}/{}@{git_ref}", b.file), sha.clone()),
        };
        github.set(
            "job_workflow_sha",
            Value::from(workflow_sha.unwrap_or_default()),
        );
        github.set("workflow_ref", Value::from(workflow_ref));
    }
    let slug_name = if b.member_of.is_some() {
        slug(&b.key.0.replace(".github/workflows/", ""))
    } else {
        slug(&format!(
            "{}-{}",
            wp.file.trim_start_matches(".github/workflows/"),
            jp.name
        ))
    };
    let dir: PathBuf = s.work_dir.join(&slug_name);
    let dirs = JobDirs {
        workspace: dir.join("workspace"),
        temp: dir.join("temp"),
        tool_cache: dir.join("tool-cache"),
    };
    let event_path = dirs
        .temp
        .join(gantry_run::workspace::EVENT_DIR)
        .join("event.json");
    github.set(
        "workspace",
        Value::from(dirs.workspace.to_string_lossy().as_ref()),
    );
    github.set(
        "event_path",
        Value::from(event_path.to_string_lossy().as_ref()),
    );
    let matrix = jp
        .matrix
        .as_ref()
        .map(Value::from_json)
        .unwrap_or_else(|| Value::object(Object::new()));
    let strategy_model = job.common.strategy.as_ref();
    let mut contexts = Object::new();
    contexts.insert("github", Value::object(github.clone()));
    contexts.insert("matrix", matrix);
    contexts.insert("inputs", b.inputs);
    contexts.insert("vars", Value::object(s.vars.clone()));
    contexts.insert("secrets", Value::object(s.secrets.clone()));
    contexts.insert("needs", Value::object(Object::new()));
    let host = RunHost {
        contexts: &contexts,
        status: Status::Success,
        workspace: s.root,
    };
    // `container:` and `services:` need a Docker engine: skipped with
    // --skip-container-jobs, else the job fails as it would start.
    let containers = job_containers(&job, &host);
    let mut not_runnable = not_runnable;
    let mut start_error = None;
    if !containers.is_empty() {
        if s.args.skip_container_jobs {
            not_runnable.get_or_insert_with(|| {
                format!("{} (--skip-container-jobs)", containers.describe())
            });
        } else {
            let env: BTreeMap<String, String> = std::env::vars().collect();
            start_error =
                gantry_run::docker::decide_job(&gantry_run::docker::probe(&env), &containers).err();
        }
    }
    let fail_fast = strategy_model
        .and_then(|st| st.fail_fast.as_ref())
        .map(|f| reval::boolean(f, &host).unwrap_or(true))
        .unwrap_or(true);
    let max_parallel = strategy_model
        .and_then(|st| st.max_parallel.as_ref())
        .and_then(|n| reval::number(n, &host).ok())
        .filter(|n| *n >= 1.0)
        .map(|n| n as usize);
    let total = jp.strategy.map_or(1.0, |st| st.job_total as f64);
    let mut strategy = Object::new();
    strategy.insert("fail-fast", Value::Bool(fail_fast));
    strategy.insert(
        "job-index",
        Value::Number(jp.strategy.map_or(0.0, |st| st.job_index as f64)),
    );
    strategy.insert("job-total", Value::Number(total));
    strategy.insert(
        "max-parallel",
        Value::Number(max_parallel.map_or(total, |m| m as f64)),
    );
    contexts.insert("strategy", Value::object(strategy));
    let host = RunHost {
        contexts: &contexts,
        status: Status::Success,
        workspace: s.root,
    };
    let timeout_minutes = job
        .timeout_minutes
        .as_ref()
        .and_then(|n| reval::number(n, &host).ok())
        .filter(|m| *m > 0.0)
        .unwrap_or(DEFAULT_TIMEOUT_MINUTES);
    let continue_on_error = job
        .continue_on_error
        .as_ref()
        .map(|c| reval::boolean(c, &host).unwrap_or(false))
        .unwrap_or(false);
    let concurrency = jp.concurrency.as_ref().map(|c| {
        let cancel = match c.cancel_in_progress.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(expr) => {
                let es =
                    gantry_workflow::ExprString::new(expr, gantry_diagnostics::Span::default());
                reval::value(&es, &host)
                    .map(|v| v.is_truthy())
                    .unwrap_or(false)
            }
        };
        (c.group.clone(), cancel)
    });
    let base_env =
        gantry_run::runner_env::base_env(std::env::vars(), &github, &dirs, &event_path, s.debug);
    let matrix_group = jp.matrix.as_ref().map(|_| match &b.member_of {
        None => format!("{}:{}", wp.file, jp.id),
        Some(m) => format!("{m}/{}", local_id(&jp.id)),
    });
    let spec = JobSpec {
        key: b.key,
        name: jp.name.clone(),
        workflow: b.workflow,
        job: job.clone(),
        contexts,
        dirs,
        base_env,
        timeout: Duration::from_secs_f64(timeout_minutes * 60.0),
        debug: s.debug,
        checkout: Some(Checkout {
            repo: s.root.to_path_buf(),
            sha,
        }),
        extra_env: s.extra_env.to_vec(),
        event_json,
        keep_workspace: s.args.keep_workspaces,
        resolver: s.resolver.clone(),
        action_env: Vec::new(),
        changed_files: s.changed_files.map(<[String]>::to_vec),
    };
    RunJob {
        spec,
        job_id: local_id(&jp.id).to_owned(),
        needs: b.needs,
        needs_ids: b.needs_ids,
        condition: job.common.condition.clone(),
        matrix_group,
        fail_fast,
        max_parallel,
        continue_on_error,
        concurrency,
        not_runnable,
        start_error,
        call: None,
        member_of: b.member_of,
        environments: None,
    }
}

/// The job's `container:` image (evaluated with what is known before the
/// job starts; an empty one is no container) and `services:` names.
fn job_containers(job: &NormalJob, host: &RunHost<'_>) -> gantry_run::docker::JobContainers {
    let image = job
        .container
        .as_ref()
        .and_then(|c| c.image.as_ref())
        .map(|i| reval::string(i, host).unwrap_or_else(|_| i.raw.clone()))
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty());
    let services = match &job.services {
        None => Some(Vec::new()),
        Some(gantry_workflow::Services::Map { services, .. }) => {
            Some(services.iter().map(|(n, _)| n.value.clone()).collect())
        }
        Some(gantry_workflow::Services::Expr(_)) => None,
    };
    gantry_run::docker::JobContainers { image, services }
}
