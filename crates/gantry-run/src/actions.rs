//! Actions that gantry runs natively, behind one explicit registry. The
//! runner looks actions up here; nothing else in it tests action names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gantry_expr::Value;
use gantry_workflow::UsesTarget;

/// What a native action gets.
pub struct ActionContext<'a> {
    pub workspace: &'a Path,
    pub inputs: &'a BTreeMap<String, String>,
    pub env: &'a BTreeMap<String, String>,
    pub github: Option<&'a Value>,
    /// The environment a process of the step would get (the runner's, the
    /// job's and the step's, `PATH` led by the `$GITHUB_PATH` additions).
    pub process_env: &'a BTreeMap<String, String>,
    /// The event's changed files, when Gantry computed them (a push's range
    /// or a pull request's files, or `--changed`).
    pub changed_files: Option<&'a [String]>,
    /// The job's key (artifacts record the job that uploaded them).
    pub job: &'a str,
    /// The run's cache and artifact stores (the ones the services serve),
    /// when they could be opened.
    pub stores: Option<&'a crate::builtins::Stores>,
}

/// What a native action produced.
#[derive(Default)]
pub struct ActionOutput {
    pub outputs: BTreeMap<String, String>,
    pub env: Vec<(String, String)>,
    /// Directories put in front of `PATH` for the next steps, as
    /// `$GITHUB_PATH` lines (the last one ends up first).
    pub path: Vec<String>,
    pub log: Vec<String>,
}

/// A built-in run as a JavaScript action bundled with Gantry (its
/// `action.yml` and single-file `main`), so that it gets what JavaScript
/// actions get: file and workflow commands, masking, cancellation.
pub struct Bundled {
    pub action_yml: &'static str,
    /// The file name `runs.main` names.
    pub main_name: &'static str,
    pub main_js: &'static str,
}

/// A natively implemented action.
pub trait NativeAction: Send + Sync {
    /// `owner/repo` (and path) this implements, lower case.
    fn name(&self) -> &'static str;
    /// The major versions (`v6` → 6) this implements; empty: every ref. A
    /// ref naming another major version runs the real action.
    fn majors(&self) -> &'static [u32] {
        &[]
    }
    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String>;
    /// Whether the action places the repository's tree in the workspace
    /// (a job whose steps use none starts, as on GitHub, with an empty one).
    fn places_workspace_tree(&self) -> bool {
        false
    }
    /// Set when the built-in runs as a bundled JavaScript action instead of
    /// through [`NativeAction::run`].
    fn bundled(&self) -> Option<Bundled> {
        None
    }
    /// Whether the action has a post step (run at the end of the job, in
    /// reverse order with the other post steps, when
    /// [`NativeAction::post_if`] holds).
    fn has_post(&self) -> bool {
        false
    }
    /// The post step's `post-if` (GitHub's default: `always()`).
    fn post_if(&self) -> &'static str {
        "always()"
    }
    /// The post step: gets the main step's inputs (in `cx`) and outputs.
    fn post(
        &self,
        _cx: &ActionContext<'_>,
        _main_outputs: &BTreeMap<String, String>,
    ) -> Result<ActionOutput, String> {
        Ok(ActionOutput::default())
    }
}

/// The major version a ref names (`v4`, `v4.1.2`, `4` → 4); `None` for a
/// branch or a commit.
pub fn ref_major(git_ref: &str) -> Option<u32> {
    let r = git_ref.strip_prefix('v').unwrap_or(git_ref);
    let major = r.split('.').next()?;
    if major.is_empty() || major.len() > 4 || !major.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    major.parse().ok()
}

/// `--local-action OWNER/REPO[/PATH]@REF=DIR`: a local folder that replaces
/// an action (`@REF` left out: every ref).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionOverride {
    /// `owner/repo[/path]`, lower case.
    pub name: String,
    pub git_ref: Option<String>,
    pub dir: PathBuf,
}

