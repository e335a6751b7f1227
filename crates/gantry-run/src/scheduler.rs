//! The run loop: a true dependency graph (a job starts as soon as its own
//! `needs` are done), up to `jobs` at once, matrix `max-parallel`,
//! `fail-fast`, job-level `if` with GitHub's status semantics (including
//! transitive skips), `concurrency` groups with `cancel-in-progress`, and
//! cancellation of the whole run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use gantry_expr::{Function, Host, Object, Value};
use gantry_workflow::Condition;
use tokio::sync::{Semaphore, mpsc, watch};

use crate::actions::Registry;
use crate::call::{self, CallNode, CallStart, EnvironmentGate};
use crate::event::{Conclusion, Event, JobKey, Sink};
use crate::job::{self, JobOutcome, JobSpec};
use crate::mask::Masker;

/// A job ready to be scheduled (one matrix cell).
pub struct RunJob {
    pub spec: JobSpec,
    /// The job's id in its workflow (`needs` names these).
    pub job_id: String,
    /// Jobs this one waits for (every matrix cell of each needed job).
    pub needs: Vec<JobKey>,
    /// The ids of the needed jobs, for the `needs` context.
    pub needs_ids: Vec<String>,
    /// The job's `if:`.
    pub condition: Option<Condition>,
    /// Cells of one matrix share a group: fail-fast and max-parallel apply
    /// within it.
    pub matrix_group: Option<String>,
    pub fail_fast: bool,
    pub max_parallel: Option<usize>,
    /// `continue-on-error` of the job, evaluated.
    pub continue_on_error: bool,
    /// The evaluated `concurrency` group and whether it cancels in progress.
    pub concurrency: Option<(String, bool)>,
    /// Why the job cannot run here (e.g. a macOS runner); it is skipped.
    pub not_runnable: Option<String>,
    /// Why the job fails as it would start (after its `if:`), e.g. a
    /// container it needs and cannot have here.
    pub start_error: Option<String>,
    /// For a reusable-workflow call (one matrix cell of the calling job):
    /// the call. It runs no steps: its jobs (those whose `member_of` is its
    /// key) start once it has started, and it ends when they all have.
    pub call: Option<CallNode>,
    /// The call this job belongs to, for the jobs of a called workflow:
    /// they get the call's `inputs` and `secrets`.
    pub member_of: Option<JobKey>,
    /// The deployment environments, for a job with `environment:`.
    pub environments: Option<Arc<dyn EnvironmentGate>>,
}

/// The outcome of a whole run.
pub struct RunOutcome {
    pub result: Conclusion,
    pub jobs: BTreeMap<JobKey, Conclusion>,
}

/// How the job-level `if` sees its ancestors.
struct JobLevelHost<'a> {
    contexts: &'a Object,
    success: bool,
    failure: bool,
    cancelled: bool,
}

impl Host for JobLevelHost<'_> {
    fn context(&self, name: &str) -> Option<Value> {
        self.contexts.get(name).cloned()
    }

    fn status(&self, f: Function) -> bool {
        match f {
            Function::Always => true,
            Function::Success => self.success,
            Function::Failure => self.failure,
            Function::Cancelled => self.cancelled,
            _ => false,
        }
    }
}

