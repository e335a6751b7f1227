//! Where a job would run: `runs-on` labels classified for this host.
//!
//! * A label mapped in [`crate::PlanOptions::platforms`] (like act's `-P
//!   LABEL=target`) runs on its target.
//! * `ubuntu-*`, `self-hosted` and `linux` run on this host.
//! * `macos-*`/`macOS` and `windows-*`/`windows` do not, unless mapped.
//! * Other labels (`x64`, `ARM64`, custom names) decide nothing alone; a
//!   job with only such labels is not runnable here unless one is mapped.

use serde::Serialize;

/// A job's runner, as planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Runner {
    /// The labels (evaluated), in order.
    pub labels: Vec<String>,
    /// `runs-on.group`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The target of a platform mapping that applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Whether it runs here.
    pub runnable: bool,
    /// Why not, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Runner {
    /// The labels as one text, e.g. `self-hosted, linux` or `group: big`.
    #[must_use]
    pub fn describe(&self) -> String {
        let mut s = self.labels.join(", ");
        if let Some(g) = &self.group {
            if s.is_empty() {
                s = format!("group {g}");
            } else {
                s = format!("group {g}: {s}");
            }
        }
        s
    }
}

fn is_linux(label: &str) -> bool {
    let l = label.to_ascii_lowercase();
    l.starts_with("ubuntu-") || l == "ubuntu" || l == "self-hosted" || l == "linux"
}

fn foreign_os(label: &str) -> Option<&'static str> {
    let l = label.to_ascii_lowercase();
    if l.starts_with("macos-") || l == "macos" {
        Some("macOS")
    } else if l.starts_with("windows-") || l == "windows" {
        Some("Windows")
    } else {
        None
    }
}

/// Classifies a runner.
#[must_use]
pub fn classify(
    labels: Vec<String>,
    group: Option<String>,
    platforms: &[(String, String)],
) -> Runner {
    let mapped = labels.iter().chain(group.iter()).find_map(|l| {
        platforms
            .iter()
            .find(|(label, _)| label.eq_ignore_ascii_case(l))
            .map(|(_, t)| t.clone())
    });
    if let Some(target) = mapped {
        return Runner {
            labels,
            group,
            target: Some(target),
            runnable: true,
            reason: None,
        };
    }
    if let Some((label, os)) = labels.iter().find_map(|l| foreign_os(l).map(|os| (l, os))) {
        let reason = format!(
            "{os} runner '{label}' is not available on this host (map it to a platform to run it)"
        );
        return Runner {
            labels,
            group,
            target: None,
            runnable: false,
            reason: Some(reason),
        };
    }
    if labels.iter().any(|l| is_linux(l)) {
        return Runner {
            labels,
            group,
            target: None,
            runnable: true,
            reason: None,
        };
    }
    let reason = if labels.is_empty() {
        match &group {
            Some(g) => {
                format!("runner group '{g}' is not known here (map it to a platform to run it)")
            }
            None => "the job names no runner".to_owned(),
        }
    } else {
        format!(
            "no runner here has the labels {} (map one to a platform to run it)",
            labels
                .iter()
                .map(|l| format!("'{l}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Runner {
        labels,
        group,
        target: None,
        runnable: false,
        reason: Some(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(labels: &[&str], platforms: &[(&str, &str)]) -> Runner {
        classify(
            labels.iter().map(|l| (*l).to_owned()).collect(),
            None,
            &platforms
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn classification() {
        assert!(c(&["ubuntu-latest"], &[]).runnable);
        assert!(c(&["ubuntu-22.04"], &[]).runnable);
        assert!(c(&["self-hosted", "linux", "x64"], &[]).runnable);
        let mac = c(&["macos-latest"], &[]);
        assert!(!mac.runnable);
        assert_eq!(
            mac.reason.as_deref(),
            Some(
                "macOS runner 'macos-latest' is not available on this host (map it to a platform to run it)"
            )
        );
        assert!(!c(&["self-hosted", "macOS", "ARM64"], &[]).runnable);
        assert!(!c(&["windows-2022"], &[]).runnable);
        let mapped = c(&["macos-latest"], &[("macos-latest", "host")]);
        assert!(mapped.runnable);
        assert_eq!(mapped.target.as_deref(), Some("host"));
        let custom = c(&["big-box"], &[]);
        assert!(!custom.runnable);
        assert!(c(&["big-box"], &[("BIG-box", "docker://x")]).runnable);
        let g = classify(vec![], Some("org-runners".into()), &[]);
        assert_eq!(g.describe(), "group org-runners");
        assert!(!g.runnable);
    }
}
