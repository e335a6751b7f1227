//! Glob patterns as `picomatch` reads them with `{ dot: true }` (what
//! `dorny/paths-filter` uses): `**` for any number of folders, `*` and `?`
//! within one, `[abc]`/`[!a-z]` classes, `{a,b}` alternatives (nested), `\`
//! escapes, and a leading `!` negating the whole pattern.

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Glob {
    negated: bool,
    /// The brace expansions, each split into path segments.
    alternatives: Vec<Vec<String>>,
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        let mut p = pattern;
        let mut negated = false;
        while let Some(rest) = p.strip_prefix('!') {
            negated = !negated;
            p = rest;
        }
        let p = p.strip_prefix("./").unwrap_or(p);
        let alternatives = expand_braces(p)
            .into_iter()
            .map(|a| a.split('/').map(str::to_owned).collect())
            .collect();
        Glob {
            negated,
            alternatives,
        }
    }

    pub fn is_match(&self, path: &str) -> bool {
        let path = path.strip_prefix("./").unwrap_or(path);
        let segs: Vec<&str> = path.split('/').collect();
        let hit = self.alternatives.iter().any(|a| {
            let pat: Vec<&str> = a.iter().map(String::as_str).collect();
            match_segments(&pat, &segs)
        });
        hit != self.negated
    }
}

/// `a{b,c{d,e}}f` → `abf`, `acdf`, `acef`. A brace without a comma, or
/// unbalanced, stays literal.
fn expand_braces(p: &str) -> Vec<String> {
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '{' => {
                let mut depth = 0;
                let mut commas = Vec::new();
                let mut end = None;
                let mut j = i;
                while j < chars.len() {
                    match chars[j] {
                        '\\' => j += 1,
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        ',' if depth == 1 => commas.push(j),
                        _ => {}
                    }
                    j += 1;
                }
                let Some(end) = end else {
                    return vec![p.to_owned()];
                };
                if commas.is_empty() {
                    i = end + 1;
                    continue;
                }
                let prefix: String = chars[..i].iter().collect();
                let suffix: String = chars[end + 1..].iter().collect();
                let mut bounds = vec![i];
                bounds.extend(&commas);
                bounds.push(end);
                let mut out = Vec::new();
                for w in bounds.windows(2) {
                    let part: String = chars[w[0] + 1..w[1]].iter().collect();
                    for e in expand_braces(&format!("{prefix}{part}{suffix}")) {
                        out.push(e);
                    }
                }
                return out;
            }
            _ => i += 1,
        }
    }
    vec![p.to_owned()]
}

fn match_segments(pat: &[&str], path: &[&str]) -> bool {
    match pat.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => {
            if match_segments(rest, path) {
                return true;
            }
            match path.split_first() {
                Some((_, tail)) => match_segments(pat, tail),
                None => false,
            }
        }
        Some((first, rest)) => match path.split_first() {
            Some((seg, tail)) => match_segment(first, seg) && match_segments(rest, tail),
            None => false,
        },
    }
}

/// One segment: `*`, `?`, classes and escapes.
fn match_segment(pat: &str, text: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = text.chars().collect();
    match_chars(&p, &t)
}

fn match_chars(p: &[char], t: &[char]) -> bool {
    let Some(&c) = p.first() else {
        return t.is_empty();
    };
    match c {
        '*' => {
            let mut rest = &p[1..];
            while rest.first() == Some(&'*') {
                rest = &rest[1..];
            }
            (0..=t.len()).any(|k| match_chars(rest, &t[k..]))
        }
        '?' => !t.is_empty() && match_chars(&p[1..], &t[1..]),
        '[' => match (class(p), t.first()) {
            (Some((matches, len)), Some(&ch)) => matches(ch) && match_chars(&p[len..], &t[1..]),
            (Some(_), None) => false,
            (None, _) => t.first() == Some(&'[') && match_chars(&p[1..], &t[1..]),
        },
        '\\' if p.len() > 1 => t.first() == Some(&p[1]) && match_chars(&p[2..], &t[1..]),
        _ => t.first() == Some(&c) && match_chars(&p[1..], &t[1..]),
    }
}

/// A `[...]` class at the start of `p`: a predicate and the class's length.
#[allow(clippy::type_complexity)]
fn class(p: &[char]) -> Option<(Box<dyn Fn(char) -> bool>, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(1), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut ranges: Vec<(char, char)> = Vec::new();
    let start = i;
    while i < p.len() {
        if p[i] == ']' && i > start {
            let len = i + 1;
            return Some((
                Box::new(move |ch| ranges.iter().any(|(a, b)| *a <= ch && ch <= *b) != negate),
                len,
            ));
        }
        let lo = p[i];
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|c| *c != ']') {
            ranges.push((lo, p[i + 2]));
            i += 3;
        } else {
            ranges.push((lo, lo));
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Glob::new(p).is_match(s)
    }

    #[test]
    fn stars() {
        assert!(m("src/**", "src/a/b.rs"));
        assert!(m("src/**", "src"));
        assert!(m("**/*.py", "shared/x.py"));
        assert!(m("**/*.py", "x.py"));
        assert!(!m("*.py", "shared/x.py"));
        assert!(m("shared/*", "shared/x.py"));
        assert!(!m("shared/*", "shared/a/x.py"));
        assert!(m("a/**/b", "a/b"));
        assert!(m("a/**/b", "a/x/y/b"));
        assert!(m("**", ".github/workflows/ci.yml"));
        assert!(m("file?.txt", "file1.txt"));
        assert!(m("[a-c]x", "bx"));
        assert!(!m("[!a-c]x", "bx"));
    }

    #[test]
    fn braces_and_negation() {
        assert!(m("{src,lib}/**/*.{js,ts}", "lib/a/b.ts"));
        assert!(!m("{src,lib}/**/*.{js,ts}", "doc/a/b.ts"));
        assert!(m("!docs/**", "src/a"));
        assert!(!m("!docs/**", "docs/a.md"));
        assert!(m("a{b", "a{b"));
    }
}