/// Runs every job. `parallelism` bounds concurrent jobs; `cancel` cancels
/// the run (Ctrl-C).
pub async fn run(
    jobs: Vec<RunJob>,
    parallelism: usize,
    sink: Arc<dyn Sink>,
    masker: Masker,
    registry: Arc<Registry>,
    cancel: watch::Receiver<bool>,
) -> RunOutcome {
    let started = Instant::now();
    let n = jobs.len();
    let keys: Vec<JobKey> = jobs.iter().map(|j| j.spec.key.clone()).collect();
    let index: HashMap<JobKey, usize> = keys
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, k)| (k, i))
        .collect();
    // Transitive ancestors of each job.
    let mut ancestors: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    fn collect(
        i: usize,
        jobs: &[RunJob],
        index: &HashMap<JobKey, usize>,
        seen: &mut BTreeSet<usize>,
        depth: usize,
    ) {
        if depth > 512 {
            return;
        }
        for k in &jobs[i].needs {
            if let Some(&j) = index.get(k)
                && seen.insert(j)
            {
                collect(j, jobs, index, seen, depth + 1);
            }
        }
    }
    for (i, a) in ancestors.iter_mut().enumerate() {
        collect(i, &jobs, &index, a, 0);
    }

    let mut results: Vec<Option<JobOutcome>> = vec![None; n];
    let mut running: BTreeSet<usize> = BTreeSet::new();
    let mut job_cancels: HashMap<usize, watch::Sender<bool>> = HashMap::new();
    let mut busy_groups: HashMap<String, usize> = HashMap::new();
    let mut pending_groups: HashMap<String, usize> = HashMap::new();
    let mut group_running: HashMap<String, usize> = HashMap::new();
    let mut failed_matrices: BTreeSet<String> = BTreeSet::new();
    let slots = Arc::new(Semaphore::new(parallelism.max(1)));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(usize, JobOutcome)>();
    let jobs: Vec<Arc<RunJob>> = jobs.into_iter().map(Arc::new).collect();
    let mut cancel_rx = cancel.clone();
    let mut run_cancelled = *cancel.borrow();
    // Calls: the parent of each member, the members of each call, the
    // calls that started (with what they give their jobs) and when.
    let parent: Vec<Option<usize>> = jobs
        .iter()
        .map(|j| j.member_of.as_ref().and_then(|k| index.get(k).copied()))
        .collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, p) in parent.iter().enumerate() {
        if let Some(p) = p {
            members[*p].push(i);
        }
    }
    let mut started_calls: HashMap<usize, (Arc<CallStart>, Instant)> = HashMap::new();
    let mut finish_order: Vec<usize> = Vec::new();

    loop {
        // Start or skip every job whose needs are done.
        let mut progressed = true;
        while progressed {
            progressed = false;
            // Calls whose jobs have all finished end now.
            let ended: Vec<usize> = started_calls
                .keys()
                .copied()
                .filter(|&c| members[c].iter().all(|&m| results[m].is_some()))
                .collect();
            for c in ended {
                let Some((start, t0)) = started_calls.remove(&c) else {
                    continue;
                };
                let outcome = finish_call(&jobs, c, &members[c], &results, &start);
                if let Some(g) = &jobs[c].matrix_group
                    && let Some(x) = group_running.get_mut(g)
                {
                    *x = x.saturating_sub(1);
                }
                if outcome.result == Conclusion::Failure
                    && jobs[c].fail_fast
                    && let Some(g) = &jobs[c].matrix_group
                {
                    failed_matrices.insert(g.clone());
                }
                sink.emit(Event::JobFinished {
                    job: jobs[c].spec.key.clone(),
                    name: jobs[c].spec.name.clone(),
                    result: outcome.result,
                    outputs: outcome.outputs.clone(),
                    duration_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
                });
                results[c] = Some(outcome);
                finish_order.push(c);
                progressed = true;
            }
            for i in 0..n {
                if results[i].is_some() || running.contains(&i) || started_calls.contains_key(&i) {
                    continue;
                }
                // The jobs of a call wait for it to start.
                if let Some(p) = parent[i]
                    && !started_calls.contains_key(&p)
                {
                    continue;
                }
                let job = &jobs[i];
                let needs_done = job
                    .needs
                    .iter()
                    .all(|k| index.get(k).is_none_or(|&j| results[j].is_some()));
                if !needs_done {
                    continue;
                }
                if let Some(reason) = &job.not_runnable {
                    end_unrun(
                        i,
                        Conclusion::Skipped,
                        reason.clone(),
                        &jobs,
                        &members,
                        &mut results,
                        sink.as_ref(),
                    );
                    progressed = true;
                    continue;
                }
                if job
                    .matrix_group
                    .as_ref()
                    .is_some_and(|g| failed_matrices.contains(g))
                    && job.fail_fast
                {
                    end_unrun(
                        i,
                        Conclusion::Cancelled,
                        "cancelled by fail-fast: another cell of the matrix failed".into(),
                        &jobs,
                        &members,
                        &mut results,
                        sink.as_ref(),
                    );
                    progressed = true;
                    continue;
                }
                // Job-level `if` with the needs context.
                let anc = &ancestors[i];
                let all_ok = anc.iter().all(|&a| {
                    matches!(
                        results[a].as_ref().map(|r| r.result),
                        Some(Conclusion::Success)
                    )
                });
                let any_failed = anc.iter().any(|&a| {
                    matches!(
                        results[a].as_ref().map(|r| r.result),
                        Some(Conclusion::Failure)
                    )
                });
                let mut contexts = job.spec.contexts.clone();
                contexts.set(
                    "needs",
                    needs_context(job, &jobs, &index, &results, &finish_order),
                );
                if let Some((start, _)) = parent[i].and_then(|p| started_calls.get(&p)) {
                    contexts.set("inputs", start.inputs.clone());
                    contexts.set("secrets", Value::object(start.secrets.clone()));
                }
                let host = JobLevelHost {
                    contexts: &contexts,
                    success: all_ok && !run_cancelled,
                    failure: any_failed,
                    cancelled: run_cancelled,
                };
                let run_it = match evaluate_if(job.condition.as_ref(), &host) {
                    Ok(b) => b,
                    Err(e) => {
                        end_unrun(
                            i,
                            Conclusion::Failure,
                            format!("if: {e}"),
                            &jobs,
                            &members,
                            &mut results,
                            sink.as_ref(),
                        );
                        progressed = true;
                        continue;
                    }
                };
                if !run_it {
                    let reason = if run_cancelled {
                        "the run was cancelled".to_owned()
                    } else if let Some(c) = &job.condition {
                        condition_false(c)
                    } else {
                        "a job it needs did not succeed".to_owned()
                    };
                    end_unrun(
                        i,
                        Conclusion::Skipped,
                        reason,
                        &jobs,
                        &members,
                        &mut results,
                        sink.as_ref(),
                    );
                    progressed = true;
                    continue;
                }
                if let Some(reason) = &job.start_error {
                    end_unrun(
                        i,
                        Conclusion::Failure,
                        reason.clone(),
                        &jobs,
                        &members,
                        &mut results,
                        sink.as_ref(),
                    );
                    progressed = true;
                    continue;
                }
                // max-parallel within a matrix.
                if let (Some(g), Some(max)) = (&job.matrix_group, job.max_parallel)
                    && group_running.get(g).copied().unwrap_or(0) >= max.max(1)
                {
                    continue;
                }
                // Concurrency groups: one job runs per group; with
                // cancel-in-progress a newer job cancels the running one,
                // otherwise it waits, and a newer waiting job cancels an
                // older waiting one (GitHub keeps one pending per group).
                if let Some((group, cancel_in_progress)) = &job.concurrency {
                    if let Some(&holder) = busy_groups.get(group) {
                        if *cancel_in_progress && let Some(tx) = job_cancels.get(&holder) {
                            let _ = tx.send(true);
                        }
                        match pending_groups.get(group) {
                            Some(&older) if older != i => {
                                sink.emit(Event::JobSkipped {
 result: Conclusion::Cancelled,
                                    job: jobs[older].spec.key.clone(),
                                    reason: format!("cancelled: a newer job of concurrency group `{group}` is waiting"),
                                });
                                results[older] = Some(JobOutcome {
                                    result: Conclusion::Cancelled,
                                    outputs: BTreeMap::new(),
                                });
                                pending_groups.insert(group.clone(), i);
                                progressed = true;
                            }
                            Some(_) => {}
                            None => {
                                sink.emit(Event::JobWaiting {
                                    job: job.spec.key.clone(),
                                    reason: format!("waiting for concurrency group `{group}`"),
                                });
                                pending_groups.insert(group.clone(), i);
                            }
                        }
                        continue;
                    }
                    if pending_groups.get(group) == Some(&i) {
                        pending_groups.remove(group);
                    }
                    busy_groups.insert(group.clone(), i);
                }
                // A call starts: its `with:` and `secrets:` are evaluated,
                // and its jobs may start.
                if let Some(node) = &job.call {
                    let started = match &node.error {
                        Some(e) => Err(e.clone()),
                        None => (node.start)(&contexts),
                    };
                    match started {
                        Ok(start) => {
                            for (_, v) in start.secrets.iter() {
                                masker.add_secret(&v.to_display_string());
                            }
                            if let Some(g) = &job.matrix_group {
                                *group_running.entry(g.clone()).or_default() += 1;
                            }
                            started_calls.insert(i, (Arc::new(start), Instant::now()));
                        }
                        Err(e) => {
                            end_unrun(
                                i,
                                Conclusion::Failure,
                                masker.mask(&e),
                                &jobs,
                                &members,
                                &mut results,
                                sink.as_ref(),
                            );
                            finish_order.push(i);
                            if job.fail_fast
                                && let Some(g) = &job.matrix_group
                            {
                                failed_matrices.insert(g.clone());
                            }
                        }
                    }
                    progressed = true;
                    continue;
                }
                // Start it.
                let environment = job
                    .environments
                    .as_ref()
                    .and_then(|gate| environment_of(job, &contexts, gate));
                if let Some((name, url, _)) = &environment {
                    sink.emit(Event::JobEnvironment {
                        job: job.spec.key.clone(),
                        name: masker.mask(name),
                        url: url.as_ref().map(|u| masker.mask(u)),
                    });
                }
                let mut spec_contexts = contexts;
                spec_contexts.set(
                    "needs",
                    needs_context(job, &jobs, &index, &results, &finish_order),
                );
                let (tx, rx) = watch::channel(run_cancelled);
                job_cancels.insert(i, tx);
                running.insert(i);
                if let Some(g) = &job.matrix_group {
                    *group_running.entry(g.clone()).or_default() += 1;
                }
                let job = job.clone();
                let sink = sink.clone();
                let masker = masker.clone();
                let registry = registry.clone();
                let slots = slots.clone();
                let done = done_tx.clone();
                tokio::spawn(async move {
                    let _permit = slots.acquire_owned().await;
                    if let Some((name, _, gate)) = environment {
                        match enter_environment(
                            &job,
                            &name,
                            gate,
                            &mut spec_contexts,
                            sink.as_ref(),
                            &masker,
                            rx.clone(),
                        )
                        .await
                        {
                            Ok(()) => {}
                            Err(outcome) => {
                                let _ = done.send((i, outcome));
                                return;
                            }
                        }
                    }
                    let spec = JobSpec {
                        contexts: spec_contexts,
                        ..clone_spec(&job.spec)
                    };
                    let outcome = job::run(&spec, sink.as_ref(), &masker, &registry, rx).await;
                    let _ = done.send((i, outcome));
                });
                progressed = true;
            }
        }
        if running.is_empty() {
            if results.iter().all(Option::is_some) {
                break;
            }
            // Nothing runs and nothing can start: jobs wait on something
            // that never finishes (should not happen after planning).
            for i in 0..n {
                if results[i].is_none() {
                    sink.emit(Event::JobSkipped {
                        result: Conclusion::Skipped,
                        job: jobs[i].spec.key.clone(),
                        reason: "its needs can never complete".into(),
                    });
                    results[i] = Some(JobOutcome {
                        result: Conclusion::Skipped,
                        outputs: BTreeMap::new(),
                    });
                }
            }
            break;
        }
        tokio::select! {
            Some((i, mut outcome)) = done_rx.recv() => {
                running.remove(&i);
                job_cancels.remove(&i);
                let job = &jobs[i];
                if let Some(g) = &job.matrix_group
                    && let Some(c) = group_running.get_mut(g) { *c = c.saturating_sub(1); }
                if let Some((group, _)) = &job.concurrency
                    && busy_groups.get(group) == Some(&i) { busy_groups.remove(group); }
                if outcome.result == Conclusion::Failure && job.continue_on_error {
                    outcome.result = Conclusion::Success;
                }
                if outcome.result == Conclusion::Failure && job.fail_fast
                    && let Some(g) = &job.matrix_group {
                        failed_matrices.insert(g.clone());
                        for (&j, tx) in &job_cancels {
                            if jobs[j].matrix_group.as_ref() == Some(g) {
                                let _ = tx.send(true);
                            }
                        }
                    }
                results[i] = Some(outcome);
                finish_order.push(i);
            }
            changed = cancel_rx.changed(), if !run_cancelled => {
                if changed.is_err() || *cancel_rx.borrow() {
                    run_cancelled = true;
                    for tx in job_cancels.values() {
                        let _ = tx.send(true);
                    }
                }
            }
        }
    }

    let mut by_key = BTreeMap::new();
    let mut any_failed = false;
    let mut any_cancelled = false;
    for (i, r) in results.iter().enumerate() {
        let c = r.as_ref().map_or(Conclusion::Skipped, |r| r.result);
        any_failed |= c == Conclusion::Failure;
        any_cancelled |= c == Conclusion::Cancelled;
        by_key.insert(keys[i].clone(), c);
    }
    let result = if any_failed {
        Conclusion::Failure
    } else if any_cancelled || run_cancelled {
        Conclusion::Cancelled
    } else {
        Conclusion::Success
    };
    sink.emit(Event::RunFinished {
        result,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    });
    RunOutcome {
        result,
        jobs: by_key,
    }
}

