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

/// What the exclusion lines (`!pattern`) match. `@actions/glob` applies
/// them to every file it walks, also below an included directory (each
/// pattern implicitly covers its matches' descendants), so a file in or
/// below one of these is left out.
fn excluded_paths(
    patterns: &[String],
    workspace: &Path,
    env: &std::collections::BTreeMap<String, String>,
) -> Vec<PathBuf> {
    let negated: Vec<String> = patterns
        .iter()
        .filter_map(|p| p.strip_prefix('!'))
        .filter(|p| !p.starts_with('!'))
        .map(str::to_owned)
        .collect();
    if negated.is_empty() {
        return Vec::new();
    }
    glob(&negated, workspace, env).0
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
        let (matches, searched) = glob(&patterns, &workspace, cx.process_env);
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
        let excluded = excluded_paths(&patterns, &workspace, cx.process_env);
        let files: Vec<(String, PathBuf)> = files_below(&matches)
            .into_iter()
            .filter(|f| !excluded.iter().any(|x| f.starts_with(x)))
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
            p => absolute(&workspace, &expand_tilde(p, cx.process_env)),
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

    /// A workspace with files, and the run's stores next to it.
    struct World {
        dir: tempfile::TempDir,
        stores: crate::builtins::Stores,
    }

    fn world(files: &[&str]) -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        for f in files {
            let p = dir.path().join("ws").join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, f.as_bytes()).expect("write");
        }
        let stores = crate::builtins::Stores::open(&dir.path().join("data"), "o/r", 7, Vec::new())
            .expect("stores");
        World { dir, stores }
    }

    impl World {
        fn ws(&self) -> PathBuf {
            self.dir.path().join("ws")
        }

        fn step(
            &self,
            action: &dyn NativeAction,
            inputs: &[(&str, &str)],
        ) -> Result<ActionOutput, String> {
            let inputs: BTreeMap<String, String> = inputs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            let github = Value::from_json(&serde_json::json!({
                "server_url": "https://github.com", "repository": "o/r", "run_id": "7"
            }));
            let env = BTreeMap::from([(
                "HOME".to_owned(),
                self.dir.path().to_string_lossy().into_owned(),
            )]);
            let ws = self.ws();
            let cx = ActionContext {
                workspace: &ws,
                inputs: &inputs,
                env: &env,
                github: Some(&github),
                process_env: &env,
                changed_files: None,
                job: "build",
                stores: Some(&self.stores),
            };
            action.run(&cx)
        }

        /// Uploads, then downloads the artifact by name into a fresh folder
        /// and lists what arrived (relative paths, sorted).
        fn layout(&self, name: &str, path: &str, extra: &[(&str, &str)]) -> Vec<String> {
            let mut inputs = vec![("name", name), ("path", path)];
            inputs.extend_from_slice(extra);
            self.step(&UploadArtifact, &inputs).expect("upload");
            let dest = format!("../out-{name}");
            self.step(&DownloadArtifact, &[("name", name), ("path", &dest)])
                .expect("download");
            tree(&self.dir.path().join(format!("out-{name}")))
        }
    }

    fn tree(root: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).expect("below");
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
        }
        out.sort();
        out
    }

    use std::collections::BTreeMap;

    /// actions/upload-artifact's README: "Upload an Individual File",
    /// "Upload an Entire Directory", "Upload using a Wildcard Pattern",
    /// "Upload using Multiple Paths and Exclusions" ("the least common
    /// ancestor of all the search paths will be used as the root directory
    /// of the artifact. Exclude paths do not affect the directory
    /// structure"), and "Uploading Hidden Files" (excluded unless
    /// `include-hidden-files: true`, v4.4.0 on).
    #[test]
    fn upload_layouts_follow_the_readme() {
        let w = world(&[
            "path/to/artifact/world.txt",
            "path/to/artifact/sub/deep.txt",
            "path/output/bin/app",
            "path/output/bin/app.tmp",
            "path/output/test-results/r.xml",
            "path/output/other/skip.txt",
            "path/to/.env",
            "path/to/artifact/.git/config",
        ]);
        // A single file: stored at the root of the artifact.
        assert_eq!(
            w.layout("single", "path/to/artifact/world.txt", &[]),
            ["world.txt"]
        );
        // A directory: its contents at the root.
        assert_eq!(
            w.layout("dir", "path/to/artifact/", &[]),
            ["sub/deep.txt", "world.txt"]
        );
        // A wildcard: the structure below the search path (`path/to`).
        assert_eq!(
            w.layout("wild", "path/**/*.txt", &[]),
            [
                "output/other/skip.txt",
                "to/artifact/sub/deep.txt",
                "to/artifact/world.txt"
            ]
        );
        // Multiple paths and an exclusion: rooted at the least common
        // ancestor of the search paths (`path/output`).
        assert_eq!(
            w.layout(
                "multi",
                "path/output/bin/\npath/output/test-results\n!path/**/*.tmp\n",
                &[]
            ),
            ["bin/app", "test-results/r.xml"]
        );
        // Hidden files and folders are left out by default.
        assert_eq!(
            w.layout("nohidden", "path/to/", &[]),
            ["artifact/sub/deep.txt", "artifact/world.txt",]
        );
        assert_eq!(
            w.layout("hidden", "path/to/", &[("include-hidden-files", "true")]),
            [
                ".env",
                "artifact/.git/config",
                "artifact/sub/deep.txt",
                "artifact/world.txt",
            ]
        );
    }

    /// actions/upload-artifact's action.yml: outputs `artifact-id`,
    /// `artifact-url`, `artifact-digest`; `name` defaults to `artifact`;
    /// `if-no-files-found` warn (default) / error / ignore; `overwrite`;
    /// `compression-level` 0-9; README "Not Uploading to the Same Artifact"
    /// (v4 artifacts are immutable: a second upload of a name fails).
    #[test]
    fn upload_outputs_and_inputs_follow_the_action_yml() {
        let w = world(&["a.txt"]);
        let out = w
            .step(&UploadArtifact, &[("path", "a.txt")])
            .expect("upload");
        let id = &out.outputs["artifact-id"];
        assert!(!id.is_empty());
        assert_eq!(
            out.outputs["artifact-url"],
            format!("https://github.com/o/r/actions/runs/7/artifacts/{id}")
        );
        let digest = &out.outputs["artifact-digest"];
        assert_eq!(digest.len(), 64, "a SHA-256 in hex: {digest}");
        assert!(
            w.stores
                .artifacts
                .find(7, "artifact")
                .expect("find")
                .is_some()
        );

        // Immutable: the same name again conflicts, unless `overwrite`.
        let err = w
            .step(&UploadArtifact, &[("path", "a.txt")])
            .err()
            .expect("conflict");
        assert!(err.contains("(409) Conflict"), "{err}");
        // (GitHub gives the new artifact a new id; the store numbers after
        // the highest id left, so here it may be reused.)
        let again = w
            .step(&UploadArtifact, &[("path", "a.txt"), ("overwrite", "true")])
            .expect("overwrite");
        assert!(
            again.log.iter().any(|l| l.contains("deleted")),
            "{:?}",
            again.log
        );

        // if-no-files-found.
        let missing =
            "No files were found with the provided path: nothing/. No artifacts will be uploaded.";
        let warn = w
            .step(&UploadArtifact, &[("name", "x"), ("path", "nothing/")])
            .expect("warn");
        assert_eq!(warn.log, [format!("::warning::{missing}")]);
        assert!(warn.outputs.is_empty());
        let err = w
            .step(
                &UploadArtifact,
                &[
                    ("name", "x"),
                    ("path", "nothing/"),
                    ("if-no-files-found", "error"),
                ],
            )
            .err()
            .expect("error");
        assert_eq!(err, missing);
        let ignore = w
            .step(
                &UploadArtifact,
                &[
                    ("name", "x"),
                    ("path", "nothing/"),
                    ("if-no-files-found", "ignore"),
                ],
            )
            .expect("ignore");
        assert_eq!(ignore.log, [missing]);

        // compression-level is 0-9.
        assert!(
            w.step(
                &UploadArtifact,
                &[("name", "z"), ("path", "a.txt"), ("compression-level", "0")]
            )
            .is_ok()
        );
        assert!(
            w.step(
                &UploadArtifact,
                &[
                    ("name", "z2"),
                    ("path", "a.txt"),
                    ("compression-level", "10")
                ]
            )
            .is_err()
        );
        // Names with `/` or `:` are refused.
        assert!(
            w.step(&UploadArtifact, &[("name", "a/b"), ("path", "a.txt")])
                .is_err()
        );
    }

    /// actions/download-artifact's README (v4): `name` downloads one
    /// artifact into `path`; without `name` every artifact (or those whose
    /// name matches `pattern`) goes into a folder named after it, unless
    /// `merge-multiple: true`; `path` defaults to the workspace and
    /// supports `~`; the output `download-path` is the resolved folder.
    #[test]
    fn download_layouts_follow_the_readme() {
        let w = world(&["one/a.txt", "two/b.txt", "logs/l.txt"]);
        for (name, path) in [("my-one", "one/"), ("my-two", "two/"), ("logs", "logs/")] {
            w.step(&UploadArtifact, &[("name", name), ("path", path)])
                .expect("upload");
        }
        // By name, into `path` directly.
        let out = w
            .step(
                &DownloadArtifact,
                &[("name", "my-one"), ("path", "dl/named")],
            )
            .expect("named");
        let dest = w.ws().join("dl/named");
        assert_eq!(out.outputs["download-path"], dest.to_string_lossy());
        assert_eq!(tree(&dest), ["a.txt"]);
        // Default path: the workspace.
        let out = w
            .step(&DownloadArtifact, &[("name", "logs")])
            .expect("default");
        assert_eq!(out.outputs["download-path"], w.ws().to_string_lossy());
        assert!(w.ws().join("l.txt").is_file());
        // `~` is the home folder.
        let out = w
            .step(
                &DownloadArtifact,
                &[("name", "logs"), ("path", "~/home-dl")],
            )
            .expect("tilde");
        assert_eq!(
            out.outputs["download-path"],
            w.dir.path().join("home-dl").to_string_lossy()
        );
        // All: one folder per artifact.
        w.step(&DownloadArtifact, &[("path", "dl/all")])
            .expect("all");
        assert_eq!(
            tree(&w.ws().join("dl/all")),
            ["logs/l.txt", "my-one/a.txt", "my-two/b.txt"]
        );
        // pattern: only matching names.
        w.step(
            &DownloadArtifact,
            &[("path", "dl/pat"), ("pattern", "my-*")],
        )
        .expect("pattern");
        assert_eq!(
            tree(&w.ws().join("dl/pat")),
            ["my-one/a.txt", "my-two/b.txt"]
        );
        // merge-multiple: into the same folder.
        w.step(
            &DownloadArtifact,
            &[
                ("path", "dl/merged"),
                ("pattern", "my-*"),
                ("merge-multiple", "true"),
            ],
        )
        .expect("merged");
        assert_eq!(tree(&w.ws().join("dl/merged")), ["a.txt", "b.txt"]);
        // `pattern` is ignored when `name` is given.
        w.step(
            &DownloadArtifact,
            &[("name", "logs"), ("pattern", "my-*"), ("path", "dl/both")],
        )
        .expect("both");
        assert_eq!(tree(&w.ws().join("dl/both")), ["l.txt"]);
        // A missing name fails the step.
        let err = w
            .step(&DownloadArtifact, &[("name", "nope")])
            .err()
            .expect("missing");
        assert!(err.contains("Artifact not found for name: nope"), "{err}");
    }
}
