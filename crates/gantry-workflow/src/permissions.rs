//! `permissions:` of a workflow or job.

use gantry_diagnostics::{Diagnostic, Span};
use gantry_yaml::Node;
use serde::Serialize;

use crate::lower::{Ctx, closest, rules};
use crate::value::Spanned;

/// A `GITHUB_TOKEN` permission scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PermissionScope {
    /// `actions`
    Actions,
    /// `attestations`
    Attestations,
    /// `checks`
    Checks,
    /// `contents`
    Contents,
    /// `copilot-requests` (write or none)
    CopilotRequests,
    /// `deployments`
    Deployments,
    /// `discussions`
    Discussions,
    /// `id-token` (write or none)
    IdToken,
    /// `issues`
    Issues,
    /// `models` (read or none)
    Models,
    /// `packages`
    Packages,
    /// `pages`
    Pages,
    /// `pull-requests`
    PullRequests,
    /// `repository-projects`
    RepositoryProjects,
    /// `security-events`
    SecurityEvents,
    /// `statuses`
    Statuses,
}

impl PermissionScope {
    /// Every scope with its key.
    pub const ALL: [(&'static str, PermissionScope); 16] = [
        ("actions", PermissionScope::Actions),
        ("attestations", PermissionScope::Attestations),
        ("checks", PermissionScope::Checks),
        ("contents", PermissionScope::Contents),
        ("copilot-requests", PermissionScope::CopilotRequests),
        ("deployments", PermissionScope::Deployments),
        ("discussions", PermissionScope::Discussions),
        ("id-token", PermissionScope::IdToken),
        ("issues", PermissionScope::Issues),
        ("models", PermissionScope::Models),
        ("packages", PermissionScope::Packages),
        ("pages", PermissionScope::Pages),
        ("pull-requests", PermissionScope::PullRequests),
        ("repository-projects", PermissionScope::RepositoryProjects),
        ("security-events", PermissionScope::SecurityEvents),
        ("statuses", PermissionScope::Statuses),
    ];

    /// The key as written in a workflow.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("", |(n, _)| n)
    }

    /// Parses a key.
    #[must_use]
    pub fn from_key(key: &str) -> Option<PermissionScope> {
        Self::ALL.iter().find(|(n, _)| *n == key).map(|(_, s)| *s)
    }

    /// The levels this scope accepts.
    #[must_use]
    pub fn allowed_levels(self) -> &'static [PermissionLevel] {
        match self {
            PermissionScope::IdToken | PermissionScope::CopilotRequests => {
                &[PermissionLevel::Write, PermissionLevel::None]
            }
            PermissionScope::Models => &[PermissionLevel::Read, PermissionLevel::None],
            _ => &[
                PermissionLevel::Read,
                PermissionLevel::Write,
                PermissionLevel::None,
            ],
        }
    }
}

/// Access level of one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PermissionLevel {
    /// `read`
    Read,
    /// `write`
    Write,
    /// `none`
    None,
}

impl PermissionLevel {
    fn parse(s: &str) -> Option<PermissionLevel> {
        match s {
            "read" => Some(PermissionLevel::Read),
            "write" => Some(PermissionLevel::Write),
            "none" => Some(PermissionLevel::None),
            _ => None,
        }
    }

    /// The level as written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PermissionLevel::Read => "read",
            PermissionLevel::Write => "write",
            PermissionLevel::None => "none",
        }
    }
}

/// `permissions:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Permissions {
    /// `permissions: read-all`
    ReadAll {
        /// Where.
        span: Span,
    },
    /// `permissions: write-all`
    WriteAll {
        /// Where.
        span: Span,
    },
    /// Per-scope levels (`{}` grants nothing).
    Scopes {
        /// Scopes in source order.
        scopes: Vec<(Spanned<PermissionScope>, Spanned<PermissionLevel>)>,
        /// Where.
        span: Span,
    },
}

impl Permissions {
    /// The level given to `scope`, for the scoped form.
    #[must_use]
    pub fn level(&self, scope: PermissionScope) -> Option<PermissionLevel> {
        match self {
            Permissions::ReadAll { .. } => Some(PermissionLevel::Read),
            Permissions::WriteAll { .. } => Some(PermissionLevel::Write),
            Permissions::Scopes { scopes, .. } => scopes
                .iter()
                .find(|(s, _)| s.value == scope)
                .map(|(_, l)| l.value),
        }
    }
}

pub(crate) fn lower_permissions(cx: &mut Ctx<'_>, node: &Node) -> Option<Permissions> {
    if let Some(s) = node.as_str() {
        return match s {
            "read-all" => Some(Permissions::ReadAll { span: node.span }),
            "write-all" => Some(Permissions::WriteAll { span: node.span }),
            _ => {
                let mut d = Diagnostic::error(
                    rules::INVALID_VALUE,
                    node.span,
                    format!("`permissions: {s}` is not valid"),
                );
                d = d.with_hint(match closest(s, &["read-all", "write-all"]) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => "use `read-all`, `write-all`, `{}` or a mapping of scopes".to_owned(),
                });
                cx.push(d);
                None
            }
        };
    }
    let keys: Vec<&str> = PermissionScope::ALL.iter().map(|(n, _)| *n).collect();
    let fields = cx.fields(node, "`permissions`", &keys, false)?;
    let mut scopes = Vec::new();
    for (name, k, v) in fields {
        let Some(scope) = PermissionScope::from_key(name) else {
            continue;
        };
        let allowed = scope.allowed_levels();
        let level = v.as_str().and_then(PermissionLevel::parse);
        match level {
            Some(level) if allowed.contains(&level) => {
                scopes.push((Spanned::new(scope, k.span), Spanned::new(level, v.span)));
            }
            _ => {
                let names: Vec<&str> = allowed.iter().map(|l| l.as_str()).collect();
                let written = v
                    .scalar_string()
                    .unwrap_or_else(|| v.type_name().to_owned());
                cx.push(
                    Diagnostic::error(
                        rules::INVALID_VALUE,
                        v.span,
                        format!("`{written}` is not a valid level for permission `{name}`"),
                    )
                    .with_hint(format!("use one of: {}", names.join(", "))),
                );
            }
        }
    }
    Some(Permissions::Scopes {
        scopes,
        span: node.span,
    })
}
