//! The activity types each event accepts in `types:`, from the tables of
//! GitHub's "Events that trigger workflows" reference. Events not listed
//! take no `types` (the loader reports the key); `repository_dispatch`
//! takes any custom type.

const PULL_REQUEST: &[&str] = &[
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

/// `(event, activity types)`.
pub const ACTIVITY_TYPES: &[(&str, &[&str])] = &[
    ("branch_protection_rule", &["created", "edited", "deleted"]),
    (
        "check_run",
        &["created", "rerequested", "completed", "requested_action"],
    ),
    ("check_suite", &["completed"]),
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
    ),
    ("discussion_comment", &["created", "edited", "deleted"]),
    ("issue_comment", &["created", "edited", "deleted"]),
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
    ),
    ("label", &["created", "edited", "deleted"]),
    ("merge_group", &["checks_requested"]),
    (
        "milestone",
        &["created", "closed", "opened", "edited", "deleted"],
    ),
    (
        "project",
        &["created", "closed", "reopened", "edited", "deleted"],
    ),
    (
        "project_card",
        &["created", "moved", "converted", "edited", "deleted"],
    ),
    (
        "project_column",
        &["created", "updated", "moved", "deleted"],
    ),
    ("pull_request", PULL_REQUEST),
    ("pull_request_review", &["submitted", "edited", "dismissed"]),
    (
        "pull_request_review_comment",
        &["created", "edited", "deleted"],
    ),
    ("pull_request_target", PULL_REQUEST),
    ("registry_package", &["published", "updated"]),
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
    ),
    ("watch", &["started"]),
    ("workflow_run", &["completed", "requested", "in_progress"]),
];

/// The activity types of `event`; `None` when any type is allowed or the
/// event has no types.
pub fn for_event(event: &str) -> Option<&'static [&'static str]> {
    ACTIVITY_TYPES
        .iter()
        .find(|(e, _)| *e == event)
        .map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_with_types_is_covered() {
        // Every event whose filters include `types` has a table here, except
        // `repository_dispatch`, whose types are custom.
        for (event, keys) in gantry_workflow::EVENTS {
            if keys.contains(&"types") && *event != "repository_dispatch" {
                assert!(for_event(event).is_some(), "{event} has no activity types");
            }
        }
    }
}
