//! `hashFiles` over a directory on disk.

use std::path::{Path, PathBuf};

use gantry_expr::FileSource;

/// The files of a directory, listed depth-first with the entries of each
/// directory sorted by name; symbolic links are followed, `.git` is skipped.
pub struct DirFiles {
    root: PathBuf,
    root_str: String,
}

impl DirFiles {
    pub fn new(root: &Path) -> DirFiles {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let root_str = root.to_string_lossy().into_owned();
        DirFiles { root, root_str }
    }
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>, depth: usize) -> Result<(), String> {
    if depth > 64 {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if rel.is_empty() && name == ".git" {
            continue;
        }
        let path = entry.path();
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(_) => continue,
        };
        if meta.is_dir() {
            walk(&path, &child, out, depth + 1)?;
        } else if meta.is_file() {
            out.push(child);
        }
    }
    Ok(())
}

impl FileSource for DirFiles {
    fn files(&self) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        walk(&self.root, "", &mut out, 0)?;
        Ok(out)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.root.join(path)).map_err(|e| format!("cannot read {path}: {e}"))
    }

    fn root(&self) -> Option<&str> {
        Some(&self.root_str)
    }
}
