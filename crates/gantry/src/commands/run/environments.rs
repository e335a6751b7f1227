//! Deployment environments: their secrets, variables and protection rules
//! from `.gantry/environments.toml` and `--env-secret` / `--env-var`
//! flags; approval (`--approve ENV`, or a prompt in a terminal), allowed
//! branches and tags, and the wait timer. See docs/configuration.md,
//! "Environments".

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use gantry_expr::{Object, Value};
use gantry_run::call::{Admission, EnvironmentGate};
use serde::Deserialize;

/// The file, under the repository root.
pub(super) const FILE: &str = ".gantry/environments.toml";

/// One environment, as configured.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Config {
    /// Whether a job must be approved before it enters.
    #[serde(default)]
    pub required_approval: bool,
    /// Who may approve (implies `required-approval`); shown in the prompt.
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// How long a job waits before it starts: minutes as a number, or a
    /// text with a unit (`"30s"`, `"5m"`, `"1h"`).
    #[serde(default)]
    pub wait_timer: Option<WaitTimer>,
    /// Branches (patterns) that may deploy; none given: every branch.
    #[serde(default)]
    pub branches: Option<Vec<String>>,
    /// Tags (patterns) that may deploy; when only `branches` is given, no
    /// tag may.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum WaitTimer {
    Minutes(f64),
    Text(String),
}

impl WaitTimer {
    fn duration(&self) -> Result<Duration> {
        let secs = match self {
            WaitTimer::Minutes(m) => m * 60.0,
            WaitTimer::Text(t) => {
                let t = t.trim();
                let (num, unit) =
                    t.split_at(t.find(|c: char| c.is_alphabetic()).unwrap_or(t.len()));
                let n: f64 = num.trim().parse().with_context(|| {
                    format!("wait-timer `{t}` is not a duration like 30s or 5m")
                })?;
                match unit.trim() {
                    "s" => n,
                    "" | "m" => n * 60.0,
                    "h" => n * 3600.0,
                    other => bail!("wait-timer `{t}`: unknown unit `{other}` (use s, m or h)"),
                }
            }
        };
        if !secs.is_finite() || secs < 0.0 {
            bail!("wait-timer must be a positive duration");
        }
        Ok(Duration::from_secs_f64(secs))
    }
}

/// Every environment, and how approvals are given.
pub(super) struct Environments {
    configs: BTreeMap<String, Config>,
    approved: BTreeSet<String>,
    interactive: bool,
    withhold_secrets: bool,
    /// One prompt at a time.
    prompt: Mutex<()>,
}

/// `ENV:KEY=VALUE`.
fn scoped(flag: &str, what: &str) -> Result<(String, String, String)> {
    let Some((env, pair)) = flag.split_once(':') else {
        bail!("--env-{what} `{flag}` is not ENV:KEY=VALUE");
    };
    let Some((k, v)) = pair.split_once('=') else {
        bail!("--env-{what} `{flag}` is not ENV:KEY=VALUE");
    };
    if env.trim().is_empty() || k.trim().is_empty() {
        bail!("--env-{what} `{flag}` is not ENV:KEY=VALUE");
    }
    Ok((env.trim().to_owned(), k.trim().to_owned(), v.to_owned()))
}

impl Environments {
    /// Reads `.gantry/environments.toml` (if any) and applies the flags
    /// over it.
    pub(super) fn load(
        root: &Path,
        env_secrets: &[String],
        env_vars: &[String],
        approve: &[String],
        withhold_secrets: bool,
    ) -> Result<Environments> {
        let path = root.join(FILE);
        let mut configs: BTreeMap<String, Config> = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("{FILE} is not a valid environments file"))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {FILE}")),
        };
        for (name, c) in &configs {
            if let Some(w) = &c.wait_timer {
                w.duration()
                    .with_context(|| format!("{FILE}: environment `{name}`"))?;
            }
        }
        for f in env_secrets {
            let (env, k, v) = scoped(f, "secret")?;
            configs.entry(env).or_default().secrets.insert(k, v);
        }
        for f in env_vars {
            let (env, k, v) = scoped(f, "var")?;
            configs.entry(env).or_default().vars.insert(k, v);
        }
        Ok(Environments {
            configs,
            approved: approve.iter().map(|a| a.trim().to_owned()).collect(),
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            withhold_secrets,
            prompt: Mutex::new(()),
        })
    }

    /// Every environment secret (to be masked from the start).
    pub(super) fn secret_values(&self) -> impl Iterator<Item = &str> {
        self.configs
            .values()
            .flat_map(|c| c.secrets.values().map(String::as_str))
    }

    fn config(&self, name: &str) -> Option<&Config> {
        self.configs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, c)| c)
    }

    fn ask(&self, environment: &str, job: &str, reviewers: &[String]) -> Result<bool, String> {
        let _one = self.prompt.lock().unwrap_or_else(|p| p.into_inner());
        let who = if reviewers.is_empty() {
            String::new()
        } else {
            format!(" (reviewers: {})", reviewers.join(", "))
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\n? Job '{job}' deploys to environment '{environment}', which requires approval{who}. Approve? [y/N] "
        );
        let _ = err.flush();
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the answer: {e}"))?;
        Ok(matches!(
            line.trim().to_ascii_lowercase().as_str(),
            "y" | "yes"
        ))
    }
}

