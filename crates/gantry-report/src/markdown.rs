//! Step summaries (GitHub-flavoured markdown) shown in a terminal.
//!
//! Styled: headings, emphasis and code are set with ANSI styles, list
//! bullets become `•`, links show their target, simple HTML tags are
//! dropped, and tables are drawn aligned. Plain (not a terminal): the
//! markdown is kept as written, which reads well as text, except that
//! tables are re-padded so that their columns line up.

use crate::format::{Paint, pad, paint, width};

/// Renders `md` for a terminal (`styled`) or as aligned plain markdown.
pub fn render(md: &str, styled: bool) -> String {
    let lines: Vec<&str> = md.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    let mut fence: Option<&str> = None;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
                if !styled {
                    out.push(line.to_owned());
                }
            } else if styled {
                out.push(format!("    {}", paint(line, Paint::Cyan, true)));
            } else {
                out.push(line.to_owned());
            }
            i += 1;
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            if !styled {
                out.push(line.to_owned());
            }
            i += 1;
            continue;
        }
        if let Some(rows) = table_at(&lines, i) {
            out.extend(render_table(&lines[i..i + rows], styled));
            i += rows;
            continue;
        }
        out.push(if styled {
            block_line(line)
        } else {
            line.to_owned()
        });
        i += 1;
    }
    let mut s = out.join("\n");
    if !s.is_empty() {
        s.push('\n');
    }
    s
}

/// One line outside tables and code blocks, styled.
fn block_line(line: &str) -> String {
    let indent_len = line.len() - line.trim_start().len();
    let indent = &line[..indent_len];
    let t = line.trim_start();
    // Headings.
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && (t.len() == hashes || t.as_bytes()[hashes] == b' ') {
        let text = inline(t[hashes..].trim().trim_end_matches('#').trim_end());
        let p = if hashes == 1 {
            Paint::BoldUnderline
        } else {
            Paint::Bold
        };
        return paint(&text, p, true);
    }
    // Rules.
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() >= 3
        && (compact.chars().all(|c| c == '-')
            || compact.chars().all(|c| c == '*')
            || compact.chars().all(|c| c == '_'))
    {
        return paint(&"─".repeat(40), Paint::Dim, true);
    }
    // Quotes.
    if let Some(rest) = t.strip_prefix('>') {
        return format!(
            "{indent}{} {}",
            paint("│", Paint::Dim, true),
            inline(rest.trim_start())
        );
    }
    // Bullets, with task boxes.
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = t.strip_prefix(bullet) {
            let (mark, rest) = if let Some(r) = rest.strip_prefix("[ ] ") {
                ("☐", r)
            } else if let Some(r) = rest
                .strip_prefix("[x] ")
                .or_else(|| rest.strip_prefix("[X] "))
            {
                ("☑", r)
            } else {
                ("•", rest)
            };
            return format!("{indent}{mark} {}", inline(rest));
        }
    }
    format!("{indent}{}", inline(t))
}

