//! `actions/setup-python`, `actions/setup-node` and `actions/setup-go`:
//! nothing is downloaded. An installed toolchain that satisfies the version
//! spec is looked for on PATH and in the usual places (pyenv, nvm, the
//! hosted tool cache, `/usr/bin/python3.X`, `/usr/local/go`, …); its bin
//! folder is put in front of PATH and the action's outputs are set. When
//! none satisfies the spec, the step fails naming what was asked and what
//! is installed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::version_spec::{Spec, Version};
use crate::actions::{ActionContext, ActionOutput, NativeAction};

/// One installed toolchain.
#[derive(Clone, Debug)]
struct Found {
    version: Version,
    /// As the tool prints it (`3.11.2`, `v20.11.1`, `1.22.1`).
    printed: String,
    exe: PathBuf,
}

/// The three languages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Python,
    Node,
    Go,
}

impl Lang {
    fn action(self) -> &'static str {
        match self {
            Lang::Python => "actions/setup-python",
            Lang::Node => "actions/setup-node",
            Lang::Go => "actions/setup-go",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Lang::Python => "Python",
            Lang::Node => "Node.js",
            Lang::Go => "Go",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::Node => "node",
            Lang::Go => "go",
        }
    }

    /// Executable names looked for in a folder.
    fn exe_names(self, dir: &Path) -> Vec<String> {
        match self {
            Lang::Node => vec!["node".into()],
            Lang::Go => vec!["go".into()],
            Lang::Python => {
                let mut names = vec!["python3".to_owned(), "python".to_owned()];
                if let Ok(rd) = std::fs::read_dir(dir) {
                    let mut more: Vec<String> = rd
                        .flatten()
                        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                        .filter(|n| {
                            n.strip_prefix("python3.").is_some_and(|v| {
                                !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
                            })
                        })
                        .collect();
                    more.sort();
                    names.extend(more);
                }
                names
            }
        }
    }

    /// Asks an executable its version.
    fn probe(self, exe: &Path) -> Option<Found> {
        let arg = if self == Lang::Go {
            "version"
        } else {
            "--version"
        };
        let out = Command::new(exe).arg(arg).output().ok()?;
        if !out.status.success() {
            return None;
        }
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        let printed = match self {
            // `Python 3.11.2`
            Lang::Python => text.split_whitespace().nth(1)?.to_owned(),
            // `v20.11.1`
            Lang::Node => text.split_whitespace().next()?.to_owned(),
            // `go version go1.22.1 linux/amd64`
            Lang::Go => text
                .split_whitespace()
                .nth(2)?
                .trim_start_matches("go")
                .to_owned(),
        };
        Some(Found {
            version: Version::parse(&printed)?,
            printed,
            exe: exe.to_path_buf(),
        })
    }
}

/// Subfolders of `root` (sorted), joined with `tail`.
fn subdirs(root: &Path, tail: &str) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .map(|p| if tail.is_empty() { p } else { p.join(tail) })
        .collect();
    dirs.sort();
    dirs
}