fn clone_spec(s: &JobSpec) -> JobSpec {
    JobSpec {
        key: s.key.clone(),
        name: s.name.clone(),
        workflow: s.workflow.clone(),
        job: s.job.clone(),
        contexts: s.contexts.clone(),
        dirs: s.dirs.clone(),
        base_env: s.base_env.clone(),
        timeout: s.timeout,
        debug: s.debug,
        checkout: s.checkout.clone(),
        extra_env: s.extra_env.clone(),
        event_json: s.event_json.clone(),
        keep_workspace: s.keep_workspace,
        resolver: s.resolver.clone(),
        action_env: s.action_env.clone(),
        changed_files: s.changed_files.clone(),
    }
}

/// `needs.<id>.result` and `.outputs`. For a matrix job, GitHub reports
/// the combined result, and the outputs of the last cell to finish win.
fn needs_context(
    job: &RunJob,
    jobs: &[Arc<RunJob>],
    index: &HashMap<JobKey, usize>,
    results: &[Option<JobOutcome>],
    finish_order: &[usize],
) -> Value {
    let mut needs = Object::new();
    for id in &job.needs_ids {
        let cells: Vec<usize> = job
            .needs
            .iter()
            .filter_map(|k| index.get(k).copied())
            .filter(|&j| {
                jobs[j].job_id == *id && Arc::ptr_eq(&jobs[j].spec.workflow, &job.spec.workflow)
            })
            .collect();
        let mut outputs = BTreeMap::new();
        let mut result = Conclusion::Success;
        for &c in &cells {
            if let Some(r) = &results[c] {
                outputs.extend(r.outputs.clone());
                result = match (result, r.result) {
                    (_, Conclusion::Failure) | (Conclusion::Failure, _) => Conclusion::Failure,
                    (_, Conclusion::Cancelled) | (Conclusion::Cancelled, _) => {
                        Conclusion::Cancelled
                    }
                    (Conclusion::Skipped, _) | (_, Conclusion::Skipped) => Conclusion::Skipped,
                    _ => Conclusion::Success,
                };
            }
        }
        if cells.is_empty() {
            result = Conclusion::Skipped;
        }
        // A matrix of calls: GitHub keeps, per output, the last successful
        // call's non-empty value.
        if cells.len() > 1 && cells.iter().all(|&c| jobs[c].call.is_some()) {
            let ordered = finish_order
                .iter()
                .filter(|f| cells.contains(f))
                .filter_map(|&f| results[f].as_ref())
                .map(|r| (r.result, &r.outputs));
            outputs = call::matrix_call_outputs(ordered);
        }
        let mut o = Object::new();
        o.insert("result", Value::from(result.as_str()));
        o.insert("outputs", crate::eval::object(&outputs));
        needs.insert(id.clone(), Value::object(o));
    }
    Value::object(needs)
}

