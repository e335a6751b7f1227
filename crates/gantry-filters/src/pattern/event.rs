//! GitHub's evaluation rules for branch, tag and path filters of events.

use std::fmt;

use super::list::{FilterKind, PatternList, quote_list};

/// GitHub looks at no more than this many changed files when evaluating
/// `paths` / `paths-ignore` ("Diffs are limited to 300 files. If there are
/// files changed that aren't matched in the first 300 files returned by the
/// filter, the workflow will not run."). Files past this index are ignored.
pub const MAX_CHANGED_FILES: usize = 300;

/// Whether a ref name is a branch or a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// `refs/heads/...`
    Branch,
    /// `refs/tags/...`
    Tag,
}

impl RefKind {
    /// `"branch"` or `"tag"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Branch => "branch",
            RefKind::Tag => "tag",
        }
    }

    fn include_key(self) -> FilterKind {
        match self {
            RefKind::Branch => FilterKind::Branches,
            RefKind::Tag => FilterKind::Tags,
        }
    }
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Git ref, split into what filters match against: the short name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitRef<'a> {
    /// A branch, by short name (`main` for `refs/heads/main`).
    Branch(&'a str),
    /// A tag, by short name (`v1.2` for `refs/tags/v1.2`).
    Tag(&'a str),
    /// Any other ref, in full.
    Other(&'a str),
}

impl<'a> GitRef<'a> {
    /// Splits a full ref: `refs/heads/x` is a branch, `refs/tags/x` a tag.
    pub fn parse(full: &'a str) -> GitRef<'a> {
        if let Some(name) = full.strip_prefix("refs/heads/") {
            GitRef::Branch(name)
        } else if let Some(name) = full.strip_prefix("refs/tags/") {
            GitRef::Tag(name)
        } else {
            GitRef::Other(full)
        }
    }
}

/// Why a workflow would not run for an event, with a one-line Display such
/// as `paths: no changed file matches 'shared/**'`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// `branches`/`tags`: no pattern matches the name.
    #[error("{}: {kind} '{name}' does not match {}", kind.include_key(), quote_list(patterns))]
    NotMatched {
        /// Branch or tag.
        kind: RefKind,
        /// Short ref name.
        name: String,
        /// The list's patterns as written.
        patterns: Vec<String>,
    },
    /// `branches`/`tags`: the last matching pattern is a negated one.
    #[error("{}: {kind} '{name}' is excluded by '{pattern}'", kind.include_key())]
    ExcludedByNegation {
        /// Branch or tag.
        kind: RefKind,
        /// Short ref name.
        name: String,
        /// The deciding `!` pattern.
        pattern: String,
    },
    /// `branches-ignore`/`tags-ignore`: a pattern matches the name.
    #[error("{}: {kind} '{name}' is ignored by '{pattern}'", kind.include_key().counterpart())]
    Ignored {
        /// Branch or tag.
        kind: RefKind,
        /// Short ref name.
        name: String,
        /// The deciding ignore pattern.
        pattern: String,
    },
    /// A push of a kind of ref that has no filter while the other kind has
    /// one: "If you define only tags/tags-ignore or only
    /// branches/branches-ignore, the workflow won't run for events affecting
    /// the undefined Git ref."
    #[error(
        "{kind} '{name}' is not considered: the event filters {} but defines no {} or {} filter",
        other_kind_keys(*kind),
        kind.include_key(),
        kind.include_key().counterpart()
    )]
    RefKindNotFiltered {
        /// Kind of the pushed ref.
        kind: RefKind,
        /// Short ref name.
        name: String,
    },
    /// A push to a ref that is neither a branch nor a tag while branch or tag
    /// filters are defined.
    #[error(
        "ref '{git_ref}' is neither a branch nor a tag, so branch and tag filters cannot match it"
    )]
    UnfilterableRef {
        /// The full ref.
        git_ref: String,
    },
    /// "If there are no files changed, the workflow will not run."
    #[error("{filter}: no files changed")]
    NoChangedFiles {
        /// `paths` or `paths-ignore`.
        filter: FilterKind,
    },
    /// `paths`: none of the (first [`MAX_CHANGED_FILES`]) changed files is
    /// selected by the list.
    #[error("paths: no changed file matches {}", quote_list(patterns))]
    NoChangedFileMatches {
        /// The list's patterns as written.
        patterns: Vec<String>,
    },
    /// `paths-ignore`: every (of the first [`MAX_CHANGED_FILES`]) changed
    /// file is ignored.
    #[error("paths-ignore: every changed file matches {}", quote_list(patterns))]
    AllChangedFilesIgnored {
        /// The list's patterns as written.
        patterns: Vec<String>,
    },
}

