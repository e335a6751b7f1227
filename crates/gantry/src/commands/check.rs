//! `gantry check`: find every mistake in workflow files and actions.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context as _, Result, bail};
use gantry_check::{Config, Repo, check_action, check_workflow};
use gantry_diagnostics::Diagnostic;
use gantry_diagnostics::render::{FileReport, Format, Options, render};

use crate::cli::{CheckArgs, CheckFormat, ColorChoice};
use crate::exit::Exit;

/// What a file is checked as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Workflow,
    Action,
}

struct Target {
    path: PathBuf,
    kind: Kind,
}

/// Reads repository files for local actions and called workflows.
struct FsRepo {
    root: PathBuf,
}

impl Repo for FsRepo {
    fn read(&self, path: &str) -> Option<String> {
        let rel = path.trim_start_matches("./");
        if rel.split('/').any(|s| s == "..") {
            return None;
        }
        std::fs::read_to_string(self.root.join(rel)).ok()
    }
}

/// The repository root: the nearest ancestor with `.git`, else `start`.
fn find_root(start: &Path) -> PathBuf {
    let mut cur = Some(start);
    while let Some(dir) = cur {
        if dir.join(".git").exists() {
            return dir.to_path_buf();
        }
        cur = dir.parent();
    }
    start.to_path_buf()
}

fn is_yaml(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "yml" || e == "yaml")
}

fn kind_of(p: &Path) -> Kind {
    match p.file_name().and_then(|n| n.to_str()) {
        Some("action.yml" | "action.yaml") => Kind::Action,
        _ => Kind::Workflow,
    }
}

/// Directories never searched for actions.
fn skipped_dir(name: &str) -> bool {
    matches!(
        name,
        ".git" | "node_modules" | "target" | "vendor" | ".venv" | "venv" | "__pycache__"
    ) || (name.starts_with('.') && name != ".github")
}

fn walk_yaml(dir: &Path, depth: usize, out: &mut Vec<PathBuf>, only_actions: bool) {
    if depth > 12 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if !skipped_dir(&name) {
                walk_yaml(&path, depth + 1, out, only_actions);
            }
        } else if is_yaml(&path) && (!only_actions || kind_of(&path) == Kind::Action) {
            out.push(path);
        }
    }
}

/// The repository's workflows and its local actions.
fn repository_targets(root: &Path) -> Vec<Target> {
    let mut out = Vec::new();
    let wf_dir = root.join(".github/workflows");
    if let Ok(entries) = std::fs::read_dir(&wf_dir) {
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && is_yaml(p))
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|path| Target {
            path,
            kind: Kind::Workflow,
        }));
    }
    let mut actions = Vec::new();
    walk_yaml(root, 0, &mut actions, true);
    out.extend(actions.into_iter().map(|path| Target {
        path,
        kind: Kind::Action,
    }));
    out
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Expands a glob pattern relative to the current directory.
fn expand_glob(pattern: &str) -> Vec<PathBuf> {
    let (base, rest): (PathBuf, &str) = match pattern.find(['*', '?', '[']) {
        Some(i) => match pattern[..i].rfind('/') {
            Some(slash) => (PathBuf::from(&pattern[..=slash]), &pattern[slash + 1..]),
            None => (PathBuf::from("."), pattern),
        },
        None => (PathBuf::from(pattern), ""),
    };
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let mut files = Vec::new();
    let mut all = Vec::new();
    walk_all(&base, 0, &mut all);
    for f in all {
        let Ok(rel) = f.strip_prefix(&base) else {
            continue;
        };
        let parts: Vec<String> = rel
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        if glob_match(&segments, &parts) {
            files.push(f);
        }
    }
    files.sort();
    files
}

fn walk_all(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 16 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            let name = e.file_name();
            if name != ".git" && name != "node_modules" && name != "target" {
                walk_all(&path, depth + 1, out);
            }
        } else {
            out.push(path);
        }
    }
}

fn glob_match(pat: &[&str], path: &[&str]) -> bool {
    match pat.first() {
        None => path.is_empty(),
        Some(&"**") => (0..=path.len()).any(|i| glob_match(&pat[1..], &path[i..])),
        Some(p) => {
            !path.is_empty()
                && gantry_expr::hash_files::match_segment(p, path[0])
                && glob_match(&pat[1..], &path[1..])
        }
    }
}

