//! Trigger filters of GitHub Actions workflows: the glob-like *filter
//! patterns* of `branches`, `branches-ignore`, `tags`, `tags-ignore`, `paths`
//! and `paths-ignore` (also used by `workflow_run.branches`), and the POSIX
//! cron expressions of `on.schedule`.
//!
//! The crate is pure and synchronous: no I/O, no clock, no time zone database.
//!
//! # Filter patterns ([`pattern`])
//!
//! Semantics follow the "Filter pattern cheat sheet" of GitHub's *Workflow
//! syntax for GitHub Actions* reference, and the sections on
//! `on.<push|pull_request|pull_request_target>.<branches|tags|paths>` and
//! `on.workflow_run.<branches|branches-ignore>`:
//!
//! * `*` matches zero or more characters except `/`;
//! * `**` matches zero or more of any character, `/` included; a `**/` at the
//!   start of a pattern or right after a `/` also matches *zero* directories
//!   (the documented `**/README.md` matches `README.md`);
//! * `?` makes the preceding character (or `[...]` class) optional, `+`
//!   repeats it one or more times (`*.jsx?`, `v[12].[0-9]+`);
//! * `[...]` matches one listed character or one character of a range
//!   (`a-z`, `A-Z`, `0-9` or sub-ranges of them);
//! * `!` at the start of a pattern negates it; in a list the *last* matching
//!   pattern decides;
//! * `\` escapes the next character; every other character, `.` included,
//!   matches itself (case-sensitively, by Unicode scalar value).
//!
//! Patterns always match the whole subject. Event-level rules (a path filter
//! runs if *any* of the first [`pattern::MAX_CHANGED_FILES`] changed files
//! matches, `paths-ignore` skips only when *all* are ignored, tag pushes ignore
//! path filters, ...) live in [`pattern::EventFilters`] and friends, which
//! explain a skipped run with a [`pattern::SkipReason`].
//!
//! # Schedules ([`cron`])
//!
//! `on.schedule[*].cron` uses five-field POSIX cron: minute (0-59), hour
//! (0-23), day of month (1-31), month (1-12 or `JAN`-`DEC`) and day of week
//! (0-6 or `SUN`-`SAT`), with `*`, `,`, `-` and `/` steps, evaluated in UTC.
//! When both day fields are restricted a day matching *either* fires.
//! GitHub does not run schedules more often than every
//! [`cron::GITHUB_MIN_INTERVAL_MINUTES`] minutes; [`cron::Cron::min_interval_minutes`]
//! lets a checker detect schedules that ask for more.
//!
//! Everything here is written from GitHub's documented behaviour; where the
//! documentation is silent the choice made is documented on the item.

pub mod cron;
pub mod pattern;

pub use cron::{Cron, CronError, DateTime};
pub use pattern::{
    EventFilters, FilterKind, GitRef, PathFilter, Pattern, PatternError, PatternList, RefFilter,
    SkipReason,
};
