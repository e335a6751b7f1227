//! `gantry plan`: what GitHub would run for an event, and why anything is
//! left out.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use gantry_events::{Git, Options as EventOptions, WorktreeRepo, build_event_with, parse_input};
use gantry_workflow::Workflow;

use crate::cli::{ColorChoice, EventArgs, PlanArgs};
use crate::exit::Exit;
use crate::style;

mod output;

/// A workflow file as loaded: its model, or why it could not be loaded.
pub struct Loaded {
    /// The path relative to the repository root, `/`-separated
    /// (`.github/workflows/ci.yml`).
    pub file: String,
    pub result: std::result::Result<Workflow, String>,
}

fn is_yaml(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "yml" || e == "yaml")
}

/// The YAML files directly in a directory, sorted by name.
fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(std::result::Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_yaml(p))
        .collect();
    files.sort();
    Ok(files)
}

/// The workflow files to plan: `-W` files and directories, else the
/// repository's `.github/workflows`.
pub fn workflow_paths(args: &EventArgs, cwd: &Path, root: &Path) -> Result<Vec<PathBuf>> {
    if args.workflows.is_empty() {
        let dir = root.join(".github/workflows");
        if !dir.is_dir() {
            bail!(
                "no workflows: {} does not exist (use -W PATH to name workflow files)",
                dir.display()
            );
        }
        return yaml_files(&dir);
    }
    let mut out = Vec::new();
    for p in &args.workflows {
        let p = cwd.join(p);
        if p.is_dir() {
            out.extend(yaml_files(&p)?);
        } else if p.is_file() {
            out.push(p);
        } else {
            bail!("{}: no such file or directory", p.display());
        }
    }
    Ok(out)
}

/// The path as the planner names the file: relative to the repository root
/// when inside it.
fn repo_relative(path: &Path, root: &Path) -> String {
    let canon = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let rel = canon.strip_prefix(&root).unwrap_or(&canon);
    rel.to_string_lossy().replace('\\', "/")
}

/// Loads each file; one that fails to load carries its first error.
pub fn load_workflows(paths: &[PathBuf], root: &Path) -> Vec<Loaded> {
    paths
        .iter()
        .map(|path| {
            let file = repo_relative(path, root);
            let result = match std::fs::read_to_string(path) {
                Err(e) => Err(format!("cannot read the file: {e}")),
                Ok(src) => {
                    let (wf, diags) = gantry_workflow::parse_workflow(&src);
                    match (wf, diags.iter().find(|d| d.is_error())) {
                        (_, Some(d)) => Err(format!(
                            "{}:{}: {} [{}]",
                            d.span.start.line, d.span.start.column, d.message, d.rule
                        )),
                        (Some(wf), None) => Ok(wf),
                        (None, None) => Err("the file holds no workflow".to_owned()),
                    }
                }
            };
            Loaded { file, result }
        })
        .collect()
}

pub fn event_options(args: &EventArgs) -> Result<EventOptions> {
    let inputs = args
        .inputs
        .iter()
        .map(|s| parse_input(s).map_err(|e| anyhow::anyhow!("--input {e}")))
        .collect::<Result<Vec<_>>>()?;
    Ok(EventOptions {
        event: args.event.clone(),
        action: args.action.clone(),
        git_ref: args.git_ref.clone(),
        before: args.before.clone(),
        after: args.after.clone(),
        base: args.base.clone(),
        number: args.number,
        inputs,
        schedule: args.schedule.clone(),
        tag: args.tag.clone(),
        workflow: args.workflow.clone(),
        event_path: args.eventpath.clone(),
        default_branch: args.default_branch.clone(),
        actor: args.actor.clone(),
        repository: args.repository.clone(),
        server_url: args.github_server_url.clone(),
        changed: args.changed.clone(),
    })
}

/// `--platform LABEL=host` pairs.
pub fn platforms(args: &EventArgs) -> Result<Vec<(String, String)>> {
    args.platforms
        .iter()
        .map(|s| match s.split_once('=') {
            Some((label, target)) if !label.trim().is_empty() && !target.trim().is_empty() => {
                Ok((label.trim().to_owned(), target.trim().to_owned()))
            }
            _ => bail!("--platform `{s}` is not LABEL=host"),
        })
        .collect()
}

pub fn colour(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

pub fn run(args: &PlanArgs) -> Result<Exit> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let git = Git::discover(&cwd)?;
    let root = git.root().to_path_buf();
    let paths = workflow_paths(&args.ev, &cwd, &root)?;
    let loaded = load_workflows(&paths, &root);
    let mut event = build_event_with(&git, &event_options(&args.ev)?)?;
    let vars = super::run::pairs(&args.vars, args.var_file.as_deref(), "var")?;
    event.vars = super::run::object_of(&vars);
    let platforms = platforms(&args.ev)?;
    let repo = WorktreeRepo::new(&root);
    let colour = colour(args.color);

    for l in &loaded {
        if let Err(e) = &l.result {
            style::emit(
                style::Level::Warning,
                &format!("{}: not planned: {e}", l.file),
            );
        }
    }
    let plan = output::build_plan(loaded, &event, platforms, &repo);
    let text = output::render(&plan, args, colour);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if plan.has_errors() {
        Exit::Failure
    } else {
        Exit::Success
    })
}
