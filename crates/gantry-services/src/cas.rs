//! A content-addressed blob directory: `<dir>/<sha[0..2]>/<sha>`.
//!
//! Blobs enter only by renaming a complete, synced temporary file into place,
//! so a crash never leaves a half-written blob under its final name.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use crate::error::StoreError;
use crate::fsutil::{age_ms, remove_if_exists};
use crate::util::{hex, is_sha256_hex};

/// A blob that no record names is removed once it is this old (it may
/// belong to a record another process is writing right now).
pub const ORPHAN_GRACE_MS: u64 = 3600 * 1000;

/// A directory of blobs named by their SHA-256.
#[derive(Debug, Clone)]
pub struct Cas {
    dir: PathBuf,
}

impl Cas {
    pub fn new(dir: PathBuf) -> Self {
        Cas { dir }
    }

    /// Where the blob `sha` lives (whether or not it exists).
    pub fn path(&self, sha: &str) -> PathBuf {
        let prefix = sha.get(..2).unwrap_or("xx");
        self.dir.join(prefix).join(sha)
    }

    /// Moves the complete file `temp`, whose SHA-256 is `sha`, into the store.
    /// When the blob is already there, `temp` is removed instead.
    pub fn insert(&self, temp: &Path, sha: &str) -> io::Result<()> {
        if !is_sha256_hex(sha) {
            return Err(io::Error::other(format!("not a sha256 digest: {sha}")));
        }
        self.place(temp, sha, true)
    }

    /// Moves a finished [`BlobWriter`]'s file (already synced) into the
    /// store. When the blob is already there, the file is removed instead.
    pub fn insert_blob(&self, blob: &Blob) -> io::Result<()> {
        self.place(&blob.path, &blob.digest, false)
    }

    /// Renames `temp` to the blob `sha` (syncing it first when `sync`), or
    /// removes it when the blob is already there.
    fn place(&self, temp: &Path, sha: &str, sync: bool) -> io::Result<()> {
        let dest = self.path(sha);
        if dest.exists() {
            fs::remove_file(temp)?;
            return Ok(());
        }
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        if sync {
            File::open(temp)?.sync_all()?;
        }
        fs::rename(temp, &dest)
    }

    /// Hashes `temp` and moves it into the store: `(sha, size)`.
    pub fn insert_file(&self, temp: &Path) -> io::Result<(String, u64)> {
        let (sha, size) = hash_file(temp)?;
        self.insert(temp, &sha)?;
        Ok((sha, size))
    }

    /// Removes the blob `sha`; a missing blob is not an error.
    pub fn remove(&self, sha: &str) -> io::Result<()> {
        remove_if_exists(&self.path(sha))
    }

    /// [`Cas::remove`], with the blob's path in the error.
    pub fn discard(&self, sha: &str) -> Result<(), StoreError> {
        self.remove(sha).map_err(StoreError::io(&self.path(sha)))
    }

    /// Removes each of `blobs` that `kept` does not name when `dropped`
    /// names it or it is older than [`ORPHAN_GRACE_MS`] (a younger one may
    /// belong to a record being written right now).
    pub fn remove_orphans(
        &self,
        blobs: Vec<String>,
        kept: &HashSet<&str>,
        dropped: impl Fn(&str) -> bool,
        now_ms: u64,
    ) -> Result<(), StoreError> {
        for blob in blobs {
            if kept.contains(blob.as_str()) {
                continue;
            }
            let old = age_ms(&self.path(&blob), now_ms).is_some_and(|age| age > ORPHAN_GRACE_MS);
            if dropped(&blob) || old {
                self.discard(&blob)?;
            }
        }
        Ok(())
    }

    /// Every blob digest present.
    pub fn list(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        let top = match fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for sub in top {
            let sub = sub?;
            if !sub.file_type()?.is_dir() {
                continue;
            }
            for f in fs::read_dir(sub.path())? {
                let name = f?.file_name().to_string_lossy().into_owned();
                if is_sha256_hex(&name) {
                    out.push(name);
                }
            }
        }
        Ok(out)
    }
}

/// How much a [`BlobWriter`] writes between two requests to flush it to
/// disk in the background.
const SYNC_EVERY: u64 = 16 << 20;

