//! The checker's configuration: `.github/gantry.yml` or `gantry.toml`.
//!
//! ```toml
//! # gantry.toml
//! [check]
//! self-hosted-runner-labels = ["gpu", "my-pool"]
//! disable = ["number-version"]
//! ```
//!
//! ```yaml
//! # .github/gantry.yml
//! check:
//!   self-hosted-runner-labels: [gpu, my-pool]
//!   disable: [number-version]
//! ```

use serde::Deserialize;

/// Settings for `gantry check`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Labels of the team's self-hosted runners.
    pub self_hosted_labels: Vec<String>,
    /// Rule ids turned off.
    pub disabled_rules: Vec<String>,
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    check: CheckSection,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CheckSection {
    #[serde(default)]
    self_hosted_runner_labels: Vec<String>,
    #[serde(default)]
    disable: Vec<String>,
}

impl Config {
    /// Whether findings of `rule` are reported.
    pub fn rule_enabled(&self, rule: &str) -> bool {
        !self.disabled_rules.iter().any(|r| r == rule)
    }

    fn from_section(section: CheckSection, path: &str) -> Result<Config, ConfigError> {
        for rule in &section.disable {
            if !crate::all_rules().iter().any(|(id, _)| id == rule) {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    message: format!("`disable` names an unknown rule `{rule}`"),
                });
            }
        }
        Ok(Config {
            self_hosted_labels: section.self_hosted_runner_labels,
            disabled_rules: section.disable,
        })
    }

    /// Parses `gantry.toml`.
    pub fn from_toml(text: &str, path: &str) -> Result<Config, ConfigError> {
        let file: File = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_owned(),
            message: e.to_string().trim().to_owned(),
        })?;
        Config::from_section(file.check, path)
    }

    /// Parses `.github/gantry.yml`.
    pub fn from_yaml(text: &str, path: &str) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_owned(),
            message,
        };
        let loaded = gantry_yaml::load(text).map_err(|e| invalid(e.to_string()))?;
        let mut section = CheckSection::default();
        let root = &loaded.root;
        if root.is_null() {
            return Ok(Config::default());
        }
        let Some(entries) = root.as_map() else {
            return Err(invalid("expected a mapping with a `check` key".to_owned()));
        };
        for (k, v) in entries {
            match k.as_str() {
                Some("check") => {
                    let Some(inner) = v.as_map() else {
                        return Err(invalid("`check` must be a mapping".to_owned()));
                    };
                    for (ik, iv) in inner {
                        let list = || -> Result<Vec<String>, ConfigError> {
                            iv.as_seq()
                                .ok_or_else(|| {
                                    invalid(format!(
                                        "`check.{}` must be a list",
                                        ik.as_str().unwrap_or("?")
                                    ))
                                })?
                                .iter()
                                .map(|n| {
                                    n.as_str().map(str::to_owned).ok_or_else(|| {
                                        invalid(format!(
                                            "line {}: expected a string",
                                            n.span.start.line
                                        ))
                                    })
                                })
                                .collect()
                        };
                        match ik.as_str() {
                            Some("self-hosted-runner-labels") => {
                                section.self_hosted_runner_labels = list()?;
                            }
                            Some("disable") => section.disable = list()?,
                            other => {
                                return Err(invalid(format!(
                                    "line {}: unknown key `check.{}`",
                                    ik.span.start.line,
                                    other.unwrap_or("?")
                                )));
                            }
                        }
                    }
                }
                other => {
                    return Err(invalid(format!(
                        "line {}: unknown key `{}`",
                        k.span.start.line,
                        other.unwrap_or("?")
                    )));
                }
            }
        }
        Config::from_section(section, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats() {
        let t = Config::from_toml(
            "[check]\nself-hosted-runner-labels = [\"gpu\"]\ndisable = [\"number-version\"]\n",
            "gantry.toml",
        )
        .unwrap();
        let y = Config::from_yaml(
            "check:\n  self-hosted-runner-labels: [gpu]\n  disable: [number-version]\n",
            ".github/gantry.yml",
        )
        .unwrap();
        assert_eq!(t, y);
        assert!(!t.rule_enabled("number-version"));
        assert!(Config::from_toml("[check]\ndisable = [\"nope\"]\n", "g").is_err());
        assert!(Config::from_yaml("chek: {}\n", "g").is_err());
    }
}
