//! Workflow commands that steps print on standard output:
//! `::name key=value,key=value::message`.

use std::collections::BTreeMap;

/// A parsed workflow command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub name: String,
    pub properties: BTreeMap<String, String>,
    pub message: String,
}

/// Undoes the escaping of command data (`%25`, `%0D`, `%0A`).
fn unescape_data(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%25", "%")
}

/// Undoes the escaping of property values (also `%3A` and `%2C`).
fn unescape_property(s: &str) -> String {
    unescape_data(
        &s.replace("%3A", ":")
            .replace("%3a", ":")
            .replace("%2C", ",")
            .replace("%2c", ","),
    )
}

/// Parses one output line; `None` when it is not a command.
pub fn parse(line: &str) -> Option<Command> {
    let t = line.trim();
    let rest = t.strip_prefix("::")?;
    let end = rest.find("::")?;
    let (head, message) = (&rest[..end], &rest[end + 2..]);
    let (name, props) = match head.find(' ') {
        Some(i) => (&head[..i], head[i + 1..].trim()),
        None => (head, ""),
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let mut properties = BTreeMap::new();
    for pair in props.split(',') {
        let pair = pair.trim();
        if pair.is_empty() {
            continue;
        }
        if let Some((k, v)) = pair.split_once('=') {
            properties.insert(k.trim().to_owned(), unescape_property(v));
        }
    }
    Some(Command {
        name: name.to_owned(),
        properties,
        message: unescape_data(message),
    })
}

/// The severity of an annotation command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationLevel {
    Notice,
    Warning,
    Error,
}

/// `::error file=…,line=…::message` and its kin.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Annotation {
    pub level: AnnotationLevel,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub col: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
}

impl Annotation {
    /// Builds an annotation from a `notice`/`warning`/`error` command.
    pub fn from_command(c: &Command) -> Option<Annotation> {
        let level = match c.name.as_str() {
            "notice" => AnnotationLevel::Notice,
            "warning" => AnnotationLevel::Warning,
            "error" => AnnotationLevel::Error,
            _ => return None,
        };
        let num = |k: &str| c.properties.get(k).and_then(|v| v.trim().parse().ok());
        Some(Annotation {
            level,
            message: c.message.clone(),
            title: c.properties.get("title").cloned(),
            file: c.properties.get("file").cloned(),
            line: num("line"),
            end_line: num("endLine"),
            col: num("col"),
            end_column: num("endColumn"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands() {
        let c =
            parse("::error file=app.js,line=10,col=15,title=Bad%3A thing::Something%0Awent wrong")
                .unwrap();
        assert_eq!(c.name, "error");
        assert_eq!(c.properties["file"], "app.js");
        assert_eq!(c.properties["title"], "Bad: thing");
        assert_eq!(c.message, "Something\nwent wrong");
        let a = Annotation::from_command(&c).unwrap();
        assert_eq!((a.line, a.col), (Some(10), Some(15)));
        assert_eq!(parse("::group::Build").unwrap().message, "Build");
        assert_eq!(parse("  ::endgroup::").unwrap().name, "endgroup");
        assert!(parse("echo ::not").is_none());
        assert!(parse(":: ::x").is_none());
        assert_eq!(parse("::add-mask::s3cret").unwrap().message, "s3cret");
    }
}
