//! `gantry run`: plan the event, then run the triggered workflows' jobs on
//! this machine as a GitHub runner would, reporting live and recording the
//! run under `.gantry/`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use gantry_events::{Git, WorktreeRepo, build_event_with};
use gantry_expr::{Object, Status, Value};
use gantry_plan::{JobKind, JobPlan, Plan, PlanOptions, WorkflowPlan, plan};
use gantry_report::{
    Fanout, JsonReporter, PlainOptions, PlainReporter, ProgressOptions, ProgressReporter,
};
use gantry_run::actions::Registry;
use gantry_run::eval::{self as reval, RunHost};
use gantry_run::event::{Conclusion, Event, JobInfo, JobKey, Sink};
use gantry_run::job::{Checkout, JobDirs, JobSpec};
use gantry_run::mask::Masker;
use gantry_run::scheduler::{self, RunJob};
use gantry_store::{Store, StoreSink};
use gantry_workflow::{Job, Workflow};
use tokio::sync::watch;

use super::plan::{colour, event_options, load_workflows, platforms, workflow_paths};
use crate::cli::{RunArgs, RunFormat};
use crate::exit::Exit;
use crate::style;

/// GitHub's default job timeout.
const DEFAULT_TIMEOUT_MINUTES: f64 = 360.0;

/// `KEY=VALUE` pairs from flags, then from a dotenv file (flags win).
fn pairs(flags: &[String], file: Option<&Path>, what: &str) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(f) = file {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read {what} file {}", f.display()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((k, v)) = line.split_once('=') else {
                bail!("{}:{}: expected KEY=VALUE", f.display(), n + 1);
            };
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .map(|x| x.replace("\\n", "\n"))
                .or_else(|| {
                    v.strip_prefix('\'')
                        .and_then(|x| x.strip_suffix('\''))
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| v.to_owned());
            out.push((k.trim().to_owned(), v));
        }
    }
    for f in flags {
        let Some((k, v)) = f.split_once('=') else {
            bail!("--{what} `{f}` is not KEY=VALUE");
        };
        if k.trim().is_empty() {
            bail!("--{what} `{f}` has an empty name");
        }
        out.push((k.trim().to_owned(), v.to_owned()));
    }
    Ok(out)
}

fn object_of(pairs: &[(String, String)]) -> Object {
    let mut o = Object::new();
    for (k, v) in pairs {
        o.set(k.clone(), Value::from(v.as_str()));
    }
    o
}

