//! `actions/cache`, `actions/cache/restore` and `actions/cache/save`,
//! natively, on the run's cache store: the same entries, versions and
//! archive format (`tar` with zstd, paths relative to the workspace) as the
//! real action, so native and real steps share their caches.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use gantry_services::{Blob, BlobWriter, StoreError, now_ms};
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

/// tar's compression arguments. Archives are compressed without the real
/// client's `--long=30`: a 1 GiB window costs as much memory and page
/// faults to read back (and gains little on caches of many small files),
/// and `unzstd --long=30`, the real client's reader, reads archives of any
/// window. Extraction keeps `--long=30`, for the archives the real client
/// writes. See [`zstd_threads`] for the threads.
fn tar_compress_args(method: &str, extract: bool) -> Vec<String> {
    match (method, extract) {
        ("zstd", false) => vec![
            "--use-compress-program".into(),
            format!("zstd -T{}", zstd_threads()),
        ],
        ("zstd", true) => vec!["--use-compress-program".into(), "unzstd --long=30".into()],
        _ => vec!["-z".into()],
    }
}

/// zstd's compression threads: one core fewer than the machine has (at
/// least one), where the real client takes them all (`-T0`). tar, reading
/// the files, and gantry, hashing and writing the archive, keep the last
/// one busy; with zstd on it too, the threads only take turns (on two
/// cores, `-T0` measured slower than `-T1`, which is also what
/// `tar --zstd` runs).
fn zstd_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
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