/// Why a job whose `if:` is false was skipped, naming the condition
/// (shortened when it is long).
fn condition_false(c: &Condition) -> String {
    let text = match c {
        Condition::Bool(b) => b.value.to_string(),
        Condition::Expr(es) => es.raw.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    const MAX: usize = 80;
    let shown = if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        text
    };
    format!("its `if:` condition is false: {shown}")
}

fn evaluate_if(c: Option<&Condition>, host: &JobLevelHost<'_>) -> Result<bool, String> {
    match c {
        None => Ok(host.success),
        Some(Condition::Bool(b)) => Ok(host.success && b.value),
        Some(Condition::Expr(es)) => {
            let cond =
                gantry_expr::Condition::parse(&es.raw, &gantry_expr::ParseOptions::default())
                    .map_err(|e| e.to_string())?;
            cond.evaluate(host).map_err(|e| e.to_string())
        }
    }
}

/// Marks every job of a call that will not start (skipped, failed before
/// it started), and of the calls inside it, as skipped.
/// Ends job `i` without running it: reported (with `reason`), its result
/// recorded, and, for a call, the jobs of the called workflow skipped.
fn end_unrun(
    i: usize,
    result: Conclusion,
    reason: String,
    jobs: &[Arc<RunJob>],
    members: &[Vec<usize>],
    results: &mut [Option<JobOutcome>],
    sink: &dyn Sink,
) {
    sink.emit(Event::JobSkipped {
        result,
        job: jobs[i].spec.key.clone(),
        reason,
    });
    results[i] = Some(JobOutcome {
        result,
        outputs: BTreeMap::new(),
    });
    skip_members(i, jobs, members, results, sink);
}

