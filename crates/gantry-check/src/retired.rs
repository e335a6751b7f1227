//! Popular actions whose older major versions GitHub has retired or
//! deprecated (a retired runtime such as node12/node16, or a retired service
//! backend), with the version to move to.

/// One entry: `owner/repo` (and path prefix), the majors affected, why, and
/// what to use instead.
#[derive(Clone, Copy, Debug)]
pub struct Retired {
    pub action: &'static str,
    pub majors: &'static [u32],
    pub reason: &'static str,
    pub use_instead: &'static str,
}

const NODE12: &str = "runs on Node.js 12, which GitHub's runners no longer support";
const NODE16: &str = "runs on Node.js 16, which GitHub has deprecated on its runners";
const ARTIFACT_V3: &str =
    "uses the artifact service GitHub shut down on 2025-01-30; the step fails there";
const CACHE_OLD: &str = "talks to the legacy cache service GitHub shut down on 2025-02-01";

pub const TABLE: &[Retired] = &[
    Retired {
        action: "actions/checkout",
        majors: &[1, 2],
        reason: NODE12,
        use_instead: "actions/checkout@v4",
    },
    Retired {
        action: "actions/checkout",
        majors: &[3],
        reason: NODE16,
        use_instead: "actions/checkout@v4",
    },
    Retired {
        action: "actions/upload-artifact",
        majors: &[1, 2, 3],
        reason: ARTIFACT_V3,
        use_instead: "actions/upload-artifact@v4",
    },
    Retired {
        action: "actions/download-artifact",
        majors: &[1, 2, 3],
        reason: ARTIFACT_V3,
        use_instead: "actions/download-artifact@v4",
    },
    Retired {
        action: "actions/cache",
        majors: &[1, 2],
        reason: CACHE_OLD,
        use_instead: "actions/cache@v4",
    },
    Retired {
        action: "actions/cache",
        majors: &[3],
        reason: NODE16,
        use_instead: "actions/cache@v4",
    },
    Retired {
        action: "actions/setup-python",
        majors: &[1, 2, 3],
        reason: NODE12,
        use_instead: "actions/setup-python@v5",
    },
    Retired {
        action: "actions/setup-python",
        majors: &[4],
        reason: NODE16,
        use_instead: "actions/setup-python@v5",
    },
    Retired {
        action: "actions/setup-node",
        majors: &[1, 2],
        reason: NODE12,
        use_instead: "actions/setup-node@v4",
    },
    Retired {
        action: "actions/setup-node",
        majors: &[3],
        reason: NODE16,
        use_instead: "actions/setup-node@v4",
    },
    Retired {
        action: "actions/setup-go",
        majors: &[1, 2],
        reason: NODE12,
        use_instead: "actions/setup-go@v5",
    },
    Retired {
        action: "actions/setup-go",
        majors: &[3, 4],
        reason: NODE16,
        use_instead: "actions/setup-go@v5",
    },
    Retired {
        action: "actions/setup-java",
        majors: &[1, 2],
        reason: NODE12,
        use_instead: "actions/setup-java@v4",
    },
    Retired {
        action: "actions/setup-java",
        majors: &[3],
        reason: NODE16,
        use_instead: "actions/setup-java@v4",
    },
    Retired {
        action: "actions/setup-dotnet",
        majors: &[1, 2],
        reason: NODE12,
        use_instead: "actions/setup-dotnet@v4",
    },
    Retired {
        action: "actions/setup-dotnet",
        majors: &[3],
        reason: NODE16,
        use_instead: "actions/setup-dotnet@v4",
    },
    Retired {
        action: "actions/github-script",
        majors: &[1, 2, 3, 4, 5],
        reason: NODE12,
        use_instead: "actions/github-script@v7",
    },
    Retired {
        action: "actions/github-script",
        majors: &[6],
        reason: NODE16,
        use_instead: "actions/github-script@v7",
    },
    Retired {
        action: "actions/dependency-review-action",
        majors: &[1, 2, 3],
        reason: NODE16,
        use_instead: "actions/dependency-review-action@v4",
    },
    Retired {
        action: "actions/labeler",
        majors: &[1, 2, 3, 4],
        reason: NODE16,
        use_instead: "actions/labeler@v5",
    },
    Retired {
        action: "actions/stale",
        majors: &[1, 2, 3, 4, 5, 6, 7, 8],
        reason: NODE16,
        use_instead: "actions/stale@v9",
    },
    Retired {
        action: "actions/create-release",
        majors: &[1],
        reason: "is archived and runs on Node.js 12",
        use_instead: "softprops/action-gh-release@v2 or `gh release create`",
    },
    Retired {
        action: "actions/upload-release-asset",
        majors: &[1],
        reason: "is archived and runs on Node.js 12",
        use_instead: "softprops/action-gh-release@v2 or `gh release upload`",
    },
    Retired {
        action: "github/codeql-action",
        majors: &[1, 2],
        reason: "is a CodeQL Action version GitHub no longer supports",
        use_instead: "github/codeql-action/*@v3",
    },
    Retired {
        action: "aws-actions/configure-aws-credentials",
        majors: &[1],
        reason: NODE12,
        use_instead: "aws-actions/configure-aws-credentials@v4",
    },
    Retired {
        action: "aws-actions/configure-aws-credentials",
        majors: &[2, 3],
        reason: NODE16,
        use_instead: "aws-actions/configure-aws-credentials@v4",
    },
    Retired {
        action: "docker/setup-buildx-action",
        majors: &[1],
        reason: NODE12,
        use_instead: "docker/setup-buildx-action@v3",
    },
    Retired {
        action: "docker/setup-buildx-action",
        majors: &[2],
        reason: NODE16,
        use_instead: "docker/setup-buildx-action@v3",
    },
    Retired {
        action: "docker/login-action",
        majors: &[1],
        reason: NODE12,
        use_instead: "docker/login-action@v3",
    },
    Retired {
        action: "docker/login-action",
        majors: &[2],
        reason: NODE16,
        use_instead: "docker/login-action@v3",
    },
    Retired {
        action: "docker/build-push-action",
        majors: &[1, 2],
        reason: NODE12,
        use_instead: "docker/build-push-action@v6",
    },
    Retired {
        action: "docker/build-push-action",
        majors: &[3, 4],
        reason: NODE16,
        use_instead: "docker/build-push-action@v6",
    },
    Retired {
        action: "docker/setup-qemu-action",
        majors: &[1],
        reason: NODE12,
        use_instead: "docker/setup-qemu-action@v3",
    },
    Retired {
        action: "docker/setup-qemu-action",
        majors: &[2],
        reason: NODE16,
        use_instead: "docker/setup-qemu-action@v3",
    },
    Retired {
        action: "docker/metadata-action",
        majors: &[1, 2, 3],
        reason: NODE12,
        use_instead: "docker/metadata-action@v5",
    },
    Retired {
        action: "docker/metadata-action",
        majors: &[4],
        reason: NODE16,
        use_instead: "docker/metadata-action@v5",
    },
    Retired {
        action: "codecov/codecov-action",
        majors: &[1, 2],
        reason: NODE12,
        use_instead: "codecov/codecov-action@v5",
    },
    Retired {
        action: "codecov/codecov-action",
        majors: &[3],
        reason: NODE16,
        use_instead: "codecov/codecov-action@v5",
    },
    Retired {
        action: "dorny/paths-filter",
        majors: &[1, 2],
        reason: NODE16,
        use_instead: "dorny/paths-filter@v3",
    },
    Retired {
        action: "peter-evans/create-pull-request",
        majors: &[1, 2, 3, 4],
        reason: NODE16,
        use_instead: "peter-evans/create-pull-request@v7",
    },
    Retired {
        action: "JamesIves/github-pages-deploy-action",
        majors: &[3],
        reason: NODE12,
        use_instead: "JamesIves/github-pages-deploy-action@v4",
    },
    Retired {
        action: "actions/configure-pages",
        majors: &[1, 2],
        reason: NODE16,
        use_instead: "actions/configure-pages@v5",
    },
    Retired {
        action: "actions/upload-pages-artifact",
        majors: &[1, 2],
        reason: ARTIFACT_V3,
        use_instead: "actions/upload-pages-artifact@v3",
    },
    Retired {
        action: "actions/deploy-pages",
        majors: &[1, 2, 3],
        reason: NODE16,
        use_instead: "actions/deploy-pages@v4",
    },
];

