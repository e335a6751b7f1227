//! Activity types of events (the values `types:` takes), and which of them
//! trigger a workflow that gives no `types:` filter.
//!
//! Source: GitHub's "Events that trigger workflows". For almost every event
//! "by default, all activity types trigger workflows that run on this
//! event"; `pull_request` and `pull_request_target` are the exceptions:
//! "By default, a workflow only runs when a `pull_request` event's activity
//! type is `opened`, `synchronize`, or `reopened`."
//!
//! Used by `gantry-check` (the `types:` rule) and `gantry-plan` (whether an
//! event's activity type triggers a workflow).

/// Which activity types of an event trigger a workflow without `types:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// Every activity type.
    All,
    /// Only these.
    Only(&'static [&'static str]),
}

/// The documented activity types of events that have them, and the
/// default. Events not listed have no activity types (`push`, `create`, …;
/// the loader reports a `types` key on them) or take free-form ones
/// (`repository_dispatch`'s `event_type`).
pub const ACTIVITY_TYPES: &[(&str, &[&str], Default)] = &[
    (
        "branch_protection_rule",
        &["created", "edited", "deleted"],
        Default::All,
    ),
    (
        "check_run",
        &["created", "rerequested", "completed", "requested_action"],
        Default::All,
    ),
    ("check_suite", &["completed"], Default::All),
    (
        "discussion",
        &[
            "created",
            "edited",
            "deleted",
            "transferred",
            "pinned",
            "unpinned",
            "labeled",
            "unlabeled",
            "locked",
            "unlocked",
            "category_changed",
            "answered",
            "unanswered",
        ],
        Default::All,
    ),
    (
        "discussion_comment",
        &["created", "edited", "deleted"],
        Default::All,
    ),
    (
        "issue_comment",
        &["created", "edited", "deleted"],
        Default::All,
    ),
    (
        "issues",
        &[
            "opened",
            "edited",
            "deleted",
            "transferred",
            "pinned",
            "unpinned",
            "closed",
            "reopened",
            "assigned",
            "unassigned",
            "labeled",
            "unlabeled",
            "locked",
            "unlocked",
            "milestoned",
            "demilestoned",
            "field_added",
            "field_removed",
            "typed",
            "untyped",
        ],
        Default::All,
    ),
    ("label", &["created", "edited", "deleted"], Default::All),
    ("merge_group", &["checks_requested"], Default::All),
    (
        "milestone",
        &["created", "closed", "opened", "edited", "deleted"],
        Default::All,
    ),
    (
        "project",
        &["created", "closed", "reopened", "edited", "deleted"],
        Default::All,
    ),
    (
        "project_card",
        &["created", "moved", "converted", "edited", "deleted"],
        Default::All,
    ),
    (
        "project_column",
        &["created", "updated", "moved", "deleted"],
        Default::All,
    ),
    ("pull_request", PULL_REQUEST_TYPES, PR_DEFAULT),
    (
        "pull_request_review",
        &["submitted", "edited", "dismissed"],
        Default::All,
    ),
    (
        "pull_request_review_comment",
        &["created", "edited", "deleted"],
        Default::All,
    ),
    ("pull_request_target", PULL_REQUEST_TYPES, PR_DEFAULT),
    ("registry_package", &["published", "updated"], Default::All),
    (
        "release",
        &[
            "published",
            "unpublished",
            "created",
            "edited",
            "deleted",
            "prereleased",
            "released",
        ],
        Default::All,
    ),
    ("watch", &["started"], Default::All),
    (
        "workflow_run",
        &["completed", "requested", "in_progress"],
        Default::All,
    ),
];

const PULL_REQUEST_TYPES: &[&str] = &[
    "assigned",
    "unassigned",
    "labeled",
    "unlabeled",
    "opened",
    "edited",
    "closed",
    "reopened",
    "synchronize",
    "converted_to_draft",
    "ready_for_review",
    "locked",
    "unlocked",
    "review_requested",
    "review_request_removed",
    "auto_merge_enabled",
    "auto_merge_disabled",
    "milestoned",
    "demilestoned",
    "enqueued",
    "dequeued",
];

const PR_DEFAULT: Default = Default::Only(&["opened", "synchronize", "reopened"]);

/// The default of `event` (all types for events not in the table).
#[must_use]
pub fn default_types(event: &str) -> Default {
    ACTIVITY_TYPES
        .iter()
        .find(|(e, _, _)| *e == event)
        .map_or(Default::All, |(_, _, d)| *d)
}

/// The documented activity types of `event`; `None` when the event has no
/// activity types or takes any (`repository_dispatch`).
#[must_use]
pub fn known_types(event: &str) -> Option<&'static [&'static str]> {
    ACTIVITY_TYPES
        .iter()
        .find(|(e, _, _)| *e == event)
        .map(|(_, t, _)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        assert_eq!(
            default_types("pull_request"),
            Default::Only(&["opened", "synchronize", "reopened"])
        );
        assert_eq!(default_types("pull_request_target"), PR_DEFAULT);
        assert_eq!(default_types("issues"), Default::All);
        assert_eq!(default_types("release"), Default::All);
        assert_eq!(default_types("push"), Default::All);
        assert!(known_types("workflow_run").is_some_and(|t| t.contains(&"in_progress")));
        assert!(known_types("push").is_none());
    }

    #[test]
    fn every_default_is_a_known_type() {
        for (event, types, default) in ACTIVITY_TYPES {
            if let Default::Only(d) = default {
                for t in *d {
                    assert!(types.contains(t), "{event}: {t}");
                }
            }
        }
    }

    #[test]
    fn every_event_with_types_is_covered() {
        // Every event whose filters include `types` has a table here, except
        // `repository_dispatch`, whose types are custom.
        for (event, keys) in crate::EVENTS {
            if keys.contains(&"types") && *event != "repository_dispatch" {
                assert!(
                    known_types(event).is_some(),
                    "{event} has no activity types"
                );
            }
        }
    }
}