impl std::str::FromStr for ActionOverride {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((action, dir)) = s.split_once('=') else {
            return Err(format!("`{s}` is not OWNER/REPO@REF=DIR"));
        };
        let (name, git_ref) = match action.split_once('@') {
            Some((n, r)) => (n, Some(r.to_owned())),
            None => (action, None),
        };
        let parts: Vec<&str> = name.split('/').collect();
        if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) || dir.is_empty() {
            return Err(format!("`{s}` is not OWNER/REPO@REF=DIR"));
        }
        if git_ref.as_deref() == Some("") {
            return Err(format!("`{s}` has an empty ref"));
        }
        Ok(ActionOverride {
            name: name.to_ascii_lowercase(),
            git_ref,
            dir: PathBuf::from(dir),
        })
    }
}

/// What runs for a `uses:` step, as decided by the registry.
pub enum Choice<'a> {
    /// A native built-in.
    Native(&'a dyn NativeAction),
    /// A `--local-action` replacement folder (the action's own folder: the
    /// path inside the repository is already applied).
    Folder(PathBuf),
    /// The real action, resolved from where `uses:` points.
    Resolve,
}

/// The registry of native actions, and of the user's choices about them
/// (`--no-builtin`, `--local-action`). The one place that names actions.
pub struct Registry {
    actions: Vec<Box<dyn NativeAction>>,
    /// `--no-builtin` without a name.
    all_disabled: bool,
    /// `--no-builtin NAME`.
    disabled: BTreeSet<String>,
    overrides: Vec<ActionOverride>,
    /// The cache and artifact stores native actions use.
    stores: Option<crate::builtins::Stores>,
    /// `--debug-on-failure`: the shell a failed step opens.
    debug_on_failure: Option<std::sync::Arc<dyn crate::debug_shell::DebugShell>>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            actions: vec![
                Box::new(Checkout),
                Box::new(crate::builtins::setup::SetupPython),
                Box::new(crate::builtins::setup::SetupNode),
                Box::new(crate::builtins::setup::SetupGo),
                Box::new(crate::builtins::paths_filter::PathsFilter),
                Box::new(crate::builtins::github_script::GithubScript),
                Box::new(crate::builtins::cache::Cache),
                Box::new(crate::builtins::cache::CacheRestore),
                Box::new(crate::builtins::cache::CacheSave),
                Box::new(crate::builtins::artifacts::UploadArtifact),
                Box::new(crate::builtins::artifacts::DownloadArtifact),
                Box::new(crate::builtins::tmate::Tmate::default()),
            ],
            all_disabled: false,
            disabled: BTreeSet::new(),
            overrides: Vec::new(),
            stores: None,
            debug_on_failure: None,
        }
    }
}

/// `owner/repo[/path]`, lower case, of a repository target.
fn repo_name(target: &UsesTarget) -> Option<(String, &str)> {
    let UsesTarget::Repo {
        owner,
        repo,
        path,
        git_ref,
    } = target
    else {
        return None;
    };
    let mut name = format!("{owner}/{repo}").to_ascii_lowercase();
    if let Some(p) = path.as_deref().filter(|p| !p.is_empty()) {
        name.push('/');
        name.push_str(&p.to_ascii_lowercase());
    }
    Some((name, git_ref.as_str()))
}

impl Registry {
    /// `--no-builtin` (`None`: every built-in; else one, by name). Unknown
    /// names are refused, listing the known ones.
    pub fn disable(&mut self, name: Option<&str>) -> Result<(), String> {
        match name {
            None => self.all_disabled = true,
            Some(n) => {
                let n = n.trim().to_ascii_lowercase();
                let n = n.split('@').next().unwrap_or_default().to_owned();
                if !self.actions.iter().any(|a| a.name() == n) {
                    return Err(format!(
                        "--no-builtin `{n}`: there is no such built-in (built-ins: {})",
                        self.names().join(", ")
                    ));
                }
                self.disabled.insert(n);
            }
        }
        Ok(())
    }

    /// The cache and artifact stores native actions read and write.
    pub fn set_stores(&mut self, stores: crate::builtins::Stores) {
        self.stores = Some(stores);
    }