/// Whether the run's ref may deploy to an environment with these rules;
/// the refusal names the rule.
fn check_ref(name: &str, c: &Config, github: &Object) -> Result<(), String> {
    if c.branches.is_none() && c.tags.is_none() {
        return Ok(());
    }
    let get = |k: &str| {
        github
            .get(k)
            .map(Value::to_display_string)
            .unwrap_or_default()
    };
    let (git_ref, ref_name) = (get("ref"), get("ref_name"));
    // Pull requests deploy from their head branch.
    let head = get("head_ref");
    let (kind, short, list) = if let Some(tag) = git_ref.strip_prefix("refs/tags/") {
        ("tag", tag.to_owned(), c.tags.as_ref())
    } else if !head.is_empty() {
        ("branch", head, c.branches.as_ref())
    } else {
        ("branch", ref_name, c.branches.as_ref())
    };
    let allowed = list.is_some_and(|l| {
        l.iter().any(|p| {
            gantry_filters::Pattern::parse(p)
                .map(|p| p.matches(&short))
                .unwrap_or(false)
        })
    });
    if allowed {
        return Ok(());
    }
    let rule = if kind == "tag" { "tags" } else { "branches" };
    let listed = list.map_or_else(
        || "none".to_owned(),
        |l| {
            l.iter()
                .map(|p| format!("'{p}'"))
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    Err(format!(
        "environment '{name}': {kind} '{short}' may not deploy to it (protection rule `{rule}` in {FILE} allows {listed})"
    ))
}

impl EnvironmentGate for Environments {
    fn admit(
        &self,
        environment: &str,
        job_name: &str,
        github: &Object,
    ) -> Result<Admission, String> {
        let Some(c) = self.config(environment) else {
            // GitHub creates an environment a job names on first use, with
            // no rules and no secrets.
            return Ok(Admission::default());
        };
        check_ref(environment, c, github)?;
        if c.required_approval || !c.reviewers.is_empty() {
            let pre = self
                .approved
                .iter()
                .any(|a| a.eq_ignore_ascii_case(environment) || a == "*");
            if !pre {
                if !self.interactive {
                    return Err(format!(
                        "environment '{environment}' requires approval, and there is no terminal to ask: pass --approve {environment} to approve it in advance"
                    ));
                }
                if !self.ask(environment, job_name, &c.reviewers)? {
                    return Err(format!(
                        "environment '{environment}': the deployment was not approved"
                    ));
                }
            }
        }
        let wait = c
            .wait_timer
            .as_ref()
            .and_then(|w| w.duration().ok())
            .unwrap_or_default();
        let secrets = if self.withhold_secrets {
            Vec::new()
        } else {
            c.secrets
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        Ok(Admission {
            secrets,
            vars: c.vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            wait,
        })
    }
}

/// Whether the event is a pull request from a fork: its payload says so
/// (`pull_request.head.repo.fork`, or a head repository other than the
/// base), or `--fork`. `pull_request_target` runs in the base repository
/// and keeps its secrets.
pub(super) fn from_fork(event_name: &str, github: &Object, flag: bool) -> bool {
    let is_pr = event_name.starts_with("pull_request") && event_name != "pull_request_target";
    if !is_pr {
        return false;
    }
    if flag {
        return true;
    }
    let payload = github.get("event").map(Value::to_json).unwrap_or_default();
    let pr = &payload["pull_request"];
    if pr["head"]["repo"]["fork"].as_bool() == Some(true) {
        return true;
    }
    match (
        pr["head"]["repo"]["full_name"].as_str(),
        pr["base"]["repo"]["full_name"].as_str(),
    ) {
        (Some(h), Some(b)) => !h.eq_ignore_ascii_case(b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn wait_timers_and_refs() {
        assert_eq!(
            WaitTimer::Text("2s".into()).duration().unwrap(),
            Duration::from_secs(2)
        );
        assert_eq!(
            WaitTimer::Minutes(1.0).duration().unwrap(),
            Duration::from_secs(60)
        );
        assert!(WaitTimer::Text("2 weeks".into()).duration().is_err());
        let c = Config {
            branches: Some(vec!["main".into(), "release/*".into()]),
            ..Config::default()
        };
        let gh = |r: &str, n: &str| {
            let mut o = Object::new();
            o.set("ref", Value::from(r));
            o.set("ref_name", Value::from(n));
            o
        };
        assert!(check_ref("p", &c, &gh("refs/heads/main", "main")).is_ok());
        assert!(check_ref("p", &c, &gh("refs/heads/release/1", "release/1")).is_ok());
        let e = check_ref("p", &c, &gh("refs/heads/dev", "dev")).unwrap_err();
        assert!(e.contains("`branches`") && e.contains("'dev'"), "{e}");
        assert!(check_ref("p", &c, &gh("refs/tags/v1", "v1")).is_err());
    }
}
