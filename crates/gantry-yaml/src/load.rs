//! Building the tree from saphyr-parser's event stream.

use std::collections::HashMap;

use gantry_diagnostics::{Pos, Span};
use saphyr_parser::{Event, Marker, Parser, ScanError};
use serde::Serialize;

use crate::node::{Node, NodeKind, ScalarStyle};
use crate::resolve::{resolve_plain, resolve_tagged};

/// At most this many nodes may be created by expanding aliases in one document
/// (protection against "billion laughs").
pub const ALIAS_EXPANSION_LIMIT: usize = 100_000;

/// Sequences and mappings may nest at most this deep (aliases included).
pub const DEPTH_LIMIT: usize = 200;

/// The result of [`load`]: the first document's root and the non-fatal issues.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loaded {
    /// The root node of the first document (a `Null` node for an empty stream).
    pub root: Node,
    /// Problems that did not stop loading.
    pub issues: Vec<Issue>,
}

/// A non-fatal problem found while loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Issue {
    /// A mapping has the same key twice; only the first entry is kept in the tree.
    DuplicateKey {
        /// The key as text.
        key: String,
        /// The first occurrence.
        first: Span,
        /// The repeated occurrence.
        duplicate: Span,
    },
    /// The stream has more than one document; only the first is used.
    ExtraDocument {
        /// Where the ignored document starts.
        span: Span,
    },
    /// An anchor (`&name`) that no alias refers to.
    UnusedAnchor {
        /// The anchor's name (empty when it could not be found in the text).
        name: String,
        /// Where the anchor is written (or its node, when it could not be found).
        span: Span,
    },
}

/// A fatal loading error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum YamlError {
    /// The text is not well-formed YAML.
    #[error("{message} (line {}, column {})", pos.line, pos.column)]
    Syntax {
        /// The parser's description.
        message: String,
        /// Where the parser stopped.
        pos: Pos,
    },
    /// An alias names an anchor that was not defined before it.
    #[error("unknown alias (line {}, column {})", span.start.line, span.start.column)]
    UnknownAlias {
        /// The alias.
        span: Span,
    },
    /// Expanding aliases would create too many nodes.
    #[error("aliases expand to more than {limit} nodes (line {}, column {})", span.start.line, span.start.column)]
    AliasLimit {
        /// The alias that crossed the limit.
        span: Span,
        /// The limit.
        limit: usize,
    },
    /// Collections nest too deeply.
    #[error("collections nest deeper than {limit} levels (line {}, column {})", span.start.line, span.start.column)]
    TooDeep {
        /// Where the limit was crossed.
        span: Span,
        /// The limit.
        limit: usize,
    },
}

impl YamlError {
    /// Where the error is.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            YamlError::Syntax { pos, .. } => Span::point(*pos),
            YamlError::UnknownAlias { span }
            | YamlError::AliasLimit { span, .. }
            | YamlError::TooDeep { span, .. } => *span,
        }
    }
}

/// Converts saphyr markers (character index, 1-based line, 0-based column) to [`Pos`] in
/// the original source, accounting for spaces inserted by the indentation workaround (see
/// [`load`]).
struct Positions<'a> {
    src: &'a str,
    /// Byte offset of each character index, plus one past the end; `None` for ASCII sources.
    char_to_byte: Option<Vec<usize>>,
    /// Spaces inserted into the parsed text: (character index in the parsed text, line).
    /// At most one per line, sorted.
    inserted: Vec<(usize, usize)>,
}

impl<'a> Positions<'a> {
    fn new(src: &'a str) -> Self {
        let char_to_byte = (!src.is_ascii()).then(|| {
            src.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(src.len()))
                .collect()
        });
        Positions {
            src,
            char_to_byte,
            inserted: Vec::new(),
        }
    }

    fn pos(&self, m: &Marker) -> Pos {
        let before = self.inserted.partition_point(|(i, _)| *i < m.index());
        let same_line = self.inserted[..before]
            .last()
            .is_some_and(|(_, line)| *line == m.line());
        let index = m.index() - before;
        let col = m.col() - usize::from(same_line && m.col() > 0);
        let offset = match &self.char_to_byte {
            None => index.min(self.src.len()),
            Some(map) => map.get(index).copied().unwrap_or(self.src.len()),
        };
        Pos {
            offset,
            line: u32::try_from(m.line()).unwrap_or(u32::MAX),
            column: u32::try_from(col.saturating_add(1)).unwrap_or(u32::MAX),
        }
    }

    fn span(&self, s: &saphyr_parser::Span) -> Span {
        Span::new(self.pos(&s.start), self.pos(&s.end))
    }

    fn starts_flow(&self, pos: Pos) -> bool {
        matches!(self.src.as_bytes().get(pos.offset), Some(b'[' | b'{'))
    }
}