    pub fn stores(&self) -> Option<&crate::builtins::Stores> {
        self.stores.as_ref()
    }

    /// The terminal's interactive shell: `mxschmitt/action-tmate` opens it
    /// and, with `on_failure` (`--debug-on-failure`), so does a failed step.
    pub fn set_debug_shell(
        &mut self,
        shell: std::sync::Arc<dyn crate::debug_shell::DebugShell>,
        on_failure: bool,
    ) {
        for a in &mut self.actions {
            if a.name() == crate::builtins::tmate::NAME {
                *a = Box::new(crate::builtins::tmate::Tmate {
                    shell: Some(shell.clone()),
                });
            }
        }
        self.debug_on_failure = on_failure.then_some(shell);
    }

    /// The shell a failed step opens (`--debug-on-failure`).
    pub fn debug_on_failure(&self) -> Option<&dyn crate::debug_shell::DebugShell> {
        self.debug_on_failure.as_deref()
    }

    /// A native action by its name (for its post step).
    pub fn native(&self, name: &str) -> Option<&dyn NativeAction> {
        self.actions
            .iter()
            .find(|a| a.name() == name)
            .map(AsRef::as_ref)
    }

    /// `--local-action`: replace an action with a local folder.
    pub fn add_override(&mut self, o: ActionOverride) {
        self.overrides.push(o);
    }

    /// What runs for a `uses:` target: a `--local-action` folder, else a native
    /// built-in (unless disabled), else the real action.
    pub fn choose(&self, target: &UsesTarget) -> Choice<'_> {
        let Some((name, git_ref)) = repo_name(target) else {
            return Choice::Resolve;
        };
        for o in &self.overrides {
            if o.git_ref.as_deref().is_some_and(|r| r != git_ref) {
                continue;
            }
            if o.name == name {
                return Choice::Folder(o.dir.clone());
            }
            // `--local-action owner/repo@v1=DIR` also covers `owner/repo/sub@v1`.
            if let Some(rest) = name.strip_prefix(&format!("{}/", o.name))
                && let UsesTarget::Repo { path: Some(p), .. } = target
                && p.eq_ignore_ascii_case(rest)
            {
                return Choice::Folder(o.dir.join(p));
            }
        }
        match self.lookup(target) {
            Some(a) => Choice::Native(a),
            None => Choice::Resolve,
        }
    }

    /// The native implementation for a `uses:` target, if any (and not
    /// disabled).
    pub fn lookup(&self, target: &UsesTarget) -> Option<&dyn NativeAction> {
        let (name, git_ref) = repo_name(target)?;
        if self.all_disabled || self.disabled.contains(&name) {
            return None;
        }
        let major = ref_major(git_ref);
        self.actions
            .iter()
            .find(|a| {
                a.name() == name
                    && (a.majors().is_empty() || major.is_none_or(|m| a.majors().contains(&m)))
            })
            .map(AsRef::as_ref)
    }

    /// Whether a step using `target` places the repository's tree in the
    /// workspace (`actions/checkout` of the workflow's own repository).
    /// This holds whether the built-in or, with `--no-builtin`, the real
    /// action runs: either way the job needs the tree of its commit.
    pub fn places_workspace_tree(&self, target: &UsesTarget) -> bool {
        let Some((name, _)) = repo_name(target) else {
            return false;
        };
        self.actions
            .iter()
            .any(|a| a.name() == name && a.places_workspace_tree())
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

    fn places_workspace_tree(&self) -> bool {
        true
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
        let event_sha = github_str("sha");
        let wanted = cx
            .inputs
            .get("ref")
            .map(|r| r.trim())
            .filter(|r| !r.is_empty());
        let git_ref = wanted.map_or_else(|| github_str("ref"), str::to_owned);
        // `ref:` names another commit: resolved in the local repository
        // (the workspace is a worktree sharing its objects).
        let sha = match wanted {
            Some(r) => resolve_ref(cx.workspace, r)?,
            None => event_sha.clone(),
        };
        let other_commit = !sha.eq_ignore_ascii_case(&event_sha);
        if let Some(path) = cx
            .inputs
            .get("path")
            .filter(|p| !p.is_empty() && p.as_str() != ".")
        {
            let dest = cx.workspace.join(path);
            if !dest.starts_with(cx.workspace) || dest == cx.workspace {
                return Err(format!("`path: {path}` leaves the workspace"));
            }
            if other_commit {
                extract_commit(cx.workspace, &sha, &dest)
                    .map_err(|e| format!("cannot place {git_ref} in {path}: {e}"))?;
                out.log.push(format!("Placed {git_ref} ({sha}) in {path}"));
            } else {
                copy_tree(cx.workspace, &dest, path)
                    .map_err(|e| format!("cannot place the checkout in {path}: {e}"))?;
                out.log
                    .push(format!("Placed the workspace's tree in {path}"));
            }
        } else if other_commit {
            git_in(
                cx.workspace,
                &["checkout", "--detach", "--force", "--quiet", &sha],
            )?;
            // `clean: true` (the default) also removes untracked files.
            if !cx
                .inputs
                .get("clean")
                .is_some_and(|c| c.trim().eq_ignore_ascii_case("false"))
            {
                git_in(cx.workspace, &["clean", "-ffdx", "--quiet"])?;
            }
            out.log
                .push(format!("Checked out {git_ref} ({sha}) in the workspace"));
        } else {
            out.log
                .push(format!("The workspace already holds {this_repo} at {sha}"));
        }
        out.outputs.insert("ref".into(), git_ref);
        out.outputs.insert("commit".into(), sha);
        Ok(out)
    }
}

