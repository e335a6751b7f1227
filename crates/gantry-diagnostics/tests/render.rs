//! Snapshots of every output format on one small file.

use gantry_diagnostics::render::{FileReport, Format, Options, render};
use gantry_diagnostics::{Diagnostic, Pos, Span};

const SRC: &str = "on: push\njobs:\n  build:\n    runs_on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.sha }}\"\n";

fn span(line: u32, col: u32, len: u32) -> Span {
    let offset = SRC
        .split('\n')
        .take(line as usize - 1)
        .map(|l| l.len() + 1)
        .sum::<usize>()
        + col as usize
        - 1;
    Span::new(
        Pos {
            offset,
            line,
            column: col,
        },
        Pos {
            offset: offset + len as usize,
            line,
            column: col + len,
        },
    )
}

fn diags() -> Vec<Diagnostic> {
    vec![
        Diagnostic::error(
            "unknown-key",
            span(4, 5, 7),
            "unknown key `runs_on` in job `build`",
        )
        .with_hint("did you mean `runs-on`?"),
        Diagnostic::error("missing-key", span(3, 3, 5), "job `build` has no `runs-on`"),
        Diagnostic::warning(
            "unquoted-version",
            span(6, 14, 3),
            "a warning, with: a comma",
        ),
    ]
}

fn out(format: Format) -> String {
    let d = diags();
    let reports = [FileReport {
        path: ".github/workflows/ci.yml",
        source: SRC,
        diagnostics: &d,
    }];
    render(
        &reports,
        &Options {
            format,
            colour: false,
            tool_version: "0.0.0-test",
        },
    )
}

#[test]
fn human() {
    insta::assert_snapshot!(out(Format::Human));
}

#[test]
fn short() {
    insta::assert_snapshot!(out(Format::Short));
}

#[test]
fn json() {
    let text = out(Format::Json);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["errors"], 2);
    insta::assert_snapshot!(text);
}

#[test]
fn sarif() {
    let v: serde_json::Value = serde_json::from_str(&out(Format::Sarif)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["ruleId"], "missing-key");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

#[test]
fn github_annotations_escape_properties() {
    let text = out(Format::Github);
    insta::assert_snapshot!(text);
    assert!(
        text.contains("a warning, with: a comma"),
        "message data keeps , and :"
    );
}

#[test]
fn colour_never_carries_meaning_alone() {
    let d = diags();
    let reports = [FileReport {
        path: "x.yml",
        source: SRC,
        diagnostics: &d,
    }];
    let coloured = render(
        &reports,
        &Options {
            format: Format::Human,
            colour: true,
            tool_version: "t",
        },
    );
    let plain: String = strip_ansi(&coloured);
    assert_eq!(
        plain,
        out(Format::Human).replace(".github/workflows/ci.yml", "x.yml")
    );
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
