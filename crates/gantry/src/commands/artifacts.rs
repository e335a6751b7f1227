//! `gantry artifacts list|download|prune`: the artifact store that runs
//! (native built-ins and the artifact service) write to.

use std::path::PathBuf;

use anyhow::{Context as _, Result, anyhow};
use gantry_events::Git;
use gantry_services::{Artifact, ArtifactStore, now_ms, rfc3339};

use crate::cli::{ArtifactsAction, ArtifactsArgs};
use crate::exit::Exit;

fn repository(args: &ArtifactsArgs) -> Result<String> {
    if let Some(r) = &args.repository {
        return Ok(r.clone());
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let git = Git::discover(&cwd)?;
    let id = gantry_events::identity::identify(&git, None, None, None, None)?;
    Ok(id.full_name())
}

fn size(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.1} kB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

fn list(store: &ArtifactStore, run: Option<u64>) -> Result<Exit> {
    let now = now_ms();
    let all: Vec<Artifact> = store.list(run)?;
    if all.is_empty() {
        println!("no artifacts");
        return Ok(Exit::Success);
    }
    // Columns as wide as their widest cell.
    let name_w = all
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let job_w = all
        .iter()
        .map(|a| a.job.chars().count())
        .max()
        .unwrap_or(0)
        .max(3);
    println!(
        "{:>6}  {:>5}  {:<name_w$}  {:>10}  {:<job_w$}  expires",
        "id", "run", "name", "size", "job"
    );
    for a in all {
        let expires = if a.is_expired(now) {
            "expired".to_owned()
        } else {
            rfc3339(a.expires_ms)
        };
        println!(
            "{:>6}  {:>5}  {:<name_w$}  {:>10}  {:<job_w$}  {expires}",
            a.id,
            a.run_id,
            a.name,
            size(a.size),
            a.job
        );
    }
    Ok(Exit::Success)
}

fn download(
    store: &ArtifactStore,
    name: &str,
    run: Option<u64>,
    dir: Option<&PathBuf>,
) -> Result<Exit> {
    let now = now_ms();
    let found = store
        .list(run)?
        .into_iter()
        .filter(|a| a.name == name && !a.is_expired(now))
        .max_by_key(|a| (a.run_id, a.id));
    let Some(a) = found else {
        return Err(anyhow!(match run {
            Some(r) => format!("run {r} has no artifact named `{name}`"),
            None => format!("no run has an artifact named `{name}`"),
        }));
    };
    let dest = match dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let files = store.export(&a, &dest)?;
    println!(
        "downloaded `{}` of run {} ({} file{}) into {}",
        a.name,
        a.run_id,
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        dest.display()
    );
    Ok(Exit::Success)
}

pub fn run(args: &ArtifactsArgs) -> Result<Exit> {
    let repo = repository(args)?;
    let data = super::run_services::data_dir();
    let store = ArtifactStore::open(&data, &repo)?;
    match &args.action {
        ArtifactsAction::List { run } => list(&store, *run),
        ArtifactsAction::Download { name, run, dir } => download(&store, name, *run, dir.as_ref()),
        ArtifactsAction::Prune => {
            let pruned = store.prune(now_ms())?;
            for a in &pruned {
                println!("deleted `{}` of run {} (id {})", a.name, a.run_id, a.id);
            }
            println!(
                "{} expired artifact{} deleted",
                pruned.len(),
                if pruned.len() == 1 { "" } else { "s" }
            );
            Ok(Exit::Success)
        }
    }
}
