//! Ordered filter lists with `!` negations.

use std::fmt;

use super::glob::{Pattern, PatternError};

/// Which workflow key a list comes from; used in messages and by
/// [`PatternList::issues`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterKind {
    /// `branches` (push, pull_request, pull_request_target, workflow_run).
    Branches,
    /// `branches-ignore`.
    BranchesIgnore,
    /// `tags` (push).
    Tags,
    /// `tags-ignore` (push).
    TagsIgnore,
    /// `paths` (push, pull_request, pull_request_target).
    Paths,
    /// `paths-ignore`.
    PathsIgnore,
}

impl FilterKind {
    /// The workflow key, e.g. `"branches-ignore"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterKind::Branches => "branches",
            FilterKind::BranchesIgnore => "branches-ignore",
            FilterKind::Tags => "tags",
            FilterKind::TagsIgnore => "tags-ignore",
            FilterKind::Paths => "paths",
            FilterKind::PathsIgnore => "paths-ignore",
        }
    }

    /// Parses a workflow key (`"tags-ignore"`, ...).
    pub fn from_key(key: &str) -> Option<FilterKind> {
        Some(match key {
            "branches" => FilterKind::Branches,
            "branches-ignore" => FilterKind::BranchesIgnore,
            "tags" => FilterKind::Tags,
            "tags-ignore" => FilterKind::TagsIgnore,
            "paths" => FilterKind::Paths,
            "paths-ignore" => FilterKind::PathsIgnore,
            _ => return None,
        })
    }

    /// Whether this is one of the `-ignore` keys.
    pub fn is_ignore(self) -> bool {
        matches!(
            self,
            FilterKind::BranchesIgnore | FilterKind::TagsIgnore | FilterKind::PathsIgnore
        )
    }

    /// The key of the opposite form (`branches` ⇄ `branches-ignore`).
    pub fn counterpart(self) -> FilterKind {
        match self {
            FilterKind::Branches => FilterKind::BranchesIgnore,
            FilterKind::BranchesIgnore => FilterKind::Branches,
            FilterKind::Tags => FilterKind::TagsIgnore,
            FilterKind::TagsIgnore => FilterKind::Tags,
            FilterKind::Paths => FilterKind::PathsIgnore,
            FilterKind::PathsIgnore => FilterKind::Paths,
        }
    }
}

impl fmt::Display for FilterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pattern of a list failed to parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pattern {} '{pattern}': {error}", index + 1)]
pub struct ListError {
    /// 0-based index of the pattern in the list.
    pub index: usize,
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong with it.
    pub error: PatternError,
}

/// A list-level problem that is not a syntax error of one pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListIssue {
    /// A `!` pattern in `branches-ignore`, `tags-ignore` or `paths-ignore`:
    /// negations belong in the positive form of the filter.
    #[error(
        "{kind}: negated pattern '{pattern}' is not allowed in an ignore list; use '{}' with a '!' pattern instead",
        kind.counterpart()
    )]
    NegationInIgnoreList {
        /// The ignore key.
        kind: FilterKind,
        /// 0-based index of the pattern.
        index: usize,
        /// The pattern as written.
        pattern: String,
    },
    /// A positive list whose patterns are all negated can never match;
    /// GitHub requires at least one pattern without `!`.
    #[error(
        "{kind}: every pattern is negated, so nothing can match; add at least one pattern without '!' (or use '{}')",
        kind.counterpart()
    )]
    OnlyNegations {
        /// The positive key.
        kind: FilterKind,
    },
    /// A `!` pattern with no positive pattern before it excludes nothing:
    /// patterns are evaluated in order and only later ones override.
    #[error(
        "{kind}: negated pattern '{pattern}' has no effect because no pattern before it includes anything"
    )]
    IneffectiveNegation {
        /// The positive key.
        kind: FilterKind,
        /// 0-based index of the pattern.
        index: usize,
        /// The pattern as written.
        pattern: String,
    },
}

/// An ordered list of filter patterns, as in a `branches:` or `paths:` key.
///
/// A subject is *selected* by the list when the last pattern whose body
/// matches it is not negated (GitHub: "a matching negative pattern after a
/// positive match will exclude the path; a matching positive pattern after a
/// negative match will include the path again").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PatternList {
    patterns: Vec<Pattern>,
}

impl PatternList {
    /// A list of already parsed patterns.
    pub fn new(patterns: Vec<Pattern>) -> PatternList {
        PatternList { patterns }
    }

