//! `actions/upload-artifact` and `actions/download-artifact` (v4 inputs;
//! v3's are a subset), natively, on the run's artifact store: the same
//! records and zips the artifact service keeps, so native and real steps
//! see each other's artifacts.

use std::path::{Path, PathBuf};

use gantry_expr::Value;
use gantry_expr::hash_files::match_segment;
use gantry_services::artifacts::{NewArtifact, ZIP, expiry};
use gantry_services::{StoreError, now_ms};

use super::stores::{absolute, expand_tilde, files_below, glob, lines};
use crate::actions::{ActionContext, ActionOutput, NativeAction};

/// `actions/upload-artifact`.
pub struct UploadArtifact;
/// `actions/download-artifact`.
pub struct DownloadArtifact;

fn input<'a>(cx: &'a ActionContext<'_>, name: &str) -> &'a str {
    cx.inputs.get(name).map_or("", |s| s.trim())
}

fn github_str(cx: &ActionContext<'_>, key: &str) -> String {
    cx.github
        .and_then(|g| g.get(key))
        .map(Value::to_display_string)
        .unwrap_or_default()
}

fn check_name(name: &str) -> Result<(), String> {
    const BAD: [char; 11] = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'];
    if let Some(c) = name.chars().find(|c| BAD.contains(c)) {
        return Err(format!(
            "The artifact name is not valid: {name}. Contains the following character: {c:?}\n\nInvalid characters include: Double quote \", Colon :, Less than <, Greater than >, Vertical bar |, Asterisk *, Question mark ?, Carriage return \\r, Line feed \\n, Backslash \\, Forward slash /"
        ));
    }
    Ok(())
}

/// The lowest common ancestor of the search paths.
fn common_ancestor(paths: &[PathBuf]) -> PathBuf {
    let mut iter = paths.iter();
    let Some(first) = iter.next() else {
        return PathBuf::from("/");
    };
    let mut common: Vec<_> = first.components().collect();
    for p in iter {
        let n = common
            .iter()
            .zip(p.components())
            .take_while(|(a, b)| **a == *b)
            .count();
        common.truncate(n);
    }
    common.into_iter().collect()
}

fn is_hidden(rel: &Path) -> bool {
    rel.components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

impl NativeAction for UploadArtifact {
    fn name(&self) -> &'static str {
        "actions/upload-artifact"
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        let mut out = ActionOutput::default();
        let name = match input(cx, "name") {
            "" => "artifact",
            n => n,
        };
        check_name(name)?;
        let path = input(cx, "path");
        if path.is_empty() {
            return Err("Input required and not supplied: path".to_owned());
        }
        let patterns = lines(path);
        let workspace = absolute(cx.workspace, ".");
        let (matches, searched) = glob(&patterns, &workspace, cx.env);
        let include_hidden = input(cx, "include-hidden-files").eq_ignore_ascii_case("true");
        let root = if searched.len() > 1 {
            common_ancestor(&searched)
        } else if matches.len() == 1 && searched.first() == matches.first() && matches[0].is_file()
        {
            matches[0]
                .parent()
                .map_or_else(|| workspace.clone(), Path::to_path_buf)
        } else {
            searched
                .first()
                .cloned()
                .unwrap_or_else(|| workspace.clone())
        };
        let files: Vec<(String, PathBuf)> = files_below(&matches)
            .into_iter()
            .filter_map(|f| {
                let rel = f.strip_prefix(&root).ok()?.to_path_buf();
                let hidden_below_search = searched
                    .iter()
                    .filter_map(|s| f.strip_prefix(s.parent().unwrap_or(s)).ok())
                    .any(is_hidden);
                if !include_hidden && hidden_below_search {
                    return None;
                }
                Some((rel.to_string_lossy().into_owned(), f))
            })
            .collect();
        if files.is_empty() {
            let message = format!(
                "No files were found with the provided path: {path}. No artifacts will be uploaded."
            );
            return match input(cx, "if-no-files-found") {
                "error" => Err(message),
                "ignore" => {
                    out.log.push(message);
                    Ok(out)
                }
                _ => {
                    out.log.push(format!("::warning::{message}"));
                    Ok(out)
                }
            };
        }
        out.log.push(format!(
            "With the provided path, there will be {} file(s) uploaded",
            files.len()
        ));
        let Some(stores) = cx.stores else {
            return Err("Failed to CreateArtifact: the artifact store is not available".to_owned());
        };
        let mut retention = stores.default_retention_days;
        if let Ok(days) = input(cx, "retention-days").parse::<u32>()
            && days > 0
        {
            retention = days;
        }
        if retention > stores.max_retention_days {
            out.log.push(format!("::warning::Retention days cannot be greater than the maximum allowed retention set within the repository. Using {} instead.", stores.max_retention_days));
            retention = stores.max_retention_days;
        }
        let level = match input(cx, "compression-level") {
            "" => 6,
            l => match l.parse::<i64>() {
                Ok(n) if (0..=9).contains(&n) => n,
                _ => {
                    return Err(format!(
                        "Invalid compression-level: {l}. Valid values are 0-9"
                    ));
                }
            },
        };
        let store = &stores.artifacts;
        if input(cx, "overwrite").eq_ignore_ascii_case("true")
            && let Some(old) = store.find(stores.run_id, name).map_err(|e| e.to_string())?
        {
            store.delete(&old).map_err(|e| e.to_string())?;
            out.log
                .push(format!("Artifact '{name}' ({}) deleted", old.id));
        }
        let new = NewArtifact {
            run_id: stores.run_id,
            name: name.to_owned(),
            content_type: ZIP.to_owned(),
            expires_ms: expiry(now_ms(), retention),
            job: cx.job.to_owned(),
        };
        let temp = stores.temp_file("artifact")?;
        let artifact = match store.add_zip(new, &files, level, &temp) {
            Ok(a) => a,
            Err(StoreError::ArtifactExists { .. }) => {
                return Err("Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run".to_owned());
            }
            Err(e) => return Err(e.to_string()),
        };
        out.log.push(format!(
            "Artifact {name}.zip successfully finalized. Artifact ID {}",
            artifact.id
        ));
        let url = format!(
            "{}/{}/actions/runs/{}/artifacts/{}",
            github_str(cx, "server_url").trim_end_matches('/'),
            github_str(cx, "repository"),
            github_str(cx, "run_id"),
            artifact.id
        );
        out.log.push(format!("Artifact download URL: {url}"));
        out.outputs
            .insert("artifact-id".into(), artifact.id.to_string());
        out.outputs.insert("artifact-url".into(), url);
        out.outputs
            .insert("artifact-digest".into(), artifact.digest.clone());
        Ok(out)
    }
}

