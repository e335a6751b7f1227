//! `gantry run`: plan the event, then run the triggered workflows' jobs on
//! this machine as a GitHub runner would, reporting live and recording the
//! run under `.gantry/`.

mod calls;
mod debug_shell;
mod environments;
mod prepare;
mod prompt;
mod recorded;
mod remote;

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use gantry_events::{Git, WorktreeRepo, build_event_with};
use gantry_expr::{Object, Status, Value};
use gantry_plan::{PlanOptions, plan};
use gantry_report::{
    Fanout, JsonReporter, PlainOptions, PlainReporter, ProgressOptions, ProgressReporter,
};
use gantry_run::actions::{ActionOverride, Registry};
use gantry_run::eval::{self as reval, RunHost};
use gantry_run::event::{Conclusion, Event, Sink};
use gantry_run::mask::Masker;
use gantry_run::resolve::{Resolver, ResolverOptions};
use gantry_run::scheduler::{self, RunJob};
use gantry_store::{Store, StoreSink};
use gantry_workflow::Workflow;
use tokio::sync::watch;

use super::plan::{colour, event_options, load_workflows, platforms, workflow_paths};
use crate::cli::{RunArgs, RunFormat};
use crate::exit::Exit;
use crate::style;

use environments::Environments;
use prepare::{Setup, prepare};

