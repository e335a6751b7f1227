//! The artifact store: finalized artifacts by repository, run and name, their
//! bytes content-addressed.
//!
//! ```text
//! <data_dir>/artifacts/<repository>/
//!   records/<id>.json        one file per artifact, written atomically
//!   blobs/<ab>/<sha256>      the uploaded bytes (a zip, or a raw file)
//! ```
//!
//! Ids are allocated in order by exclusive creation of the record file, so
//! several gantry processes can share the store. An artifact is immutable:
//! a second one of the same name in a run is refused (the lower id wins a
//! race).

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cache::repo_dir_name;
use crate::cas::Cas;
use crate::error::StoreError;
use crate::fsutil::{read_json_records, remove_record, write_json_new};
use crate::util::now_ms;

/// GitHub's default retention.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
const DAY_MS: u64 = 24 * 3600 * 1000;
/// The content type of zipped artifacts.
pub const ZIP: &str = "application/zip";

/// One finalized artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// Unique in the repository, increasing.
    pub id: u64,
    /// The run that uploaded it.
    pub run_id: u64,
    pub name: String,
    pub size: u64,
    /// SHA-256 (hex) of the bytes.
    pub digest: String,
    /// `application/zip`, or the raw file's type for `archive: false`.
    pub content_type: String,
    pub created_ms: u64,
    pub expires_ms: u64,
    /// The job that uploaded it (as the runner names it).
    pub job: String,
}

impl Artifact {
    /// Whether the artifact is a zip (and is unzipped on download).
    pub fn is_zip(&self) -> bool {
        matches!(
            self.content_type.as_str(),
            "application/zip" | "application/x-zip-compressed" | "application/zip-compressed"
        )
    }

    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expires_ms <= now_ms
    }
}

/// What [`ArtifactStore::add`] records besides the bytes.
#[derive(Debug, Clone)]
pub struct NewArtifact {
    pub run_id: u64,
    pub name: String,
    pub content_type: String,
    pub expires_ms: u64,
    pub job: String,
}

/// The expiry for `retention_days` from `now_ms`.
pub fn expiry(now_ms: u64, retention_days: u32) -> u64 {
    now_ms.saturating_add(u64::from(retention_days) * DAY_MS)
}

/// A repository's artifacts on disk.
#[derive(Debug, Clone)]
pub struct ArtifactStore {
    records_dir: PathBuf,
    cas: Cas,
}

impl ArtifactStore {
    /// Opens (creating) the artifact store of `repository` under `data_dir`.
    pub fn open(data_dir: &Path, repository: &str) -> Result<ArtifactStore, StoreError> {
        let root = data_dir.join("artifacts").join(repo_dir_name(repository));
        let records_dir = root.join("records");
        fs::create_dir_all(&records_dir).map_err(StoreError::io(&records_dir))?;
        Ok(ArtifactStore {
            records_dir,
            cas: Cas::new(root.join("blobs")),
        })
    }

    /// The artifacts of `run_id` (or of every run), by id.
    pub fn list(&self, run_id: Option<u64>) -> Result<Vec<Artifact>, StoreError> {
        let mut out: Vec<Artifact> = read_json_records(&self.records_dir)?;
        out.retain(|a| run_id.is_none_or(|r| r == a.run_id));
        out.sort_by_key(|a| a.id);
        Ok(out)
    }

    /// The artifact `name` of `run_id` (the first one, should a race have
    /// left two).
    pub fn find(&self, run_id: u64, name: &str) -> Result<Option<Artifact>, StoreError> {
        Ok(self
            .list(Some(run_id))?
            .into_iter()
            .find(|a| a.name == name))
    }

    /// The artifact with this id.
    pub fn get(&self, id: u64) -> Result<Option<Artifact>, StoreError> {
        let path = self.record_path(id);
        match fs::read(&path) {
            Ok(text) => serde_json::from_slice(&text)
                .map(Some)
                .map_err(|source| StoreError::Json { path, source }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io(&path)(e)),
        }
    }

    fn record_path(&self, id: u64) -> PathBuf {
        self.records_dir.join(format!("{id}.json"))
    }

    /// Where the bytes of `artifact` live.
    pub fn blob_path(&self, artifact: &Artifact) -> PathBuf {
        self.cas.path(&artifact.digest)
    }

