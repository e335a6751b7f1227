//! Does a workflow trigger for an event, and if not, why not.

use gantry_filters::pattern::{EventFilters, GitRef, PathFilter, PatternList, RefFilter};
use gantry_filters::{FilterKind, SkipReason};
use gantry_workflow::{FilterList, Filters, Trigger, TriggerConfig, Workflow};

use crate::activity::{self, Default};
use crate::event::Event;
use crate::inputs::{self, InputError, TypedInputs};

/// Why a workflow does not run for an event. The Display is one line,
/// starting with the key that decided (`paths: …`, `types: …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotTriggered {
    /// The workflow has no (valid) `on:`.
    #[error("on: the workflow has no valid `on` key")]
    NoOn,
    /// The workflow does not list the event.
    #[error("event: the workflow does not listen to '{event}'")]
    EventNotListened {
        /// The event.
        event: String,
    },
    /// The workflow only listens to `workflow_call`.
    #[error("event: the workflow only runs when another workflow calls it (workflow_call)")]
    OnlyCalled,
    /// The event's activity type is not selected.
    #[error(
        "types: '{action}' is not one of {}{}",
        types.join(", "),
        if *default { " (the default)" } else { "" }
    )]
    ActivityType {
        /// The activity type of the event.
        action: String,
        /// The selected types.
        types: Vec<String>,
        /// Whether `types` is GitHub's default (no `types:` written).
        default: bool,
    },
    /// A branch, tag or path filter left the workflow out.
    #[error("{0}")]
    Filter(SkipReason),
    /// A filter pattern is invalid (GitHub rejects the workflow).
    #[error("{filter}: invalid pattern: {error}")]
    InvalidPattern {
        /// The filter key.
        filter: String,
        /// What is wrong.
        error: String,
    },
    /// A schedule on a branch that is not the default branch.
    #[error("schedule: runs only on the default branch ('{default_branch}'), not on '{branch}'")]
    ScheduleNotDefaultBranch {
        /// The repository's default branch.
        default_branch: String,
        /// The branch of the event.
        branch: String,
    },
    /// The schedule that fired is not one of the workflow's.
    #[error(
        "schedule: '{cron}' is not one of the workflow's schedules ({})",
        quote(schedules)
    )]
    ScheduleNotListed {
        /// The schedule that fired.
        cron: String,
        /// The workflow's schedules.
        schedules: Vec<String>,
    },
    /// `workflow_run`: the workflow that ran is not listed.
    #[error("workflows: '{workflow}' is not one of {}", quote(workflows))]
    WorkflowNotListed {
        /// The name of the workflow that ran.
        workflow: String,
        /// `workflows:`
        workflows: Vec<String>,
    },
    /// The inputs of a `workflow_dispatch`/`workflow_call` are wrong: GitHub
    /// refuses the dispatch.
    #[error("inputs: {}", join_errors(.0))]
    Inputs(Vec<InputError>),
}

impl NotTriggered {
    /// Whether this is an error in what was asked (bad inputs, an invalid
    /// workflow) rather than a workflow that simply does not listen.
    #[must_use]
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            NotTriggered::Inputs(_) | NotTriggered::InvalidPattern { .. } | NotTriggered::NoOn
        )
    }
}