fn other_kind_keys(kind: RefKind) -> &'static str {
    match kind {
        RefKind::Branch => "tags",
        RefKind::Tag => "branches",
    }
}

/// A `branches`/`branches-ignore` (or `tags`/`tags-ignore`) filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefFilter {
    /// `branches` / `tags`: runs when the list selects the name.
    Include(PatternList),
    /// `branches-ignore` / `tags-ignore`: runs unless the list selects the
    /// name. (Negations should not appear here, see
    /// [`PatternList::issues`]; if they do they are applied like in an
    /// include list, i.e. a later `!` pattern un-ignores.)
    Ignore(PatternList),
}

impl RefFilter {
    /// The patterns of the filter.
    pub fn patterns(&self) -> &PatternList {
        match self {
            RefFilter::Include(l) | RefFilter::Ignore(l) => l,
        }
    }

    /// Whether the filter lets `name` (of the given kind) through.
    pub fn check(&self, kind: RefKind, name: &str) -> Result<(), SkipReason> {
        match self {
            RefFilter::Include(list) => match list.deciding_pattern(name) {
                Some(p) if !p.is_negated() => Ok(()),
                Some(p) => Err(SkipReason::ExcludedByNegation {
                    kind,
                    name: name.to_owned(),
                    pattern: p.as_str().to_owned(),
                }),
                None => Err(SkipReason::NotMatched {
                    kind,
                    name: name.to_owned(),
                    patterns: list.sources(),
                }),
            },
            RefFilter::Ignore(list) => match list.deciding_pattern(name) {
                Some(p) if !p.is_negated() => Err(SkipReason::Ignored {
                    kind,
                    name: name.to_owned(),
                    pattern: p.as_str().to_owned(),
                }),
                _ => Ok(()),
            },
        }
    }
}

/// A `paths` / `paths-ignore` filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathFilter {
    /// `paths`: runs if at least one changed file is selected by the list
    /// (negations apply per file).
    Include(PatternList),
    /// `paths-ignore`: runs unless every changed file is selected by the
    /// list.
    Ignore(PatternList),
}

impl PathFilter {
    /// The patterns of the filter.
    pub fn patterns(&self) -> &PatternList {
        match self {
            PathFilter::Include(l) | PathFilter::Ignore(l) => l,
        }
    }

    /// Evaluates the filter against the changed files (repository-relative
    /// paths with `/` separators). Only the first [`MAX_CHANGED_FILES`] are
    /// considered, and an empty list never runs.
    pub fn check<S: AsRef<str>>(&self, changed_files: &[S]) -> Result<(), SkipReason> {
        self.first_reason(changed_files).map(|_| ())
    }