/// Folders to search, PATH first.
fn search_dirs(lang: Lang, env: &BTreeMap<String, String>) -> Vec<PathBuf> {
    let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let home = get("HOME");
    let mut dirs: Vec<PathBuf> = env
        .get("PATH")
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    let mut tool_caches: Vec<PathBuf> = ["RUNNER_TOOL_CACHE", "AGENT_TOOLSDIRECTORY"]
        .iter()
        .filter_map(|k| get(k))
        .collect();
    tool_caches.push(PathBuf::from("/opt/hostedtoolcache"));
    let cache_name = match lang {
        Lang::Python => "Python",
        Lang::Node => "node",
        Lang::Go => "go",
    };
    for tc in &tool_caches {
        for v in subdirs(&tc.join(cache_name), "") {
            dirs.push(v.join("x64/bin"));
            dirs.push(v.join("arm64/bin"));
            dirs.push(v.join("x64"));
        }
    }
    match lang {
        Lang::Python => {
            let pyenv = get("PYENV_ROOT").or_else(|| home.as_ref().map(|h| h.join(".pyenv")));
            if let Some(p) = pyenv {
                dirs.extend(subdirs(&p.join("versions"), "bin"));
            }
            dirs.push("/usr/local/bin".into());
            dirs.push("/usr/bin".into());
        }
        Lang::Node => {
            let nvm = get("NVM_DIR").or_else(|| home.as_ref().map(|h| h.join(".nvm")));
            if let Some(n) = nvm {
                dirs.extend(subdirs(&n.join("versions/node"), "bin"));
            }
            if let Some(h) = &home {
                dirs.extend(subdirs(
                    &h.join(".local/share/fnm/node-versions"),
                    "installation/bin",
                ));
                dirs.extend(subdirs(&h.join(".volta/tools/image/node"), "bin"));
            }
            dirs.extend(subdirs(Path::new("/usr/local/n/versions/node"), "bin"));
            dirs.push("/usr/local/bin".into());
            dirs.push("/usr/bin".into());
        }
        Lang::Go => {
            dirs.push("/usr/local/go/bin".into());
            if let Some(h) = &home {
                dirs.extend(subdirs(&h.join("sdk"), "bin"));
                dirs.push(h.join("go/bin"));
            }
            dirs.extend(
                subdirs(Path::new("/usr/lib"), "bin")
                    .into_iter()
                    .filter(|d| {
                        d.parent()
                            .and_then(Path::file_name)
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("go-") || n == "go")
                    }),
            );
        }
    }
    dirs
}

/// Every installed toolchain, PATH first, each executable once.
fn installed(lang: Lang, env: &BTreeMap<String, String>) -> Vec<Found> {
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for dir in search_dirs(lang, env) {
        // pyenv's and asdf's shims choose a version by themselves.
        if dir.file_name().is_some_and(|n| n == "shims") || !dir.is_dir() {
            continue;
        }
        for name in lang.exe_names(&dir) {
            let exe = dir.join(&name);
            if !exe.is_file() {
                continue;
            }
            let real = std::fs::canonicalize(&exe).unwrap_or_else(|_| exe.clone());
            if !seen.insert(real) {
                continue;
            }
            if let Some(f) = lang.probe(&exe) {
                found.push(f);
            }
        }
    }
    found
}

/// The version asked for: the input, else the version file's.
fn wanted(lang: Lang, cx: &ActionContext<'_>) -> Result<Vec<(String, String)>, String> {
    let input = |k: &str| {
        cx.inputs
            .get(k)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let version_key = format!("{}-version", lang.key());
    if let Some(v) = input(&version_key) {
        let specs: Vec<(String, String)> = v
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| (l.to_owned(), version_key.clone()))
            .collect();
        return Ok(specs);
    }
    let file_key = format!("{}-version-file", lang.key());
    if let Some(f) = input(&file_key) {
        let path = cx.workspace.join(&f);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: cannot read {file_key} `{f}`: {e}", lang.action()))?;
        let spec = version_from_file(lang, &f, &text).ok_or_else(|| {
            format!(
                "{}: {file_key} `{f}` names no {} version",
                lang.action(),
                lang.title()
            )
        })?;
        return Ok(vec![(spec, format!("{file_key} {f}"))]);
    }
    // setup-python reads `.python-version` when no version is given; the
    // others then use what is on PATH.
    if lang == Lang::Python
        && let Ok(text) = std::fs::read_to_string(cx.workspace.join(".python-version"))
        && let Some(spec) = version_from_file(lang, ".python-version", &text)
    {
        return Ok(vec![(spec, ".python-version".into())]);
    }
    Ok(vec![("*".into(), "no version given".into())])
}