enum FrameKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        seen: HashMap<String, Span>,
    },
}

struct Frame {
    kind: FrameKind,
    start: Pos,
    flow: bool,
    anchor: usize,
    /// Depth of the deepest node below this frame, relative to it.
    depth_below: usize,
}

struct Anchored {
    node: Node,
    count: usize,
    depth: usize,
    /// Where the anchored node starts.
    start: Pos,
    /// Whether an alias refers to it.
    used: bool,
}

struct Builder<'a> {
    positions: Positions<'a>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    expanded: usize,
    issues: Vec<Issue>,
    root: Option<Node>,
}

/// Identity of a scalar key, for duplicate detection; `None` for collection keys.
fn key_identity(key: &Node) -> Option<String> {
    Some(match &key.kind {
        NodeKind::Null => "null".to_owned(),
        NodeKind::Bool(b) => format!("bool:{b}"),
        NodeKind::Int(i) => format!("int:{i}"),
        NodeKind::Float(f) => format!("float:{}", f.to_bits()),
        NodeKind::String { value, .. } => format!("str:{value}"),
        NodeKind::Seq(_) | NodeKind::Map(_) => return None,
    })
}

fn style_of(style: saphyr_parser::ScalarStyle) -> ScalarStyle {
    match style {
        saphyr_parser::ScalarStyle::Plain => ScalarStyle::Plain,
        saphyr_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        saphyr_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        saphyr_parser::ScalarStyle::Literal => ScalarStyle::Literal,
        saphyr_parser::ScalarStyle::Folded => ScalarStyle::Folded,
    }
}

impl Builder<'_> {
    fn scalar(
        &self,
        value: &str,
        style: saphyr_parser::ScalarStyle,
        tag: Option<&saphyr_parser::Tag>,
        span: Span,
    ) -> Node {
        let style = style_of(style);
        let as_string = || NodeKind::String {
            value: value.to_owned(),
            style,
        };
        let kind = match tag {
            Some(tag) if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" => {
                if tag.suffix == "str" {
                    as_string()
                } else {
                    resolve_tagged(&tag.suffix, value).unwrap_or_else(as_string)
                }
            }
            // The non-specific tag `!` forces a string.
            Some(tag)
                if (tag.handle.is_empty() && tag.suffix == "!")
                    || (tag.handle == "!" && tag.suffix.is_empty()) =>
            {
                as_string()
            }
            _ if style.is_plain() => resolve_plain(value),
            _ => as_string(),
        };
        Node { kind, span }
    }

    fn open(&mut self, kind: FrameKind, span: Span, anchor: usize) -> Result<(), YamlError> {
        if self.stack.len() >= DEPTH_LIMIT {
            return Err(YamlError::TooDeep {
                span,
                limit: DEPTH_LIMIT,
            });
        }
        let flow = self.positions.starts_flow(span.start);
        self.stack.push(Frame {
            kind,
            start: span.start,
            flow,
            anchor,
            depth_below: 0,
        });
        Ok(())
    }

    fn close(&mut self, end_span: Span) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (kind, last_end) = match frame.kind {
            FrameKind::Seq(items) => {
                let last = items.last().map(|n| n.span.end);
                (NodeKind::Seq(items), last)
            }
            FrameKind::Map {
                mut entries, key, ..
            } => {
                if let Some(key) = key {
                    // A key without value (cannot normally happen): keep it with a null.
                    let span = Span::point(key.span.end);
                    entries.push((
                        key,
                        Node {
                            kind: NodeKind::Null,
                            span,
                        },
                    ));
                }
                let last = entries.last().map(|(k, v)| k.span.end.max(v.span.end));
                (NodeKind::Map(entries), last)
            }
        };
        let end = if frame.flow {
            end_span.end.max(frame.start)
        } else {
            last_end.unwrap_or(frame.start).max(frame.start)
        };
        let node = Node {
            kind,
            span: Span::new(frame.start, end),
        };
        self.finish(node, frame.anchor, frame.depth_below + 1, None)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), YamlError> {
        let Some(anchored) = self.anchors.get_mut(&id) else {
            return Err(YamlError::UnknownAlias { span });
        };
        anchored.used = true;
        self.expanded = self.expanded.saturating_add(anchored.count);
        if self.expanded > ALIAS_EXPANSION_LIMIT {
            return Err(YamlError::AliasLimit {
                span,
                limit: ALIAS_EXPANSION_LIMIT,
            });
        }
        if self.stack.len() + anchored.depth > DEPTH_LIMIT {
            return Err(YamlError::TooDeep {
                span,
                limit: DEPTH_LIMIT,
            });
        }
        let mut node = anchored.node.clone();
        let (count, depth) = (anchored.count, anchored.depth);
        node.span = span;
        self.finish(node, 0, depth, Some(count))
    }

    /// Records a completed node: registers its anchor and adds it to its parent.
    fn finish(
        &mut self,
        node: Node,
        anchor: usize,
        depth: usize,
        count: Option<usize>,
    ) -> Result<(), YamlError> {
        if anchor != 0 {
            let count = count.unwrap_or_else(|| node.count());
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    count,
                    depth,
                    start: node.span.start,
                    used: false,
                },
            );
        }
        let Some(parent) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return Ok(());
        };
        parent.depth_below = parent.depth_below.max(depth);
        match &mut parent.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map { entries, key, seen } => match key.take() {
                None => *key = Some(node),
                Some(k) => match key_identity(&k) {
                    Some(id) => {
                        if let Some(first) = seen.get(&id) {
                            self.issues.push(Issue::DuplicateKey {
                                key: k.scalar_string().unwrap_or_default(),
                                first: *first,
                                duplicate: k.span,
                            });
                        } else {
                            seen.insert(id, k.span);
                            entries.push((k, node));
                        }
                    }
                    None => entries.push((k, node)),
                },
            },
        }
        Ok(())
    }
}

