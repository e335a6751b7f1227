//! Finding an action's files and metadata for a `uses:` step.
//!
//! `./path` and `$/path` are folders of the job's workspace (the
//! workflow's own repository at the running commit). `owner/repo[/path]@ref`
//! is fetched once from the configured server with `git` (a shallow fetch of
//! the resolved commit) into a cache under the user's cache directory, by
//! owner/repo and commit SHA; `--offline` reads only that cache. Which
//! implementation runs (a native built-in, a `--local-action` replacement folder,
//! or the real action) is decided by [`crate::actions::Registry`]; this
//! module only fetches and loads.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use gantry_workflow::{Action, Runs, parse_action};
use tokio::sync::OnceCell;

/// GitHub's default server.
pub const DEFAULT_SERVER_URL: &str = "https://github.com";

/// How remote actions are found.
#[derive(Clone, Debug, Default)]
pub struct ResolverOptions {
    /// The server actions are downloaded from: `https://github.com`, a GitHub
    /// Enterprise server, or a `file://` folder holding `owner/repo` git
    /// repositories. `None`: the job's `github.server_url`, else
    /// [`DEFAULT_SERVER_URL`].
    pub server_url: Option<String>,
    /// Where downloaded actions are kept. `None`: `gantry/actions` under the
    /// user's cache directory (`$XDG_CACHE_HOME`, else `~/.cache`).
    pub cache_dir: Option<PathBuf>,
    /// Use only the cache; never download.
    pub offline: bool,
}

/// Where an action's files came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A folder of the workspace (`./path`, `$/path`).
    Workspace,
    /// A `--local-action` replacement folder.
    Replaced,
    /// A repository at a resolved commit.
    Remote { sha: String },
}

/// An action ready to run: its folder and metadata.
#[derive(Clone, Debug)]
pub struct ResolvedAction {
    /// The folder holding `action.yml` (`GITHUB_ACTION_PATH`).
    pub dir: PathBuf,
    /// The metadata; `None` for a folder with only a `Dockerfile`.
    pub action: Option<Action>,
    /// `owner/repo` for repository actions (`GITHUB_ACTION_REPOSITORY`).
    pub repository: Option<String>,
    /// The ref as written (`GITHUB_ACTION_REF`).
    pub git_ref: Option<String>,
    pub origin: Origin,
}

impl ResolvedAction {
    /// Whether the action runs in a container.
    pub fn is_docker(&self) -> bool {
        match &self.action {
            None => true,
            Some(a) => matches!(a.runs, Some(Runs::Docker(_))),
        }
    }
}

/// A fetch's result: the commit's folder and SHA, or why not.
type Fetched = Arc<OnceCell<Result<(PathBuf, String), String>>>;

/// Fetches and caches remote actions for a run. Shared by every job of the
/// run; each `owner/repo@ref` is resolved once per run.
#[derive(Default)]
pub struct Resolver {
    options: ResolverOptions,
    /// `server|owner/repo@ref` → the commit's folder in the cache.
    fetched: Mutex<HashMap<String, Fetched>>,
}

impl Resolver {
    pub fn new(options: ResolverOptions) -> Resolver {
        Resolver {
            options,
            fetched: Mutex::new(HashMap::new()),
        }
    }

    pub fn options(&self) -> &ResolverOptions {
        &self.options
    }

    /// The cache folder of downloaded actions.
    pub fn cache_dir(&self) -> PathBuf {
        self.options.cache_dir.clone().unwrap_or_else(|| {
            user_cache_dir()
                .unwrap_or_else(std::env::temp_dir)
                .join("gantry")
                .join("actions")
        })
    }

    /// The server for a job whose `github.server_url` is `job_server`.
    pub fn server_url(&self, job_server: Option<&str>) -> String {
        self.options
            .server_url
            .as_deref()
            .or(job_server)
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_SERVER_URL)
            .trim_end_matches('/')
            .to_owned()
    }

    /// Resolves `owner/repo@ref` to its folder in the cache (downloading it
    /// when needed) and the commit SHA.
    pub async fn fetch(
        &self,
        owner: &str,
        repo: &str,
        git_ref: &str,
        server: &str,
    ) -> Result<(PathBuf, String), String> {
        let key = format!("{server}|{}/{}@{git_ref}", owner, repo).to_ascii_lowercase();
        let cell = {
            let mut map = self
                .fetched
                .lock()
                .map_err(|_| "the action cache lock is poisoned".to_owned())?;
            map.entry(key).or_default().clone()
        };
        let job = FetchJob {
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            git_ref: git_ref.to_owned(),
            server: server.to_owned(),
            cache: self.cache_dir(),
            offline: self.options.offline,
        };
        cell.get_or_init(|| async move {
            tokio::task::spawn_blocking(move || job.run())
                .await
                .unwrap_or_else(|e| Err(format!("the download task failed: {e}")))
        })
        .await
        .clone()
    }
}