/// The version a version file names.
fn version_from_file(lang: Lang, name: &str, text: &str) -> Option<String> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let first_line = || {
        text.lines()
            .map(|l| l.split('#').next().unwrap_or_default().trim())
            .find(|l| !l.is_empty())
            .map(str::to_owned)
    };
    match (lang, base) {
        (Lang::Go, "go.mod" | "go.work") => {
            let directive = |word: &str| {
                text.lines().find_map(|l| {
                    let mut w = l.split_whitespace();
                    (w.next() == Some(word))
                        .then(|| w.next().map(str::to_owned))
                        .flatten()
                })
            };
            directive("toolchain")
                .map(|t| t.trim_start_matches("go").to_owned())
                .or_else(|| directive("go"))
        }
        (_, ".tool-versions") => {
            let tool = match lang {
                Lang::Python => "python",
                Lang::Node => "nodejs",
                Lang::Go => "golang",
            };
            text.lines().find_map(|l| {
                let mut w = l.split_whitespace();
                (w.next() == Some(tool))
                    .then(|| w.next().map(str::to_owned))
                    .flatten()
            })
        }
        (Lang::Node, "package.json") => {
            let v: serde_json::Value = serde_json::from_str(text).ok()?;
            v.pointer("/volta/node")
                .or_else(|| v.pointer("/engines/node"))
                .and_then(|n| n.as_str())
                .map(str::to_owned)
        }
        (Lang::Python, "pyproject.toml") => text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == "requires-python" || k.trim() == "python")
                .then(|| v.trim().trim_matches(|c| c == '"' || c == '\'').to_owned())
        }),
        _ => first_line(),
    }
}

/// Creates `python`/`python3`/`pip` shims for the chosen interpreter in a
/// folder of the tool cache, so that the bare names run it.
fn python_shims(exe: &Path, version: &str, env: &BTreeMap<String, String>) -> Option<PathBuf> {
    let root = env
        .get("RUNNER_TOOL_CACHE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)?;
    let dir = root.join("gantry-setup-python").join(version).join("bin");
    std::fs::create_dir_all(&dir).ok()?;
    let exe_s = exe.to_string_lossy().replace('\'', "'\\''");
    for name in ["python", "python3", "pip", "pip3"] {
        let body = if name.starts_with("pip") {
            format!("#!/bin/sh\nexec '{exe_s}' -m pip \"$@\"\n")
        } else {
            format!("#!/bin/sh\nexec '{exe_s}' \"$@\"\n")
        };
        let path = dir.join(name);
        std::fs::write(&path, body).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).ok()?;
        }
    }
    Some(dir)
}

fn run_setup(lang: Lang, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
    let mut out = ActionOutput::default();
    let specs = wanted(lang, cx)?;
    let all = installed(lang, cx.process_env);
    let mut chosen: Option<Found> = None;
    for (spec_s, source) in &specs {
        let spec = Spec::parse(spec_s).ok_or_else(|| {
            format!(
                "{}: `{spec_s}` ({source}) is not a version spec Gantry understands (e.g. `3.11`, `3.x`, `>=3.10`, `3.12.1`)",
                lang.action()
            )
        })?;
        // The newest that satisfies the spec; on a tie, the first found
        // (PATH first).
        let mut best: Option<&Found> = None;
        for f in all.iter().filter(|f| spec.matches(&f.version)) {
            if best.is_none_or(|b| f.version > b.version) {
                best = Some(f);
            }
        }
        let Some(found) = best.cloned() else {
            let list: Vec<String> = all
                .iter()
                .map(|f| format!("{} ({})", f.printed, f.exe.display()))
                .collect();
            let have = if list.is_empty() {
                format!("no {} is installed", lang.title())
            } else {
                format!("installed: {}", list.join(", "))
            };
            return Err(format!(
                "{}: no installed {} satisfies `{spec_s}` ({source}); {have}. Gantry's built-in downloads nothing: install that version, or run the real action with --no-builtin {}",
                lang.action(),
                lang.title(),
                lang.action()
            ));
        };
        let bin = found
            .exe
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.path.push(bin.clone());
        if lang == Lang::Python {
            if let Some(shims) = python_shims(&found.exe, &found.printed, cx.process_env) {
                out.path.push(shims.to_string_lossy().into_owned());
            }
            let prefix = found
                .exe
                .parent()
                .and_then(Path::parent)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let update = cx
                .inputs
                .get("update-environment")
                .is_none_or(|v| v.trim() != "false");
            if update {
                for k in ["pythonLocation", "Python_ROOT_DIR", "Python3_ROOT_DIR"] {
                    out.env.push((k.to_owned(), prefix.clone()));
                }
            }
        }
        out.log.push(format!(
            "Using {} {} ({}) for `{spec_s}` ({source}); added {bin} to PATH",
            lang.title(),
            found.printed,
            found.exe.display()
        ));
        chosen = Some(found);
    }
    if let Some(found) = chosen {
        let exe = found.exe.to_string_lossy().into_owned();
        match lang {
            Lang::Python => {
                out.outputs.insert("python-version".into(), found.printed);
                out.outputs.insert("python-path".into(), exe);
            }
            Lang::Node => {
                out.outputs.insert("node-version".into(), found.printed);
            }
            Lang::Go => {
                out.outputs.insert("go-version".into(), found.printed);
            }
        }
    }
    out.outputs.insert("cache-hit".into(), "false".into());
    if let Some(c) = cx
        .inputs
        .get("cache")
        .filter(|c| !c.trim().is_empty() && c.trim() != "false")
    {
        out.log.push(format!(
            "cache: {c}: the built-in {} does not restore or save caches itself; caching is served by the cache built-in (actions/cache) when it is available",
            lang.action()
        ));
    }
    Ok(out)
}

