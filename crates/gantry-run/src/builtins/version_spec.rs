//! Version specs as the setup actions read them: exact (`3.12.1`), partial
//! (`3.11`, `3.x`, `20`), ranges (`>=3.10`, `>=1.21 <1.23`, `^18 || ^20`,
//! `~1.2`), `latest`/`*`, and Node.js's `lts/*` and `lts/<codename>`.

use std::cmp::Ordering;
use std::fmt;

/// A toolchain version: numeric parts (`3.11.2` → `[3, 11, 2]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub Vec<u64>);

impl Version {
    /// `3.11.2`, `v20.1.0`, `go1.22.1`, `1.22rc1` (→ `1.22`): the leading
    /// numeric parts.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim();
        let s = s.strip_prefix("go").unwrap_or(s);
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts = Vec::new();
        for p in s.split('.') {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                break;
            }
            parts.push(digits.parse().ok()?);
            if digits.len() != p.len() {
                break;
            }
        }
        (!parts.is_empty()).then_some(Version(parts))
    }

    fn get(&self, i: usize) -> u64 {
        self.0.get(i).copied().unwrap_or(0)
    }

    /// Compares the first `n` parts (missing parts are 0).
    fn cmp_n(&self, other: &Version, n: usize) -> Ordering {
        (0..n)
            .map(|i| self.get(i).cmp(&other.get(i)))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    /// Every part given matches (`3.11` matches `3.11.4`).
    Prefix,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Comparator {
    op: Op,
    v: Version,
}

impl Comparator {
    fn matches(&self, v: &Version) -> bool {
        let n = 3.max(self.v.0.len());
        // A partial version is an X-range (node-semver): `>=1.2` and `<1.2`
        // compare with `1.2.0`, while `>1.2` means `>=1.3.0` and `<=1.2`
        // means `<1.3.0`, so those two compare the given parts only.
        let given = self.v.0.len();
        match self.op {
            Op::Ge => v.cmp_n(&self.v, n) != Ordering::Less,
            Op::Gt => v.cmp_n(&self.v, given) == Ordering::Greater,
            Op::Le => v.cmp_n(&self.v, given) != Ordering::Greater,
            Op::Lt => v.cmp_n(&self.v, n) == Ordering::Less,
            Op::Prefix => v.cmp_n(&self.v, self.v.0.len()) == Ordering::Equal,
        }
    }
}

/// A parsed spec: any of the alternatives (each: all of its comparators).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    any: Vec<Vec<Comparator>>,
    /// `lts/*`: an even major version (from Node.js 4).
    lts: bool,
}

/// Node.js LTS code names and their major versions.
const LTS: &[(&str, u64)] = &[
    ("argon", 4),
    ("boron", 6),
    ("carbon", 8),
    ("dubnium", 10),
    ("erbium", 12),
    ("fermium", 14),
    ("gallium", 16),
    ("hydrogen", 18),
    ("iron", 20),
    ("jod", 22),
    ("krypton", 24),
];

/// `3`, `3.x`, `3.11.*` → the numeric parts before the first wildcard
/// (empty: anything).
fn partial(s: &str) -> Option<Version> {
    let s = s.trim();
    let s = s.strip_prefix("go").unwrap_or(s);
    let s = s.strip_prefix('v').unwrap_or(s);
    let mut parts = Vec::new();
    for p in s.split('.') {
        if matches!(p, "x" | "X" | "*") {
            break;
        }
        parts.push(p.parse().ok()?);
    }
    Some(Version(parts))
}

fn comparator(s: &str) -> Option<Vec<Comparator>> {
    let (op, rest) = if let Some(r) = s.strip_prefix(">=") {
        (Some(Op::Ge), r)
    } else if let Some(r) = s.strip_prefix("<=") {
        (Some(Op::Le), r)
    } else if let Some(r) = s.strip_prefix('>') {
        (Some(Op::Gt), r)
    } else if let Some(r) = s.strip_prefix('<') {
        (Some(Op::Lt), r)
    } else if let Some(r) = s.strip_prefix("==") {
        (Some(Op::Prefix), r)
    } else if let Some(r) = s.strip_prefix('=') {
        (Some(Op::Prefix), r)
    } else {
        (None, s)
    };
    if let Some(op) = op {
        let v = partial(rest)?;
        return Some(vec![Comparator { op, v }]);
    }
    if let Some(r) = s.strip_prefix('^') {
        let v = partial(r)?;
        let lead =
            v.0.iter()
                .position(|p| *p != 0)
                .unwrap_or(v.0.len().max(1) - 1);
        let mut upper: Vec<u64> = v.0.iter().take(lead + 1).copied().collect();
        if let Some(last) = upper.last_mut() {
            *last += 1;
        }
        return Some(vec![
            Comparator { op: Op::Ge, v },
            Comparator {
                op: Op::Lt,
                v: Version(upper),
            },
        ]);
    }
    if let Some(r) = s.strip_prefix('~') {
        let r = r.strip_prefix('>').unwrap_or(r);
        let v = partial(r)?;
        let keep = if v.0.len() >= 2 { 2 } else { 1 };
        let mut upper: Vec<u64> = v.0.iter().take(keep).copied().collect();
        if let Some(last) = upper.last_mut() {
            *last += 1;
        }
        return Some(vec![
            Comparator { op: Op::Ge, v },
            Comparator {
                op: Op::Lt,
                v: Version(upper),
            },
        ]);
    }
    let v = partial(s)?;
    Some(vec![Comparator { op: Op::Prefix, v }])
}