    /// Records a finalized artifact whose bytes are the complete file
    /// `blob` (moved into the store) with SHA-256 `digest` and `size`.
    /// Refuses a name the run already has.
    pub fn add(
        &self,
        new: NewArtifact,
        blob: &Path,
        digest: &str,
        size: u64,
    ) -> Result<Artifact, StoreError> {
        let exists = || StoreError::ArtifactExists {
            run_id: new.run_id,
            name: new.name.clone(),
        };
        if self.find(new.run_id, &new.name)?.is_some() {
            return Err(exists());
        }
        self.cas
            .insert(blob, digest)
            .map_err(StoreError::io(blob))?;
        let mut artifact = Artifact {
            id: 0,
            run_id: new.run_id,
            name: new.name.clone(),
            size,
            digest: digest.to_string(),
            content_type: new.content_type.clone(),
            created_ms: now_ms(),
            expires_ms: new.expires_ms,
            job: new.job.clone(),
        };
        let mut id = self.list(None)?.last().map_or(1, |a| a.id + 1);
        loop {
            artifact.id = id;
            if write_json_new(&self.record_path(id), &artifact)? {
                break;
            }
            id += 1;
        }
        // Another process may have added the same name concurrently: the
        // lower id wins.
        if let Some(first) = self.find(new.run_id, &new.name)?
            && first.id != artifact.id
        {
            let path = self.record_path(artifact.id);
            fs::remove_file(&path).map_err(StoreError::io(&path))?;
            return Err(exists());
        }
        Ok(artifact)
    }

    /// Zips `files` (name in the zip, file on disk) at `level` (0: stored,
    /// 1–9: deflate) into `temp` (a path on the store's file system) and
    /// records the zip as an artifact, as upload-artifact does.
    pub fn add_zip(
        &self,
        new: NewArtifact,
        files: &[(String, PathBuf)],
        level: i64,
        temp: &Path,
    ) -> Result<Artifact, StoreError> {
        use std::io::Write;
        use zip::write::SimpleFileOptions;
        let bad = |message: String| StoreError::BadArchive {
            name: new.name.clone(),
            message,
        };
        if self.find(new.run_id, &new.name)?.is_some() {
            return Err(StoreError::ArtifactExists {
                run_id: new.run_id,
                name: new.name.clone(),
            });
        }
        let written = (|| -> Result<(), StoreError> {
            let out = File::create(temp).map_err(StoreError::io(temp))?;
            let mut zip = zip::ZipWriter::new(io::BufWriter::new(out));
            let base = if level <= 0 {
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
            } else {
                SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .compression_level(Some(level.min(9)))
            };
            for (name, path) in files {
                let meta = fs::metadata(path).map_err(StoreError::io(path))?;
                let options = base.large_file(meta.len() >= u64::from(u32::MAX));
                #[cfg(unix)]
                let options = {
                    use std::os::unix::fs::PermissionsExt;
                    options.unix_permissions(meta.permissions().mode() & 0o777)
                };
                zip.start_file(name.as_str(), options)
                    .map_err(|e| bad(e.to_string()))?;
                let mut input = File::open(path).map_err(StoreError::io(path))?;
                io::copy(&mut input, &mut zip).map_err(StoreError::io(path))?;
            }
            let mut w = zip.finish().map_err(|e| bad(e.to_string()))?;
            w.flush().map_err(StoreError::io(temp))?;
            Ok(())
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(temp);
            return Err(e);
        }
        let (digest, size) = crate::cas::hash_file(temp).map_err(StoreError::io(temp))?;
        let added = self.add(new, temp, &digest, size);
        let _ = fs::remove_file(temp);
        added
    }

    /// Deletes `artifact`, and its bytes unless another artifact shares them.
    pub fn delete(&self, artifact: &Artifact) -> Result<(), StoreError> {
        let path = self.record_path(artifact.id);
        remove_record(&path)?;
        if !self.list(None)?.iter().any(|a| a.digest == artifact.digest) {
            self.cas.discard(&artifact.digest)?;
        }
        Ok(())
    }

    /// Deletes expired artifacts and bytes no artifact names; returns the
    /// deleted artifacts.
    pub fn prune(&self, now_ms: u64) -> Result<Vec<Artifact>, StoreError> {
        let all = self.list(None)?;
        let (expired, kept): (Vec<Artifact>, Vec<Artifact>) =
            all.into_iter().partition(|a| a.is_expired(now_ms));
        for a in &expired {
            let path = self.record_path(a.id);
            remove_record(&path)?;
        }
        let referenced: std::collections::HashSet<&str> =
            kept.iter().map(|a| a.digest.as_str()).collect();
        let blobs = self.cas.list().map_err(StoreError::io(&self.records_dir))?;
        let just_expired = |blob: &str| expired.iter().any(|a| a.digest == blob);
        self.cas
            .remove_orphans(blobs, &referenced, just_expired, now_ms)?;
        Ok(expired)
    }

    /// Writes `artifact` into `dest` (created) as download-artifact does: a
    /// zip is extracted, a raw file is written under the artifact's name.
    /// Returns the files written.
    pub fn export(&self, artifact: &Artifact, dest: &Path) -> Result<Vec<PathBuf>, StoreError> {
        fs::create_dir_all(dest).map_err(StoreError::io(dest))?;
        let blob = self.blob_path(artifact);
        if !artifact.is_zip() {
            let name = Path::new(&artifact.name)
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("artifact"));
            let target = dest.join(name);
            fs::copy(&blob, &target).map_err(StoreError::io(&target))?;
            return Ok(vec![target]);
        }
        let bad = |message: String| StoreError::BadArchive {
            name: artifact.name.clone(),
            message,
        };
        let file = File::open(&blob).map_err(StoreError::io(&blob))?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;
        let mut written = Vec::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
            let Some(rel) = entry.enclosed_name() else {
                return Err(bad(format!(
                    "unsafe path in the zip: {}",
                    String::from_utf8_lossy(entry.name_raw())
                )));
            };
            let target = dest.join(rel);
            if entry.is_dir() {
                fs::create_dir_all(&target).map_err(StoreError::io(&target))?;
                continue;
            }
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(StoreError::io(parent))?;
            }
            let mut out = File::create(&target).map_err(StoreError::io(&target))?;
            io::copy(&mut entry, &mut out).map_err(StoreError::io(&target))?;
            written.push(target);
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::util::sha256_hex;