    /// Like [`PathFilter::check`], but on success tells which file made the
    /// workflow run (the first selected file for `paths`, the first file not
    /// ignored for `paths-ignore`).
    pub fn first_reason<'f, S: AsRef<str>>(
        &self,
        changed_files: &'f [S],
    ) -> Result<&'f str, SkipReason> {
        let considered = &changed_files[..changed_files.len().min(MAX_CHANGED_FILES)];
        let kind = match self {
            PathFilter::Include(_) => FilterKind::Paths,
            PathFilter::Ignore(_) => FilterKind::PathsIgnore,
        };
        if considered.is_empty() {
            return Err(SkipReason::NoChangedFiles { filter: kind });
        }
        match self {
            PathFilter::Include(list) => considered
                .iter()
                .map(AsRef::as_ref)
                .find(|f| list.matches(f))
                .ok_or_else(|| SkipReason::NoChangedFileMatches {
                    patterns: list.sources(),
                }),
            PathFilter::Ignore(list) => considered
                .iter()
                .map(AsRef::as_ref)
                .find(|f| !list.matches(f))
                .ok_or_else(|| SkipReason::AllChangedFilesIgnored {
                    patterns: list.sources(),
                }),
        }
    }
}

/// The filters of one event (`on.push`, `on.pull_request`, ...). `None`
/// means the key is absent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventFilters {
    /// `branches` or `branches-ignore`.
    pub branches: Option<RefFilter>,
    /// `tags` or `tags-ignore` (push only).
    pub tags: Option<RefFilter>,
    /// `paths` or `paths-ignore` (push, pull_request, pull_request_target).
    pub paths: Option<PathFilter>,
}

impl EventFilters {
    /// `on.push`: branch and tag filters against the pushed ref, then path
    /// filters against the changed files.
    ///
    /// * With only branch filters a tag push does not run, and vice versa;
    ///   with neither, both run.
    /// * Path filters are not evaluated for tag pushes.
    /// * `changed_files: None` means GitHub has no diff (more than 1,000
    ///   commits pushed, or the diff timed out); the path filter then passes
    ///   ("the workflow will always run").
    pub fn check_push<S: AsRef<str>>(
        &self,
        git_ref: GitRef<'_>,
        changed_files: Option<&[S]>,
    ) -> Result<(), SkipReason> {
        match git_ref {
            GitRef::Branch(name) => {
                self.check_ref(RefKind::Branch, name)?;
                self.check_paths(changed_files)
            }
            GitRef::Tag(name) => self.check_ref(RefKind::Tag, name),
            GitRef::Other(full) => {
                if self.branches.is_some() || self.tags.is_some() {
                    return Err(SkipReason::UnfilterableRef {
                        git_ref: full.to_owned(),
                    });
                }
                self.check_paths(changed_files)
            }
        }
    }

    /// `on.pull_request` / `on.pull_request_target`: branch filters against
    /// the base (target) branch, then path filters. Tag filters do not
    /// apply. `changed_files: None` behaves as in [`EventFilters::check_push`].
    pub fn check_pull_request<S: AsRef<str>>(
        &self,
        base_branch: &str,
        changed_files: Option<&[S]>,
    ) -> Result<(), SkipReason> {
        if let Some(filter) = &self.branches {
            filter.check(RefKind::Branch, base_branch)?;
        }
        self.check_paths(changed_files)
    }

    /// `on.workflow_run`: branch filters against the head branch of the
    /// triggering run.
    pub fn check_workflow_run(&self, head_branch: &str) -> Result<(), SkipReason> {
        match &self.branches {
            Some(filter) => filter.check(RefKind::Branch, head_branch),
            None => Ok(()),
        }
    }

    fn check_ref(&self, kind: RefKind, name: &str) -> Result<(), SkipReason> {
        let (own, other) = match kind {
            RefKind::Branch => (&self.branches, &self.tags),
            RefKind::Tag => (&self.tags, &self.branches),
        };
        match (own, other) {
            (Some(filter), _) => filter.check(kind, name),
            (None, Some(_)) => Err(SkipReason::RefKindNotFiltered {
                kind,
                name: name.to_owned(),
            }),
            (None, None) => Ok(()),
        }
    }

