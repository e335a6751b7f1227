//! A single filter pattern: parser and matcher.
//!
//! The pattern is compiled to a short list of tokens and matched with a
//! position-set simulation (every token maps the set of subject positions
//! reachable so far to the next set), so matching is `O(tokens × subject)`
//! with no backtracking and no recursion.

use std::fmt;
use std::str::FromStr;

/// What is wrong with a pattern; see [`PatternError`] for the position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternErrorKind {
    /// The pattern is empty (or is a lone `!`).
    #[error("empty pattern")]
    Empty,
    /// A `!` not followed by anything.
    #[error("'!' must be followed by a pattern")]
    EmptyNegation,
    /// A `[` without its closing `]`.
    #[error("unclosed '[' (character class has no closing ']')")]
    UnclosedClass,
    /// `[]`: a class must list at least one character.
    #[error("empty character class '[]'")]
    EmptyClass,
    /// `[^...]` / `[!...]`: GitHub documents no negated classes.
    #[error("negated character class '[{0}...]' is not supported by GitHub filter patterns")]
    NegatedClass(char),
    /// A range other than within `a-z`, `A-Z` or `0-9`, or a reversed one.
    #[error("invalid range '{start}-{end}' (ranges must go upwards within a-z, A-Z or 0-9)")]
    InvalidRange {
        /// First character of the range.
        start: char,
        /// Last character of the range.
        end: char,
    },
    /// A `?` or `+` with no character or class before it to apply to.
    #[error(
        "'{0}' has nothing to repeat (it applies to the preceding character or [...] class; escape it as '\\{0}' to match it literally)"
    )]
    NothingToRepeat(char),
    /// A `\` at the very end.
    #[error("'\\' at the end of the pattern escapes nothing")]
    TrailingEscape,
}

/// A pattern that failed to parse: what went wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at column {column}")]
pub struct PatternError {
    /// What is wrong.
    pub kind: PatternErrorKind,
    /// 1-based column, counted in characters of the pattern as written
    /// (a leading `!` included).
    pub column: usize,
}

impl PatternError {
    fn new(kind: PatternErrorKind, index: usize) -> Self {
        PatternError {
            kind,
            column: index + 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    One,
    ZeroOrOne,
    OneOrMore,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Char(char),
    /// Inclusive ranges; a single character is a range of one.
    Class(Vec<(char, char)>),
}

impl Atom {
    fn matches(&self, c: char) -> bool {
        match self {
            Atom::Char(x) => *x == c,
            Atom::Class(ranges) => ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Atom(Atom, Repeat),
    /// `*`: zero or more characters other than `/`.
    Star,
    /// `**`: zero or more of any character.
    GlobStar,
    /// `**/` at the start or after `/`: zero or more leading directories,
    /// i.e. the empty string or anything ending in `/`.
    Dirs,
}

/// One filter pattern, as written in a `branches`, `tags` or `paths` list.
///
/// A leading `!` marks a negated pattern; [`Pattern::matches`] ignores the
/// negation (it answers "does the body match?"), [`PatternList`] applies it.
///
/// [`PatternList`]: super::PatternList
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    negated: bool,
    literal: bool,
    tokens: Vec<Token>,
}

impl Pattern {
    /// Parses one pattern. Errors carry a 1-based column.
    ///
    /// ```
    /// use gantry_filters::Pattern;
    /// let p = Pattern::parse("v[12].[0-9]+.[0-9]+").unwrap();
    /// assert!(p.matches("v1.10.1"));
    /// assert!(!p.matches("v3.0.0"));
    /// let err = Pattern::parse("release/[0-9").unwrap_err();
    /// assert_eq!(err.column, 9);
    /// ```
    pub fn parse(source: &str) -> Result<Pattern, PatternError> {
        let chars: Vec<char> = source.chars().collect();
        if chars.is_empty() {
            return Err(PatternError::new(PatternErrorKind::Empty, 0));
        }
        let negated = chars[0] == '!';
        let mut i = usize::from(negated);
        if i == chars.len() {
            return Err(PatternError::new(PatternErrorKind::EmptyNegation, 0));
        }
        let mut tokens: Vec<Token> = Vec::new();
        let mut literal = true;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\\' => {
                    let Some(&next) = chars.get(i + 1) else {
                        return Err(PatternError::new(PatternErrorKind::TrailingEscape, i));
                    };
                    tokens.push(Token::Atom(Atom::Char(next), Repeat::One));
                    i += 2;
                }
                '*' => {
                    literal = false;
                    if chars.get(i + 1) == Some(&'*') {
                        let at_dir_start = match tokens.last() {
                            None | Some(Token::Dirs) => true,
                            Some(Token::Atom(Atom::Char('/'), Repeat::One)) => true,
                            Some(_) => false,
                        };
                        if at_dir_start && chars.get(i + 2) == Some(&'/') {
                            tokens.push(Token::Dirs);
                            i += 3;
                        } else {
                            // `***` and longer runs mean the same as `**`.
                            while chars.get(i) == Some(&'*') {
                                i += 1;
                            }
                            if tokens.last() != Some(&Token::GlobStar) {
                                tokens.push(Token::GlobStar);
                            }
                        }
                    } else {
                        tokens.push(Token::Star);
                        i += 1;
                    }
                }
                '?' | '+' => {
                    literal = false;
                    match tokens.last_mut() {
                        Some(Token::Atom(_, repeat @ Repeat::One)) => {
                            *repeat = if c == '?' {
                                Repeat::ZeroOrOne
                            } else {
                                Repeat::OneOrMore
                            };
                        }
                        _ => {
                            return Err(PatternError::new(PatternErrorKind::NothingToRepeat(c), i));
                        }
                    }
                    i += 1;
                }
                '[' => {
                    literal = false;
                    let (ranges, end) = parse_class(&chars, i)?;
                    tokens.push(Token::Atom(Atom::Class(ranges), Repeat::One));
                    i = end;
                }
                _ => {
                    tokens.push(Token::Atom(Atom::Char(c), Repeat::One));
                    i += 1;
                }
            }
        }
        Ok(Pattern {
            source: source.to_owned(),
            negated,
            literal,
            tokens,
        })
    }

