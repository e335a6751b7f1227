//! Branch, tag and path filter patterns.
//!
//! * [`Pattern`]: one filter entry (`'releases/**'`, `'!docs/**'`), parsed
//!   with column-accurate [`PatternError`]s and matched against a whole
//!   subject.
//! * [`PatternList`]: an ordered filter list where the last matching pattern
//!   decides, plus [`PatternList::issues`] for list-level mistakes (a `!` in
//!   an `-ignore` list, a list made only of negations, ...).
//! * [`RefFilter`], [`PathFilter`], [`EventFilters`]: GitHub's evaluation
//!   rules for `push`, `pull_request(_target)` and `workflow_run`, returning a
//!   [`SkipReason`] that explains why a workflow would not run.
//!
//! See the crate documentation for the pattern syntax.

mod event;
mod glob;
mod list;

pub use event::{
    EventFilters, GitRef, MAX_CHANGED_FILES, PathFilter, RefFilter, RefKind, SkipReason,
};
pub use glob::{Pattern, PatternError, PatternErrorKind};
pub use list::{FilterKind, ListError, ListIssue, PatternList};