/// A job's key: unique in the run.
fn job_key(wp: &WorkflowPlan, jp: &JobPlan) -> JobKey {
    match &jp.strategy {
        Some(s) if jp.matrix.is_some() => JobKey(format!("{}:{}:{}", wp.file, jp.id, s.job_index)),
        _ => JobKey(format!("{}:{}", wp.file, jp.id)),
    }
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

struct Prepared {
    jobs: Vec<RunJob>,
    infos: Vec<JobInfo>,
}

#[allow(clippy::too_many_arguments)]
fn prepare(
    plan: &Plan,
    workflows: &HashMap<String, Arc<Workflow>>,
    event_github: &Object,
    args: &RunArgs,
    root: &Path,
    work_dir: &Path,
    secrets: &Object,
    vars: &Object,
    extra_env: &[(String, String)],
    run_number: u64,
) -> Result<Prepared> {
    let filter = matrix_filter(&args.matrix)?;
    let debug = step_debug(args, secrets, vars);
    let mut jobs = Vec::new();
    let mut infos = Vec::new();
    let sha = event_github.get("sha").map(Value::to_display_string);
    let event_json = event_github
        .get("event")
        .map(|e| e.to_json().to_string())
        .unwrap_or_else(|| "{}".into());
    for wp in plan.triggered() {
        let Some(wf) = workflows.get(&wp.file) else {
            continue;
        };
        // Which jobs to run: all, or those asked for with what they need.
        let mut wanted: Option<BTreeSet<String>> = None;
        if !args.jobs.is_empty() {
            let mut set: BTreeSet<String> = BTreeSet::new();
            let mut todo: Vec<String> = args
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
        let selected: Vec<&JobPlan> = wp
            .jobs
            .iter()
            .filter(|jp| jp.kind == JobKind::Job)
            .filter(|jp| wanted.as_ref().is_none_or(|w| w.contains(&jp.id)))
            .filter(|jp| {
                // The matrix filter applies to the jobs asked for (or all).
                let asked = args.jobs.is_empty() || args.jobs.contains(&jp.id);
                !asked || jp.matrix.is_none() || matrix_matches(&filter, jp.matrix.as_ref())
            })
            .collect();
        let keys_of: HashMap<&str, Vec<JobKey>> = {
            let mut m: HashMap<&str, Vec<JobKey>> = HashMap::new();
            for jp in &selected {
                m.entry(jp.id.as_str()).or_default().push(job_key(wp, jp));
            }
            m
        };
        let inputs = wp
            .inputs
            .as_ref()
            .map(Value::from_json)
            .unwrap_or_else(|| Value::object(Object::new()));
        for jp in &selected {
            let key = job_key(wp, jp);
            let needs: Vec<JobKey> = jp
                .needs
                .iter()
                .flat_map(|n| keys_of.get(n.as_str()).cloned().unwrap_or_default())
                .collect();
            infos.push(JobInfo {
                key: key.clone(),
                name: jp.name.clone(),
                workflow: wp.name.clone(),
                needs: needs.clone(),
            });
            // The model of the job (jobs of called workflows are not run yet).
            let model = match (&jp.caller, wf.job(&jp.id)) {
                (None, Some(Job::Normal(n))) => Some((**n).clone()),
                _ => None,
            };
            let not_runnable = if model.is_none() {
                Some("jobs of reusable workflows do not run in this version of gantry".to_owned())
            } else if !jp.runnable {
                Some(
                    jp.skip_reason
                        .clone()
                        .unwrap_or_else(|| "no runner for it here".to_owned()),
                )
            } else {
                None
            };
            let Some(job) = model.or_else(|| match wf.jobs.first() {
                Some(Job::Normal(n)) => Some((**n).clone()),
                _ => None,
            }) else {
                continue;
            };
            // Contexts.
            let mut github = event_github.clone();
            github.set("workflow", Value::from(wp.name.as_str()));
            github.set("job", Value::from(jp.id.as_str()));
            github.set("run_number", Value::from(run_number.to_string()));
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
            let slug_name = slug(&format!(
                "{}-{}",
                wp.file.trim_start_matches(".github/workflows/"),
                jp.name
            ));
            let dir = work_dir.join(&slug_name);
            let dirs = JobDirs {
                workspace: dir.join("workspace"),
                temp: dir.join("temp"),
                tool_cache: dir.join("tool-cache"),
            };
            let event_path = dirs.temp.join("_github_workflow").join("event.json");
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
            contexts.insert("inputs", inputs.clone());
            contexts.insert("vars", Value::object(vars.clone()));
            contexts.insert("secrets", Value::object(secrets.clone()));
            contexts.insert("needs", Value::object(Object::new()));
            let host = RunHost {
                contexts: &contexts,
                status: Status::Success,
                workspace: root,
            };
            let fail_fast = strategy_model
                .and_then(|s| s.fail_fast.as_ref())
                .map(|b| reval::boolean(b, &host).unwrap_or(true))
                .unwrap_or(true);
            let max_parallel = strategy_model
                .and_then(|s| s.max_parallel.as_ref())
                .and_then(|n| reval::number(n, &host).ok())
                .filter(|n| *n >= 1.0)
                .map(|n| n as usize);
            let mut strategy = Object::new();
            strategy.insert("fail-fast", Value::Bool(fail_fast));
            strategy.insert(
                "job-index",
                Value::Number(jp.strategy.map_or(0.0, |s| s.job_index as f64)),
            );
            strategy.insert(
                "job-total",
                Value::Number(jp.strategy.map_or(1.0, |s| s.job_total as f64)),
            );
            strategy.insert(
                "max-parallel",
                Value::Number(
                    max_parallel.map_or(jp.strategy.map_or(1.0, |s| s.job_total as f64), |m| {
                        m as f64
                    }),
                ),
            );
            contexts.insert("strategy", Value::object(strategy));
            let host = RunHost {
                contexts: &contexts,
                status: Status::Success,
                workspace: root,
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
                .map(|b| reval::boolean(b, &host).unwrap_or(false))
                .unwrap_or(false);
            let concurrency = jp.concurrency.as_ref().map(|c| {
                let cancel = match c.cancel_in_progress.as_deref() {
                    None | Some("false") => false,
                    Some("true") => true,
                    Some(expr) => {
                        let es = gantry_workflow::ExprString::new(
                            expr,
                            gantry_diagnostics::Span::default(),
                        );
                        reval::value(&es, &host)
                            .map(|v| v.is_truthy())
                            .unwrap_or(false)
                    }
                };
                (c.group.clone(), cancel)
            });
            let base_env = gantry_run::runner_env::base_env(
                std::env::vars(),
                &github,
                &dirs,
                &event_path,
                debug,
            );
            let spec = JobSpec {
                key: key.clone(),
                name: jp.name.clone(),
                workflow: wf.clone(),
                job: job.clone(),
                contexts,
                dirs,
                base_env,
                timeout: Duration::from_secs_f64(timeout_minutes * 60.0),
                debug,
                checkout: Some(Checkout {
                    repo: root.to_path_buf(),
                    sha: sha.clone(),
                }),
                extra_env: extra_env.to_vec(),
                event_json: event_json.clone(),
                keep_workspace: args.keep_workspaces,
            };
            jobs.push(RunJob {
                spec,
                job_id: jp.id.clone(),
                needs,
                needs_ids: jp.needs.clone(),
                condition: job.common.condition.clone(),
                matrix_group: jp.matrix.as_ref().map(|_| format!("{}:{}", wp.file, jp.id)),
                fail_fast,
                max_parallel,
                continue_on_error,
                concurrency,
                not_runnable,
            });
        }
    }
    Ok(Prepared { jobs, infos })
}

/// Debug output, as GitHub turns it on: `--verbose`, or a secret or
/// variable `ACTIONS_STEP_DEBUG` (or `ACTIONS_RUNNER_DEBUG`) set to true.
fn step_debug(args: &RunArgs, secrets: &Object, vars: &Object) -> bool {
    args.verbose
        || ["ACTIONS_STEP_DEBUG", "ACTIONS_RUNNER_DEBUG"]
            .iter()
            .any(|k| {
                [secrets, vars].iter().any(|o| {
                    o.get(k)
                        .is_some_and(|v| v.to_display_string().eq_ignore_ascii_case("true"))
                })
            })
}

/// `--dry-run`: what would run, with resolved commands.
fn dry_run(jobs: &[RunJob], masker: &Masker) -> String {
    let mut out = String::new();
    for j in jobs {
        out.push_str(&format!("job {} ({})\n", j.spec.name, j.spec.key));
        if let Some(r) = &j.not_runnable {
            out.push_str(&format!("  skipped: {r}\n\n"));
            continue;
        }
        if !j.needs.is_empty() {
            let needs: Vec<&str> = j.needs.iter().map(|k| k.0.as_str()).collect();
            out.push_str(&format!("  needs: {}\n", needs.join(", ")));
        }
        let host = RunHost {
            contexts: &j.spec.contexts,
            status: Status::Success,
            workspace: &j.spec.dirs.workspace,
        };
        for (i, step) in j.spec.job.steps.iter().enumerate() {
            match step {
                gantry_workflow::Step::Run(r) => {
                    let script = reval::string(&r.run, &host)
                        .unwrap_or_else(|e| format!("<cannot evaluate yet: {e}>"));
                    let shell = r
                        .shell
                        .as_ref()
                        .map_or("bash -e {0}".to_owned(), |s| s.raw.clone());
                    out.push_str(&format!("  step {}: run ({shell})\n", i + 1));
                    for line in masker.mask(&script).lines() {
                        out.push_str(&format!("    $ {line}\n"));
                    }
                }
                gantry_workflow::Step::Uses(u) => {
                    out.push_str(&format!(
                        "  step {}: uses {}\n",
                        i + 1,
                        u.uses.as_ref().map_or("?", |u| u.raw.as_str())
                    ));
                }
                gantry_workflow::Step::Parallel(g) => {
                    out.push_str(&format!(
                        "  step {}: {} steps in parallel\n",
                        i + 1,
                        g.steps.len()
                    ));
                }
            }
        }
        out.push('\n');
    }
    out
}

pub fn run(args: &RunArgs) -> Result<Exit> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let git = Git::discover(&cwd)?;
    let root = git.root().to_path_buf();
    let paths = workflow_paths(&args.ev, &cwd, &root)?;
    let loaded = load_workflows(&paths, &root);
    let event = build_event_with(&git, &event_options(&args.ev)?)?;
    let platforms = platforms(&args.ev)?;
    let colour = colour(args.color);
    let mut good: Vec<(String, Workflow)> = Vec::new();
    for l in loaded {
        match l.result {
            Ok(wf) => good.push((l.file, wf)),
            Err(e) => style::emit(style::Level::Warning, &format!("{}: not run: {e}", l.file)),
        }
    }
    let repo = WorktreeRepo::new(&root);
    let plan = plan(&good, &event, &PlanOptions { platforms }, &repo);
    for wp in plan.triggered() {
        for e in &wp.errors {
            style::emit(style::Level::Error, &format!("{}: {e}", wp.file));
        }
    }
    if plan.has_errors() {
        return Ok(Exit::Failure);
    }
    let workflows: HashMap<String, Arc<Workflow>> =
        good.into_iter().map(|(f, w)| (f, Arc::new(w))).collect();

    let secrets = pairs(&args.secrets, args.secret_file.as_deref(), "secret")?;
    let vars = pairs(&args.vars, args.var_file.as_deref(), "var")?;
    let extra_env = pairs(&args.env, args.env_file.as_deref(), "env")?;
    let masker = Masker::new();
    for (_, v) in &secrets {
        masker.add_secret(v);
    }
    let mut secret_obj = object_of(&secrets);
    if !secret_obj.contains_key("GITHUB_TOKEN") {
        // GitHub always provides it; Gantry has none to give.
        secret_obj.set("GITHUB_TOKEN", Value::from(""));
    }

    let store = match &args.state_dir {
        Some(d) => Store::new(d),
        None => Store::for_repository(&root),
    };
    if args.dry_run {
        let work = std::env::temp_dir().join("gantry-dry-run");
        let prepared = prepare(
            &plan,
            &workflows,
            &event.github,
            args,
            &root,
            &work,
            &secret_obj,
            &object_of(&vars),
            &extra_env,
            0,
        )?;
        if prepared.jobs.is_empty() {
            println!(
                "nothing to run: no workflow is triggered by `{}` (see `gantry plan --explain`)",
                event.name
            );
        }
        let mut out = std::io::stdout().lock();
        out.write_all(dry_run(&prepared.jobs, &masker).as_bytes())?;
        return Ok(Exit::Success);
    }
    let recorder = StoreSink::create(&store).context("cannot record the run")?;
    let run_number = recorder.run_number();
    let work_dir = store.root().join("work").join(run_number.to_string());
    let prepared = prepare(
        &plan,
        &workflows,
        &event.github,
        args,
        &root,
        &work_dir,
        &secret_obj,
        &object_of(&vars),
        &extra_env,
        run_number,
    )?;
    if prepared.jobs.is_empty() {
        style::emit(
            style::Level::Warning,
            &format!(
                "nothing to run: no workflow is triggered by `{}`",
                event.name
            ),
        );
        style::emit(
            style::Level::Hint,
            "`gantry plan --explain` says why each workflow is left out",
        );
        return Ok(Exit::Success);
    }
    let terminal: Arc<dyn Sink> = match args.format {
        RunFormat::Json => Arc::new(JsonReporter::new(std::io::stdout())),
        RunFormat::Human if std::io::stdout().is_terminal() && !args.no_progress => {
            Arc::new(ProgressReporter::new(ProgressOptions {
                colour,
                verbose: step_debug(args, &secret_obj, &object_of(&vars)),
                ..ProgressOptions::default()
            }))
        }
        RunFormat::Human => Arc::new(PlainReporter::new(
            std::io::stdout(),
            PlainOptions {
                colour,
                verbose: step_debug(args, &secret_obj, &object_of(&vars)),
                summary: true,
            },
        )),
    };
    let sink: Arc<dyn Sink> = Arc::new(Fanout::new(vec![terminal, Arc::new(recorder)]));
    sink.emit(Event::RunStarted {
        run_id: run_number,
        event_name: event.name.clone(),
        jobs: prepared.infos,
    });
    let parallel = args
        .parallel
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let outcome = runtime.block_on(async {
        let flag = interrupted.clone();
        tokio::spawn(async move {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(_) => return,
                };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            let _ = cancel_tx.send(true);
        });
        scheduler::run(
            prepared.jobs,
            parallel,
            sink.clone(),
            masker.clone(),
            Arc::new(Registry::default()),
            cancel_rx,
        )
        .await
    });
    drop(sink);
    runtime.shutdown_timeout(Duration::from_secs(2));
    let _ = std::fs::remove_dir(&work_dir);
    Ok(if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        Exit::Interrupted
    } else {
        match outcome.result {
            Conclusion::Success | Conclusion::Skipped => Exit::Success,
            Conclusion::Failure | Conclusion::Cancelled => Exit::Failure,
        }
    })
}