    fn check_paths<S: AsRef<str>>(&self, changed_files: Option<&[S]>) -> Result<(), SkipReason> {
        match (&self.paths, changed_files) {
            (Some(filter), Some(files)) => filter.check(files),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(p: &[&str]) -> PatternList {
        PatternList::parse(p).unwrap()
    }

    const NONE: Option<&[&str]> = None;

    #[test]
    fn include_branches() {
        let f = RefFilter::Include(list(&["main", "mona/octocat", "releases/**"]));
        assert!(f.check(RefKind::Branch, "main").is_ok());
        assert!(f.check(RefKind::Branch, "releases/10").is_ok());
        let e = f.check(RefKind::Branch, "dev").unwrap_err();
        assert_eq!(
            e.to_string(),
            "branches: branch 'dev' does not match 'main', 'mona/octocat', 'releases/**'"
        );
    }

    #[test]
    fn include_with_negation() {
        let f = RefFilter::Include(list(&["releases/**", "!releases/**-alpha"]));
        for ok in ["releases/10", "releases/beta/mona"] {
            assert!(f.check(RefKind::Branch, ok).is_ok(), "{ok}");
        }
        for no in ["releases/10-alpha", "releases/beta/3-alpha"] {
            assert_eq!(
                f.check(RefKind::Branch, no).unwrap_err(),
                SkipReason::ExcludedByNegation {
                    kind: RefKind::Branch,
                    name: no.into(),
                    pattern: "!releases/**-alpha".into()
                }
            );
        }
        assert!(matches!(
            f.check(RefKind::Branch, "main"),
            Err(SkipReason::NotMatched { .. })
        ));
    }

    #[test]
    fn ignore_lists() {
        let b = RefFilter::Ignore(list(&["mona/octocat", "releases/**-alpha"]));
        let t = RefFilter::Ignore(list(&["v2", "v1.*"]));
        assert!(b.check(RefKind::Branch, "main").is_ok());
        let e = b
            .check(RefKind::Branch, "releases/beta/3-alpha")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "branches-ignore: branch 'releases/beta/3-alpha' is ignored by 'releases/**-alpha'"
        );
        let e = t.check(RefKind::Tag, "v1.9").unwrap_err();
        assert_eq!(
            e.to_string(),
            "tags-ignore: tag 'v1.9' is ignored by 'v1.*'"
        );
        assert!(t.check(RefKind::Tag, "v3").is_ok());
    }

    #[test]
    fn push_ref_kinds() {
        let only_branches = EventFilters {
            branches: Some(RefFilter::Include(list(&["main"]))),
            ..Default::default()
        };
        assert!(
            only_branches
                .check_push(GitRef::parse("refs/heads/main"), NONE)
                .is_ok()
        );
        let e = only_branches
            .check_push(GitRef::parse("refs/tags/v1"), NONE)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "tag 'v1' is not considered: the event filters branches but defines no tags or tags-ignore filter"
        );
        let only_tags = EventFilters {
            tags: Some(RefFilter::Include(list(&["v*"]))),
            ..Default::default()
        };
        assert!(only_tags.check_push(GitRef::Tag("v1"), NONE).is_ok());
        assert!(matches!(
            only_tags.check_push(GitRef::Branch("main"), NONE),
            Err(SkipReason::RefKindNotFiltered {
                kind: RefKind::Branch,
                ..
            })
        ));
        let none = EventFilters::default();
        assert!(none.check_push(GitRef::Tag("v1"), NONE).is_ok());
        assert!(none.check_push(GitRef::Branch("x"), NONE).is_ok());
        assert!(matches!(
            only_tags.check_push(GitRef::parse("refs/notes/x"), NONE),
            Err(SkipReason::UnfilterableRef { .. })
        ));
    }

