//! What the cache and artifact built-ins share: the run's stores (the same
//! ones the Actions services serve, so native and real actions see the same
//! caches and artifacts) and path patterns as `@actions/glob` reads them.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use gantry_expr::hash_files::match_segment;
use gantry_services::{ArtifactStore, CacheLimits, CacheStore, DEFAULT_RETENTION_DAYS};

/// The run's cache and artifact stores, and what the built-ins need to
/// know about the run.
#[derive(Debug, Clone)]
pub struct Stores {
    pub cache: CacheStore,
    pub artifacts: ArtifactStore,
    /// The data directory (temporary archives are written under `tmp/`,
    /// on the stores' file system).
    pub data_dir: PathBuf,
    /// The run's id in the artifact store (as the services use it).
    pub run_id: u64,
    /// Where a cache lookup searches, in order; caches are saved in the
    /// first.
    pub cache_scopes: Vec<String>,
    /// Retention of artifacts uploaded without `retention-days`.
    pub default_retention_days: u32,
    /// The longest retention allowed.
    pub max_retention_days: u32,
}

impl Stores {
    /// Opens the stores of `repository` under `data_dir`.
    pub fn open(
        data_dir: &Path,
        repository: &str,
        run_id: u64,
        cache_scopes: Vec<String>,
    ) -> Result<Stores, String> {
        let cache = CacheStore::open(data_dir, repository, CacheLimits::default())
            .map_err(|e| e.to_string())?;
        let artifacts = ArtifactStore::open(data_dir, repository).map_err(|e| e.to_string())?;
        Ok(Stores {
            cache,
            artifacts,
            data_dir: data_dir.to_path_buf(),
            run_id,
            cache_scopes,
            default_retention_days: DEFAULT_RETENTION_DAYS,
            max_retention_days: DEFAULT_RETENTION_DAYS,
        })
    }

    /// A fresh temporary file name under the data directory.
    pub(crate) fn temp_file(&self, what: &str) -> Result<PathBuf, String> {
        let dir = self.data_dir.join("tmp");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(dir.join(format!("native-{what}-{}-{nanos}", std::process::id())))
    }
}

/// The lines of a multi-line input, trimmed, without empty ones.
pub(crate) fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `~` and `~/…` as the home directory.
pub(crate) fn expand_tilde(p: &str, env: &std::collections::BTreeMap<String, String>) -> String {
    let home = env
        .get("HOME")
        .cloned()
        .or_else(|| std::env::var("HOME").ok())
        .unwrap_or_default();
    if p == "~" {
        home
    } else if let Some(rest) = p.strip_prefix("~/") {
        format!("{}/{rest}", home.trim_end_matches('/'))
    } else {
        p.to_owned()
    }
}

/// `path` made absolute against `base`, with `.` and `..` resolved
/// lexically.
pub(crate) fn absolute(base: &Path, path: &str) -> PathBuf {
    let joined = base.join(path);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn has_glob(segment: &str) -> bool {
    segment.contains(['*', '?', '['])
}

/// One pattern line, made absolute.
struct Pattern {
    negate: bool,
    /// The leading segments without wildcards (where the search starts).
    search: PathBuf,
    /// The rest, matched below `search`.
    rest: Vec<String>,
}

fn pattern(line: &str, base: &Path, env: &std::collections::BTreeMap<String, String>) -> Pattern {
    let mut line = line;
    let mut negate = false;
    while let Some(r) = line.strip_prefix('!') {
        negate = !negate;
        line = r;
    }
    let abs = absolute(base, &expand_tilde(line, env));
    let mut search = PathBuf::new();
    let mut rest = Vec::new();
    for c in abs.components() {
        let s = c.as_os_str().to_string_lossy().into_owned();
        if rest.is_empty() && !has_glob(&s) {
            search.push(c);
        } else {
            rest.push(s);
        }
    }
    Pattern {
        negate,
        search,
        rest,
    }
}

fn match_rest(pat: &[String], path: &[String]) -> bool {
    match pat.first() {
        None => path.is_empty(),
        Some(p) if p == "**" => (0..=path.len()).any(|i| match_rest(&pat[1..], &path[i..])),
        Some(p) => path
            .first()
            .is_some_and(|s| match_segment(p, s) && match_rest(&pat[1..], &path[1..])),
    }
}

fn walk(dir: &Path, rel: &mut Vec<String>, out: &mut Vec<(PathBuf, Vec<String>)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let path = e.path();
        rel.push(e.file_name().to_string_lossy().into_owned());
        out.push((path.clone(), rel.clone()));
        if std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) && rel.len() < 64 {
            walk(&path, rel, out);
        }
        rel.pop();
    }
}