/// A complete, synced temporary file and its SHA-256, from
/// [`BlobWriter::finish`], ready for [`Cas::insert_blob`] (or for
/// [`crate::CacheStore::commit_blob`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// The temporary file.
    pub path: PathBuf,
    /// SHA-256 of its bytes, lower-case hex.
    pub digest: String,
    pub size: u64,
}

/// Writes a new file, hashing what it writes (no second pass over the file
/// to name it) and flushing it to disk in the background as it grows (so
/// that the final sync, which makes it safe to move into a store, has
/// little left to do). It writes itself ([`Write`]) or follows what another
/// process writes to the file ([`BlobWriter::follow`]). Dropped unfinished,
/// it removes its file.
#[derive(Debug)]
pub struct BlobWriter {
    path: PathBuf,
    file: File,
    hasher: Sha256,
    size: u64,
    next_sync: u64,
    syncer: Option<(mpsc::Sender<()>, JoinHandle<io::Result<()>>)>,
    /// Synced by `finish`.
    durable: bool,
    finished: bool,
}

impl BlobWriter {
    /// Creates `path` (which must not exist); [`BlobWriter::finish`] syncs
    /// it to disk, so that once moved into a store the blob survives a
    /// power loss.
    pub fn create(path: &Path) -> io::Result<BlobWriter> {
        Self::create_with(path, true)
    }

    /// Like [`BlobWriter::create`], without syncing: for blobs that can be
    /// lost or damaged by a power loss without harm (cache archives: a
    /// damaged one fails to extract, which a restore treats as a miss). A
    /// crash of the process still never exposes a half-written blob, since
    /// blobs enter a store by a rename after the last write.
    pub fn create_unsynced(path: &Path) -> io::Result<BlobWriter> {
        Self::create_with(path, false)
    }

    fn create_with(path: &Path, durable: bool) -> io::Result<BlobWriter> {
        let file = File::options().write(true).create_new(true).open(path)?;
        let clone = if durable { file.try_clone().ok() } else { None };
        let syncer = match clone {
            Some(clone) => {
                let (tx, rx) = mpsc::channel::<()>();
                let spawned =
                    std::thread::Builder::new()
                        .name("blob-sync".into())
                        .spawn(move || {
                            while rx.recv().is_ok() {
                                // Requests that piled up while syncing need one more.
                                while rx.try_recv().is_ok() {}
                                clone.sync_data()?;
                            }
                            Ok(())
                        });
                spawned.ok().map(|handle| (tx, handle))
            }
            None => None,
        };
        Ok(BlobWriter {
            path: path.to_path_buf(),
            file,
            hasher: Sha256::new(),
            size: 0,
            next_sync: SYNC_EVERY,
            syncer,
            durable,
            finished: false,
        })
    }

    /// Bytes written (or followed) so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Another handle on the file, for another process to write the blob
    /// through (a child's standard output, say) while [`BlobWriter::follow`]
    /// hashes it.
    pub fn try_clone_file(&self) -> io::Result<File> {
        self.file.try_clone()
    }