fn quote(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("'{i}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn join_errors(errors: &[InputError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a triggered workflow gets.
#[derive(Debug, Clone, std::default::Default)]
pub struct Triggered {
    /// Typed inputs, for `workflow_dispatch` and `workflow_call`.
    pub inputs: Option<TypedInputs>,
}

/// Decides whether `wf` runs for `event`.
///
/// # Errors
/// The reason it does not.
pub fn check(wf: &Workflow, event: &Event) -> Result<Triggered, NotTriggered> {
    let on = wf.on.as_ref().ok_or(NotTriggered::NoOn)?;
    let trigger = on.get(&event.name).ok_or_else(|| {
        if on.triggers.iter().all(|t| t.event.value == "workflow_call") {
            NotTriggered::OnlyCalled
        } else {
            NotTriggered::EventNotListened {
                event: event.name.clone(),
            }
        }
    })?;
    let filters = match &trigger.config {
        TriggerConfig::Filters(f) => Some(f.as_ref()),
        _ => None,
    };
    check_types(&event.name, event.action.as_deref(), filters)?;
    match event.name.as_str() {
        "push" => {
            let Some(f) = filters else {
                return Ok(Triggered::default());
            };
            let ef = event_filters(f)?;
            let Some(git_ref) = &event.git_ref else {
                return Ok(Triggered::default());
            };
            ef.check_push(GitRef::parse(git_ref), event.changed_files.as_deref())
                .map_err(NotTriggered::Filter)?;
        }
        "pull_request" | "pull_request_target" => {
            let Some(f) = filters else {
                return Ok(Triggered::default());
            };
            let ef = event_filters(f)?;
            let base = base_branch(event);
            match base {
                Some(base) => ef.check_pull_request(&base, event.changed_files.as_deref()),
                None => EventFilters {
                    branches: None,
                    ..ef
                }
                .check_pull_request("", event.changed_files.as_deref()),
            }
            .map_err(NotTriggered::Filter)?;
        }
        "merge_group" => {
            if let (Some(f), Some(base)) = (filters, base_branch(event)) {
                let ef = event_filters(f)?;
                if let Some(b) = &ef.branches {
                    b.check(gantry_filters::pattern::RefKind::Branch, &base)
                        .map_err(NotTriggered::Filter)?;
                }
            }
        }
        "workflow_run" => check_workflow_run(filters, event)?,
        "schedule" => check_schedule(trigger, event)?,
        "workflow_dispatch" => {
            let decl = match &trigger.config {
                TriggerConfig::WorkflowDispatch(d) => d.clone(),
                _ => gantry_workflow::WorkflowDispatch::default(),
            };
            let typed = inputs::dispatch(&decl, &event.raw_inputs).map_err(NotTriggered::Inputs)?;
            return Ok(Triggered {
                inputs: Some(typed),
            });
        }
        "workflow_call" => {
            let decl = match &trigger.config {
                TriggerConfig::WorkflowCall(c) => c.clone(),
                _ => gantry_workflow::WorkflowCall::default(),
            };
            let typed =
                inputs::call_from_raw(&decl, &event.raw_inputs).map_err(NotTriggered::Inputs)?;
            return Ok(Triggered {
                inputs: Some(typed),
            });
        }
        _ => {}
    }
    Ok(Triggered::default())
}

/// The base branch of a pull request or merge group: `base_ref`, else the
/// payload's, else the event's ref.
fn base_branch(event: &Event) -> Option<String> {
    if let Some(b) = &event.base_ref {
        return Some(strip_heads(b).to_owned());
    }
    let payload = event.payload();
    for path in [
        &["pull_request", "base", "ref"][..],
        &["merge_group", "base_ref"][..],
    ] {
        let mut v = Some(&payload);
        for key in path {
            v = v.and_then(|v| v.get(key));
        }
        if let Some(s) = v.and_then(|v| v.as_str()) {
            return Some(strip_heads(s).to_owned());
        }
    }
    event.git_ref.as_deref().map(|r| strip_heads(r).to_owned())
}

fn strip_heads(r: &str) -> &str {
    r.strip_prefix("refs/heads/").unwrap_or(r)
}

fn check_types(
    event: &str,
    action: Option<&str>,
    filters: Option<&Filters>,
) -> Result<(), NotTriggered> {
    let Some(action) = action else {
        // The activity type is not known: nothing to test.
        return Ok(());
    };
    if let Some(types) = filters.and_then(|f| f.types.as_ref()) {
        let types: Vec<String> = types.items.iter().map(|t| t.value.clone()).collect();
        if types.iter().any(|t| t == action) {
            return Ok(());
        }
        return Err(NotTriggered::ActivityType {
            action: action.to_owned(),
            types,
            default: false,
        });
    }
    match activity::default_types(event) {
        Default::All => Ok(()),
        Default::Only(d) if d.contains(&action) => Ok(()),
        Default::Only(d) => Err(NotTriggered::ActivityType {
            action: action.to_owned(),
            types: d.iter().map(|s| (*s).to_owned()).collect(),
            default: true,
        }),
    }
}

fn list(l: &FilterList, kind: FilterKind) -> Result<PatternList, NotTriggered> {
    PatternList::parse(l.items.iter().map(|i| i.value.as_str())).map_err(|e| {
        NotTriggered::InvalidPattern {
            filter: kind.as_str().to_owned(),
            error: e.to_string(),
        }
    })
}

/// The `gantry-filters` form of an event's filters. When both a key and
/// its `-ignore` form are written (an error GitHub rejects, and the
/// checker reports), the positive form is used.
fn event_filters(f: &Filters) -> Result<EventFilters, NotTriggered> {
    let branches = match (&f.branches, &f.branches_ignore) {
        (Some(l), _) => Some(RefFilter::Include(list(l, FilterKind::Branches)?)),
        (None, Some(l)) => Some(RefFilter::Ignore(list(l, FilterKind::BranchesIgnore)?)),
        _ => None,
    };
    let tags = match (&f.tags, &f.tags_ignore) {
        (Some(l), _) => Some(RefFilter::Include(list(l, FilterKind::Tags)?)),
        (None, Some(l)) => Some(RefFilter::Ignore(list(l, FilterKind::TagsIgnore)?)),
        _ => None,
    };
    let paths = match (&f.paths, &f.paths_ignore) {
        (Some(l), _) => Some(PathFilter::Include(list(l, FilterKind::Paths)?)),
        (None, Some(l)) => Some(PathFilter::Ignore(list(l, FilterKind::PathsIgnore)?)),
        _ => None,
    };
    Ok(EventFilters {
        branches,
        tags,
        paths,
    })
}

fn check_workflow_run(filters: Option<&Filters>, event: &Event) -> Result<(), NotTriggered> {
    let Some(f) = filters else {
        return Ok(());
    };
    let run = event.workflow_run.as_ref();
    if let (Some(list), Some(run)) = (&f.workflows, run) {
        let workflows: Vec<String> = list.items.iter().map(|i| i.value.clone()).collect();
        if !workflows.contains(&run.workflow) {
            return Err(NotTriggered::WorkflowNotListed {
                workflow: run.workflow.clone(),
                workflows,
            });
        }
    }
    if let Some(branch) = run.and_then(|r| r.head_branch.as_deref()) {
        event_filters(f)?
            .check_workflow_run(branch)
            .map_err(NotTriggered::Filter)?;
    }
    Ok(())
}

/// Collapses runs of white space, so that `0  0 * * 0` names the same
/// schedule as `0 0 * * 0`.
fn normalize_cron(c: &str) -> String {
    c.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_schedule(trigger: &Trigger, event: &Event) -> Result<(), NotTriggered> {
    if let Some(GitRef::Branch(branch)) = event.git_ref.as_deref().map(GitRef::parse)
        && !event.default_branch.is_empty()
        && branch != event.default_branch
    {
        return Err(NotTriggered::ScheduleNotDefaultBranch {
            default_branch: event.default_branch.clone(),
            branch: branch.to_owned(),
        });
    }
    let schedules: Vec<String> = match &trigger.config {
        TriggerConfig::Schedule(s) => s.iter().map(|s| s.cron.value.clone()).collect(),
        _ => Vec::new(),
    };
    if let Some(cron) = &event.schedule {
        let want = normalize_cron(cron);
        if !schedules.iter().any(|s| normalize_cron(s) == want) {
            return Err(NotTriggered::ScheduleNotListed {
                cron: cron.clone(),
                schedules,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