    /// The pattern as written, leading `!` included.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The pattern without its leading `!`, if any.
    pub fn body(&self) -> &str {
        if self.negated {
            &self.source[1..]
        } else {
            &self.source
        }
    }

    /// Whether the pattern starts with `!`.
    pub fn is_negated(&self) -> bool {
        self.negated
    }

    /// Whether the body has no wildcard, quantifier or class, i.e. matches
    /// exactly one string (escapes are allowed).
    pub fn is_literal(&self) -> bool {
        self.literal
    }

    /// Whether the body matches the whole `subject` (negation not applied).
    pub fn matches(&self, subject: &str) -> bool {
        let s: Vec<char> = subject.chars().collect();
        let n = s.len();
        let mut cur = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        cur[0] = true;
        for token in &self.tokens {
            next.fill(false);
            match token {
                Token::Atom(atom, Repeat::One) => {
                    for i in 0..n {
                        if cur[i] && atom.matches(s[i]) {
                            next[i + 1] = true;
                        }
                    }
                }
                Token::Atom(atom, Repeat::ZeroOrOne) => {
                    for i in 0..=n {
                        if cur[i] {
                            next[i] = true;
                            if i < n && atom.matches(s[i]) {
                                next[i + 1] = true;
                            }
                        }
                    }
                }
                Token::Atom(atom, Repeat::OneOrMore) => {
                    for i in 0..n {
                        if (cur[i] || next[i]) && atom.matches(s[i]) {
                            next[i + 1] = true;
                        }
                    }
                }
                Token::Star => {
                    for i in 0..=n {
                        next[i] = cur[i] || (i > 0 && next[i - 1] && s[i - 1] != '/');
                    }
                }
                Token::GlobStar => {
                    for i in 0..=n {
                        next[i] = cur[i] || (i > 0 && next[i - 1]);
                    }
                }
                Token::Dirs => {
                    let mut seen = false;
                    for i in 0..=n {
                        if i > 0 {
                            seen |= cur[i - 1];
                        }
                        next[i] = cur[i] || (i > 0 && seen && s[i - 1] == '/');
                    }
                }
            }
            std::mem::swap(&mut cur, &mut next);
            if !cur.contains(&true) {
                return false;
            }
        }
        cur[n]
    }
}