    /// Hashes what another writer appends to the file (through
    /// [`BlobWriter::try_clone_file`]), as it is written, until `finished`
    /// (asked whenever the file is read to its end) says the writer is done,
    /// and the file is read to its end once more. No other writes may be
    /// made through this writer meanwhile.
    pub fn follow(&mut self, mut finished: impl FnMut() -> io::Result<bool>) -> io::Result<()> {
        let mut reader = File::open(&self.path)?;
        io::Seek::seek(&mut reader, io::SeekFrom::Start(self.size))?;
        let mut buf = vec![0u8; 1 << 20];
        let mut done = false;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n > 0 {
                self.hashed(&buf[..n]);
            } else if done {
                return Ok(());
            } else if finished()? {
                // Everything is written: read what is left.
                done = true;
            } else {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
    }

    /// Accounts for `data`, just written.
    fn hashed(&mut self, data: &[u8]) {
        self.hasher.update(data);
        self.size += data.len() as u64;
        if self.size >= self.next_sync {
            self.next_sync = self.size + SYNC_EVERY;
            if let Some((tx, _)) = &self.syncer {
                // A failed send means the thread stopped on an error, which
                // `finish` reports.
                let _ = tx.send(());
            }
        }
    }

    /// Syncs the file (unless made by [`BlobWriter::create_unsynced`]) and
    /// returns it with its digest.
    pub fn finish(mut self) -> io::Result<Blob> {
        if let Some((tx, handle)) = self.syncer.take() {
            drop(tx);
            handle
                .join()
                .map_err(|_| io::Error::other("the background sync thread panicked"))??;
        }
        if self.durable {
            self.file.sync_all()?;
        }
        self.finished = true;
        let digest = hex(&std::mem::take(&mut self.hasher).finalize());
        Ok(Blob {
            path: self.path.clone(),
            digest,
            size: self.size,
        })
    }
}

impl Write for BlobWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hashed(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The SHA-256 (hex) and size of a file.
pub fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut f = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex(&hasher.finalize()), size))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::util::sha256_hex;

    #[test]
    fn insert_is_content_addressed_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let cas = Cas::new(dir.path().join("blobs"));
        let t1 = dir.path().join("t1");
        fs::write(&t1, b"hello").unwrap();
        let (sha, size) = cas.insert_file(&t1).unwrap();
        assert_eq!(sha, sha256_hex(b"hello"));
        assert_eq!(size, 5);
        assert!(!t1.exists());
        assert_eq!(fs::read(cas.path(&sha)).unwrap(), b"hello");
        let t2 = dir.path().join("t2");
        fs::write(&t2, b"hello").unwrap();
        cas.insert_file(&t2).unwrap();
        assert!(!t2.exists());
        assert_eq!(cas.list().unwrap(), vec![sha.clone()]);
        cas.remove(&sha).unwrap();
        cas.remove(&sha).unwrap();
        assert!(cas.list().unwrap().is_empty());
    }

    #[test]
    fn blob_writer_names_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let cas = Cas::new(dir.path().join("blobs"));
        // More than SYNC_EVERY, in uneven writes, so that background syncs run.
        let data: Vec<u8> = (0..(SYNC_EVERY as usize * 2 + 12_345))
            .map(|i| (i % 251) as u8)
            .collect();
        let temp = dir.path().join("t");
        let mut w = BlobWriter::create(&temp).unwrap();
        for chunk in data.chunks(777_777) {
            w.write_all(chunk).unwrap();
        }
        assert_eq!(w.size(), data.len() as u64);
        let blob = w.finish().unwrap();
        assert_eq!(blob.digest, sha256_hex(&data));
        assert_eq!(blob.size, data.len() as u64);
        assert_eq!(
            hash_file(&blob.path).unwrap(),
            (blob.digest.clone(), blob.size)
        );
        cas.insert_blob(&blob).unwrap();
        assert!(!temp.exists());
        assert_eq!(fs::read(cas.path(&blob.digest)).unwrap(), data);
        assert!(BlobWriter::create(&cas.path(&blob.digest)).is_err());
    }

    #[test]
    fn blob_writer_follows_another_writer() {
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join("t");
        let mut w = BlobWriter::create(&temp).unwrap();
        w.write_all(b"head:").unwrap();
        let mut other = w.try_clone_file().unwrap();
        let data: Vec<u8> = (0..(SYNC_EVERY as usize + 4321))
            .map(|i| (i % 253) as u8)
            .collect();
        let (tx, rx) = mpsc::channel();
        let payload = data.clone();
        let writer = std::thread::spawn(move || {
            for chunk in payload.chunks(100_003) {
                other.write_all(chunk).unwrap();
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            tx.send(()).unwrap();
        });
        w.follow(|| Ok(rx.try_recv().is_ok())).unwrap();
        writer.join().unwrap();
        let blob = w.finish().unwrap();
        let mut all = b"head:".to_vec();
        all.extend_from_slice(&data);
        assert_eq!(blob.size, all.len() as u64);
        assert_eq!(blob.digest, sha256_hex(&all));
        assert_eq!(fs::read(&blob.path).unwrap(), all);
    }

    #[test]
    fn an_unfinished_blob_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join("t");
        let mut w = BlobWriter::create(&temp).unwrap();
        w.write_all(b"partial").unwrap();
        drop(w);
        assert!(!temp.exists());
    }
}