    fn add(
        store: &ArtifactStore,
        dir: &Path,
        run: u64,
        name: &str,
        data: &[u8],
    ) -> Result<Artifact, StoreError> {
        let tmp = dir.join(format!("tmp-{run}-{name}"));
        fs::write(&tmp, data).unwrap();
        let new = NewArtifact {
            run_id: run,
            name: name.into(),
            content_type: "text/plain".into(),
            expires_ms: expiry(now_ms(), 90),
            job: "build".into(),
        };
        store.add(new, &tmp, &sha256_hex(data), data.len() as u64)
    }

    #[test]
    fn immutable_per_run_and_name_with_increasing_ids() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::open(dir.path(), "octo/hello").unwrap();
        let a = add(&store, dir.path(), 1, "logs", b"one").unwrap();
        let err = add(&store, dir.path(), 1, "logs", b"two").unwrap_err();
        assert!(matches!(err, StoreError::ArtifactExists { .. }), "{err}");
        let b = add(&store, dir.path(), 2, "logs", b"two").unwrap();
        assert!(b.id > a.id);
        assert_eq!(store.list(Some(1)).unwrap(), vec![a.clone()]);
        assert_eq!(store.list(None).unwrap().len(), 2);
        assert_eq!(store.find(2, "logs").unwrap(), Some(b.clone()));
        assert_eq!(store.get(a.id).unwrap(), Some(a.clone()));
        // Raw artifacts export under their name.
        let out = store.export(&b, &dir.path().join("out")).unwrap();
        assert_eq!(fs::read(&out[0]).unwrap(), b"two");
        store.delete(&a).unwrap();
        assert!(!store.blob_path(&a).exists());
        assert!(add(&store, dir.path(), 1, "logs", b"again").unwrap().id > b.id);
    }

    #[test]
    fn prune_removes_expired() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::open(dir.path(), "octo/hello").unwrap();
        let a = add(&store, dir.path(), 1, "a", b"a").unwrap();
        let pruned = store.prune(now_ms() + 91 * DAY_MS).unwrap();
        assert_eq!(pruned, vec![a.clone()]);
        assert!(store.list(None).unwrap().is_empty());
        assert!(!store.blob_path(&a).exists());
    }
}