/// `KEY=VALUE` pairs from flags, then from a dotenv file (flags win).
pub(crate) fn pairs(
    flags: &[String],
    file: Option<&Path>,
    what: &str,
) -> Result<Vec<(String, String)>> {
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

pub(crate) fn object_of(pairs: &[(String, String)]) -> Object {
    let mut o = Object::new();
    for (k, v) in pairs {
        o.set(k.clone(), Value::from(v.as_str()));
    }
    o
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

/// The action registry with `--no-builtin` and `--local-action` applied.
fn action_registry(args: &RunArgs, cwd: &Path) -> Result<Registry> {
    let mut registry = Registry::default();
    for name in &args.no_builtin {
        let name = Some(name.as_str()).filter(|n| !n.is_empty());
        registry.disable(name).map_err(anyhow::Error::msg)?;
    }
    for a in &args.actions {
        let mut o: ActionOverride = a
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--local-action {e}"))?;
        o.dir = cwd.join(&o.dir);
        if !o.dir.is_dir() {
            bail!("--local-action `{a}`: {} is not a folder", o.dir.display());
        }
        registry.add_override(o);
    }
    Ok(registry)
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
    let mut registry = action_registry(args, &cwd)?;
    let git = Git::discover(&cwd)?;
    let root = git.root().to_path_buf();
    let paths = workflow_paths(&args.ev, &cwd, &root)?;
    let loaded = load_workflows(&paths, &root);
    let platforms = platforms(&args.ev)?;
    let colour = colour(args.color);
    let mut good: Vec<(String, Workflow)> = Vec::new();
    for l in loaded {
        match l.result {
            Ok(wf) => good.push((l.file, wf)),
            Err(e) => style::emit(style::Level::Warning, &format!("{}: not run: {e}", l.file)),
        }
    }
    let mut options = event_options(&args.ev)?;
    // Required `workflow_dispatch` inputs not given: asked for in a
    // terminal; elsewhere the plan's error, with how to give them.
    if options.event == "workflow_dispatch" && options.event_path.is_none() {
        let missing = prompt::missing(good.iter().map(|(_, w)| w), &options.inputs);
        if !missing.is_empty() {
            if prompt::interactive() {
                match prompt::ask_all(&missing, &mut prompt::Stdio) {
                    Ok(answers) => options.inputs.extend(answers),
                    Err(e) => {
                        style::emit(style::Level::Error, &e);
                        return Ok(Exit::Failure);
                    }
                }
            } else {
                style::emit(style::Level::Error, &prompt::missing_message(&missing));
                return Ok(Exit::Failure);
            }
        }
    }
    let event = build_event_with(&git, &options)?;
    let local_repo = WorktreeRepo::new(&root);
    let resolver = Arc::new(Resolver::new(ResolverOptions {
        offline: args.offline,
        ..ResolverOptions::default()
    }));
    // Remote reusable workflows are fetched before planning, so that they
    // are planned and run like the repository's own.
    let server = resolver.server_url(
        event
            .github
            .get("server_url")
            .map(Value::to_display_string)
            .as_deref(),
    );
    let options = PlanOptions { platforms };
    let (plan, remotes) = match remote::plan_fetching(
        |r| plan(&good, &event, &options, r),
        &local_repo,
        &resolver,
        &server,
    ) {
        Ok(p) => p,
        Err(errors) => {
            for e in errors {
                style::emit(style::Level::Error, &e);
            }
            return Ok(Exit::Failure);
        }
    };
    let repo = remote::WithRemotes {
        local: &local_repo,
        remote: &remotes,
    };
    for wp in plan.triggered() {
        for e in &wp.errors {
            style::emit(style::Level::Error, &format!("{}: {e}", wp.file));
        }
    }
    // What was asked is wrong (bad inputs, an invalid workflow).
    for wp in &plan.workflows {
        if let Some(n) = wp.not_triggered.as_ref().filter(|n| n.is_error()) {
            style::emit(style::Level::Error, &format!("{}: {n}", wp.file));
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
    // A pull request from a fork gets no secrets but the (empty,
    // read-only) token, as on GitHub.
    let withhold = environments::from_fork(&event.name, &event.github, args.fork);
    if withhold {
        style::emit(
            style::Level::Warning,
            "a pull request from a fork: secrets are not given to the workflows (GITHUB_TOKEN is empty and read-only)",
        );
    }
    let mut secret_obj = if withhold {
        Object::new()
    } else {
        object_of(&secrets)
    };
    if !secret_obj.contains_key("GITHUB_TOKEN") || withhold {
        // GitHub always provides it; Gantry has none to give.
        secret_obj.set("GITHUB_TOKEN", Value::from(""));
    }
    let envs = Environments::load(
        &root,
        &args.env_secrets,
        &args.env_vars,
        &args.approve,
        withhold,
    )?;
    for v in envs.secret_values() {
        masker.add_secret(v);
    }
    let envs: Arc<dyn gantry_run::call::EnvironmentGate> = Arc::new(envs);
    let vars_obj = object_of(&vars);
    let debug = step_debug(args, &secret_obj, &vars_obj);
    let setup = |work_dir: std::path::PathBuf, run_number: u64| Setup {
        workflows: &workflows,
        event_github: &event.github,
        args,
        root: &root,
        work_dir,
        secrets: &secret_obj,
        vars: &vars_obj,
        extra_env: &extra_env,
        run_number,
        debug,
        repo: &repo,
        remotes: &remotes,
        environments: envs.clone(),
        withhold_secrets: withhold,
        resolver: resolver.clone(),
        changed_files: event.changed_files.as_deref(),
    };

    let store = match &args.state_dir {
        Some(d) => Store::new(d),
        None => Store::for_repository(&root),
    };
    if args.dry_run {
        let work = std::env::temp_dir().join("gantry-dry-run");
        let prepared = prepare(&plan, &setup(work.clone(), 0))?;
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
    // Artifacts are kept per repository in the data directory, by run
    // number: a new run never reuses a number they know (the state
    // directory may have been deleted since).
    let repository = event
        .github
        .get("repository")
        .map(Value::to_display_string)
        .unwrap_or_default();
    let used = gantry_services::ArtifactStore::open(&super::run_services::data_dir(), &repository)
        .and_then(|s| s.list(None))
        .map_or(0, |l| l.iter().map(|a| a.run_id).max().unwrap_or(0));
    let recorder = StoreSink::create_after(&store, used).context("cannot record the run")?;
    let run_number = recorder.run_number();
    let work_dir = store.root().join("work").join(run_number.to_string());
    let prepared = prepare(&plan, &setup(work_dir.clone(), run_number))?;
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
    // Live progress is kept by name too: a debug shell hides it.
    let mut progress: Option<Arc<ProgressReporter>> = None;
    let terminal: Arc<dyn Sink> = match args.format {
        RunFormat::Json => Arc::new(JsonReporter::new(std::io::stdout())),
        RunFormat::Human if std::io::stdout().is_terminal() && !args.no_progress => {
            let p = Arc::new(ProgressReporter::new(ProgressOptions {
                colour,
                verbose: step_debug(args, &secret_obj, &object_of(&vars)),
                ..ProgressOptions::default()
            }));
            progress = Some(p.clone());
            p
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
    // Native cache and artifact built-ins use the stores the services serve.
    if let Some(stores) =
        super::run_services::stores(&event.github, &event.default_branch, run_number)
    {
        registry.set_stores(stores);
    }
    // mxschmitt/action-tmate and --debug-on-failure open a shell here.
    let shell = Arc::new(debug_shell::TerminalShell::new(
        progress,
        style::stderr_colour(),
    ));
    let shell_busy = shell.busy();
    registry.set_debug_shell(shell, args.debug_on_failure);
    let outcome = runtime.block_on(async {
        let flag = interrupted.clone();
        tokio::spawn(async move {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(_) => return,
                };
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {
                        // Ctrl-C in a debug shell is the shell's.
                        if shell_busy.load(std::sync::atomic::Ordering::SeqCst) {
                            continue;
                        }
                    }
                    _ = term.recv() => {}
                }
                break;
            }
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            let _ = cancel_tx.send(true);
        });
        let mut jobs = prepared.jobs;
        let services =
            super::run_services::start(&event.github, &event.default_branch, run_number, &mut jobs)
                .await;
        let outcome = scheduler::run(
            jobs,
            parallel,
            sink.clone(),
            masker.clone(),
            Arc::new(registry),
            cancel_rx,
        )
        .await;
        let mut records = Vec::new();
        if let Some(s) = services {
            records = s.github_records();
            s.shutdown().await;
        }
        (outcome, records)
    });
    let (outcome, records) = outcome;
    super::run_services::report_api_calls(
        &records,
        &store.run_dir(run_number),
        &masker,
        args.format == RunFormat::Human,
    );
    drop(sink);
    if args.format == RunFormat::Human {
        let artifacts =
            gantry_services::ArtifactStore::open(&super::run_services::data_dir(), &repository)
                .and_then(|s| s.list(Some(run_number)))
                .map_or(0, |l| l.len());
        let where_ = recorded::Recorded {
            run_dir: &store.run_dir(run_number),
            run_number,
            artifacts,
            api_calls: records.len(),
        };
        print!("{}", where_.render(&cwd));
    }
    runtime.shutdown_timeout(Duration::from_secs(2));
    // Workspaces are deleted in the background as their jobs end.
    gantry_run::workspace::discard_spare_temps(&work_dir);
    gantry_run::workspace::wait_for_removals();
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