/// `$XDG_CACHE_HOME`, else `~/.cache`.
pub fn user_cache_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return Some(PathBuf::from(x));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".cache"))
}

/// Whether a ref is a full commit SHA (40 or 64 hex digits).
pub fn is_full_sha(r: &str) -> bool {
    (r.len() == 40 || r.len() == 64) && r.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a ref could be an abbreviated commit SHA.
pub fn looks_like_short_sha(r: &str) -> bool {
    (4..40).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_hexdigit())
}

/// GitHub's refusal of an abbreviated SHA.
pub fn short_sha_message(name: &str, r: &str) -> String {
    format!(
        "Unable to resolve action `{name}@{r}`: the ref `{r}` is a shortened commit SHA, which GitHub does not accept; use the full 40-character SHA"
    )
}

/// A path inside a repository or workspace that stays inside it.
pub fn safe_join(base: &Path, rel: &str) -> Result<PathBuf, String> {
    let rel_path = Path::new(rel);
    let mut out = base.to_path_buf();
    for c in rel_path.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return Err(format!("the action path `{rel}` leaves its repository")),
        }
    }
    Ok(out)
}

/// Loads `action.yml` (or `action.yaml`) from a folder. A folder with only a
/// `Dockerfile` is a Docker action without metadata.
pub fn load_action_dir(dir: &Path) -> Result<(Option<Action>, PathBuf), String> {
    let yml = dir.join("action.yml");
    let yaml = dir.join("action.yaml");
    let file = if yml.is_file() {
        yml
    } else if yaml.is_file() {
        yaml
    } else if dir.join("Dockerfile").is_file() {
        return Ok((None, dir.join("Dockerfile")));
    } else {
        return Err(format!(
            "Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '{}'. Did you forget to run actions/checkout before running your local action?",
            dir.display()
        ));
    };
    let src = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let (action, diags) = parse_action(&src);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            format!(
                "{}:{}:{}: {}",
                file.display(),
                d.span.start.line,
                d.span.start.column,
                d.message
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "the action metadata {} is not valid:\n{}",
            file.display(),
            errors.join("\n")
        ));
    }
    match action {
        Some(a) if a.runs.is_some() => Ok((Some(a), file)),
        _ => Err(format!(
            "{}: the action metadata has no valid `runs`",
            file.display()
        )),
    }
}

/// One download, run on a blocking thread.
struct FetchJob {
    owner: String,
    repo: String,
    git_ref: String,
    server: String,
    cache: PathBuf,
    offline: bool,
}

impl FetchJob {
    fn name(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    fn repo_cache(&self) -> PathBuf {
        self.cache
            .join(self.owner.to_ascii_lowercase())
            .join(self.repo.to_ascii_lowercase())
    }

    fn ref_file(&self) -> PathBuf {
        let enc: String = self
            .git_ref
            .chars()
            .map(|c| match c {
                '/' => "%2F".to_owned(),
                '%' => "%25".to_owned(),
                c => c.to_string(),
            })
            .collect();
        self.repo_cache().join("refs").join(enc)
    }

    fn url(&self) -> String {
        let base = format!("{}/{}/{}", self.server, self.owner, self.repo);
        if let Some(path) = base.strip_prefix("file://") {
            let p = Path::new(path);
            if !p.exists() && Path::new(&format!("{path}.git")).exists() {
                return format!("{base}.git");
            }
        }
        base
    }

    fn run(self) -> Result<(PathBuf, String), String> {
        let name = self.name();
        // The commit: a full SHA as written, else what the ref names.
        let sha = if is_full_sha(&self.git_ref) {
            self.git_ref.to_ascii_lowercase()
        } else if self.offline {
            match std::fs::read_to_string(self.ref_file()) {
                Ok(s) if is_full_sha(s.trim()) => s.trim().to_owned(),
                _ if looks_like_short_sha(&self.git_ref) => {
                    return Err(short_sha_message(&name, &self.git_ref));
                }
                _ => {
                    return Err(format!(
                        "`{name}@{}` is not in the action cache ({}), and --offline forbids downloading it",
                        self.git_ref,
                        self.cache.display()
                    ));
                }
            }
        } else {
            self.ls_remote()?
        };
        let dest = self.repo_cache().join(&sha);
        if dest.is_dir() {
            self.remember_ref(&sha);
            return Ok((dest, sha));
        }
        if self.offline {
            return Err(format!(
                "`{name}@{}` is not in the action cache ({}), and --offline forbids downloading it",
                self.git_ref,
                self.cache.display()
            ));
        }
        self.download(&sha, &dest)?;
        self.remember_ref(&sha);
        Ok((dest, sha))
    }

    fn remember_ref(&self, sha: &str) {
        if is_full_sha(&self.git_ref) {
            return;
        }
        let f = self.ref_file();
        if let Some(parent) = f.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let tmp = f.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, sha).is_ok() {
            let _ = std::fs::rename(&tmp, &f);
        }
    }