/// `actions/setup-python`.
pub struct SetupPython;

impl NativeAction for SetupPython {
    fn name(&self) -> &'static str {
        "actions/setup-python"
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        run_setup(Lang::Python, cx)
    }
}

/// `actions/setup-node`.
pub struct SetupNode;

impl NativeAction for SetupNode {
    fn name(&self) -> &'static str {
        "actions/setup-node"
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        run_setup(Lang::Node, cx)
    }
}

/// `actions/setup-go`.
pub struct SetupGo;

impl NativeAction for SetupGo {
    fn name(&self) -> &'static str {
        "actions/setup-go"
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        run_setup(Lang::Go, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_files() {
        let gomod = "module x\n\ngo 1.22\n";
        assert_eq!(
            version_from_file(Lang::Go, "go.mod", gomod).as_deref(),
            Some("1.22")
        );
        let gomod = "module x\ngo 1.21\ntoolchain go1.22.3\n";
        assert_eq!(
            version_from_file(Lang::Go, "go.mod", gomod).as_deref(),
            Some("1.22.3")
        );
        assert_eq!(
            version_from_file(Lang::Node, ".nvmrc", "lts/iron\n").as_deref(),
            Some("lts/iron")
        );
        assert_eq!(
            version_from_file(Lang::Node, "package.json", r#"{"engines":{"node":">=18"}}"#)
                .as_deref(),
            Some(">=18")
        );
        assert_eq!(
            version_from_file(
                Lang::Python,
                "pyproject.toml",
                "[project]\nrequires-python = \">=3.10\"\n"
            )
            .as_deref(),
            Some(">=3.10")
        );
        assert_eq!(
            version_from_file(
                Lang::Python,
                ".tool-versions",
                "nodejs 20.1.0\npython 3.11.4\n"
            )
            .as_deref(),
            Some("3.11.4")
        );
        assert_eq!(
            version_from_file(Lang::Python, ".python-version", "# c\n3.12\n").as_deref(),
            Some("3.12")
        );
    }

    fn cx_run(lang: Lang, inputs: &[(&str, &str)]) -> Result<ActionOutput, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let inputs: BTreeMap<String, String> = inputs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut env: BTreeMap<String, String> = std::env::vars().collect();
        env.insert(
            "RUNNER_TOOL_CACHE".into(),
            dir.path().to_string_lossy().into_owned(),
        );
        let empty = BTreeMap::new();
        let cx = ActionContext {
            workspace: dir.path(),
            inputs: &inputs,
            env: &empty,
            github: None,
            process_env: &env,
            changed_files: None,
            job: "test",
            stores: None,
        };
        run_setup(lang, &cx)
    }

    #[test]
    fn a_missing_version_fails_naming_what_is_installed() {
        let err = cx_run(Lang::Python, &[("python-version", "2.1")])
            .err()
            .expect("fails");
        assert!(err.contains("no installed Python satisfies `2.1`"), "{err}");
        assert!(err.contains("python-version"), "{err}");
    }

    #[test]
    fn the_node_on_path_satisfies_star() {
        if installed(Lang::Node, &std::env::vars().collect()).is_empty() {
            return;
        }
        let out = cx_run(Lang::Node, &[("node-version", "*"), ("cache", "npm")]).expect("node");
        assert!(out.outputs["node-version"].starts_with('v'));
        assert_eq!(out.outputs["cache-hit"], "false");
        assert!(out.log.iter().any(|l| l.contains("cache built-in")));
    }
}
