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

/// Where the version comes from when none is given.
const NO_VERSION: &str = "no version given";

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
    Ok(vec![("*".into(), NO_VERSION.into())])
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
        if source == NO_VERSION {
            // No version given: the first found (PATH first), as the real
            // actions use the one on PATH (setup-python's README: "If
            // `.python-version` file doesn't exist Python/PyPy version from
            // the PATH will be used").
            best = all.first();
        } else {
            for f in all.iter().filter(|f| spec.matches(&f.version)) {
                if best.is_none_or(|b| f.version > b.version) {
                    best = Some(f);
                }
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
            // setup-python's README ("update-environment"): pythonLocation,
            // Python_ROOT_DIR, Python2_ROOT_DIR, Python3_ROOT_DIR and
            // PKG_CONFIG_PATH (`<pythonLocation>/lib/pkgconfig`).
            if update {
                for k in [
                    "pythonLocation",
                    "Python_ROOT_DIR",
                    "Python2_ROOT_DIR",
                    "Python3_ROOT_DIR",
                ] {
                    out.env.push((k.to_owned(), prefix.clone()));
                }
                out.env.push((
                    "PKG_CONFIG_PATH".to_owned(),
                    format!("{prefix}/lib/pkgconfig"),
                ));
            }
        }
        if lang == Lang::Go
            && let Some(gobin) = go_path_bin(&found.exe, cx.process_env)
        {
            out.path.push(gobin);
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
    if lang == Lang::Node
        && let Some(url) = cx
            .inputs
            .get("registry-url")
            .map(|u| u.trim())
            .filter(|u| !u.is_empty())
    {
        npm_registry(cx, url, &mut out)?;
    }
    // `cache-hit` is set only when caching is on, as the real actions set it
    // from their cache restore: setup-python and setup-node when `cache:` is
    // given, setup-go unless `cache: false` (its default is `true`).
    let cache = cx.inputs.get("cache").map(|c| c.trim()).unwrap_or_default();
    let caching = match lang {
        Lang::Go => cache != "false",
        Lang::Python | Lang::Node => !cache.is_empty() && cache != "false",
    };
    if caching {
        out.outputs.insert("cache-hit".into(), "false".into());
        out.log.push(format!(
            "cache: {}: the built-in {} does not restore or save caches itself; caching is served by the cache built-in (actions/cache) when it is available",
            if cache.is_empty() { "true" } else { cache },
            lang.action()
        ));
    }
    Ok(out)
}

/// setup-go puts `$(go env GOPATH)/bin` on PATH (creating it).
fn go_path_bin(go: &Path, env: &BTreeMap<String, String>) -> Option<String> {
    let out = Command::new(go)
        .args(["env", "GOPATH"])
        .env_clear()
        .envs(env)
        .output()
        .ok()?;
    let gopath = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || gopath.is_empty() {
        return None;
    }
    let bin = Path::new(&gopath).join("bin");
    std::fs::create_dir_all(&bin).ok()?;
    Some(bin.to_string_lossy().into_owned())
}

/// setup-node's `registry-url`: an `.npmrc` in `RUNNER_TEMP` that reads the
/// token from `NODE_AUTH_TOKEN`, named by `NPM_CONFIG_USERCONFIG`.
fn npm_registry(cx: &ActionContext<'_>, url: &str, out: &mut ActionOutput) -> Result<(), String> {
    let mut url = url.to_owned();
    if !url.ends_with('/') {
        url.push('/');
    }
    let input = |k: &str| {
        cx.inputs
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut scope = input("scope");
    if scope.is_empty() && url.contains("npm.pkg.github.com") {
        scope = cx
            .github
            .and_then(|g| g.get("repository_owner"))
            .map(gantry_expr::Value::to_display_string)
            .unwrap_or_default();
    }
    if !scope.is_empty() && !scope.starts_with('@') {
        scope.insert(0, '@');
    }
    if !scope.is_empty() {
        scope = format!("{}:", scope.to_lowercase());
    }
    let dir = cx
        .process_env
        .get("RUNNER_TEMP")
        .filter(|t| !t.is_empty())
        .map_or_else(|| cx.workspace.to_path_buf(), PathBuf::from);
    let npmrc = dir.join(".npmrc");
    let mut text = String::new();
    if let Ok(old) = std::fs::read_to_string(&npmrc) {
        for line in old.lines() {
            if !line.to_lowercase().starts_with(&format!("{scope}registry")) {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    let host = match url.split_once(':') {
        Some((scheme, rest))
            if scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            rest
        }
        _ => url.as_str(),
    };
    text.push_str(&format!(
        "{host}:_authToken=${{NODE_AUTH_TOKEN}}\n{scope}registry={url}\nalways-auth={}",
        match input("always-auth").as_str() {
            "" => "false".to_owned(),
            a => a.to_owned(),
        }
    ));
    std::fs::write(&npmrc, text).map_err(|e| format!("cannot write {}: {e}", npmrc.display()))?;
    let npmrc = npmrc.to_string_lossy().into_owned();
    out.log.push(format!("Wrote {npmrc} for {url}"));
    out.env.push(("NPM_CONFIG_USERCONFIG".into(), npmrc));
    let token = cx
        .process_env
        .get("NODE_AUTH_TOKEN")
        .filter(|t| !t.is_empty())
        .cloned()
        .unwrap_or_else(|| "XXXXX-XXXXX-XXXXX-XXXXX".into());
    out.env.push(("NODE_AUTH_TOKEN".into(), token));
    Ok(())
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

    /// A fake toolchain: `bin/<name>` scripts printing what the real tools
    /// print, in a folder of their own.
    struct Fake {
        dir: tempfile::TempDir,
        path: String,
    }

    fn fake(tools: &[(&str, &str)]) -> Fake {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut path = Vec::new();
        for (i, (name, body)) in tools.iter().enumerate() {
            let bin = dir.path().join(format!("t{i}/bin"));
            std::fs::create_dir_all(&bin).expect("mkdir");
            let exe = bin.join(name);
            std::fs::write(&exe, format!("#!/bin/sh\n{body}\n")).expect("write");
            std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            path.push(bin.to_string_lossy().into_owned());
        }
        Fake {
            dir,
            path: path.join(":"),
        }
    }

    fn fake_run(
        lang: Lang,
        f: &Fake,
        inputs: &[(&str, &str)],
        extra_env: &[(&str, &str)],
    ) -> Result<ActionOutput, String> {
        let inputs: BTreeMap<String, String> = inputs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        env.insert("PATH".into(), f.path.clone());
        let cache = f.dir.path().join("toolcache");
        let temp = f.dir.path().join("temp");
        std::fs::create_dir_all(&temp).expect("mkdir");
        env.insert(
            "RUNNER_TOOL_CACHE".into(),
            cache.to_string_lossy().into_owned(),
        );
        env.insert("RUNNER_TEMP".into(), temp.to_string_lossy().into_owned());
        env.insert("HOME".into(), f.dir.path().to_string_lossy().into_owned());
        for (k, v) in extra_env {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        let github = gantry_expr::Value::from_json(
            &serde_json::json!({"repository_owner": "Octo-Org", "repository": "Octo-Org/app"}),
        );
        let empty = BTreeMap::new();
        let cx = ActionContext {
            workspace: f.dir.path(),
            inputs: &inputs,
            env: &empty,
            github: Some(&github),
            process_env: &env,
            changed_files: None,
            job: "test",
            stores: None,
        };
        run_setup(lang, &cx)
    }

    fn env_of(out: &ActionOutput, k: &str) -> Option<String> {
        out.env
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    }

    /// actions/setup-python's action.yml (outputs `python-version`,
    /// `python-path`, `cache-hit`) and docs/advanced-usage.md (several
    /// versions: "The last specified version will be used as a default
    /// one"; `update-environment` exports pythonLocation, Python_ROOT_DIR,
    /// Python2_ROOT_DIR, Python3_ROOT_DIR and PKG_CONFIG_PATH).
    #[test]
    fn setup_python_documented_outputs() {
        let f = fake(&[
            ("python3.97", "echo 'Python 3.97.1'"),
            ("python3.98", "echo 'Python 3.98.2'"),
        ]);
        let out = fake_run(Lang::Python, &f, &[("python-version", "3.97")], &[]).expect("3.97");
        assert_eq!(out.outputs["python-version"], "3.97.1");
        let exe = &out.outputs["python-path"];
        assert!(exe.ends_with("t0/bin/python3.97"), "{exe}");
        // No `cache:` → no cache restore → `cache-hit` unset.
        assert!(!out.outputs.contains_key("cache-hit"), "{:?}", out.outputs);
        let prefix = f.dir.path().join("t0").to_string_lossy().into_owned();
        for k in [
            "pythonLocation",
            "Python_ROOT_DIR",
            "Python2_ROOT_DIR",
            "Python3_ROOT_DIR",
        ] {
            assert_eq!(env_of(&out, k).as_deref(), Some(prefix.as_str()), "{k}");
        }
        assert_eq!(
            env_of(&out, "PKG_CONFIG_PATH"),
            Some(format!("{prefix}/lib/pkgconfig"))
        );
        assert!(out.path.iter().any(|p| p.ends_with("t0/bin")));

        // `cache: pip` → cache-hit is reported (a miss: nothing cached).
        let out = fake_run(
            Lang::Python,
            &f,
            &[("python-version", "3.97"), ("cache", "pip")],
            &[],
        )
        .expect("cache");
        assert_eq!(out.outputs["cache-hit"], "false");

        // Several versions: all on PATH, the last the default (first on PATH).
        let out =
            fake_run(Lang::Python, &f, &[("python-version", "3.97\n3.98")], &[]).expect("both");
        assert_eq!(out.outputs["python-version"], "3.98.2");
        let t0 = out
            .path
            .iter()
            .position(|p| p.ends_with("t0/bin"))
            .expect("t0");
        let t1 = out
            .path
            .iter()
            .position(|p| p.ends_with("t1/bin"))
            .expect("t1");
        assert!(t1 > t0, "the last `$GITHUB_PATH` line comes first on PATH");

        // update-environment: false exports nothing.
        let out = fake_run(
            Lang::Python,
            &f,
            &[("python-version", "3.98"), ("update-environment", "false")],
            &[],
        )
        .expect("no env");
        assert!(env_of(&out, "pythonLocation").is_none());

        // Neither input nor `.python-version`: the Python on PATH (the
        // first found), not the newest.
        let out = fake_run(Lang::Python, &f, &[], &[]).expect("from PATH");
        assert_eq!(out.outputs["python-version"], "3.97.1");

        // python-version-file.
        std::fs::write(f.dir.path().join(".python-version"), "3.98\n").expect("write");
        let out = fake_run(
            Lang::Python,
            &f,
            &[("python-version-file", ".python-version")],
            &[],
        )
        .expect("file");
        assert_eq!(out.outputs["python-version"], "3.98.2");
        // Neither input: `.python-version` is read.
        let out = fake_run(Lang::Python, &f, &[], &[]).expect("default file");
        assert_eq!(out.outputs["python-version"], "3.98.2");
    }

    /// actions/setup-node's action.yml (output `node-version`, `cache-hit`
    /// only with `cache:`) and docs/advanced-usage.md (`registry-url`:
    /// an .npmrc that reads `NODE_AUTH_TOKEN`, `scope`, GitHub Packages
    /// scoped to the repository owner).
    #[test]
    fn setup_node_documented_outputs() {
        let f = fake(&[("node", "echo v97.1.0")]);
        let out = fake_run(Lang::Node, &f, &[("node-version", "97")], &[]).expect("node");
        assert_eq!(out.outputs["node-version"], "v97.1.0");
        assert!(!out.outputs.contains_key("cache-hit"));
        assert!(out.path.iter().any(|p| p.ends_with("t0/bin")));

        std::fs::write(f.dir.path().join(".nvmrc"), "97.1\n").expect("write");
        let out = fake_run(
            Lang::Node,
            &f,
            &[("node-version-file", ".nvmrc"), ("cache", "npm")],
            &[],
        )
        .expect("nvmrc");
        assert_eq!(out.outputs["node-version"], "v97.1.0");
        assert_eq!(out.outputs["cache-hit"], "false");

        let out = fake_run(
            Lang::Node,
            &f,
            &[
                ("node-version", "97"),
                ("registry-url", "https://registry.npmjs.org"),
            ],
            &[],
        )
        .expect("registry");
        let npmrc = env_of(&out, "NPM_CONFIG_USERCONFIG").expect("userconfig");
        assert!(npmrc.ends_with("temp/.npmrc"), "{npmrc}");
        assert_eq!(
            std::fs::read_to_string(&npmrc).expect("npmrc"),
            "//registry.npmjs.org/:_authToken=${NODE_AUTH_TOKEN}\nregistry=https://registry.npmjs.org/\nalways-auth=false"
        );
        assert_eq!(
            env_of(&out, "NODE_AUTH_TOKEN").as_deref(),
            Some("XXXXX-XXXXX-XXXXX-XXXXX")
        );
        let out = fake_run(
            Lang::Node,
            &f,
            &[
                ("node-version", "97"),
                ("registry-url", "https://npm.pkg.github.com"),
            ],
            &[("NODE_AUTH_TOKEN", "secret")],
        )
        .expect("github packages");
        let npmrc = env_of(&out, "NPM_CONFIG_USERCONFIG").expect("userconfig");
        let text = std::fs::read_to_string(&npmrc).expect("npmrc");
        assert!(
            text.contains("@octo-org:registry=https://npm.pkg.github.com/"),
            "{text}"
        );
        assert_eq!(env_of(&out, "NODE_AUTH_TOKEN").as_deref(), Some("secret"));
    }

    /// actions/setup-go's action.yml (output `go-version` without the `go`
    /// prefix, `cache-hit`; `cache` defaults to true) and README (go.mod's
    /// `toolchain`/`go` directive for `go-version-file`); the action adds
    /// `$(go env GOPATH)/bin` to PATH.
    #[test]
    fn setup_go_documented_outputs() {
        let f = fake(&[(
            "go",
            "if [ \"$1\" = env ]; then echo \"$HOME/gopath\"; else echo 'go version go1.97.3 linux/amd64'; fi",
        )]);
        let out = fake_run(Lang::Go, &f, &[("go-version", "1.97")], &[]).expect("go");
        assert_eq!(out.outputs["go-version"], "1.97.3");
        assert_eq!(out.outputs["cache-hit"], "false", "cache defaults to true");
        let gobin = f.dir.path().join("gopath/bin");
        assert!(
            out.path.iter().any(|p| Path::new(p) == gobin),
            "{:?}",
            out.path
        );
        assert!(gobin.is_dir());
        let out = fake_run(
            Lang::Go,
            &f,
            &[("go-version", "1.97"), ("cache", "false")],
            &[],
        )
        .expect("no cache");
        assert!(!out.outputs.contains_key("cache-hit"));
        std::fs::write(f.dir.path().join("go.mod"), "module x\n\ngo 1.97\n").expect("write");
        let out = fake_run(Lang::Go, &f, &[("go-version-file", "go.mod")], &[]).expect("go.mod");
        assert_eq!(out.outputs["go-version"], "1.97.3");
    }
}