fn collect_targets(args: &CheckArgs, cwd: &Path) -> Result<Vec<Target>> {
    if args.paths.is_empty() {
        let root = find_root(cwd);
        let targets = repository_targets(&root);
        if targets.is_empty() {
            bail!(
                "no workflow files found in {}",
                root.join(".github/workflows").display()
            );
        }
        return Ok(targets);
    }
    let mut out = Vec::new();
    for arg in &args.paths {
        let p = PathBuf::from(arg);
        if p.is_file() {
            out.push(Target {
                kind: kind_of(&p),
                path: p,
            });
        } else if p.is_dir() {
            if p.join(".github/workflows").is_dir() {
                out.extend(repository_targets(&p));
            } else {
                let mut files = Vec::new();
                walk_yaml(&p, 0, &mut files, false);
                out.extend(files.into_iter().map(|path| Target {
                    kind: kind_of(&path),
                    path,
                }));
            }
        } else if has_glob(arg) {
            let files = expand_glob(arg);
            if files.is_empty() {
                bail!("{arg}: the pattern matches no file");
            }
            out.extend(files.into_iter().map(|path| Target {
                kind: kind_of(&path),
                path,
            }));
        } else {
            bail!("{arg}: no such file or directory");
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.path == b.path);
    Ok(out)
}

fn load_config(args: &CheckArgs, root: &Path) -> Result<Config> {
    let mut config = match &args.config {
        Some(path) => read_config(path)?,
        None => {
            let toml = root.join("gantry.toml");
            let yml = root.join(".github/gantry.yml");
            let yaml = root.join(".github/gantry.yaml");
            if toml.is_file() {
                read_config(&toml)?
            } else if yml.is_file() {
                read_config(&yml)?
            } else if yaml.is_file() {
                read_config(&yaml)?
            } else {
                Config::default()
            }
        }
    };
    let known = gantry_check::all_rules();
    for rule in &args.disable {
        if !known.iter().any(|(id, _)| id == rule) {
            bail!("--disable {rule}: no such rule (gantry check --list-rules lists them)");
        }
        config.disabled_rules.push(rule.clone());
    }
    Ok(config)
}

fn read_config(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read configuration {}", path.display()))?;
    let shown = path.display().to_string();
    let config = if path.extension().is_some_and(|e| e == "toml") {
        Config::from_toml(&text, &shown)?
    } else {
        Config::from_yaml(&text, &shown)?
    };
    Ok(config)
}

/// A path as the user should see it: relative to the current directory
/// when it is below it.
fn shown(path: &Path, cwd: &Path) -> String {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let rel = abs.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(abs);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

struct Checked {
    shown: String,
    source: String,
    diagnostics: Vec<Diagnostic>,
}

pub fn run(args: &CheckArgs) -> Result<Exit> {
    if args.list_rules {
        let mut out = std::io::stdout().lock();
        for (id, what) in gantry_check::all_rules() {
            writeln!(out, "{id:<24} {what}")?;
        }
        return Ok(Exit::Success);
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let targets = collect_targets(args, &cwd)?;
    let root = match args.paths.first() {
        Some(p) if Path::new(p).exists() => {
            let start = if Path::new(p).is_dir() {
                cwd.join(p)
            } else {
                cwd.join(p)
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| cwd.clone())
            };
            find_root(&start)
        }
        _ => find_root(&cwd),
    };
    let config = load_config(args, &root)?;
    let repo = FsRepo { root: root.clone() };

    // Read every file first: an unreadable file is a usage error.
    let mut sources = Vec::with_capacity(targets.len());
    for t in &targets {
        let text =
            std::fs::read(&t.path).with_context(|| format!("cannot read {}", t.path.display()))?;
        let text = String::from_utf8(text)
            .map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", t.path.display()))?;
        sources.push(text);
    }

    let results = check_all(&targets, &sources, &root, &cwd, &config, &repo);

    let colour = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let format = match args.format {
        CheckFormat::Human => Format::Human,
        CheckFormat::Short => Format::Short,
        CheckFormat::Json => Format::Json,
        CheckFormat::Sarif => Format::Sarif,
        CheckFormat::Github => Format::Github,
    };
    let reports: Vec<FileReport<'_>> = results
        .iter()
        .map(|c| FileReport {
            path: &c.shown,
            source: &c.source,
            diagnostics: &c.diagnostics,
        })
        .collect();
    let text = render(
        &reports,
        &Options {
            format,
            colour,
            tool_version: env!("CARGO_PKG_VERSION"),
        },
    );
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    let errors = results
        .iter()
        .flat_map(|c| &c.diagnostics)
        .any(Diagnostic::is_error);
    Ok(if errors { Exit::Failure } else { Exit::Success })
}

/// Checks the files on all cores; results keep the targets' order.
fn check_all(
    targets: &[Target],
    sources: &[String],
    root: &Path,
    cwd: &Path,
    config: &Config,
    repo: &FsRepo,
) -> Vec<Checked> {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(targets.len())
        .max(1);
    let mut slots: Vec<Option<Checked>> = (0..targets.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(t) = targets.get(i) else { break };
                        let src = &sources[i];
                        let abs = if t.path.is_absolute() {
                            t.path.clone()
                        } else {
                            cwd.join(&t.path)
                        };
                        let rel = abs
                            .strip_prefix(root)
                            .ok()
                            .map(|p| p.to_string_lossy().replace('\\', "/"));
                        let diagnostics = match t.kind {
                            Kind::Workflow => check_workflow(src, rel.as_deref(), config, repo),
                            Kind::Action => check_action(src, rel.as_deref(), config, repo),
                        };
                        done.push((i, diagnostics));
                    }
                    done
                })
            })
            .collect();
        for h in handles {
            if let Ok(done) = h.join() {
                for (i, diagnostics) in done {
                    slots[i] = Some(Checked {
                        shown: shown(&targets[i].path, cwd),
                        source: sources[i].clone(),
                        diagnostics,
                    });
                }
            }
        }
    });
    // A file whose check panicked is reported, not dropped.
    slots
        .into_iter()
        .enumerate()
        .map(|(i, slot)| {
            slot.unwrap_or_else(|| Checked {
                shown: shown(&targets[i].path, cwd),
                source: sources[i].clone(),
                diagnostics: vec![Diagnostic::error(
                    "internal-error",
                    gantry_diagnostics::Span::point(gantry_diagnostics::Pos::START),
                    "gantry failed while checking this file; please report it",
                )],
            })
        })
        .collect()
}