    /// Resolves a tag or branch with `git ls-remote` (tags before branches,
    /// as git does); an abbreviated SHA is refused as GitHub refuses it.
    fn ls_remote(&self) -> Result<String, String> {
        let name = self.name();
        let r = &self.git_ref;
        let tag = format!("refs/tags/{r}");
        let peeled = format!("refs/tags/{r}^{{}}");
        let head = format!("refs/heads/{r}");
        let url = self.url();
        let out = git(&["ls-remote", &url, &tag, &peeled, &head]).map_err(|e| {
            format!("Unable to resolve action `{name}@{r}`: cannot reach {url}: {e}")
        })?;
        let mut found: HashMap<&str, &str> = HashMap::new();
        for line in out.lines() {
            if let Some((sha, refname)) = line.split_once('\t') {
                found.insert(refname.trim(), sha.trim());
            }
        }
        for want in [&peeled, &tag, &head] {
            if let Some(sha) = found.get(want.as_str()) {
                return Ok((*sha).to_ascii_lowercase());
            }
        }
        if looks_like_short_sha(r) {
            return Err(short_sha_message(&name, r));
        }
        Err(format!(
            "Unable to resolve action `{name}@{r}`, unable to find version `{r}` (no tag or branch of that name at {url})"
        ))
    }

    /// A shallow fetch of one commit, checked out without `.git` into a
    /// temporary folder that is renamed into place (so a crash never leaves
    /// a half-written action in the cache).
    fn download(&self, sha: &str, dest: &Path) -> Result<(), String> {
        let name = self.name();
        let parent = self.repo_cache();
        std::fs::create_dir_all(&parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        let tmp = parent.join(format!(".tmp-{sha}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let gitdir = tmp.join("git");
        let tree = tmp.join("tree");
        std::fs::create_dir_all(&tree)
            .map_err(|e| format!("cannot create {}: {e}", tree.display()))?;
        let url = self.url();
        let g = gitdir.to_string_lossy().into_owned();
        let t = tree.to_string_lossy().into_owned();
        let result = (|| {
            git(&["init", "--quiet", "--bare", &g])?;
            git(&[
                "--git-dir",
                &g,
                "fetch",
                "--quiet",
                "--depth=1",
                "--no-tags",
                &url,
                sha,
            ])?;
            git(&[
                "--git-dir",
                &g,
                "--work-tree",
                &t,
                "checkout",
                "--quiet",
                "--force",
                sha,
                "--",
                ".",
            ])?;
            Ok::<(), String>(())
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(format!(
                "cannot download `{name}@{}` from {url}: {e}",
                self.git_ref
            ));
        }
        let renamed = std::fs::rename(&tree, dest);
        let _ = std::fs::remove_dir_all(&tmp);
        match renamed {
            Ok(()) => Ok(()),
            // Another job of the run got there first.
            Err(_) if dest.is_dir() => Ok(()),
            Err(e) => Err(format!("cannot place {}: {e}", dest.display())),
        }
    }
}

/// Runs git with a clean, non-interactive environment.
fn git(args: &[&str]) -> Result<String, String> {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    let out = cmd.output().map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err.trim().lines().last().unwrap_or("git failed").to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shas() {
        assert!(is_full_sha("4c7582e791dff06ed9c5e7a87c1a2864a576f795"));
        assert!(!is_full_sha("4c7582e"));
        assert!(looks_like_short_sha("4c7582e"));
        assert!(!looks_like_short_sha("v4"));
        assert!(!looks_like_short_sha(
            "4c7582e791dff06ed9c5e7a87c1a2864a576f795"
        ));
    }

    #[test]
    fn safe_paths() {
        let b = Path::new("/w");
        assert_eq!(safe_join(b, "./a/b"), Ok(PathBuf::from("/w/a/b")));
        assert!(safe_join(b, "../x").is_err());
        assert!(safe_join(b, "/etc").is_err());
    }
}
