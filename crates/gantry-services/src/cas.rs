//! A content-addressed blob directory: `<dir>/<sha[0..2]>/<sha>`.
//!
//! Blobs enter only by renaming a complete, synced temporary file into place,
//! so a crash never leaves a half-written blob under its final name.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::util::{hex, is_sha256_hex};

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
        let dest = self.path(sha);
        if dest.exists() {
            fs::remove_file(temp)?;
            return Ok(());
        }
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        File::open(temp)?.sync_all()?;
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
        match fs::remove_file(self.path(sha)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
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
}
