//! Reusable workflows of other repositories (`owner/repo/path@ref`):
//! fetched through the action resolver (cached by owner/repo and commit,
//! `--offline`, the configured server) before planning, and served to the
//! planner and to [`super::prepare`] under the name the planner reads them
//! by ([`RemoteWorkflow::key`]).

use std::collections::{BTreeMap, HashMap};

use gantry_plan::{Plan, RemoteWorkflow, Repo};
use gantry_run::resolve::{Resolver, safe_join};

/// The remote workflows fetched for a run.
#[derive(Default)]
pub(super) struct RemoteFiles {
    /// Key → the file's text.
    files: HashMap<String, String>,
    /// Key → the commit it was read at.
    shas: HashMap<String, String>,
}

impl RemoteFiles {
    /// The commit a fetched remote workflow was read at.
    pub(super) fn sha(&self, key: &str) -> Option<&str> {
        self.shas.get(key).map(String::as_str)
    }
}

/// The repository's files, and the fetched remote workflows under their
/// keys.
pub(super) struct WithRemotes<'a> {
    pub local: &'a dyn Repo,
    pub remote: &'a RemoteFiles,
}

impl Repo for WithRemotes<'_> {
    fn read(&self, path: &str) -> Option<String> {
        if RemoteWorkflow::parse(path).is_some() {
            return self.remote.files.get(path).cloned();
        }
        self.local.read(path)
    }
}

/// The remote workflows the triggered workflows of `plan` call that are
/// not fetched yet: key → the first calling job.
fn missing(plan: &Plan, have: &RemoteFiles) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for wp in plan.triggered() {
        for jp in &wp.jobs {
            if let Some(c) = &jp.callee
                && RemoteWorkflow::parse(c).is_some()
                && !have.files.contains_key(c)
            {
                out.entry(c.clone())
                    .or_insert_with(|| format!("{}: job '{}'", wp.file, jp.id));
            }
        }
    }
    out
}

/// Fetches one remote workflow: its text and commit.
fn fetch(
    runtime: &tokio::runtime::Runtime,
    resolver: &Resolver,
    server: &str,
    r: &RemoteWorkflow,
) -> Result<(String, String), String> {
    let (dir, sha) = runtime.block_on(resolver.fetch(&r.owner, &r.repo, &r.git_ref, server))?;
    let file = safe_join(&dir, &r.path)?;
    let text = std::fs::read_to_string(&file).map_err(|_| {
        format!(
            "{}/{} has no file '{}' at {} ({sha})",
            r.owner, r.repo, r.path, r.git_ref
        )
    })?;
    Ok((text, sha))
}

/// Plans with `plan_with`, fetching the remote workflows the plan calls
/// and planning again until every one (nested ones too) is there. Errors:
/// the remote workflows that cannot be fetched, each with its caller.
pub(super) fn plan_fetching(
    plan_with: impl Fn(&dyn Repo) -> Plan,
    local: &dyn Repo,
    resolver: &Resolver,
    server: &str,
) -> Result<(Plan, RemoteFiles), Vec<String>> {
    let mut have = RemoteFiles::default();
    let mut runtime = None;
    // Each round reaches one level deeper; nesting is bounded.
    for _ in 0..=gantry_plan::MAX_NESTING + 1 {
        let plan = plan_with(&WithRemotes {
            local,
            remote: &have,
        });
        let todo = missing(&plan, &have);
        if todo.is_empty() {
            return Ok((plan, have));
        }
        let rt = match &runtime {
            Some(rt) => rt,
            None => {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| vec![format!("cannot start the runtime: {e}")])?;
                runtime.insert(rt)
            }
        };
        let mut errors = Vec::new();
        for (key, caller) in todo {
            let Some(r) = RemoteWorkflow::parse(&key) else {
                continue;
            };
            match fetch(rt, resolver, server, &r) {
                Ok((text, sha)) => {
                    have.files.insert(key.clone(), text);
                    have.shas.insert(key, sha);
                }
                Err(e) => errors.push(format!(
                    "{caller}: cannot fetch the reusable workflow '{key}': {e}"
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
    }
    Ok((
        plan_with(&WithRemotes {
            local,
            remote: &have,
        }),
        have,
    ))
}