/// How many closing brackets the indentation workaround may shift in one file.
const MAX_SHIFTS: usize = 10_000;

/// Loads the first document of `src`.
///
/// saphyr-parser rejects a flow collection's closing `]` or `}` that starts a line at the
/// indentation of the enclosing block when the collection's last item is a quoted scalar;
/// GitHub's YAML reader accepts it. When that exact error occurs, the bracket is shifted one
/// column right (which changes no value) and the text parsed again; positions are mapped back
/// to the original source.
///
/// # Errors
/// A [`YamlError`] when the text is not well-formed YAML (anywhere in the stream), an alias
/// is unknown, or the alias or depth limits are exceeded.
pub fn load(src: &str) -> Result<Loaded, YamlError> {
    let mut positions = Positions::new(src);
    let mut text: Option<String> = None;
    loop {
        let parsed = text.as_deref().unwrap_or(src);
        match load_text(parsed, positions) {
            Ok(loaded) => return Ok(loaded),
            Err(Failure::Fatal(e)) => return Err(e),
            Err(Failure::Indentation(failure)) => {
                let IndentationFailure {
                    error,
                    positions: p,
                    marker,
                } = *failure;
                let Some(byte) = closing_bracket_at(parsed, &marker) else {
                    return Err(error);
                };
                if p.inserted.len() >= MAX_SHIFTS {
                    return Err(error);
                }
                let mut shifted = parsed.to_owned();
                shifted.insert(byte, ' ');
                positions = p;
                let at = positions
                    .inserted
                    .partition_point(|(i, _)| *i < marker.index());
                positions
                    .inserted
                    .insert(at, (marker.index(), marker.line()));
                text = Some(shifted);
            }
        }
    }
}

/// The byte offset of `marker` in `text` if a closing bracket is there and only spaces
/// precede it on its line.
fn closing_bracket_at(text: &str, marker: &Marker) -> Option<usize> {
    let byte = if text.is_ascii() {
        marker.index()
    } else {
        text.char_indices().nth(marker.index())?.0
    };
    let rest = text.get(byte..)?;
    if !(rest.starts_with(']') || rest.starts_with('}')) {
        return None;
    }
    let line_start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..byte]
        .bytes()
        .all(|b| b == b' ')
        .then_some(byte)
}

enum Failure<'a> {
    Fatal(YamlError),
    /// saphyr's "invalid indentation": maybe the closing-bracket case.
    Indentation(Box<IndentationFailure<'a>>),
}

struct IndentationFailure<'a> {
    error: YamlError,
    positions: Positions<'a>,
    marker: Marker,
}

