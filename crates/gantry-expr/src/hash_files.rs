//! `hashFiles(patterns…)`: a SHA-256 over the SHA-256 of every matching file.
//!
//! The crate does no I/O: a [`FileSource`] lists the workspace's files and
//! reads them. Patterns follow the runner's glob rules: one pattern per line
//! (each argument may hold several), `#` comments, `!` to exclude, later
//! patterns overriding earlier ones; `*` and `?` stay within a path segment,
//! `**` spans segments, `[...]` is a character class, dot files match like
//! any other, and a pattern that matches a directory matches every file
//! below it. When nothing matches the result is the empty string.

use sha2::{Digest, Sha256};

/// The files `hashFiles` can see.
pub trait FileSource {
    /// Files below the workspace as `/`-separated relative paths, in the
    /// order they are hashed (depth-first, entries of each directory sorted
    /// by name, is what Gantry's runner uses).
    fn files(&self) -> Result<Vec<String>, String>;

    /// The contents of one of those files.
    fn read(&self, path: &str) -> Result<Vec<u8>, String>;

    /// The workspace's absolute path, so absolute patterns inside it work.
    fn root(&self) -> Option<&str> {
        None
    }
}

/// Computes `hashFiles(patterns…)` over `source`.
pub fn hash_files(source: &dyn FileSource, patterns: &[String]) -> Result<String, String> {
    let globs = compile(patterns, source.root())?;
    if !globs.iter().any(|g| !g.negate) {
        return Ok(String::new());
    }
    let mut outer = Sha256::new();
    let mut any = false;
    for file in source.files()? {
        if !included(&globs, &file) {
            continue;
        }
        let bytes = source.read(&file)?;
        outer.update(Sha256::digest(&bytes));
        any = true;
    }
    if !any {
        return Ok(String::new());
    }
    Ok(hex(&outer.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// A compiled pattern line.
#[derive(Debug)]
pub struct Glob {
    negate: bool,
    segments: Vec<String>,
    /// A trailing `/`: only directories match (so only files below them).
    dir_only: bool,
}

fn compile(patterns: &[String], root: Option<&str>) -> Result<Vec<Glob>, String> {
    let mut out = Vec::new();
    for arg in patterns {
        for line in arg.lines() {
            let mut line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut negate = false;
            while let Some(rest) = line.strip_prefix('!') {
                negate = !negate;
                line = rest;
            }
            let mut path = line.to_owned();
            if path.starts_with('/') {
                match root.and_then(|r| path.strip_prefix(r.trim_end_matches('/'))) {
                    Some(rest) => path = rest.trim_start_matches('/').to_owned(),
                    // Outside the workspace: it can match nothing.
                    None => continue,
                }
            }
            while let Some(rest) = path.strip_prefix("./") {
                path = rest.to_owned();
            }
            let dir_only = path.ends_with('/');
            let segments: Vec<String> = path
                .split('/')
                .filter(|s| !s.is_empty() && *s != ".")
                .map(str::to_owned)
                .collect();
            if segments.iter().any(|s| s == "..") {
                return Err(format!("pattern '{line}' leaves the workspace"));
            }
            out.push(Glob {
                negate,
                segments,
                dir_only,
            });
        }
    }
    Ok(out)
}

fn included(globs: &[Glob], file: &str) -> bool {
    let parts: Vec<&str> = file.split('/').collect();
    let mut result = false;
    for g in globs {
        if g.negate == result && glob_matches(g, &parts) {
            result = !g.negate;
        }
    }
    result
}

/// Whether `g` matches the file, or one of the directories it is in.
fn glob_matches(g: &Glob, parts: &[&str]) -> bool {
    if g.segments.is_empty() {
        // `.` or `./`: the whole workspace.
        return true;
    }
    for end in 1..=parts.len() {
        let is_file = end == parts.len();
        if is_file && g.dir_only {
            continue;
        }
        if match_segments(&g.segments, &parts[..end]) {
            return true;
        }
    }
    false
}

fn match_segments(pat: &[String], path: &[&str]) -> bool {
    match pat.first() {
        None => path.is_empty(),
        Some(p) if p == "**" => {
            (0..=path.len()).any(|skip| match_segments(&pat[1..], &path[skip..]))
        }
        Some(p) => match path.first() {
            Some(seg) => match_segment(p, seg) && match_segments(&pat[1..], &path[1..]),
            None => false,
        },
    }
}

/// Matches one path segment against a glob segment (`*`, `?`, `[...]`, `\`).
pub fn match_segment(pat: &str, s: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = s.chars().collect();
    // Iterative matching with backtracking on the last `*`.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => Some(pi + 1),
                '[' => match class_matches(&p, pi, t[ti]) {
                    Some((true, next)) => Some(next),
                    Some((false, _)) => None,
                    None => (p[pi] == t[ti]).then_some(pi + 1),
                },
                '\\' if pi + 1 < p.len() => (p[pi + 1] == t[ti]).then_some(pi + 2),
                c => (c == t[ti]).then_some(pi + 1),
            }
        } else {
            None
        };
        match step {
            Some(next) => {
                pi = next;
                ti += 1;
            }
            None => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Matches `c` against the class starting at `p[i] == '['`. Returns whether
/// it matched and the index after the class, or `None` if the class is not
/// closed (then `[` is literal).
fn class_matches(p: &[char], i: usize, c: char) -> Option<(bool, usize)> {
    let mut j = i + 1;
    let negate = matches!(p.get(j), Some('!' | '^'));
    if negate {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    while j < p.len() {
        if p[j] == ']' && !first {
            return Some((matched != negate, j + 1));
        }
        first = false;
        let lo = p[j];
        if j + 2 < p.len() && p[j + 1] == '-' && p[j + 2] != ']' {
            if lo <= c && c <= p[j + 2] {
                matched = true;
            }
            j += 3;
        } else {
            if lo == c {
                matched = true;
            }
            j += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Mem(BTreeMap<String, Vec<u8>>);

    impl FileSource for Mem {
        fn files(&self) -> Result<Vec<String>, String> {
            Ok(self.0.keys().cloned().collect())
        }
        fn read(&self, path: &str) -> Result<Vec<u8>, String> {
            self.0
                .get(path)
                .cloned()
                .ok_or_else(|| "missing".to_owned())
        }
    }

    fn mem() -> Mem {
        let mut m = BTreeMap::new();
        for (k, v) in [
            ("requirements.txt", "a"),
            ("requirements-dev.txt", "b"),
            ("src/lib.py", "c"),
            ("src/.hidden/x.py", "d"),
            ("docs/readme.md", "e"),
        ] {
            m.insert(k.to_owned(), v.as_bytes().to_vec());
        }
        Mem(m)
    }

    fn sha_of(parts: &[&str]) -> String {
        let mut outer = Sha256::new();
        for p in parts {
            outer.update(Sha256::digest(p.as_bytes()));
        }
        hex(&outer.finalize())
    }

    #[test]
    fn hashes_matching_files_in_order() {
        let m = mem();
        let h = hash_files(&m, &["requirements*.txt".into()]).unwrap();
        // BTreeMap order: requirements-dev.txt, requirements.txt
        assert_eq!(h, sha_of(&["b", "a"]));
        assert_eq!(
            hash_files(&m, &["**/*.py".into()]).unwrap(),
            sha_of(&["d", "c"])
        );
        assert_eq!(
            hash_files(&m, &["src".into()]).unwrap(),
            sha_of(&["d", "c"])
        );
        assert_eq!(
            hash_files(&m, &["**/*.py\n!**/.hidden/**".into()]).unwrap(),
            sha_of(&["c"])
        );
        assert_eq!(hash_files(&m, &["nothing/**".into()]).unwrap(), "");
        assert_eq!(
            hash_files(&m, &["[rd]*/*.md".into()]).unwrap(),
            sha_of(&["e"])
        );
    }

    #[test]
    fn segments() {
        assert!(match_segment("*.txt", "a.txt"));
        assert!(!match_segment("*.txt", "a.txt2"));
        assert!(match_segment("a?c", "abc"));
        assert!(match_segment("[!a]bc", "xbc"));
        assert!(!match_segment("[!a]bc", "abc"));
        assert!(match_segment("\\*", "*"));
        assert!(match_segment("[", "["));
    }
}
