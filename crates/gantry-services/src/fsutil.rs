//! File-system helpers of the stores: atomic writes (a synced temporary
//! file beside the target, then renamed or hard-linked into place), JSON
//! records, removal that tolerates a missing file, and file ages.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::StoreError;
use crate::util::{hex, random_bytes};

/// Writes `data` to `path` atomically: a temporary file beside it, synced,
/// then renamed over `path`. A crash leaves either the old file or the new
/// one, never a half-written one.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    let tmp = temp_sibling(path)?;
    let result = write_synced(&tmp, data).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes `data` to `path` atomically, failing with `AlreadyExists` when
/// `path` exists (even if another process creates it concurrently).
pub fn write_new_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    let tmp = temp_sibling(path)?;
    let result = write_synced(&tmp, data).and_then(|()| fs::hard_link(&tmp, path));
    let _ = fs::remove_file(&tmp);
    result
}

/// Creates `path` with `data` and syncs it to disk.
fn write_synced(path: &Path, data: &[u8]) -> io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(data)?;
    f.sync_all()
}

/// A fresh temporary name in `path`'s directory, starting with `.tmp-` so
/// that directory listings can skip it.
fn temp_sibling(path: &Path) -> io::Result<PathBuf> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("path has no parent directory"))?;
    let rand = random_bytes()?;
    Ok(dir.join(format!(".tmp-{}", hex(&rand[..12]))))
}

/// `value` as pretty JSON, for the record file `path`.
pub fn to_json(path: &Path, value: &impl Serialize) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec_pretty(value).map_err(|source| StoreError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes the record `value` to `path` as pretty JSON with
/// [`write_new_atomic`]: `Ok(false)` when `path` already exists.
pub fn write_json_new(path: &Path, value: &impl Serialize) -> Result<bool, StoreError> {
    let text = to_json(path, value)?;
    match write_new_atomic(path, &text) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(StoreError::io(path)(e)),
    }
}

/// Every JSON record (`*.json`, not hidden: temporary files start with a
/// dot) in `dir`, in no particular order. A record removed by another
/// process since the listing is skipped.
pub fn read_json_records<T: DeserializeOwned>(dir: &Path) -> Result<Vec<T>, StoreError> {
    let rd = fs::read_dir(dir).map_err(StoreError::io(dir))?;
    let mut out = Vec::new();
    for item in rd {
        let item = item.map_err(StoreError::io(dir))?;
        let name = item.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || !name.ends_with(".json") {
            continue;
        }
        let path = item.path();
        let text = match fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(StoreError::io(&path)(e)),
        };
        let record =
            serde_json::from_slice(&text).map_err(|source| StoreError::Json { path, source })?;
        out.push(record);
    }
    Ok(out)
}

/// Removes the file `path`; a missing file is not an error.
pub fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Removes the record file `path`; a missing one is not an error.
pub fn remove_record(path: &Path) -> Result<(), StoreError> {
    remove_if_exists(path).map_err(StoreError::io(path))
}

/// How long ago (milliseconds before `now_ms`) `path` was last modified;
/// `None` when that cannot be told.
pub fn age_ms(path: &Path, now_ms: u64) -> Option<u64> {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| now_ms.saturating_sub(u64::try_from(d.as_millis()).unwrap_or(0)))
}