/// Inline markdown, styled: `**bold**`, `*em*`, `` `code` ``, `~~del~~`,
/// links, images, escapes, simple HTML tags and entities.
pub fn inline(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    'chars: while i < chars.len() {
        let c = chars[i];
        let rest = &chars[i..];
        if c == '\\' && i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() {
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '`' {
            let ticks = rest.iter().take_while(|&&c| c == '`').count();
            if let Some(end) = find_run(&chars, i + ticks, '`', ticks) {
                let code: String = chars[i + ticks..end].iter().collect();
                out.push_str(&paint(code.trim(), Paint::Cyan, true));
                i = end + ticks;
                continue;
            }
        }
        for (delim, p) in [("**", Paint::Bold), ("__", Paint::Bold), ("~~", Paint::Dim)] {
            let d: Vec<char> = delim.chars().collect();
            if rest.starts_with(&d)
                && let Some(end) = find_seq(&chars, i + 2, &d)
                && end > i + 2
            {
                let inner: String = chars[i + 2..end].iter().collect();
                out.push_str(&paint(&inline(&inner), p, true));
                i = end + 2;
                continue 'chars;
            }
        }
        if (c == '*' || c == '_')
            && (c == '*' || i == 0 || !chars[i - 1].is_alphanumeric())
            && i + 1 < chars.len()
            && !chars[i + 1].is_whitespace()
            && let Some(end) = find_seq(&chars, i + 1, &[c])
            && end > i + 1
            && (c == '*' || end + 1 >= chars.len() || !chars[end + 1].is_alphanumeric())
        {
            let inner: String = chars[i + 1..end].iter().collect();
            out.push_str(&paint(&inline(&inner), Paint::Italic, true));
            i = end + 1;
            continue;
        }
        let image = c == '!' && rest.get(1) == Some(&'[');
        if (c == '[' || image)
            && let Some((text, url, len)) = link(&chars, if image { i + 1 } else { i })
        {
            let text = inline(&text);
            if image {
                out.push_str(&paint(&format!("[image: {text}]"), Paint::Dim, true));
                i += len + 1;
            } else {
                if text == url || url.is_empty() {
                    out.push_str(&paint(&text, Paint::Underline, true));
                } else {
                    out.push_str(&paint(&text, Paint::Underline, true));
                    out.push_str(&paint(&format!(" ({url})"), Paint::Dim, true));
                }
                i += len;
            }
            continue;
        }
        if c == '<'
            && let Some(len) = html_tag(rest)
        {
            let tag: String = rest[..len].iter().collect::<String>().to_ascii_lowercase();
            if tag.starts_with("<br") {
                out.push(' ');
            }
            i += len;
            continue;
        }
        if c == '&'
            && let Some((text, len)) = entity(rest)
        {
            out.push_str(text);
            i += len;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn find_run(chars: &[char], from: usize, c: char, n: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == c {
            let run = chars[i..].iter().take_while(|&&x| x == c).count();
            if run == n {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

fn find_seq(chars: &[char], from: usize, seq: &[char]) -> Option<usize> {
    (from..chars.len()).find(|&i| chars[i..].starts_with(seq) && chars[i - 1] != '\\')
}

/// `[text](url)` at `at`: the text, the url and the length.
fn link(chars: &[char], at: usize) -> Option<(String, String, usize)> {
    let mut depth = 0;
    let mut close = None;
    for (k, &c) in chars.iter().enumerate().skip(at) {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = (close + 2..chars.len()).find(|&k| chars[k] == ')')?;
    let text: String = chars[at + 1..close].iter().collect();
    let url: String = chars[close + 2..end].iter().collect();
    let url = url.split_whitespace().next().unwrap_or("").to_owned();
    Some((text, url, end + 1 - at))
}

/// The length of a simple HTML tag (`<b>`, `</details>`, `<br/>`,
/// `<img src="…">`) at the start of `rest`.
fn html_tag(rest: &[char]) -> Option<usize> {
    let second = *rest.get(1)?;
    if !(second.is_ascii_alphabetic() || second == '/' || second == '!') {
        return None;
    }
    let end = rest.iter().position(|&c| c == '>')?;
    if rest[1..end].contains(&'<') {
        return None;
    }
    Some(end + 1)
}

fn entity(rest: &[char]) -> Option<(&'static str, usize)> {
    const ENTITIES: [(&str, &str); 6] = [
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&nbsp;", " "),
    ];
    ENTITIES.iter().find_map(|(name, text)| {
        let n: Vec<char> = name.chars().collect();
        rest.starts_with(&n).then_some((*text, n.len()))
    })
}

/// The cells of a table row, without the outer pipes; `\|` stays in a cell.
fn cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = if t.ends_with('|') && !t.ends_with("\\|") {
        &t[..t.len() - 1]
    } else {
        t
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = t.chars().peekable();
    let mut in_code = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push_str("\\|");
                chars.next();
            }
            '`' => {
                in_code = !in_code;
                cur.push(c);
            }
            '|' if !in_code => out.push(std::mem::take(&mut cur).trim().to_owned()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_owned());
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
}

fn delimiter_row(line: &str) -> Option<Vec<Align>> {
    if !line.contains('|') || !line.contains('-') {
        return None;
    }
    let cs = cells(line);
    cs.iter()
        .map(|c| {
            let body = c.trim_matches(':');
            if body.is_empty() || !body.chars().all(|ch| ch == '-') {
                return None;
            }
            Some(match (c.starts_with(':'), c.ends_with(':')) {
                (true, true) => Align::Center,
                (false, true) => Align::Right,
                _ => Align::Left,
            })
        })
        .collect()
}

/// The number of lines of the table that starts at `i`, if one does.
fn table_at(lines: &[&str], i: usize) -> Option<usize> {
    let header = lines[i];
    if !header.contains('|') {
        return None;
    }
    let aligns = delimiter_row(lines.get(i + 1)?)?;
    if cells(header).len() != aligns.len() {
        return None;
    }
    let mut n = 2;
    while let Some(l) = lines.get(i + n) {
        if l.trim().is_empty() || !l.contains('|') {
            break;
        }
        n += 1;
    }
    Some(n)
}

fn render_table(rows: &[&str], styled: bool) -> Vec<String> {
    let aligns = delimiter_row(rows[1]).unwrap_or_default();
    let ncols = aligns.len();
    let mut table: Vec<Vec<String>> = Vec::new();
    for (k, row) in rows.iter().enumerate() {
        if k == 1 {
            continue;
        }
        let mut cs = cells(row);
        cs.resize(ncols, String::new());
        let cs = cs
            .into_iter()
            .map(|c| {
                if styled {
                    let c = inline(&c.replace("\\|", "|"));
                    if k == 0 {
                        paint(&c, Paint::Bold, true)
                    } else {
                        c
                    }
                } else {
                    c
                }
            })
            .collect();
        table.push(cs);
    }
    let widths: Vec<usize> = (0..ncols)
        .map(|c| table.iter().map(|r| width(&r[c])).max().unwrap_or(0).max(3))
        .collect();
    let cell = |s: &str, c: usize| -> String {
        let w = widths[c];
        let gap = w.saturating_sub(width(s));
        match aligns[c] {
            Align::Left => pad(s, w),
            Align::Right => format!("{}{s}", " ".repeat(gap)),
            Align::Center => format!("{}{s}{}", " ".repeat(gap / 2), " ".repeat(gap - gap / 2)),
        }
    };
    let mut out = Vec::new();
    for (k, row) in table.iter().enumerate() {
        let parts: Vec<String> = (0..ncols).map(|c| cell(&row[c], c)).collect();
        if styled {
            out.push(
                parts
                    .join(&paint(" │ ", Paint::Dim, true))
                    .trim_end()
                    .to_owned(),
            );
        } else {
            out.push(format!("| {} |", parts.join(" | ")));
        }
        if k == 0 {
            if styled {
                let bars: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
                out.push(paint(&bars.join("─┼─"), Paint::Dim, true));
            } else {
                let bars: Vec<String> = widths
                    .iter()
                    .zip(&aligns)
                    .map(|(&w, a)| match a {
                        Align::Left => "-".repeat(w),
                        Align::Right => format!("{}:", "-".repeat(w - 1)),
                        Align::Center => format!(":{}:", "-".repeat(w - 2)),
                    })
                    .collect();
                out.push(format!("| {} |", bars.join(" | ")));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::strip_ansi;

    #[test]
    fn plain_keeps_markdown_and_aligns_tables() {
        let md = "## Results\n\n| name | time |\n|---|--:|\n| unit | 1s |\n| integration tests | 12s |\n\n- **done**\n";
        assert_eq!(
            render(md, false),
            "## Results\n\n| name              | time |\n| ----------------- | ---: |\n| unit              |   1s |\n| integration tests |  12s |\n\n- **done**\n"
        );
    }

    #[test]
    fn styled_renders_inline_and_blocks() {
        let md = "# Title\n- [x] **bold** and `code`\n* see [docs](https://x.test)\n> quoted &amp; <b>tagged</b>\n```\nlet a = 1;\n```\n---";
        let out = strip_ansi(&render(md, true));
        assert_eq!(
            out,
            "Title\n☑ bold and code\n• see docs (https://x.test)\n│ quoted & tagged\n    let a = 1;\n────────────────────────────────────────\n"
        );
        assert!(render(md, true).contains("\x1b[1;4mTitle"));
    }

    #[test]
    fn styled_tables_align_by_display_width() {
        let md = "| a | b |\n|:-:|---|\n| **表** | x |\n| long cell | y |";
        let out = strip_ansi(&render(md, true));
        assert_eq!(
            out,
            "    a     │ b\n──────────┼────\n   表     │ x\nlong cell │ y\n"
        );
    }

    #[test]
    fn underscores_inside_words_are_kept() {
        assert_eq!(
            strip_ansi(&inline("snake_case_name and _em_")),
            "snake_case_name and em"
        );
        assert_eq!(strip_ansi(&inline("2 * 3 * 4")), "2 * 3 * 4");
        assert_eq!(strip_ansi(&inline(r"\*not em\*")), "*not em*");
    }
}
