//! `actions/cache`, `actions/cache/restore` and `actions/cache/save`,
//! natively, on the run's cache store: the same entries, versions and
//! archive format (`tar` with zstd, paths relative to the workspace) as the
//! real action, so native and real steps share their caches.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use gantry_services::{StoreError, now_ms};
use sha2::{Digest, Sha256};

use super::stores::{absolute, glob, lines};
use crate::actions::{ActionContext, ActionOutput, NativeAction};

/// `actions/cache`: restores in the main step, saves in the post step
/// (`post-if: success()`) unless the primary key was hit exactly.
pub struct Cache;
/// `actions/cache/restore`.
pub struct CacheRestore;
/// `actions/cache/save`.
pub struct CacheSave;

/// The `@actions/cache` version salt.
const VERSION_SALT: &str = "1.0";

/// The compression the real client would pick here: zstd when `zstd` runs,
/// else gzip.
fn compression() -> &'static str {
    static METHOD: OnceLock<&'static str> = OnceLock::new();
    METHOD.get_or_init(|| {
        let ok = Command::new("zstd")
            .args(["--quiet", "--version"])
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
        if ok { "zstd" } else { "gzip" }
    })
}

/// The cache version `@actions/cache` computes: SHA-256 of the paths as
/// given, the compression method and the salt, joined by `|`.
pub fn cache_version(paths: &[String], method: &str) -> String {
    let mut parts: Vec<&str> = paths.iter().map(String::as_str).collect();
    parts.push(method);
    parts.push(VERSION_SALT);
    let digest = Sha256::digest(parts.join("|").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn input<'a>(cx: &'a ActionContext<'_>, name: &str) -> &'a str {
    cx.inputs.get(name).map_or("", |s| s.trim())
}

fn flag(cx: &ActionContext<'_>, name: &str) -> bool {
    input(cx, name).eq_ignore_ascii_case("true")
}

fn required(cx: &ActionContext<'_>, name: &str) -> Result<String, String> {
    let v = input(cx, name);
    if v.is_empty() {
        return Err(format!("Input required and not supplied: {name}"));
    }
    Ok(v.to_owned())
}

/// The `path` input's lines, as the version sees them.
fn paths(cx: &ActionContext<'_>) -> Result<Vec<String>, String> {
    let p = lines(&required(cx, "path")?);
    Ok(p.into_iter()
        .map(|l| match l.strip_prefix('!') {
            Some(rest) => format!("!{}", rest.trim_start()),
            None => l,
        })
        .collect())
}

fn check_key(key: &str) -> Result<(), String> {
    if key.len() > 512 {
        return Err(format!(
            "Key Validation Error: {key} cannot be larger than 512 characters."
        ));
    }
    if key.contains(',') {
        return Err(format!(
            "Key Validation Error: {key} cannot contain commas."
        ));
    }
    Ok(())
}

fn tar_compress_args(method: &str, extract: bool) -> Vec<String> {
    match (method, extract) {
        ("zstd", false) => vec!["--use-compress-program".into(), "zstd -T0 --long=30".into()],
        ("zstd", true) => vec!["--use-compress-program".into(), "unzstd --long=30".into()],
        _ => vec!["-z".into()],
    }
}

fn run_tar(args: &[String], cwd: &Path) -> Result<(), String> {
    let out = Command::new("tar")
        .args(args)
        .current_dir(cwd)
        .output()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tar failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

fn no_stores(out: &mut ActionOutput) {
    out.log.push(
        "::warning::Cache service is not available (gantry could not open the cache store)"
            .to_owned(),
    );
}

/// The restore half (of `actions/cache` and `actions/cache/restore`).
fn restore(cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
    let mut out = ActionOutput::default();
    let key = required(cx, "key")?;
    let paths = paths(cx)?;
    let mut keys = vec![key.clone()];
    keys.extend(lines(input(cx, "restore-keys")));
    if keys.len() > 10 {
        return Err(format!(
            "Key Validation Error: Keys are limited to a maximum of 10. (got {})",
            keys.len()
        ));
    }
    for k in &keys {
        check_key(k)?;
    }
    out.outputs.insert("cache-primary-key".into(), key.clone());
    let Some(stores) = cx.stores else {
        no_stores(&mut out);
        return Ok(out);
    };
    let method = compression();
    let version = cache_version(&paths, method);
    let found = stores
        .cache
        .lookup(&keys, &version, &stores.cache_scopes)
        .map_err(|e| e.to_string())?;
    let Some(entry) = found else {
        if flag(cx, "fail-on-cache-miss") {
            return Err(format!(
                "Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: {key}"
            ));
        }
        // The real action leaves `cache-hit` unset on a miss.
        out.log.push(format!(
            "Cache not found for input keys: {}",
            keys.join(", ")
        ));
        return Ok(out);
    };
    let exact = entry.key.eq_ignore_ascii_case(&key);
    if flag(cx, "lookup-only") {
        out.log.push(format!(
            "Cache found and can be restored from key: {}",
            entry.key
        ));
    } else {
        let blob = stores.cache.blob_path(&entry.digest);
        let mut args = vec!["-xf".to_owned(), blob.to_string_lossy().into_owned()];
        args.extend(["-P".to_owned(), "-C".to_owned()]);
        args.push(cx.workspace.to_string_lossy().into_owned());
        args.extend(tar_compress_args(method, true));
        run_tar(&args, cx.workspace)?;
        out.log.push(format!(
            "Cache Size: ~{} MB ({} B)",
            entry.size.div_ceil(1024 * 1024),
            entry.size
        ));
        out.log
            .push(format!("Cache restored from key: {}", entry.key));
    }
    let _ = stores.cache.touch(&entry, now_ms());
    out.outputs.insert("cache-hit".into(), exact.to_string());
    out.outputs
        .insert("cache-matched-key".into(), entry.key.clone());
    Ok(out)
}

/// `to` relative to `from` (both absolute, normalized).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

/// The save half: archives what `path` matches and commits it under `key`.
fn save(cx: &ActionContext<'_>, key: &str, out: &mut ActionOutput) -> Result<(), String> {
    check_key(key)?;
    let paths = paths(cx)?;
    let Some(stores) = cx.stores else {
        no_stores(out);
        return Ok(());
    };
    let workspace = absolute(cx.workspace, ".");
    let (matches, _) = glob(&paths, &workspace, cx.env);
    if matches.is_empty() {
        out.log.push("::warning::Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved.".to_owned());
        return Ok(());
    }
    let method = compression();
    let version = cache_version(&paths, method);
    let scope = stores.cache_scopes.first().cloned().unwrap_or_default();
    if stores.cache.exists(&scope, key, &version) {
        out.log.push(format!("::warning::Failed to save: Unable to reserve cache with key {key}, another job may be creating this cache."));
        return Ok(());
    }
    let manifest = stores.temp_file("manifest")?;
    let archive = stores.temp_file("cache")?;
    let list: String = matches
        .iter()
        .map(|m| format!("{}\n", relative(&workspace, m).to_string_lossy()))
        .collect();
    std::fs::write(&manifest, list).map_err(|e| format!("cannot write the manifest: {e}"))?;
    let mut args: Vec<String> = vec!["--posix".into(), "-cf".into()];
    args.push(archive.to_string_lossy().into_owned());
    args.extend(["-P".into(), "-C".into()]);
    args.push(workspace.to_string_lossy().into_owned());
    args.push("--files-from".into());
    args.push(manifest.to_string_lossy().into_owned());
    args.extend(tar_compress_args(method, false));
    let made = run_tar(&args, &workspace);
    let _ = std::fs::remove_file(&manifest);
    if let Err(e) = made {
        let _ = std::fs::remove_file(&archive);
        return Err(e);
    }
    let committed = stores.cache.commit(&scope, key, &version, &archive, None);
    let _ = std::fs::remove_file(&archive);
    match committed {
        Ok(entry) => {
            out.log.push(format!(
                "Cache Size: ~{} MB ({} B)",
                entry.size.div_ceil(1024 * 1024),
                entry.size
            ));
            out.log.push(format!("Cache saved with key: {key}"));
        }
        Err(StoreError::CacheExists { .. }) => {
            out.log.push(format!("::warning::Failed to save: Unable to reserve cache with key {key}, another job may be creating this cache."));
        }
        Err(e) => out.log.push(format!("::warning::Failed to save: {e}")),
    }
    Ok(())
}

impl NativeAction for Cache {
    fn name(&self) -> &'static str {
        "actions/cache"
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        restore(cx)
    }

    fn has_post(&self) -> bool {
        true
    }

    fn post_if(&self) -> &'static str {
        "success()"
    }

    fn post(
        &self,
        cx: &ActionContext<'_>,
        main: &BTreeMap<String, String>,
    ) -> Result<ActionOutput, String> {
        let mut out = ActionOutput::default();
        let Some(key) = main.get("cache-primary-key").filter(|k| !k.is_empty()) else {
            out.log.push("::warning::Key is not specified.".to_owned());
            return Ok(out);
        };
        if let Some(matched) = main.get("cache-matched-key")
            && matched.eq_ignore_ascii_case(key)
        {
            out.log.push(format!(
                "Cache hit occurred on the primary key {key}, not saving cache."
            ));
            return Ok(out);
        }
        save(cx, key, &mut out)?;
        Ok(out)
    }
}

impl NativeAction for CacheRestore {
    fn name(&self) -> &'static str {
        "actions/cache/restore"
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        restore(cx)
    }
}

impl NativeAction for CacheSave {
    fn name(&self) -> &'static str {
        "actions/cache/save"
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        let mut out = ActionOutput::default();
        let key = required(cx, "key")?;
        save(cx, &key, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_as_the_npm_client() {
        // sha256("node_modules|zstd|1.0")
        let v = cache_version(&["node_modules".to_owned()], "zstd");
        assert_eq!(v.len(), 64);
        assert_ne!(v, cache_version(&["node_modules".to_owned()], "gzip"));
    }

    #[test]
    fn relative_paths_leave_the_workspace() {
        assert_eq!(
            relative(Path::new("/w/a/b"), Path::new("/home/u/.cache")),
            PathBuf::from("../../../home/u/.cache")
        );
        assert_eq!(
            relative(Path::new("/w"), Path::new("/w/x")),
            PathBuf::from("x")
        );
    }
}
