//! Who and where: the repository's owner and name, the actor, the server's
//! URLs, and the default branch — what git can tell, and placeholders for
//! what it cannot.

use crate::Error;
use crate::git::Git;

/// The GitHub server the repository lives on.
pub const DEFAULT_SERVER_URL: &str = "https://github.com";

/// The actor (and repository owner) when nothing better is known.
pub const DEFAULT_ACTOR: &str = "gantry";

/// The repository, the actor and the server, as the payload and the `github`
/// context show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub owner: String,
    pub name: String,
    pub actor: String,
    /// The pusher's e-mail (git's `user.email`), if configured.
    pub actor_email: Option<String>,
    pub server_url: String,
    pub api_url: String,
    pub graphql_url: String,
    pub default_branch: String,
}

impl Identity {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    pub fn html_url(&self) -> String {
        format!("{}/{}/{}", self.server_url, self.owner, self.name)
    }

    pub fn api_repo_url(&self) -> String {
        format!("{}/repos/{}/{}", self.api_url, self.owner, self.name)
    }

    /// `git://host/owner/name.git`, as `github.repositoryUrl` has it.
    pub fn git_url(&self) -> String {
        format!("git://{}/{}.git", self.host(), self.full_name())
    }

    pub fn host(&self) -> &str {
        let s = self
            .server_url
            .split_once("://")
            .map_or(self.server_url.as_str(), |(_, r)| r);
        s.split('/').next().unwrap_or(s)
    }
}

/// The API and GraphQL URLs GitHub uses for a server URL: `api.github.com`
/// for github.com, `/api/v3` and `/api/graphql` for GitHub Enterprise Server.
pub fn api_urls(server_url: &str) -> (String, String) {
    let server = server_url.trim_end_matches('/');
    if server.eq_ignore_ascii_case(DEFAULT_SERVER_URL) {
        (
            "https://api.github.com".to_owned(),
            "https://api.github.com/graphql".to_owned(),
        )
    } else {
        (format!("{server}/api/v3"), format!("{server}/api/graphql"))
    }
}

/// `owner/name` from a remote URL: `https://host/owner/name(.git)`,
/// `ssh://git@host[:port]/owner/name.git`, `git@host:owner/name.git`.
/// Local paths (`/srv/repo.git`, `../x`, `file://…`) name no owner.
pub fn parse_remote(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let path = if let Some((scheme, rest)) = url.split_once("://") {
        if scheme.eq_ignore_ascii_case("file") {
            return None;
        }
        let (_, path) = rest.split_once('/')?;
        path
    } else {
        // scp-like `[user@]host:path`; a `/` before the `:` means a path.
        let (host, path) = url.split_once(':')?;
        if host.is_empty() || host.contains('/') || host.contains('\\') {
            return None;
        }
        path
    };
    let mut parts: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let name = parts.pop()?;
    let owner = parts.pop()?;
    let name = name.strip_suffix(".git").unwrap_or(name);
    if owner.is_empty() || name.is_empty() || owner.starts_with('~') {
        return None;
    }
    Some((owner.to_owned(), name.to_owned()))
}

/// The default branch: `--default-branch`, else where `origin/HEAD` points,
/// else `main` or `master` if such a branch exists, else the current branch,
/// else `main`.
pub fn default_branch(git: &Git, explicit: Option<&str>) -> Result<String, Error> {
    if let Some(b) = explicit {
        return Ok(b.strip_prefix("refs/heads/").unwrap_or(b).to_owned());
    }
    if let Some(b) = git.origin_head()? {
        return Ok(b);
    }
    for b in ["main", "master"] {
        if git.has_branch(b)? || git.has_ref(&format!("refs/remotes/origin/{b}"))? {
            return Ok(b.to_owned());
        }
    }
    Ok(git.current_branch()?.unwrap_or_else(|| "main".to_owned()))
}

/// Works out the identity from the options and the repository.
pub fn identify(
    git: &Git,
    repository: Option<&str>,
    actor: Option<&str>,
    server_url: Option<&str>,
    default_branch_opt: Option<&str>,
) -> Result<Identity, Error> {
    let actor = actor
        .map(str::to_owned)
        .unwrap_or_else(|| DEFAULT_ACTOR.to_owned());
    let (owner, name) = match repository {
        Some(r) => match r.split_once('/') {
            Some((o, n)) if !o.is_empty() && !n.is_empty() && !n.contains('/') => {
                (o.to_owned(), n.to_owned())
            }
            _ => return Err(Error::BadRepository(r.to_owned())),
        },
        None => match git.remote_url("origin")?.as_deref().and_then(parse_remote) {
            Some(pair) => pair,
            None => {
                let dir = git
                    .root()
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "repository".to_owned());
                (actor.clone(), dir)
            }
        },
    };
    let server_url = server_url
        .unwrap_or(DEFAULT_SERVER_URL)
        .trim_end_matches('/')
        .to_owned();
    let (api_url, graphql_url) = api_urls(&server_url);
    Ok(Identity {
        owner,
        name,
        actor,
        actor_email: git.config("user.email")?,
        server_url,
        api_url,
        graphql_url,
        default_branch: default_branch(git, default_branch_opt)?,
    })
}

/// A stable placeholder id for a name (GitHub's ids are not knowable
/// locally): a 32-bit FNV-1a hash, so the same name always gets the same id.
pub fn placeholder_id(name: &str) -> u64 {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.to_ascii_lowercase().bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    u64::from(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes() {
        let cases = [
            ("https://github.com/octo/hello.git", Some(("octo", "hello"))),
            ("https://github.com/octo/hello", Some(("octo", "hello"))),
            (
                "https://x:tok@github.com/octo/hello/",
                Some(("octo", "hello")),
            ),
            ("git@github.com:octo/hello.git", Some(("octo", "hello"))),
            (
                "ssh://git@github.com:22/octo/hello.git",
                Some(("octo", "hello")),
            ),
            (
                "https://ghe.example/org/sub/repo.git",
                Some(("sub", "repo")),
            ),
            ("/srv/git/remote.git", None),
            ("../remote", None),
            ("file:///srv/git/remote.git", None),
            ("https://github.com/", None),
        ];
        for (url, want) in cases {
            let got = parse_remote(url);
            assert_eq!(
                got.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
                want,
                "{url}"
            );
        }
    }

    #[test]
    fn api() {
        assert_eq!(api_urls("https://github.com").0, "https://api.github.com");
        assert_eq!(
            api_urls("https://ghe.example").1,
            "https://ghe.example/api/graphql"
        );
    }
}