/// Looks up `owner/repo[/path]` at `git_ref` (e.g. `v3`, `v3.1.0`). Only
/// version tags are judged; SHAs and branch names are not.
pub fn lookup(action: &str, git_ref: &str) -> Option<&'static Retired> {
    let major = major_of(git_ref)?;
    TABLE.iter().find(|r| {
        let matches_name = action.eq_ignore_ascii_case(r.action)
            || action
                .to_ascii_lowercase()
                .starts_with(&format!("{}/", r.action.to_ascii_lowercase()));
        matches_name && r.majors.contains(&major)
    })
}

/// `v3`, `v3.2`, `v3.2.1` → 3.
fn major_of(git_ref: &str) -> Option<u32> {
    let rest = git_ref
        .strip_prefix('v')
        .or_else(|| git_ref.strip_prefix('V'))?;
    let major = rest.split('.').next()?;
    major.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_retired_versions() {
        assert!(lookup("actions/upload-artifact", "v3").is_some());
        assert!(lookup("actions/upload-artifact", "v4").is_none());
        assert!(lookup("actions/cache", "v3.3.1").is_some());
        assert!(lookup("github/codeql-action/init", "v2").is_some());
        assert!(lookup("actions/checkout", "main").is_none());
        assert!(
            lookup(
                "actions/checkout",
                "8e5e7e5ab8b370d6c329ec480221332ada57f0ab"
            )
            .is_none()
        );
    }
}
