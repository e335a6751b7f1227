//! Actions that gantry runs natively, behind one explicit registry. The
//! runner looks actions up here; nothing else in it tests action names.

use std::collections::BTreeMap;
use std::path::Path;

use gantry_expr::Value;
use gantry_workflow::UsesTarget;

/// What a native action gets.
pub struct ActionContext<'a> {
    pub workspace: &'a Path,
    pub inputs: &'a BTreeMap<String, String>,
    pub env: &'a BTreeMap<String, String>,
    pub github: Option<&'a Value>,
}

/// What a native action produced.
#[derive(Default)]
pub struct ActionOutput {
    pub outputs: BTreeMap<String, String>,
    pub env: Vec<(String, String)>,
    pub log: Vec<String>,
}

/// A natively implemented action.
pub trait NativeAction: Send + Sync {
    /// `owner/repo` (and path) this implements, lower case.
    fn name(&self) -> &'static str;
    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String>;
}

/// The registry of native actions.
pub struct Registry {
    actions: Vec<Box<dyn NativeAction>>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            actions: vec![Box::new(Checkout)],
        }
    }
}

impl Registry {
    /// The native implementation for a `uses:` target, if any.
    pub fn lookup(&self, target: &UsesTarget) -> Option<&dyn NativeAction> {
        let UsesTarget::Repo {
            owner, repo, path, ..
        } = target
        else {
            return None;
        };
        let mut name = format!("{owner}/{repo}").to_ascii_lowercase();
        if let Some(p) = path.as_deref().filter(|p| !p.is_empty()) {
            name.push('/');
            name.push_str(&p.to_ascii_lowercase());
        }
        self.actions
            .iter()
            .find(|a| a.name() == name)
            .map(AsRef::as_ref)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.actions.iter().map(|a| a.name()).collect()
    }
}

/// `actions/checkout`: the job's workspace already holds a clean tree of the
/// event's commit, so checking out the repository itself places that same
/// content (into `path:` when given). Other repositories need the network.
struct Checkout;

impl NativeAction for Checkout {
    fn name(&self) -> &'static str {
        "actions/checkout"
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        let github_str = |k: &str| {
            cx.github
                .and_then(|g| g.get(k))
                .map(Value::to_display_string)
                .unwrap_or_default()
        };
        let this_repo = github_str("repository");
        if let Some(repo) = cx
            .inputs
            .get("repository")
            .filter(|r| !r.is_empty() && !r.eq_ignore_ascii_case(&this_repo))
        {
            return Err(format!(
                "actions/checkout of another repository ({repo}) needs the network, which gantry does not use"
            ));
        }
        let mut out = ActionOutput::default();
        let sha = github_str("sha");
        let git_ref = cx
            .inputs
            .get("ref")
            .filter(|r| !r.is_empty())
            .cloned()
            .unwrap_or_else(|| github_str("ref"));
        if let Some(path) = cx
            .inputs
            .get("path")
            .filter(|p| !p.is_empty() && p.as_str() != ".")
        {
            let dest = cx.workspace.join(path);
            if dest.starts_with(cx.workspace) && dest != cx.workspace {
                copy_tree(cx.workspace, &dest, path)
                    .map_err(|e| format!("cannot place the checkout in {path}: {e}"))?;
                out.log
                    .push(format!("Placed the workspace's tree in {path}"));
            } else {
                return Err(format!("`path: {path}` leaves the workspace"));
            }
        } else {
            out.log
                .push(format!("The workspace already holds {this_repo} at {sha}"));
        }
        out.outputs.insert("ref".into(), git_ref);
        out.outputs.insert("commit".into(), sha);
        Ok(out)
    }
}

/// Copies the workspace's files into a subdirectory (skipping that
/// subdirectory itself).
fn copy_tree(src: &Path, dest: &Path, skip: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dest)?;
    for entry in std::fs::read_dir(src)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy() == skip.split('/').next().unwrap_or(skip) {
            continue;
        }
        let from = entry.path();
        let to = dest.join(&name);
        if entry.file_type()?.is_dir() {
            copy_tree(&from, &to, "\0")?;
        } else {
            std::fs::copy(&from, &to)?;
        }
    }
    Ok(())
}