fn skip_members(
    call: usize,
    jobs: &[Arc<RunJob>],
    members: &[Vec<usize>],
    results: &mut [Option<JobOutcome>],
    sink: &dyn Sink,
) {
    for &m in &members[call] {
        if results[m].is_some() {
            continue;
        }
        sink.emit(Event::JobSkipped {
            result: Conclusion::Skipped,
            job: jobs[m].spec.key.clone(),
            reason: format!("the call `{}` did not run", jobs[call].spec.name),
        });
        results[m] = Some(JobOutcome {
            result: Conclusion::Skipped,
            outputs: BTreeMap::new(),
        });
        skip_members(m, jobs, members, results, sink);
    }
}

/// The result and outputs of a call whose jobs have all finished.
fn finish_call(
    jobs: &[Arc<RunJob>],
    c: usize,
    members: &[usize],
    results: &[Option<JobOutcome>],
    start: &CallStart,
) -> JobOutcome {
    let finished: Vec<(String, Conclusion, BTreeMap<String, String>)> = members
        .iter()
        .filter_map(|&m| {
            results[m]
                .as_ref()
                .map(|r| (jobs[m].job_id.clone(), r.result, r.outputs.clone()))
        })
        .collect();
    let mut result = call::call_result(finished.iter().map(|f| f.1));
    let mut outputs = BTreeMap::new();
    if let Some(node) = &jobs[c].call {
        let mut cx = jobs[c].spec.contexts.clone();
        cx.set("inputs", start.inputs.clone());
        let (out, errors) = call::call_outputs(
            &node.outputs,
            &cx,
            call::jobs_context(&finished),
            &jobs[c].spec.dirs.workspace,
        );
        if !errors.is_empty() && result == Conclusion::Success {
            result = Conclusion::Failure;
        }
        outputs = out;
    }
    JobOutcome { result, outputs }
}