    /// Parses every pattern; fails on the first invalid one.
    pub fn parse<I, S>(patterns: I) -> Result<PatternList, ListError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut parsed = Vec::new();
        for (index, source) in patterns.into_iter().enumerate() {
            let source = source.as_ref();
            match Pattern::parse(source) {
                Ok(p) => parsed.push(p),
                Err(error) => {
                    return Err(ListError {
                        index,
                        pattern: source.to_owned(),
                        error,
                    });
                }
            }
        }
        Ok(PatternList { patterns: parsed })
    }

    /// Parses every pattern, keeping the valid ones and reporting all errors
    /// (for a checker that wants every diagnostic at once).
    pub fn parse_lenient<I, S>(patterns: I) -> (PatternList, Vec<ListError>)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut parsed = Vec::new();
        let mut errors = Vec::new();
        for (index, source) in patterns.into_iter().enumerate() {
            let source = source.as_ref();
            match Pattern::parse(source) {
                Ok(p) => parsed.push(p),
                Err(error) => errors.push(ListError {
                    index,
                    pattern: source.to_owned(),
                    error,
                }),
            }
        }
        (PatternList { patterns: parsed }, errors)
    }

    /// The patterns, in order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether the list has no pattern.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The last pattern whose body matches `subject`, negated or not: the
    /// one that decides.
    pub fn deciding_pattern(&self, subject: &str) -> Option<&Pattern> {
        self.patterns.iter().rev().find(|p| p.matches(subject))
    }

    /// Whether the list selects `subject`: the last matching pattern is a
    /// positive one.
    pub fn matches(&self, subject: &str) -> bool {
        self.deciding_pattern(subject)
            .is_some_and(|p| !p.is_negated())
    }

    /// The patterns as written, for messages.
    pub fn sources(&self) -> Vec<String> {
        self.patterns
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect()
    }

    /// List-level problems for a list used under `kind`.
    pub fn issues(&self, kind: FilterKind) -> Vec<ListIssue> {
        let mut issues = Vec::new();
        if kind.is_ignore() {
            for (index, p) in self.patterns.iter().enumerate() {
                if p.is_negated() {
                    issues.push(ListIssue::NegationInIgnoreList {
                        kind,
                        index,
                        pattern: p.as_str().to_owned(),
                    });
                }
            }
            return issues;
        }
        if !self.patterns.is_empty() && self.patterns.iter().all(Pattern::is_negated) {
            issues.push(ListIssue::OnlyNegations { kind });
            return issues;
        }
        for (index, p) in self.patterns.iter().enumerate() {
            if !p.is_negated() {
                break;
            }
            issues.push(ListIssue::IneffectiveNegation {
                kind,
                index,
                pattern: p.as_str().to_owned(),
            });
        }
        issues
    }
}

/// Formats patterns as `'a', 'b'` for messages.
pub(crate) fn quote_list(patterns: &[String]) -> String {
    patterns
        .iter()
        .map(|p| format!("'{p}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_match_decides() {
        let l = PatternList::parse(["*.md", "!README.md", "README*"]).unwrap();
        assert!(l.matches("hello.md"));
        assert!(l.matches("README.md"));
        assert!(l.matches("README.doc"));
        assert!(!l.matches("docs/hello.md"));
        let l = PatternList::parse(["*.md", "!README.md"]).unwrap();
        assert!(!l.matches("README.md"));
        assert_eq!(
            l.deciding_pattern("README.md").unwrap().as_str(),
            "!README.md"
        );
    }

    #[test]
    fn parse_errors_name_the_entry() {
        let e = PatternList::parse(["main", "v[0-9"]).unwrap_err();
        assert_eq!(e.index, 1);
        assert_eq!(
            e.to_string(),
            "pattern 2 'v[0-9': unclosed '[' (character class has no closing ']') at column 2"
        );
        let (l, errs) = PatternList::parse_lenient(["a", "?", "b", "[x"]);
        assert_eq!(l.len(), 2);
        assert_eq!(errs.iter().map(|e| e.index).collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn issues() {
        let l = PatternList::parse(["docs/**", "!docs/keep.md"]).unwrap();
        let issues = l.issues(FilterKind::PathsIgnore);
        assert_eq!(issues.len(), 1);
        assert_eq!(
            issues[0].to_string(),
            "paths-ignore: negated pattern '!docs/keep.md' is not allowed in an ignore list; use 'paths' with a '!' pattern instead"
        );
        assert!(l.issues(FilterKind::Paths).is_empty());
        let only = PatternList::parse(["!main"]).unwrap();
        assert_eq!(
            only.issues(FilterKind::Branches),
            vec![ListIssue::OnlyNegations {
                kind: FilterKind::Branches
            }]
        );
        let first = PatternList::parse(["!a", "b"]).unwrap();
        assert!(matches!(
            first.issues(FilterKind::Tags).as_slice(),
            [ListIssue::IneffectiveNegation { index: 0, .. }]
        ));
        assert!(
            PatternList::default()
                .issues(FilterKind::Branches)
                .is_empty()
        );
    }

    #[test]
    fn kinds_round_trip() {
        for k in [
            FilterKind::Branches,
            FilterKind::BranchesIgnore,
            FilterKind::Tags,
            FilterKind::TagsIgnore,
            FilterKind::Paths,
            FilterKind::PathsIgnore,
        ] {
            assert_eq!(FilterKind::from_key(k.as_str()), Some(k));
            assert_eq!(k.counterpart().counterpart(), k);
            assert_ne!(k.is_ignore(), k.counterpart().is_ignore());
        }
    }
}
