//! `.dockerignore`: which files of a build context are sent to the engine.
//! The docker CLI applies it before sending the context (the engine does
//! not), so gantry does the same. Each line is a pattern (`#` starts a
//! comment line); `*` and `?` match within a path segment, `[…]` a class,
//! `**` any number of segments; a `!` line brings back what an earlier one
//! excluded; the last matching line decides. A pattern that matches a
//! directory excludes what is below it.

/// The patterns of a `.dockerignore`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerIgnore {
    rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    negate: bool,
    segments: Vec<String>,
}

impl DockerIgnore {
    pub fn parse(text: &str) -> DockerIgnore {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negate, pattern) = match line.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, line),
            };
            let segments: Vec<String> = pattern
                .split('/')
                .filter(|s| !s.is_empty() && *s != ".")
                .map(str::to_owned)
                .collect();
            if segments.is_empty() {
                continue;
            }
            rules.push(Rule { negate, segments });
        }
        DockerIgnore { rules }
    }

    /// Whether `path` (relative to the context, `/`-separated) is left out.
    pub fn excludes(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut excluded = false;
        for rule in &self.rules {
            // The path itself, or a directory above it.
            let hit = (1..=parts.len()).any(|n| match_segments(&rule.segments, &parts[..n]));
            if hit {
                excluded = !rule.negate;
            }
        }
        excluded
    }
}

fn match_segments(pattern: &[String], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skip| match_segments(rest, &path[skip..]))
        }
        Some((first, rest)) => match path.split_first() {
            Some((p, prest)) => wildcard(first, p) && match_segments(rest, prest),
            None => false,
        },
    }
}

/// One segment against a pattern with `*`, `?`, `[…]` (`[!…]`/`[^…]`
/// negated, ranges) and `\` escapes.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    wild_at(&p, 0, &t, 0)
}

fn wild_at(p: &[char], mut pi: usize, t: &[char], mut ti: usize) -> bool {
    while pi < p.len() {
        match p[pi] {
            '*' => {
                return (ti..=t.len()).any(|k| wild_at(p, pi + 1, t, k));
            }
            '?' => {
                if ti >= t.len() {
                    return false;
                }
                pi += 1;
                ti += 1;
            }
            '[' => {
                let Some(c) = t.get(ti) else { return false };
                match class(p, pi, *c) {
                    Some((true, next)) => {
                        pi = next;
                        ti += 1;
                    }
                    Some((false, _)) => return false,
                    // An unclosed `[` is an ordinary character.
                    None => {
                        if *c != '[' {
                            return false;
                        }
                        pi += 1;
                        ti += 1;
                    }
                }
            }
            '\\' if pi + 1 < p.len() => {
                if t.get(ti) != Some(&p[pi + 1]) {
                    return false;
                }
                pi += 2;
                ti += 1;
            }
            ch => {
                if t.get(ti) != Some(&ch) {
                    return false;
                }
                pi += 1;
                ti += 1;
            }
        }
    }
    ti == t.len()
}

/// Whether `c` is in the class starting at `p[start]` (`[`), and where the
/// pattern goes on; `None` when the class is not closed.
fn class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negated = matches!(p.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((found != negated, i + 1));
        }
        first = false;
        let lo = if p[i] == '\\' && i + 1 < p.len() {
            i += 1;
            p[i]
        } else {
            p[i]
        };
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            let hi = p[i + 2];
            if lo <= c && c <= hi {
                found = true;
            }
            i += 3;
        } else {
            if lo == c {
                found = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_globs_and_exceptions() {
        let d = DockerIgnore::parse(
            "# comment\n\nnode_modules\n*.log\n!keep.log\ndocs/**/*.md\n/build/\ntmp?\n[ab].txt\n",
        );
        assert!(d.excludes("node_modules"));
        assert!(d.excludes("node_modules/x/y.js"));
        assert!(!d.excludes("src/node_modules_old/a"));
        assert!(d.excludes("error.log"));
        assert!(!d.excludes("keep.log"));
        // `*` stays within a segment: only top-level logs.
        assert!(!d.excludes("sub/error.log"));
        assert!(d.excludes("docs/a/b/c.md"));
        assert!(d.excludes("docs/c.md"));
        assert!(!d.excludes("docs/c.txt"));
        assert!(d.excludes("build/out.bin"));
        assert!(d.excludes("tmp1"));
        assert!(!d.excludes("tmp12"));
        assert!(d.excludes("a.txt") && d.excludes("b.txt") && !d.excludes("c.txt"));
    }

    #[test]
    fn the_last_matching_line_decides() {
        let d = DockerIgnore::parse("*\n!src\nsrc/secret\n");
        assert!(d.excludes("README.md"));
        assert!(!d.excludes("src/main.rs"));
        assert!(d.excludes("src/secret/key"));
    }

    #[test]
    fn classes_ranges_and_escapes() {
        assert!(wildcard("[a-c]x", "bx"));
        assert!(!wildcard("[!a-c]x", "bx"));
        assert!(wildcard("[^a-c]x", "dx"));
        assert!(wildcard("\\*", "*"));
        assert!(!wildcard("\\*", "a"));
        assert!(wildcard("[", "["));
        assert!(wildcard("*.tar.*", "a.tar.gz"));
    }
}