impl Spec {
    /// Parses a spec; `None` when it is not one Gantry understands.
    pub fn parse(s: &str) -> Option<Spec> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        let lower = lower.strip_suffix("-dev").unwrap_or(&lower);
        if matches!(
            lower,
            "" | "*" | "x" | "latest" | "node" | "current" | "stable" | "oldstable"
        ) {
            return Some(Spec {
                any: vec![Vec::new()],
                lts: false,
            });
        }
        if let Some(name) = lower.strip_prefix("lts/") {
            if name == "*" || name.starts_with("-") {
                return Some(Spec {
                    any: vec![Vec::new()],
                    lts: true,
                });
            }
            let (_, major) = LTS.iter().find(|(n, _)| *n == name)?;
            return Some(Spec {
                any: vec![vec![Comparator {
                    op: Op::Prefix,
                    v: Version(vec![*major]),
                }]],
                lts: false,
            });
        }
        let mut any = Vec::new();
        for alt in lower.split("||") {
            // `>= 3.10` → `>=3.10`; `1.2 - 1.4` is not supported.
            let mut all = Vec::new();
            let mut pending = String::new();
            for word in alt.split_whitespace() {
                pending.push_str(word);
                if matches!(pending.as_str(), ">" | ">=" | "<" | "<=" | "=" | "^" | "~") {
                    continue;
                }
                all.extend(comparator(&pending)?);
                pending.clear();
            }
            if !pending.is_empty() {
                return None;
            }
            any.push(all);
        }
        Some(Spec { any, lts: false })
    }

    pub fn matches(&self, v: &Version) -> bool {
        if self.lts && (v.get(0) < 4 || v.get(0) % 2 == 1) {
            return false;
        }
        self.any.iter().any(|all| all.iter().all(|c| c.matches(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(spec: &str, v: &str) -> bool {
        Spec::parse(spec)
            .expect("spec")
            .matches(&Version::parse(v).expect("version"))
    }

    #[test]
    fn partial_and_exact() {
        assert!(m("3.11", "3.11.2"));
        assert!(!m("3.11", "3.12.0"));
        assert!(!m("3.1", "3.11.0"));
        assert!(m("3.x", "3.12.0"));
        assert!(m("3", "3.9.1"));
        assert!(m("3.12.1", "3.12.1"));
        assert!(!m("3.12.1", "3.12.2"));
        assert!(m("v20", "v20.11.1"));
        assert!(m("1.22", "go1.22.5"));
        assert!(m("3.13-dev", "3.13.0"));
        assert!(m("latest", "1.0"));
    }

    #[test]
    fn ranges() {
        assert!(m(">=3.10", "3.11.2"));
        assert!(!m(">=3.10", "3.9.18"));
        assert!(m(">= 3.10, <4".replace(',', "").as_str(), "3.12.0"));
        assert!(m(">=1.21 <1.23", "1.22.0"));
        assert!(!m(">=1.21 <1.23", "1.23.0"));
        assert!(m("^18 || ^20", "20.1.0"));
        assert!(!m("^18 || ^20", "19.1.0"));
        assert!(m("~1.2", "1.2.9"));
        assert!(!m("~1.2", "1.3.0"));
        assert!(m("<3.12", "3.11.9"));
    }

    #[test]
    fn node_lts() {
        assert!(m("lts/*", "v20.11.1"));
        assert!(!m("lts/*", "v21.0.0"));
        assert!(m("lts/iron", "20.1.0"));
        assert!(!m("lts/iron", "22.1.0"));
        assert!(Spec::parse("lts/nonsense").is_none());
        assert!(Spec::parse("pypy3.10").is_none());
    }

    /// The version syntaxes the setup actions document: setup-python's
    /// README ("Supported version syntax": `3.x`, ranges, `3.13-dev`),
    /// setup-node's (`lts/*`, `lts/<codename>`, `latest`, `node`,
    /// `current`, semver ranges), setup-go's (`stable`, `oldstable`, `^1.22`,
    /// `>=1.21.0`); ranges read as node-semver's README defines X-ranges
    /// (`>1.2` is `>=1.3.0`, `<=1.2` is `<1.3.0`, `<1.2` is `<1.2.0`).
    #[test]
    fn documented_syntaxes() {
        let table: &[(&str, &str, bool)] = &[
            ("3.x", "3.13.1", true),
            ("3.x", "2.7.18", false),
            (">=3.9 <3.12", "3.11.9", true),
            (">=3.9 <3.12", "3.12.0", false),
            ("3.13-dev", "3.13.0", true),
            ("lts/*", "v22.11.0", true),
            ("lts/jod", "v22.11.0", true),
            ("node", "v23.1.0", true),
            ("current", "v23.1.0", true),
            ("20.x", "v20.18.0", true),
            ("stable", "1.23.2", true),
            ("^1.22", "1.23.2", true),
            ("^1.22", "2.0.0", false),
            (">=1.21.0", "1.21.0", true),
            // X-ranges with `>` and `<=`.
            (">1.2", "1.2.9", false),
            (">1.2", "1.3.0", true),
            ("<=1.2", "1.2.9", true),
            ("<=1.2", "1.3.0", false),
            ("<1.2", "1.1.9", true),
            ("<1.2", "1.2.0", false),
            (">=1.2", "1.2.0", true),
            ("<=1.2.3", "1.2.3", true),
            ("<=1.2.3", "1.2.4", false),
            (">1.2.3", "1.2.4", true),
        ];
        for (spec, v, want) in table {
            assert_eq!(m(spec, v), *want, "{spec} ~ {v}");
        }
    }
}