fn load_text<'a>(text: &str, positions: Positions<'a>) -> Result<Loaded, Failure<'a>> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        positions,
        stack: Vec::new(),
        anchors: HashMap::new(),
        expanded: 0,
        issues: Vec::new(),
        root: None,
    };
    match run(&mut parser, &mut b) {
        Ok(()) => {}
        Err(Err(e)) => return Err(Failure::Fatal(e)),
        Err(Ok(scan)) => {
            let error = YamlError::Syntax {
                message: scan.info().to_owned(),
                pos: b.positions.pos(scan.marker()),
            };
            if scan.info() == "invalid indentation" {
                return Err(Failure::Indentation(Box::new(IndentationFailure {
                    error,
                    positions: b.positions,
                    marker: *scan.marker(),
                })));
            }
            return Err(Failure::Fatal(error));
        }
    }
    let root = b.root.unwrap_or(Node {
        kind: NodeKind::Null,
        span: Span::point(Pos::START),
    });
    let mut unused: Vec<Pos> = b
        .anchors
        .values()
        .filter(|a| !a.used)
        .map(|a| a.start)
        .collect();
    unused.sort_by_key(|p| p.offset);
    let mut issues = b.issues;
    for start in unused {
        let (name, span) = anchor_before(b.positions.src, start)
            .unwrap_or_else(|| (String::new(), Span::point(start)));
        issues.push(Issue::UnusedAnchor { name, span });
    }
    Ok(Loaded { root, issues })
}

/// The anchor property written before the node starting at `start`: its name
/// and span. It is the last token before the node, past blank lines,
/// comment lines, a trailing comment and a tag.
fn anchor_before(src: &str, start: Pos) -> Option<(String, Span)> {
    let mut end = start.offset.min(src.len());
    if let Some(rest) = src[end..].strip_prefix('&') {
        // The node's span starts at its anchor.
        let len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
            .unwrap_or(rest.len());
        let columns = rest[..len].chars().count() + 1;
        let end_pos = Pos {
            offset: end + 1 + len,
            line: start.line,
            column: start
                .column
                .saturating_add(u32::try_from(columns).unwrap_or(0)),
        };
        return Some((rest[..len].to_owned(), Span::new(start, end_pos)));
    }
    let mut line = start.line;
    loop {
        let line_start = src[..end].rfind('\n').map_or(0, |i| i + 1);
        let text = &src[line_start..end];
        let code = match text.find(" #") {
            Some(i) if !text.trim_start().starts_with('#') => &text[..i],
            _ if text.trim_start().starts_with('#') => "",
            _ => text,
        };
        let code = code.trim_end();
        let mut tokens = code.rsplit([' ', '\t']).filter(|t| !t.is_empty());
        let mut token = tokens.next();
        if token.is_some_and(|t| t.starts_with('!')) {
            token = tokens.next();
        }
        if let Some(t) = token {
            let name = t.strip_prefix('&')?;
            let at = line_start + code.len() - t.len();
            // Only the token itself is inspected, so `code` ends with it.
            let column = src[line_start..at].chars().count() + 1;
            let pos = |offset: usize, column: usize| Pos {
                offset,
                line,
                column: u32::try_from(column).unwrap_or(u32::MAX),
            };
            let span = Span::new(
                pos(at, column),
                pos(at + t.len(), column + t.chars().count()),
            );
            return Some((name.to_owned(), span));
        }
        if line_start == 0 {
            return None;
        }
        end = line_start - 1;
        line = line.checked_sub(1)?;
    }
}

/// Feeds parser events to the builder. `Err(Ok(_))` is a scan error, `Err(Err(_))` a
/// builder error.
fn run<'i>(
    parser: &mut Parser<'i, saphyr_parser::StrInput<'i>>,
    b: &mut Builder<'_>,
) -> Result<(), Result<ScanError, YamlError>> {
    let mut documents = 0usize;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(Ok)?;
        let span = b.positions.span(&span);
        if let Event::DocumentStart(_) = event {
            documents += 1;
            if documents == 2 {
                b.issues.push(Issue::ExtraDocument { span });
            }
            continue;
        }
        if documents > 1 {
            // Later documents are only checked for well-formedness.
            continue;
        }
        let step = match event {
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => Ok(()),
            Event::Alias(id) => b.alias(id, span),
            Event::Scalar(value, style, anchor, tag) => {
                let node = b.scalar(&value, style, tag.as_deref(), span);
                b.finish(node, anchor, 0, Some(1))
            }
            Event::SequenceStart(anchor, _) => b.open(FrameKind::Seq(Vec::new()), span, anchor),
            Event::MappingStart(anchor, _) => b.open(
                FrameKind::Map {
                    entries: Vec::new(),
                    key: None,
                    seen: HashMap::new(),
                },
                span,
                anchor,
            ),
            Event::SequenceEnd | Event::MappingEnd => b.close(span),
        };
        step.map_err(Err)?;
    }
    Ok(())
}
