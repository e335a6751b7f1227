//! Reusable workflows of other repositories (`owner/repo/path@ref`).
//!
//! The planner reads a called workflow through [`crate::Repo`] by path; a
//! remote one is read under the name [`RemoteWorkflow::key`] gives it
//! (`owner/repo/.github/workflows/x.yml@ref`). A reader that has not
//! fetched it returns nothing, and the call is left unexpanded (`gantry
//! plan`); `gantry run` fetches it first and serves it under that name.

use std::fmt;

/// A workflow file of another repository at a ref.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RemoteWorkflow {
    pub owner: String,
    pub repo: String,
    /// The file inside the repository (`.github/workflows/x.yml`).
    pub path: String,
    /// The ref as written (tag, branch or SHA).
    pub git_ref: String,
}

impl RemoteWorkflow {
    /// The name the planner reads it by: `owner/repo/path@ref`.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// The workflow a name given by [`RemoteWorkflow::key`] stands for;
    /// `None` for a path of this repository.
    pub fn parse(key: &str) -> Option<RemoteWorkflow> {
        let (rest, git_ref) = key.rsplit_once('@')?;
        let mut parts = rest.splitn(3, '/');
        let owner = parts.next()?;
        let repo = parts.next()?;
        let path = parts.next()?;
        if owner.is_empty()
            || repo.is_empty()
            || path.is_empty()
            || git_ref.is_empty()
            || owner.starts_with('.')
        {
            return None;
        }
        Some(RemoteWorkflow {
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            path: path.to_owned(),
            git_ref: git_ref.to_owned(),
        })
    }

    /// Another file of the same repository at the same ref (a `./` call
    /// made by this workflow).
    pub fn sibling(&self, path: &str) -> RemoteWorkflow {
        RemoteWorkflow {
            path: path.to_owned(),
            ..self.clone()
        }
    }
}

impl fmt::Display for RemoteWorkflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}@{}",
            self.owner, self.repo, self.path, self.git_ref
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let r = RemoteWorkflow::parse("octo/lib/.github/workflows/t.yml@v1").unwrap();
        assert_eq!(r.owner, "octo");
        assert_eq!(r.repo, "lib");
        assert_eq!(r.path, ".github/workflows/t.yml");
        assert_eq!(r.git_ref, "v1");
        assert_eq!(r.key(), "octo/lib/.github/workflows/t.yml@v1");
        assert_eq!(
            r.sibling(".github/workflows/u.yml").key(),
            "octo/lib/.github/workflows/u.yml@v1"
        );
        assert!(RemoteWorkflow::parse(".github/workflows/t.yml").is_none());
        assert!(RemoteWorkflow::parse("octo/lib@v1").is_none());
    }
}