/// What a list of pattern lines matches, as `@actions/glob` finds it
/// (without implicit descendants: a matched directory is listed, not its
/// files). Returns the matches (sorted) and the search paths of the
/// including patterns.
pub(crate) fn glob(
    patterns: &[String],
    base: &Path,
    env: &std::collections::BTreeMap<String, String>,
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let pats: Vec<Pattern> = patterns
        .iter()
        .filter(|l| !l.starts_with('#'))
        .map(|l| pattern(l, base, env))
        .collect();
    let mut found: BTreeSet<PathBuf> = BTreeSet::new();
    let mut searched: Vec<PathBuf> = Vec::new();
    for p in pats.iter().filter(|p| !p.negate) {
        if !searched.contains(&p.search) {
            searched.push(p.search.clone());
        }
        if p.rest.is_empty() {
            if p.search.symlink_metadata().is_ok() {
                found.insert(p.search.clone());
            }
            continue;
        }
        let mut all = Vec::new();
        if p.rest.first().is_some_and(|r| r == "**") {
            all.push((p.search.clone(), Vec::new()));
        }
        walk(&p.search, &mut Vec::new(), &mut all);
        for (path, rel) in all {
            if match_rest(&p.rest, &rel) {
                found.insert(path);
            }
        }
    }
    let excluded = |f: &Path| {
        pats.iter().filter(|p| p.negate).any(|p| {
            let Ok(rel) = f.strip_prefix(&p.search) else {
                return false;
            };
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            // The pattern matches the path or one of its parents.
            (0..=rel.len()).any(|i| match_rest(&p.rest, &rel[..i]))
        })
    };
    let matches = found.into_iter().filter(|f| !excluded(f)).collect();
    (matches, searched)
}

/// Every file of `matches`, directories expanded (symbolic links to files
/// count as files).
pub(crate) fn files_below(matches: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = BTreeSet::new();
    for m in matches {
        if std::fs::metadata(m).is_ok_and(|md| md.is_dir()) {
            let mut all = Vec::new();
            walk(m, &mut Vec::new(), &mut all);
            for (p, _) in all {
                if std::fs::metadata(&p).is_ok_and(|md| md.is_file()) {
                    out.insert(p);
                }
            }
        } else if std::fs::metadata(m).is_ok_and(|md| md.is_file()) {
            out.insert(m.clone());
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn globs_with_excludes_and_double_star() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/x.txt"), "x").unwrap();
        std::fs::write(root.join("a/b/y.txt"), "y").unwrap();
        std::fs::write(root.join("a/b/z.log"), "z").unwrap();
        let env = std::collections::BTreeMap::new();
        let (m, s) = glob(&lines("a/**/*.txt\n!a/b"), root, &env);
        assert_eq!(m, vec![root.join("a/x.txt")]);
        assert_eq!(s, vec![root.join("a")]);
        let (m, _) = glob(&lines("a"), root, &env);
        assert_eq!(files_below(&m).len(), 3);
        let (m, _) = glob(&lines("missing/*"), root, &env);
        assert!(m.is_empty());
    }
}
