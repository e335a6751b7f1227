//! The cache store: entries by (scope, key, version), blobs content-addressed.
//!
//! ```text
//! <data_dir>/cache/<repository>/
//!   entries/<sha256(scope, key, version)>.json   one file per entry, written atomically
//!   blobs/<ab>/<sha256>                          the archives, content-addressed
//! ```
//!
//! One file per entry lets several gantry processes share the store: an
//! entry appears whole (hard link of a synced temporary file) or not at all,
//! and two processes saving the same key race for one name, as GitHub's
//! "cache already exists" refusal requires.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[cfg(test)]
use crate::cas::ORPHAN_GRACE_MS;
use crate::cas::{Blob, Cas};
use crate::error::StoreError;
use crate::fsutil::{read_json_records, remove_record, to_json, write_atomic, write_json_new};
use crate::util::{now_ms, sha256_hex};

/// GitHub's default limit of a repository's caches.
pub const DEFAULT_CACHE_SIZE_LIMIT: u64 = 10 * 1024 * 1024 * 1024;
/// GitHub evicts caches not accessed for 7 days.
pub const DEFAULT_MAX_UNUSED: Duration = Duration::from_secs(7 * 24 * 3600);

/// When entries are evicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheLimits {
    /// Total size of the repository's entries; past it, the least recently
    /// used go first.
    pub max_total_bytes: u64,
    /// Entries not accessed for this long are removed.
    pub max_unused: Duration,
}

impl Default for CacheLimits {
    fn default() -> Self {
        CacheLimits {
            max_total_bytes: DEFAULT_CACHE_SIZE_LIMIT,
            max_unused: DEFAULT_MAX_UNUSED,
        }
    }
}

/// One saved cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheEntry {
    /// Stable id (from the scope, key and version), below 2^48.
    pub id: u64,
    pub key: String,
    /// The client's version: a hash of the paths and the compression.
    pub version: String,
    /// The ref the entry was saved from, e.g. `refs/heads/main`.
    pub scope: String,
    /// SHA-256 of the archive.
    pub digest: String,
    pub size: u64,
    pub created_ms: u64,
    pub accessed_ms: u64,
}

/// A repository's caches on disk.
#[derive(Debug, Clone)]
pub struct CacheStore {
    entries_dir: PathBuf,
    cas: Cas,
    limits: CacheLimits,
}

/// The directory name for a repository: readable, and unique by a hash.
pub(crate) fn repo_dir_name(repository: &str) -> String {
    let readable: String = repository
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let hash = sha256_hex(repository.as_bytes());
    format!("{readable}-{}", &hash[..8])
}

/// `refs/heads/NAME` for a bare branch name; refs are kept as they are.
pub fn branch_ref(branch: &str) -> String {
    if branch.starts_with("refs/") {
        branch.to_string()
    } else {
        format!("refs/heads/{branch}")
    }
}

impl CacheStore {
    /// Opens (creating) the cache store of `repository` under `data_dir`.
    pub fn open(
        data_dir: &Path,
        repository: &str,
        limits: CacheLimits,
    ) -> Result<CacheStore, StoreError> {
        let root = data_dir.join("cache").join(repo_dir_name(repository));
        let entries_dir = root.join("entries");
        fs::create_dir_all(&entries_dir).map_err(StoreError::io(&entries_dir))?;
        Ok(CacheStore {
            entries_dir,
            cas: Cas::new(root.join("blobs")),
            limits,
        })
    }

    pub fn limits(&self) -> CacheLimits {
        self.limits
    }