/// Parses `[...]` starting at `chars[open] == '['`; returns the ranges and
/// the index just past the closing `]`.
fn parse_class(chars: &[char], open: usize) -> Result<(Vec<(char, char)>, usize), PatternError> {
    let unclosed = || PatternError::new(PatternErrorKind::UnclosedClass, open);
    let mut ranges = Vec::new();
    let mut j = open + 1;
    if let Some(&c @ ('!' | '^')) = chars.get(j) {
        // Only diagnose as negation when the class is closed at all.
        if chars[j..].contains(&']') {
            return Err(PatternError::new(PatternErrorKind::NegatedClass(c), j));
        }
        return Err(unclosed());
    }
    loop {
        let Some(&c) = chars.get(j) else {
            return Err(unclosed());
        };
        let start_index = j;
        let first = match c {
            ']' if ranges.is_empty() => {
                return Err(PatternError::new(PatternErrorKind::EmptyClass, open));
            }
            ']' => return Ok((ranges, j + 1)),
            '\\' => {
                j += 1;
                *chars.get(j).ok_or_else(unclosed)?
            }
            _ => c,
        };
        j += 1;
        // A `-` followed by something other than `]` makes a range.
        if chars.get(j) == Some(&'-') && chars.get(j + 1).is_some_and(|&e| e != ']') {
            let mut end = chars[j + 1];
            j += 2;
            if end == '\\' {
                end = *chars.get(j).ok_or_else(unclosed)?;
                j += 1;
            }
            if !valid_range(first, end) {
                return Err(PatternError::new(
                    PatternErrorKind::InvalidRange { start: first, end },
                    start_index,
                ));
            }
            ranges.push((first, end));
        } else {
            ranges.push((first, first));
        }
    }
}

fn valid_range(start: char, end: char) -> bool {
    let same_class = (start.is_ascii_lowercase() && end.is_ascii_lowercase())
        || (start.is_ascii_uppercase() && end.is_ascii_uppercase())
        || (start.is_ascii_digit() && end.is_ascii_digit());
    same_class && start <= end
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for Pattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pattern::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Pattern::parse(p).unwrap().matches(s)
    }

    fn err(p: &str) -> PatternError {
        Pattern::parse(p).unwrap_err()
    }

    #[test]
    fn stars() {
        assert!(m("feature/*", "feature/x"));
        assert!(!m("feature/*", "feature/x/y"));
        assert!(m("feature/**", "feature/x/y"));
        assert!(m("**/README.md", "README.md"));
        assert!(m("**/README.md", "a/b/README.md"));
        assert!(!m("**/README.md", "aREADME.md"));
        assert!(m("a/**/b", "a/b"));
        assert!(m("a/**/b", "a/x/y/b"));
        assert!(!m("a/**/b", "a/xb"));
        assert!(m("a**/b", "ax/y/b"));
        assert!(!m("a**/b", "ab"));
        assert!(m("***", "a/b"));
    }

    #[test]
    fn quantifiers() {
        assert!(m("*.jsx?", "a.js"));
        assert!(m("*.jsx?", "a.jsx"));
        assert!(!m("*.jsx?", "a.jsxx"));
        assert!(m("a+b", "aaab"));
        assert!(!m("a+b", "b"));
        assert!(m("[0-9]+", "0123"));
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
    }

    #[test]
    fn errors_have_columns() {
        assert_eq!(
            err(""),
            PatternError {
                kind: PatternErrorKind::Empty,
                column: 1
            }
        );
        assert_eq!(err("!").kind, PatternErrorKind::EmptyNegation);
        assert_eq!(err("ab[cd").column, 3);
        assert_eq!(err("ab[cd").kind, PatternErrorKind::UnclosedClass);
        assert_eq!(err("x[]").kind, PatternErrorKind::EmptyClass);
        assert_eq!(err("x[a-Z]").column, 3);
        assert_eq!(err("?a").column, 1);
        assert_eq!(err("!+a").column, 2);
        assert_eq!(err("a*?").column, 3);
        assert_eq!(err("a??").column, 3);
        assert_eq!(err("abc\\").column, 4);
        assert_eq!(err("[^a]").kind, PatternErrorKind::NegatedClass('^'));
        assert_eq!(
            err("ab[cd").to_string(),
            "unclosed '[' (character class has no closing ']') at column 3"
        );
    }

    #[test]
    fn literal_flag() {
        assert!(Pattern::parse("main").unwrap().is_literal());
        assert!(Pattern::parse("a\\*b").unwrap().is_literal());
        assert!(!Pattern::parse("a*").unwrap().is_literal());
        assert!(!Pattern::parse("ab+").unwrap().is_literal());
    }

    #[test]
    fn negation_and_body() {
        let p = Pattern::parse("!docs/**").unwrap();
        assert!(p.is_negated());
        assert_eq!(p.body(), "docs/**");
        assert!(p.matches("docs/a"));
        let q = Pattern::parse("a!b").unwrap();
        assert!(!q.is_negated());
        assert!(q.matches("a!b"));
        let r = Pattern::parse("\\!a").unwrap();
        assert!(!r.is_negated());
        assert!(r.matches("!a"));
    }
}