/// Runs git in `dir`; its error output is the error.
fn git_in(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The commit `actions/checkout`'s `ref:` names, looked up the way the
/// action does: a full SHA, a fully qualified ref, then a branch, a tag, and
/// (for repositories cloned from a server) the remote branch.
fn resolve_ref(workspace: &Path, r: &str) -> Result<String, String> {
    if !workspace.join(".git").exists() {
        return Err(format!(
            "ref: {r}: the workspace is not a git repository, so only the event's commit can be checked out"
        ));
    }
    let candidates = if r.starts_with("refs/") || is_full_sha(r) {
        vec![r.to_owned()]
    } else {
        vec![
            format!("refs/heads/{r}"),
            format!("refs/tags/{r}"),
            format!("refs/remotes/origin/{r}"),
        ]
    };
    for c in &candidates {
        let spec = format!("{c}^{{commit}}");
        if let Ok(sha) = git_in(workspace, &["rev-parse", "--verify", "--quiet", &spec])
            && !sha.is_empty()
        {
            return Ok(sha);
        }
    }
    Err(format!(
        "A branch or tag with the name '{r}' could not be found (looked for {} in the local repository)",
        candidates.join(", ")
    ))
}

fn is_full_sha(r: &str) -> bool {
    matches!(r.len(), 40 | 64) && r.chars().all(|c| c.is_ascii_hexdigit())
}

/// Writes the tree of `sha` into `dest` (`git archive` piped into `tar`).
fn extract_commit(workspace: &Path, sha: &str, dest: &Path) -> Result<(), String> {
    use std::process::{Command, Stdio};
    std::fs::create_dir_all(dest).map_err(|e| e.to_string())?;
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(workspace)
        .args(["archive", "--format=tar", sha])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git archive: {e}"))?;
    let stdout = archive
        .stdout
        .take()
        .ok_or_else(|| "git archive has no output".to_owned())?;
    let tar = Command::new("tar")
        .args(["-x", "-C"])
        .arg(dest)
        .stdin(stdout)
        .output()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let git = archive.wait_with_output().map_err(|e| e.to_string())?;
    if !git.status.success() {
        return Err(format!(
            "git archive: {}",
            String::from_utf8_lossy(&git.stderr).trim()
        ));
    }
    if !tar.status.success() {
        return Err(format!(
            "tar: {}",
            String::from_utf8_lossy(&tar.stderr).trim()
        ));
    }
    Ok(())
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