/// A `pattern:` (minimatch on the artifact's name) as a glob.
fn name_matches(pattern: &str, name: &str) -> bool {
    pattern.is_empty() || match_segment(pattern, name)
}

impl NativeAction for DownloadArtifact {
    fn name(&self) -> &'static str {
        "actions/download-artifact"
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        let mut out = ActionOutput::default();
        let Some(stores) = cx.stores else {
            return Err(
                "Unable to download artifact(s): the artifact store is not available".to_owned(),
            );
        };
        let workspace = absolute(cx.workspace, ".");
        let dest = match input(cx, "path") {
            "" => workspace.clone(),
            p => absolute(&workspace, &expand_tilde(p, cx.env)),
        };
        let run_id = match input(cx, "run-id") {
            "" => stores.run_id,
            r => r
                .parse::<u64>()
                .map_err(|_| format!("run-id `{r}` is not a number"))?,
        };
        let now = now_ms();
        let store = &stores.artifacts;
        let all: Vec<_> = store
            .list(Some(run_id))
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|a| !a.is_expired(now))
            .collect();
        let name = input(cx, "name");
        let targets: Vec<(gantry_services::Artifact, PathBuf)> = if name.is_empty() {
            let merge = input(cx, "merge-multiple").eq_ignore_ascii_case("true");
            let pattern = input(cx, "pattern");
            let mut seen = std::collections::BTreeSet::new();
            all.into_iter()
                .filter(|a| name_matches(pattern, &a.name) && seen.insert(a.name.clone()))
                .map(|a| {
                    let d = if merge {
                        dest.clone()
                    } else {
                        dest.join(&a.name)
                    };
                    (a, d)
                })
                .collect()
        } else {
            match all.into_iter().find(|a| a.name == name) {
                Some(a) => vec![(a, dest.clone())],
                None => {
                    return Err(format!(
                        "Unable to download artifact(s): Artifact not found for name: {name}\n        Please ensure that your artifact is not expired and the artifact was uploaded using a compatible version of toolkit/upload-artifact.\n        For more information, visit the GitHub Artifacts FAQ: https://github.com/actions/toolkit/blob/main/packages/artifact/docs/faq.md"
                    ));
                }
            }
        };
        if targets.is_empty() {
            out.log.push("No artifacts found to download".to_owned());
        }
        for (a, d) in &targets {
            out.log.push(format!(
                "Downloading artifact '{}' (ID: {}, Size: {}) to {}",
                a.name,
                a.id,
                a.size,
                d.display()
            ));
            store.export(a, d).map_err(|e| e.to_string())?;
        }
        out.log
            .push(format!("Total of {} artifact(s) downloaded", targets.len()));
        out.log
            .push("Download artifact has finished successfully".to_owned());
        out.outputs
            .insert("download-path".into(), dest.to_string_lossy().into_owned());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_ancestor_of_search_paths() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(common_ancestor(&[p("/w/a/b"), p("/w/a/c")]), p("/w/a"));
        assert_eq!(common_ancestor(&[p("/w/a")]), p("/w/a"));
        assert!(check_name("a/b").is_err());
        assert!(name_matches("logs-*", "logs-1"));
    }
}