/// Runs tar writing the archive on its standard output (`args` name `-f
/// -`), which is the new file `archive`, and hashes the archive as tar
/// writes it: the store gets it named, without a second pass over it, and
/// without a copy through gantry.
fn tar_into_blob(args: &[String], cwd: &Path, archive: &Path) -> Result<Blob, String> {
    let failed = |e: std::io::Error| format!("cannot write the archive {}: {e}", archive.display());
    // Not synced: a cache archive a power loss damages fails to extract,
    // and a restore takes that as a miss (see `restore`).
    let mut writer = BlobWriter::create_unsynced(archive).map_err(failed)?;
    let stdout = writer.try_clone_file().map_err(failed)?;
    let mut child = Command::new("tar")
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let stderr = child.stderr.take().map(|mut err| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = err.read_to_end(&mut text);
            text
        })
    });
    let mut status = None;
    let followed = writer.follow(|| {
        status = child.try_wait()?;
        Ok(status.is_some())
    });
    if followed.is_err() && status.is_none() {
        let _ = child.kill();
    }
    let status = match status {
        Some(s) => Ok(s),
        None => child.wait(),
    };
    let stderr = stderr
        .and_then(|h| h.join().ok())
        .map(|t| String::from_utf8_lossy(&t).trim().to_owned())
        .unwrap_or_default();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => return Err(format!("tar failed ({status}): {stderr}")),
        Err(e) => return Err(format!("cannot wait for tar: {e}")),
    }
    followed.map_err(failed)?;
    writer.finish().map_err(failed)
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
        let intact = std::fs::metadata(&blob).is_ok_and(|m| m.len() == entry.size);
        let extracted = if intact {
            run_tar(&args, cx.workspace)
        } else {
            Err(format!(
                "the archive {} is missing or damaged",
                blob.display()
            ))
        };
        if let Err(e) = extracted {
            // As the real action: a restore that fails is a warning and a
            // miss, not a failed step.
            out.log.push(format!("::warning::Failed to restore: {e}"));
            return Ok(out);
        }
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
    let (matches, _) = glob(&paths, &workspace, cx.process_env);
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
    let mut args: Vec<String> = vec!["--posix".into(), "-cf".into(), "-".into()];
    args.extend(["-P".into(), "-C".into()]);
    args.push(workspace.to_string_lossy().into_owned());
    args.push("--files-from".into());
    args.push(manifest.to_string_lossy().into_owned());
    args.extend(tar_compress_args(method, false));
    let made = tar_into_blob(&args, &workspace, &archive);
    let _ = std::fs::remove_file(&manifest);
    let blob = made?;
    let committed = stores.cache.commit_blob(&scope, key, &version, &blob);
    let _ = std::fs::remove_file(&blob.path);
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
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::builtins::Stores;

    fn run_action(
        action: &dyn NativeAction,
        workspace: &Path,
        stores: &Stores,
        key: &str,
        path: &str,
    ) -> ActionOutput {
        let inputs = BTreeMap::from([
            ("key".to_owned(), key.to_owned()),
            ("path".to_owned(), path.to_owned()),
        ]);
        let env = BTreeMap::new();
        let cx = ActionContext {
            workspace,
            inputs: &inputs,
            env: &env,
            github: None,
            process_env: &env,
            changed_files: None,
            job: "test",
            stores: Some(stores),
        };
        action.run(&cx).unwrap()
    }

    fn write_tree(root: &Path) {
        std::fs::create_dir_all(root.join("deps/sub")).unwrap();
        std::fs::write(root.join("deps/a.txt"), "alpha\n".repeat(5000)).unwrap();
        std::fs::write(root.join("deps/sub/b.bin"), [7u8; 300]).unwrap();
    }

    fn assert_restored(root: &Path) {
        assert_eq!(
            std::fs::read_to_string(root.join("deps/a.txt")).unwrap(),
            "alpha\n".repeat(5000)
        );
        assert_eq!(
            std::fs::read(root.join("deps/sub/b.bin")).unwrap(),
            [7u8; 300]
        );
    }

    #[test]
    fn saved_blob_is_named_by_its_digest_and_restores() {
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
        write_tree(&src);
        std::fs::create_dir_all(&dst).unwrap();
        let stores = Stores::open(
            &dir.path().join("data"),
            "o/r",
            1,
            vec!["refs/heads/main".into()],
        )
        .unwrap();
        let saved = run_action(&CacheSave, &src, &stores, "k1", "deps");
        assert!(
            saved.log.iter().any(|l| l == "Cache saved with key: k1"),
            "{:?}",
            saved.log
        );
        let entries = stores.cache.entries().unwrap();
        assert_eq!(entries.len(), 1);
        let blob = std::fs::read(stores.cache.blob_path(&entries[0].digest)).unwrap();
        let digest: String = Sha256::digest(&blob)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest, entries[0].digest);
        assert_eq!(blob.len() as u64, entries[0].size);
        // Nothing left behind in the temporary directory.
        let tmp: Vec<_> = std::fs::read_dir(dir.path().join("data/tmp"))
            .unwrap()
            .collect();
        assert!(tmp.is_empty(), "{tmp:?}");
        if compression() == "zstd" {
            // Written without a long window: plain `zstd -d` (128 MiB window
            // at most) reads it.
            let plain = Command::new("zstd")
                .args(["-d", "-c", "-q"])
                .arg(stores.cache.blob_path(&entries[0].digest))
                .output()
                .unwrap();
            assert!(plain.status.success(), "{plain:?}");
            // And the real client's extraction command reads it.
            let real = dir.path().join("real");
            std::fs::create_dir_all(&real).unwrap();
            let blob_path = stores.cache.blob_path(&entries[0].digest);
            let args: Vec<String> = [
                "-xf",
                blob_path.to_str().unwrap(),
                "-P",
                "-C",
                real.to_str().unwrap(),
                "--use-compress-program",
                "unzstd --long=30",
            ]
            .map(str::to_owned)
            .to_vec();
            run_tar(&args, &real).unwrap();
            assert_restored(&real);
        }
        let restored = run_action(&CacheRestore, &dst, &stores, "k1", "deps");
        assert_eq!(
            restored.outputs.get("cache-hit").map(String::as_str),
            Some("true")
        );
        assert_restored(&dst);
    }

    #[test]
    fn a_damaged_archive_is_a_warning_and_a_miss() {
        // Cache archives are not synced to disk: after a power loss one may
        // be cut short or hold garbage. The restore then warns and misses,
        // as the real action does when a download or extraction fails.
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
        write_tree(&src);
        std::fs::create_dir_all(&dst).unwrap();
        let stores = Stores::open(
            &dir.path().join("data"),
            "o/r",
            1,
            vec!["refs/heads/main".into()],
        )
        .unwrap();
        run_action(&CacheSave, &src, &stores, "k1", "deps");
        let entry = stores.cache.entries().unwrap().remove(0);
        let blob = stores.cache.blob_path(&entry.digest);
        for damage in [Damage::Truncated, Damage::Garbage] {
            let good = std::fs::read(&blob).unwrap();
            let bad = match damage {
                Damage::Truncated => good[..good.len() / 2].to_vec(),
                Damage::Garbage => vec![0u8; good.len()],
            };
            std::fs::write(&blob, &bad).unwrap();
            let restored = run_action(&CacheRestore, &dst, &stores, "k1", "deps");
            assert_eq!(restored.outputs.get("cache-hit"), None, "{damage:?}");
            assert!(
                restored
                    .log
                    .iter()
                    .any(|l| l.starts_with("::warning::Failed to restore:")),
                "{damage:?}: {:?}",
                restored.log
            );
            std::fs::write(&blob, &good).unwrap();
        }
    }

    #[derive(Debug, Clone, Copy)]
    enum Damage {
        Truncated,
        Garbage,
    }

    #[test]
    fn restores_archives_written_with_a_long_window() {
        // As the real client writes them: `zstd -T0 --long=30`.
        if compression() != "zstd" {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
        write_tree(&src);
        std::fs::create_dir_all(&dst).unwrap();
        let stores = Stores::open(
            &dir.path().join("data"),
            "o/r",
            1,
            vec!["refs/heads/main".into()],
        )
        .unwrap();
        let archive = dir.path().join("real.tzst");
        let args: Vec<String> = [
            "--posix",
            "-cf",
            archive.to_str().unwrap(),
            "-P",
            "-C",
            src.to_str().unwrap(),
            "deps",
            "--use-compress-program",
            "zstd -T0 --long=30",
        ]
        .map(str::to_owned)
        .to_vec();
        run_tar(&args, &src).unwrap();
        let version = cache_version(&["deps".to_owned()], "zstd");
        stores
            .cache
            .commit("refs/heads/main", "k2", &version, &archive, None)
            .unwrap();
        let restored = run_action(&CacheRestore, &dst, &stores, "k2", "deps");
        assert_eq!(
            restored.outputs.get("cache-hit").map(String::as_str),
            Some("true")
        );
        assert_restored(&dst);
    }

    #[test]
    fn a_failing_tar_leaves_no_blob() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("a");
        let args: Vec<String> = ["-cf", "-", "no-such-file"].map(str::to_owned).to_vec();
        let err = tar_into_blob(&args, dir.path(), &archive).unwrap_err();
        assert!(err.contains("tar failed"), "{err}");
        assert!(!archive.exists());
    }

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
