//! File commands: what a step writes to `$GITHUB_ENV`, `$GITHUB_OUTPUT`,
//! `$GITHUB_STATE` (`NAME=value` lines or `NAME<<DELIMITER` blocks) and
//! `$GITHUB_PATH` (one directory a line).

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum FileCommandError {
    #[error("{file}: line {line}: invalid format {text:?}: expected NAME=value or NAME<<DELIMITER")]
    InvalidFormat {
        file: &'static str,
        line: usize,
        text: String,
    },
    #[error("{file}: line {line}: the name is empty")]
    EmptyName { file: &'static str, line: usize },
    #[error("{file}: line {line}: the delimiter after `<<` is empty")]
    EmptyDelimiter { file: &'static str, line: usize },
    #[error(
        "{file}: line {line}: no line matches the delimiter {delimiter:?} before the end of the file"
    )]
    MissingDelimiter {
        file: &'static str,
        line: usize,
        delimiter: String,
    },
}

/// Parses `NAME=value` / `NAME<<DELIMITER … DELIMITER` content. `file`
/// names the file in errors (`GITHUB_ENV`, …).
pub fn parse_key_values(
    content: &str,
    file: &'static str,
) -> Result<Vec<(String, String)>, FileCommandError> {
    let lines: Vec<&str> = content
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    // A trailing newline leaves one empty last element: not a line.
    let count = if content.ends_with('\n') {
        lines.len() - 1
    } else {
        lines.len()
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < count {
        let line = lines[i];
        let lineno = i + 1;
        i += 1;
        if line.is_empty() {
            continue;
        }
        let eq = line.find('=');
        let heredoc = line.find("<<");
        match (eq, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                let name = &line[..e];
                if name.is_empty() {
                    return Err(FileCommandError::EmptyName { file, line: lineno });
                }
                out.push((name.to_owned(), line[e + 1..].to_owned()));
            }
            (_, Some(h)) => {
                let name = &line[..h];
                let delimiter = &line[h + 2..];
                if name.is_empty() {
                    return Err(FileCommandError::EmptyName { file, line: lineno });
                }
                if delimiter.is_empty() {
                    return Err(FileCommandError::EmptyDelimiter { file, line: lineno });
                }
                let mut value: Vec<&str> = Vec::new();
                let mut closed = false;
                while i < count {
                    let l = lines[i];
                    i += 1;
                    if l == delimiter {
                        closed = true;
                        break;
                    }
                    value.push(l);
                }
                if !closed {
                    return Err(FileCommandError::MissingDelimiter {
                        file,
                        line: lineno,
                        delimiter: delimiter.to_owned(),
                    });
                }
                out.push((name.to_owned(), value.join("\n")));
            }
            _ => {
                return Err(FileCommandError::InvalidFormat {
                    file,
                    line: lineno,
                    text: line.to_owned(),
                });
            }
        }
    }
    Ok(out)
}

/// Directories from `$GITHUB_PATH`, in the order they end up in `PATH`
/// (each line is prepended, so the last line comes first).
pub fn parse_path(content: &str) -> Vec<String> {
    let mut dirs: Vec<String> = content
        .lines()
        .map(|l| l.trim_end_matches('\r').trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    dirs.reverse();
    dirs
}

/// Environment variables `$GITHUB_ENV` may not set, with why.
pub fn refused_env_name(name: &str) -> Option<&'static str> {
    if name.eq_ignore_ascii_case("NODE_OPTIONS") {
        Some("GitHub does not allow setting NODE_OPTIONS through $GITHUB_ENV")
    } else {
        None
    }
}

/// The most a step may write to `$GITHUB_STEP_SUMMARY` (1 MiB).
pub const MAX_SUMMARY_BYTES: usize = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_and_heredoc() {
        let kv = parse_key_values("A=1\nB<<EOF\nx\ny=z\nEOF\nC=\n\nD=a=b\n", "GITHUB_ENV").unwrap();
        assert_eq!(
            kv,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "x\ny=z".into()),
                ("C".into(), String::new()),
                ("D".into(), "a=b".into())
            ]
        );
    }

    #[test]
    fn crlf_and_edge_cases() {
        let kv = parse_key_values("A=1\r\nB<<EOF\r\nline\r\nEOF\r\n", "GITHUB_OUTPUT").unwrap();
        assert_eq!(
            kv,
            vec![("A".into(), "1".into()), ("B".into(), "line".into())]
        );
        assert!(matches!(
            parse_key_values("B<<EOF\nx\n", "GITHUB_ENV"),
            Err(FileCommandError::MissingDelimiter { line: 1, .. })
        ));
        assert!(matches!(
            parse_key_values("=x\n", "GITHUB_ENV"),
            Err(FileCommandError::EmptyName { .. })
        ));
        assert!(matches!(
            parse_key_values("junk\n", "GITHUB_ENV"),
            Err(FileCommandError::InvalidFormat { .. })
        ));
        assert!(matches!(
            parse_key_values("A<<\n", "GITHUB_ENV"),
            Err(FileCommandError::EmptyDelimiter { .. })
        ));
        // `=` before `<<`: a plain value containing `<<`.
        assert_eq!(
            parse_key_values("A=b<<c\n", "GITHUB_ENV").unwrap(),
            vec![("A".into(), "b<<c".into())]
        );
        let kv = parse_key_values("E<<EOF\nEOF\n", "GITHUB_ENV").unwrap();
        assert_eq!(kv, vec![("E".into(), String::new())]);
    }

    #[test]
    fn path_lines() {
        assert_eq!(
            parse_path("/a\n\n/b\r\n"),
            vec!["/b".to_owned(), "/a".to_owned()]
        );
    }
}