    /// Where the archive `digest` lives.
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        self.cas.path(digest)
    }

    fn entry_name(scope: &str, key: &str, version: &str) -> (String, u64) {
        let hash = sha256_hex(format!("{scope}\0{key}\0{version}").as_bytes());
        let id = u64::from_str_radix(&hash[..12], 16).unwrap_or(0);
        (format!("{hash}.json"), id)
    }

    /// Every entry, in no particular order.
    pub fn entries(&self) -> Result<Vec<CacheEntry>, StoreError> {
        read_json_records(&self.entries_dir)
    }

    /// The entry saved with exactly this scope, key and version.
    pub fn get(
        &self,
        scope: &str,
        key: &str,
        version: &str,
    ) -> Result<Option<CacheEntry>, StoreError> {
        let (name, _) = Self::entry_name(scope, key, version);
        let path = self.entries_dir.join(name);
        match fs::read(&path) {
            Ok(text) => serde_json::from_slice(&text)
                .map(Some)
                .map_err(|source| StoreError::Json { path, source }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io(&path)(e)),
        }
    }

    /// GitHub's matching: in each scope in order (the run's ref, then the
    /// fallbacks), the exact primary key, then each of `keys` (the primary
    /// key, then the restore keys) as a prefix, the newest match first. Only
    /// entries of `version` match. Does not mark the entry as used: see
    /// [`CacheStore::touch`].
    pub fn lookup(
        &self,
        keys: &[String],
        version: &str,
        scopes: &[String],
    ) -> Result<Option<CacheEntry>, StoreError> {
        let Some(primary) = keys.first() else {
            return Ok(None);
        };
        let entries = self.entries()?;
        for scope in scopes {
            let candidates: Vec<&CacheEntry> = entries
                .iter()
                .filter(|e| e.version == version && &e.scope == scope)
                .collect();
            if let Some(e) = candidates.iter().find(|e| &e.key == primary) {
                return Ok(Some((*e).clone()));
            }
            for prefix in keys {
                let newest = candidates
                    .iter()
                    .filter(|e| e.key.starts_with(prefix.as_str()))
                    .max_by_key(|e| (e.created_ms, e.id));
                if let Some(e) = newest {
                    return Ok(Some((*e).clone()));
                }
            }
        }
        Ok(None)
    }

    /// Entries whose key is exactly `key`, in any of `scopes`.
    pub fn with_key(&self, key: &str, scopes: &[String]) -> Result<Vec<CacheEntry>, StoreError> {
        let mut out: Vec<CacheEntry> = self
            .entries()?
            .into_iter()
            .filter(|e| e.key == key && scopes.contains(&e.scope))
            .collect();
        out.sort_by_key(|e| std::cmp::Reverse(e.created_ms));
        Ok(out)
    }

    /// Records that `entry` was used at `now_ms` (for least-recently-used
    /// eviction and the 7-day rule).
    pub fn touch(&self, entry: &CacheEntry, now_ms: u64) -> Result<(), StoreError> {
        let (name, _) = Self::entry_name(&entry.scope, &entry.key, &entry.version);
        let path = self.entries_dir.join(name);
        if !path.exists() {
            return Ok(());
        }
        let mut entry = entry.clone();
        entry.accessed_ms = now_ms;
        let text = to_json(&path, &entry)?;
        write_atomic(&path, &text).map_err(StoreError::io(&path))
    }

    /// Whether an entry with this scope, key and version exists.
    pub fn exists(&self, scope: &str, key: &str, version: &str) -> bool {
        let (name, _) = Self::entry_name(scope, key, version);
        self.entries_dir.join(name).exists()
    }

    /// Saves the complete archive `archive` (a file on the same file system,
    /// moved into the store) as an entry. `digest` is its SHA-256 when the
    /// caller already computed it. Refuses an existing (scope, key, version)
    /// with [`StoreError::CacheExists`]. Evicts afterwards.
    pub fn commit(
        &self,
        scope: &str,
        key: &str,
        version: &str,
        archive: &Path,
        digest: Option<(&str, u64)>,
    ) -> Result<CacheEntry, StoreError> {
        if self.exists(scope, key, version) {
            return Err(Self::exists_error(scope, key, version));
        }
        let (digest, size) = match digest {
            Some((d, s)) => {
                self.cas
                    .insert(archive, d)
                    .map_err(StoreError::io(archive))?;
                (d.to_string(), s)
            }
            None => self
                .cas
                .insert_file(archive)
                .map_err(StoreError::io(archive))?,
        };
        self.add_entry(scope, key, version, digest, size)
    }

    /// Saves an archive written with a [`crate::BlobWriter`] (hashed and
    /// synced as it was written, on the same file system) as an entry,
    /// moving its file into the store. As [`CacheStore::commit`] otherwise.
    pub fn commit_blob(
        &self,
        scope: &str,
        key: &str,
        version: &str,
        blob: &Blob,
    ) -> Result<CacheEntry, StoreError> {
        if self.exists(scope, key, version) {
            return Err(Self::exists_error(scope, key, version));
        }
        self.cas
            .insert_blob(blob)
            .map_err(StoreError::io(&blob.path))?;
        self.add_entry(scope, key, version, blob.digest.clone(), blob.size)
    }

    fn exists_error(scope: &str, key: &str, version: &str) -> StoreError {
        StoreError::CacheExists {
            scope: scope.to_string(),
            key: key.to_string(),
            version: version.to_string(),
        }
    }

    /// Records the entry of a blob already in the store, then evicts.
    fn add_entry(
        &self,
        scope: &str,
        key: &str,
        version: &str,
        digest: String,
        size: u64,
    ) -> Result<CacheEntry, StoreError> {
        let now = now_ms();
        let (name, id) = Self::entry_name(scope, key, version);
        let entry = CacheEntry {
            id,
            key: key.to_string(),
            version: version.to_string(),
            scope: scope.to_string(),
            digest,
            size,
            created_ms: now,
            accessed_ms: now,
        };
        if !write_json_new(&self.entries_dir.join(name), &entry)? {
            return Err(Self::exists_error(scope, key, version));
        }
        self.evict(now)?;
        Ok(entry)
    }

    /// Removes `entry`, and its blob when no other entry shares it.
    pub fn remove(&self, entry: &CacheEntry) -> Result<(), StoreError> {
        let (name, _) = Self::entry_name(&entry.scope, &entry.key, &entry.version);
        let path = self.entries_dir.join(name);
        remove_record(&path)?;
        if !self.entries()?.iter().any(|e| e.digest == entry.digest) {
            self.cas.discard(&entry.digest)?;
        }
        Ok(())
    }

    /// Evicts entries unused for longer than the limit, then the least
    /// recently used until the total fits the size limit; removes blobs no
    /// entry names. Returns the evicted entries.
    pub fn evict(&self, now_ms: u64) -> Result<Vec<CacheEntry>, StoreError> {
        let mut entries = self.entries()?;
        let max_unused = u64::try_from(self.limits.max_unused.as_millis()).unwrap_or(u64::MAX);
        let mut evicted = Vec::new();
        entries.sort_by_key(|e| (e.accessed_ms, e.created_ms, e.id));
        let mut total: u64 = entries.iter().map(|e| e.size).sum();
        let mut kept = Vec::new();
        for e in entries {
            let stale = now_ms.saturating_sub(e.accessed_ms) > max_unused;
            if stale || total > self.limits.max_total_bytes {
                total -= e.size;
                evicted.push(e);
            } else {
                kept.push(e);
            }
        }
        for e in &evicted {
            let (name, _) = Self::entry_name(&e.scope, &e.key, &e.version);
            let path = self.entries_dir.join(name);
            remove_record(&path)?;
        }
        let referenced: std::collections::HashSet<&str> =
            kept.iter().map(|e| e.digest.as_str()).collect();
        let blobs = self.cas.list().map_err(StoreError::io(&self.entries_dir))?;
        let evicted_now = |blob: &str| evicted.iter().any(|e| e.digest == blob);
        self.cas
            .remove_orphans(blobs, &referenced, evicted_now, now_ms)?;
        Ok(evicted)
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