    #[test]
    fn paths_include() {
        let f = PathFilter::Include(list(&["sub-project/**", "!sub-project/docs/**"]));
        assert!(f.check(&["sub-project/index.js"]).is_ok());
        assert!(f.check(&["sub-project/src/index.js"]).is_ok());
        assert!(
            f.check(&["sub-project/docs/readme.md", "sub-project/a.js"])
                .is_ok()
        );
        let e = f.check(&["sub-project/docs/readme.md"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "paths: no changed file matches 'sub-project/**', '!sub-project/docs/**'"
        );
        let shared = PathFilter::Include(list(&["shared/**"]));
        assert_eq!(
            shared.check(&["src/main.rs"]).unwrap_err().to_string(),
            "paths: no changed file matches 'shared/**'"
        );
        assert_eq!(
            shared.first_reason(&["a", "shared/x", "shared/y"]),
            Ok("shared/x")
        );
    }

    #[test]
    fn paths_ignore() {
        let f = PathFilter::Ignore(list(&["docs/**"]));
        assert!(f.check(&["docs/a.md", "src/lib.rs"]).is_ok());
        assert_eq!(
            f.check(&["docs/a.md", "docs/b/c.md"])
                .unwrap_err()
                .to_string(),
            "paths-ignore: every changed file matches 'docs/**'"
        );
        let empty: [&str; 0] = [];
        assert_eq!(
            f.check(&empty).unwrap_err(),
            SkipReason::NoChangedFiles {
                filter: FilterKind::PathsIgnore
            }
        );
        assert_eq!(
            PathFilter::Include(list(&["**"]))
                .check(&empty)
                .unwrap_err()
                .to_string(),
            "paths: no files changed"
        );
    }

    #[test]
    fn only_first_300_files_count() {
        let mut files: Vec<String> = (0..MAX_CHANGED_FILES)
            .map(|i| format!("docs/{i}.md"))
            .collect();
        files.push("src/lib.rs".into());
        let include = PathFilter::Include(list(&["src/**"]));
        assert!(include.check(&files).is_err());
        let ignore = PathFilter::Ignore(list(&["docs/**"]));
        assert!(ignore.check(&files).is_err());
        files.truncate(MAX_CHANGED_FILES - 1);
        files.push("src/lib.rs".into());
        assert!(include.check(&files).is_ok());
        assert!(ignore.check(&files).is_ok());
    }

    #[test]
    fn push_paths_and_tags() {
        let f = EventFilters {
            branches: Some(RefFilter::Include(list(&["main"]))),
            tags: Some(RefFilter::Include(list(&["v*"]))),
            paths: Some(PathFilter::Include(list(&["src/**"]))),
        };
        // Path filters are not evaluated for tag pushes.
        assert!(
            f.check_push(GitRef::Tag("v1"), Some(&["docs/a.md"]))
                .is_ok()
        );
        assert!(
            f.check_push(GitRef::Branch("main"), Some(&["src/a.rs"]))
                .is_ok()
        );
        assert!(matches!(
            f.check_push(GitRef::Branch("main"), Some(&["docs/a.md"])),
            Err(SkipReason::NoChangedFileMatches { .. })
        ));
        // Branch filter is checked first.
        assert!(matches!(
            f.check_push(GitRef::Branch("dev"), Some(&["docs/a.md"])),
            Err(SkipReason::NotMatched { .. })
        ));
        // No diff available: paths pass.
        assert!(f.check_push(GitRef::Branch("main"), NONE).is_ok());
    }

    #[test]
    fn pull_request_and_workflow_run() {
        let f = EventFilters {
            branches: Some(RefFilter::Ignore(list(&["canary"]))),
            tags: None,
            paths: Some(PathFilter::Ignore(list(&["**.md"]))),
        };
        assert!(f.check_pull_request("main", Some(&["a.rs"])).is_ok());
        assert!(matches!(
            f.check_pull_request("main", Some(&["a.md", "b/c.md"])),
            Err(SkipReason::AllChangedFilesIgnored { .. })
        ));
        assert!(matches!(
            f.check_pull_request("canary", Some(&["a.rs"])),
            Err(SkipReason::Ignored { .. })
        ));
        assert!(f.check_workflow_run("main").is_ok());
        assert!(f.check_workflow_run("canary").is_err());
        assert!(EventFilters::default().check_workflow_run("x").is_ok());
    }
}