/// A job's environment: its name and URL evaluated (an empty name is no
/// environment).
fn environment_of(
    job: &RunJob,
    contexts: &Object,
    gate: &Arc<dyn EnvironmentGate>,
) -> Option<(String, Option<String>, Arc<dyn EnvironmentGate>)> {
    let env = job.spec.job.environment.as_ref()?;
    let host = crate::eval::RunHost {
        contexts,
        status: gantry_expr::Status::Success,
        workspace: &job.spec.dirs.workspace,
    };
    let name = env
        .name
        .as_ref()
        .map(|n| crate::eval::string(n, &host).unwrap_or_else(|_| n.raw.clone()))
        .unwrap_or_default();
    if name.trim().is_empty() {
        return None;
    }
    let url = env
        .url
        .as_ref()
        .and_then(|u| crate::eval::string(u, &host).ok())
        .filter(|u| !u.is_empty());
    Some((name, url, gate.clone()))
}

/// Passes a job through its environment's protection rules (approval,
/// branches, wait timer) and gives it the environment's secrets and
/// variables; a job that may not enter fails at once.
async fn enter_environment(
    job: &RunJob,
    name: &str,
    gate: Arc<dyn EnvironmentGate>,
    contexts: &mut Object,
    sink: &dyn Sink,
    masker: &Masker,
    mut cancel: watch::Receiver<bool>,
) -> Result<(), JobOutcome> {
    let fail = |reason: String, result: Conclusion| {
        sink.emit(Event::JobSkipped {
            result,
            job: job.spec.key.clone(),
            reason: masker.mask(&reason),
        });
        JobOutcome {
            result,
            outputs: BTreeMap::new(),
        }
    };
    let github = contexts
        .get("github")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let (env, job_name) = (name.to_owned(), job.spec.name.clone());
    let admitted = tokio::task::spawn_blocking(move || gate.admit(&env, &job_name, &github)).await;
    let admission = match admitted {
        Ok(Ok(a)) => a,
        Ok(Err(e)) => return Err(fail(e, Conclusion::Failure)),
        Err(e) => {
            return Err(fail(
                format!("environment '{name}': {e}"),
                Conclusion::Failure,
            ));
        }
    };
    if !admission.wait.is_zero() {
        sink.emit(Event::JobWaiting {
            job: job.spec.key.clone(),
            reason: format!(
                "wait timer of environment '{name}': {}s",
                admission.wait.as_secs_f64()
            ),
        });
        tokio::select! {
            () = tokio::time::sleep(admission.wait) => {}
            _ = cancel.wait_for(|c| *c) => {
                return Err(fail("the run was cancelled".to_owned(), Conclusion::Cancelled));
            }
        }
    }
    for (k, v) in [("secrets", &admission.secrets), ("vars", &admission.vars)] {
        let mut o = contexts
            .get(k)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (key, value) in v.iter() {
            if k == "secrets" {
                masker.add_secret(value);
            }
            o.set(key.clone(), Value::from(value.as_str()));
        }
        contexts.set(k, Value::object(o));
    }
    Ok(())
}
