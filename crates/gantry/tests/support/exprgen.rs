//! A seeded random generator of GitHub Actions `${{ }}` expressions, used by
//! the differential test against GitHub's TypeScript evaluator
//! (`@actions/expressions`, see `test-tools/`).
//!
//! The generator aims at expressions on which GitHub's production evaluator
//! (the C# runner / the Go implementation) and the TypeScript package agree,
//! so that any difference found is a difference of Gantry's. The TypeScript
//! package is not a perfect copy of the production evaluator; where the two are
//! known to differ, the generator stays away from the inputs that show it. Each
//! such avoidance is marked `AVOID:` below with the reason.
//!
//! Summary of what is avoided and why:
//!
//! * `''` escapes: the TS lexer unescapes only the first `''` of a string
//!   literal (`value.replace("''", "'")`, a known TS bug), the runner all of
//!   them. Every generated string literal holds at most one `''` pair.
//! * Numbers that the runner's number-to-string conversion (`G15`) writes
//!   differently from the TS one (`(+v.toFixed(15)).toString()`): magnitudes
//!   of 1e15 and more (`1E+15` vs `1000000000000000`), below 1e-4 (`1E-05` vs
//!   `0.00001`), more than 15 significant digits, and `-0` (`-0` vs `0`).
//!   Generated numbers have few significant digits and moderate magnitudes.
//! * `NaN` / `Infinity` inside `toJSON(..)`: the runner writes `NaN`,
//!   `JSON.stringify` writes `null`.
//! * Evaluation errors in lazily evaluated positions: the runner evaluates
//!   `format` arguments only when the format string references them, `case`
//!   branches only up to the match, the second argument of
//!   `contains`/`startsWith`/`endsWith` only when the first is a primitive,
//!   the `join` separator only for arrays of two or more items, and an index
//!   only when the indexed value is a collection. The TS evaluator evaluates
//!   all of them eagerly. So everything that can fail at evaluation time
//!   (`fromJSON` of invalid JSON, an invalid `format` string) is generated only
//!   in eagerly evaluated positions (the `fallible` flag).
//! * `fromJSON` inputs that Newtonsoft (runner) accepts but `JSON.parse` (TS)
//!   rejects: single quotes, unquoted keys, comments, trailing commas,
//!   trailing content after the value, hex numbers, `NaN`/`Infinity`/`undefined`.
//!   Invalid JSON is drawn from a list that both reject.
//! * `format` placeholders with trailing garbage or format specifiers
//!   (`{0x}`, `{0:x}`): TS ignores what follows the digits, the runner rejects
//!   it. Placeholders are always `{digits}` and literal text near them holds
//!   no digits.
//! * Characters whose case mapping differs between JS (`toUpperCase`,
//!   `toLowerCase`) and .NET's ordinal-ignore-case (`ß`, `ı`, `İ`, ...), and
//!   characters Newtonsoft escapes but `JSON.stringify` does not (U+0085,
//!   U+2028, U+2029).
//! * Number strings the two parse differently: `0X10`/`0O17` (upper case),
//!   `0b101`, hex beyond 31 bits (.NET reads `0xffffffff` as -1),
//!   `+Infinity`, `infinity`.
//! * Object keys that look like array indices (`"0"`): `JSON.parse` moves them
//!   to the front of an object, Newtonsoft keeps the document order. Neither
//!   the contexts nor the JSON documents have such keys.
//! * Nesting deep enough to approach the parser depth limit of 50, whose
//!   accounting differs (TS counts parentheses and accessors as it parses, the
//!   runner measures the finished tree).
//!
//! Errors are compared by kind: lexing, parsing or evaluation. The runner has
//! a single parse error type; the TS split (thrown by the Lexer or the Parser)
//! is the one the batch protocol uses.

use serde_json::{Value, json};

/// splitmix64: tiny, fast and good enough for test generation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        (self.next_u64() % n as u64) as usize
    }

    /// True with the given probability in percent.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Index chosen with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

/// The fixed contexts every generated expression is evaluated against.
pub fn contexts() -> Value {
    json!({
        "github": {
            "event_name": "push",
            "ref": "refs/heads/main",
            "ref_name": "main",
            "ref_type": "branch",
            "sha": "ffac537e6cbbf934b08745a378932722df287a53",
            "repository": "octo-org/octo-repo",
            "repository_owner": "octo-org",
            "actor": "octocat",
            "triggering_actor": "OctoCat",
            "run_id": "1658821493",
            "run_number": "3",
            "run_attempt": "1",
            "workflow": "CI",
            "job": "build",
            "server_url": "https://github.com",
            "base_ref": "",
            "head_ref": "",
            "retention_days": "90",
            "event": {
                "ref": "refs/heads/main",
                "before": "0000000000000000000000000000000000000000",
                "after": "ffac537e6cbbf934b08745a378932722df287a53",
                "created": false,
                "deleted": false,
                "forced": false,
                "commits": [
                    {
                        "id": "ffac537e6cbbf934b08745a378932722df287a53",
                        "message": "Fix the build\n\nDetails: it's fixed",
                        "author": { "name": "Mona Lisa", "email": "mona@example.com" },
                        "added": ["src/lib.rs"],
                        "modified": ["README.md", "Cargo.toml"],
                        "removed": []
                    },
                    {
                        "id": "2b0f37b2a3c4d5e6f708192a3b4c5d6e7f809102",
                        "message": "WIP [skip ci]",
                        "author": { "name": "Octo Cat", "email": "octocat@example.com" },
                        "added": [],
                        "modified": ["src/main.rs"],
                        "removed": ["old.txt"]
                    }
                ],
                "head_commit": {
                    "id": "ffac537e6cbbf934b08745a378932722df287a53",
                    "message": "Fix the build",
                    "timestamp": "2024-05-01T12:34:56Z"
                },
                "pusher": { "name": "octocat", "email": null },
                "repository": {
                    "name": "octo-repo",
                    "full_name": "octo-org/octo-repo",
                    "private": false,
                    "fork": false,
                    "stargazers_count": 42,
                    "open_issues": 0,
                    "topics": ["ci", "Rust", "github-actions"],
                    "owner": { "login": "octo-org", "type": "Organization" },
                    "default_branch": "main"
                },
                "pull_request": {
                    "number": 17,
                    "draft": true,
                    "title": "Add 'quotes' & {braces}",
                    "labels": [ { "name": "bug" }, { "name": "Needs-Review" } ],
                    "head": { "ref": "feature/x", "sha": "abc123" },
                    "base": { "ref": "main" }
                }
            }
        },
        "matrix": {
            "os": "ubuntu-latest",
            "node": 20,
            "experimental": false,
            "include-extra": "x",
            "rust": "1.95"
        },
        "env": {
            "CI": "true",
            "MY-VAR": "hyphen-value",
            "HOME_DIR": "/home/runner",
            "EMPTY": "",
            "NUM_STR": " 12 ",
            "RUST_LOG": "Debug"
        },
        "inputs": {
            "count": 3,
            "ratio": 0.25,
            "big": 123456789012_i64,
            "negative": -7,
            "zero": 0,
            "flag": true,
            "off": false,
            "name": "Gantry",
            "mixed": "MiXeD CaSe",
            "list": [1, "two", true, null, 2.5],
            "strings": ["alpha", "Beta", "GAMMA", ""],
            "nested": {
                "level1": { "level2": { "value": "deep", "arr": [[1, 2], [3, 4]] } },
                "key-with-dash": 5
            },
            "objects": [
                { "name": "a", "value": 1 },
                { "name": "B", "value": 2, "extra": { "x": true } },
                { "name": "c" }
            ],
            "hex_str": "0x10",
            "exp_str": "1e3",
            "spaced_num": " 12 ",
            "empty_str": "",
            "octal_str": "0o17",
            "neg_str": "-5",
            "inf_str": "Infinity",
            "dec_str": "2.50",
            "true_str": "true",
            "empty_list": [],
            "empty_obj": {},
            "nothing": null,
            "unicode": "Café 日本 🚀",
            "braces": "{0} and {{x}}",
            "json_str": "{\"a\": [1, 2, 3], \"b\": {\"c\": \"d\"}}",
            "version": "1.2.3",
            // Keys that are keywords, or that only bracket syntax reaches.
            "null": "key named null",
            "true": 1,
            "NaN": "key named NaN",
            "a.b": "dotted",
            "with space": 2,
            "Clé": "accent",
            "_private": "underscore"
        },
        "steps": {
            "build": {
                "outputs": { "artifact": "dist.zip", "result-code": "0" },
                "outcome": "success",
                "conclusion": "success"
            },
            "test": { "outputs": {}, "outcome": "failure", "conclusion": "success" }
        }
    })
}

/// Words for string literals. AVOID: no `ß`, `ı`, `İ`, no U+0085/U+2028/U+2029
/// (see the module docs). At most one `'` each (AVOID: TS `''` bug).
const WORDS: &[&str] = &[
    "push",
    "PUSH",
    "Push",
    "pull_request",
    "main",
    "Main",
    "refs/heads/main",
    "refs/",
    "heads",
    "octocat",
    "OctoCat",
    "octo-org/octo-repo",
    "ubuntu-latest",
    "Ubuntu",
    "a",
    "A",
    "b",
    "abc",
    "ABC",
    "",
    " ",
    "héllo",
    "HÉLLO",
    "Café",
    "café",
    "日本",
    "🚀",
    "it's",
    "don't",
    "true",
    "false",
    "null",
    "True",
    "1",
    "01",
    "1.0",
    "2.50",
    " 12 ",
    "0x10",
    "0x1f",
    "1e3",
    "-5",
    "Infinity",
    "-Infinity",
    "NaN",
    "0o17",
    "bug",
    "needs-review",
    "ci",
    "Rust",
    "dist.zip",
    "success",
    "failure",
    "Object",
    "Array",
    "{0}",
    "{{",
    "}}",
    "x,y",
    "a b c",
    "[skip ci]",
    "\\n",
    "tab\there",
    "line\nbreak",
];

/// Strings that convert to numbers (or NaN) in comparisons and indexes. AVOID:
/// `0X10`/`0O17` (upper case), `0b1`, `+Infinity`, `infinity`, hex beyond 31
/// bits, all read differently by JS's `Number()` and the runner.
const NUMERIC_STRINGS: &[&str] = &[
    " 0x10 ",
    "\t12\n",
    "+5",
    "1.",
    ".5",
    "5e",
    "e5",
    "1e3 ",
    "0o17",
    "  ",
    "-0",
    "- 5",
    "1 2",
    "1,5",
    "0x-1",
    "00x10",
    "1n",
    "Infinity ",
    "-Infinity",
    "0x7fffffff",
    "-.5e-1",
    "0.0",
    "12",
    "0012",
    "1e-4",
    "3.0000",
    "0x0",
    "Nan",
];

/// Words for literal text inside `format` strings: no digits, no braces, no
/// quotes (AVOID: `{0x}`-style trailing garbage after a placeholder's digits).
const FORMAT_TEXT: &[&str] = &[
    "a",
    "Hello ",
    " world",
    "-",
    ", ",
    "x",
    "Build ",
    " on ",
    "/",
    "é",
    " ",
    "refs/heads/",
];

/// JSON documents that both `JSON.parse` and Newtonsoft accept identically.
const VALID_JSON: &[&str] = &[
    r#"{"a": 1, "b": [true, null, "x"]}"#,
    r#"[1, 2.5, "three", false]"#,
    r#""str""#,
    r#""MiXeD""#,
    "42",
    "-3.5",
    "1e2",
    "0",
    "true",
    "false",
    "null",
    "{}",
    "[]",
    r#"{"nested": {"k": "V", "list": [1, {"deep": true}]}}"#,
    " [ 1 ] ",
    r#"{"Name": "upper", "items": [{"id": 1}, {"id": 2}, {"other": 3}]}"#,
    r#"["a", "B", "c"]"#,
    r#"[[1, 2], [3, 4]]"#,
    r#"{"with-dash": "yes", "_under": 0}"#,
    r#""line\nbreak""#,
    r#""caf\u00e9""#,
    r#"{"num": 123456789, "dec": 0.125}"#,
];

/// Documents that both `JSON.parse` and Newtonsoft reject. AVOID anything
/// Newtonsoft is lenient about (see the module docs).
const INVALID_JSON: &[&str] = &[
    "{",
    "[1, 2",
    r#"{"a": }"#,
    r#""unterminated"#,
    "}",
    "tru",
    "nul",
    r#"{"a" 1}"#,
    ":",
    "",
    "   ",
    "push",
    "hello world",
];

const PARSE_ERRORS: &[&str] = &[
    // Unknown named values and functions.
    "secrets.token",
    "vars.name == 'x'",
    "Github2.sha",
    "toUpper('a')",
    "length(inputs.list)",
    "always2()",
    // Wrong numbers of arguments.
    "contains('a')",
    "startsWith('a', 'b', 'c')",
    "endsWith()",
    "join()",
    "join(inputs.list, ',', 'x')",
    "toJSON()",
    "toJSON(1, 2)",
    "fromJSON()",
    "fromJSON('1', '2')",
    "format()",
    "case(true, 1)",
    "case(true)",
    // Syntax.
    "(true",
    "true)",
    "1 ==",
    "== 1",
    "github.",
    "github..sha",
    "inputs.list[0",
    "inputs.list]",
    "github.sha github.ref",
    "!",
    "&& true",
    "true ||",
    "[0]",
    "github[]",
    "contains('a',)",
    "contains(,'a')",
    "format('{0}' 'x')",
    "()",
    "1 2",
    "github.*.",
    "inputs.list.0",
    "true == == false",
    "'a' 'b'",
    "github.'sha'",
    "github[*",
    "inputs[0",
    "format('{0}', )",
    ",",
    "(",
    ")",
    "!=1",
    "<1",
    "1 <",
    "true !",
    "!true!",
    "[",
    "]",
    "toJSON(1,)",
    "contains(1 2)",
    "(1)(2)",
    "join(())",
    "github.sha[0](1)",
    "inputs.list[]",
    "inputs.list[*]]",
    "inputs.list[0][",
    "github.*.*.",
    "github.event.(sha)",
    "github['event'].",
    "format",
    "contains",
    "TRUE",
    "Null",
    "nan",
    "infinity",
];

const LEX_ERRORS: &[&str] = &[
    "'unterminated",
    "1.2.3",
    "0x",
    "@foo",
    "github.sha = 'x'",
    "true & false",
    "true | false",
    "#",
    "$x",
    "1abc",
    "- 1",
    "'a' == 'b",
    "inputs.list[0]]'",
    "0o",
    "0o8",
    "0x1g",
    "1e",
    "1e+",
    ".",
    "..",
    "'a'.length",
    "github.-x",
    "~",
    "^",
    "%",
    "github.sha;",
    "1_000",
    // Not "0b101": JS's Number() reads binary (5), .NET does not.
    "-NaN",
    "--1",
    "'a' === 'a'",
    "github.sha !== 'x'",
    "a\\b",
];

#[derive(Clone, Copy)]
struct Opts {
    depth: u32,
    /// May produce constructs that fail at evaluation time.
    fallible: bool,
    /// Must not produce NaN / Infinity literals (for `toJSON`).
    finite: bool,
}

impl Opts {
    fn deeper(self) -> Self {
        Opts {
            depth: self.depth + 1,
            ..self
        }
    }
    fn safe(self) -> Self {
        Opts {
            fallible: false,
            ..self
        }
    }
    fn finite(self) -> Self {
        Opts {
            finite: true,
            ..self
        }
    }
}

/// Maximum recursion depth of the generator; keeps the parser depth well under 50.
const MAX_DEPTH: u32 = 4;

pub struct Generator {
    rng: Rng,
    ctx: Value,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        Generator {
            rng: Rng::new(seed),
            ctx: contexts(),
        }
    }

    /// One expression (without the `${{ }}`).
    pub fn expression(&mut self) -> String {
        let r = self.rng.below(1000);
        if r == 0 {
            // Around the length limit of 21,000 characters.
            let n = if self.rng.chance(50) { 20_990 } else { 21_000 };
            return format!("'{}'", "x".repeat(n));
        }
        if r < 20 {
            return (*self.rng.pick(PARSE_ERRORS)).to_owned();
        }
        if r < 30 {
            return (*self.rng.pick(LEX_ERRORS)).to_owned();
        }
        let opts = Opts {
            depth: 0,
            fallible: true,
            finite: false,
        };
        let e = self.expr(opts);
        // Occasional surrounding whitespace.
        match self.rng.below(10) {
            0 => format!(" {e} "),
            1 => format!("{e}\n"),
            _ => e,
        }
    }

    // ---------------------------------------------------------------- helpers

    fn sp(&mut self) -> &'static str {
        match self.rng.below(40) {
            0..=7 => "",
            8 | 9 => "  ",
            10 => "\t",
            11 => "\n",
            12 => "\r\n",
            _ => " ",
        }
    }

    fn comma(&mut self) -> &'static str {
        match self.rng.below(6) {
            0 => ",",
            1 => " , ",
            _ => ", ",
        }
    }

    /// Randomly re-case an ASCII name (names are case-insensitive).
    fn recase(&mut self, s: &str) -> String {
        match self.rng.below(10) {
            0 => s.to_ascii_uppercase(),
            1 => s.to_ascii_lowercase(),
            2 => s
                .chars()
                .map(|c| {
                    if self.rng.chance(50) {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect(),
            _ => s.to_owned(),
        }
    }

    fn func_name(&mut self, canonical: &str) -> String {
        self.recase(canonical)
    }

    // --------------------------------------------------------------- literals

    /// A string literal. AVOID: at most one `''` pair (TS unescapes only the first).
    fn string_lit(&mut self, value: &str) -> String {
        let mut seen_quote = false;
        let mut out = String::with_capacity(value.len() + 2);
        out.push('\'');
        for c in value.chars() {
            if c == '\'' {
                if seen_quote {
                    continue;
                }
                seen_quote = true;
                out.push_str("''");
            } else {
                out.push(c);
            }
        }
        out.push('\'');
        out
    }

    fn random_string(&mut self) -> String {
        match self.rng.below(12) {
            10 | 11 => (*self.rng.pick(NUMERIC_STRINGS)).to_owned(),
            0 => {
                let a = *self.rng.pick(WORDS);
                let b = *self.rng.pick(WORDS);
                format!("{a}{b}")
            }
            1 => {
                let w = *self.rng.pick(WORDS);
                // AVOID: re-casing number-like words: `0X10`, `0O17`, `INFINITY`,
                // `nan` parse differently in JS and .NET.
                if w.chars().any(|c| c.is_ascii_digit())
                    || w.contains("Infinity")
                    || w.contains("NaN")
                {
                    w.to_owned()
                } else {
                    self.recase(w)
                }
            }
            _ => (*self.rng.pick(WORDS)).to_owned(),
        }
    }

    fn number_lit(&mut self, finite: bool) -> String {
        // AVOID: magnitudes >= 1e15 or < 1e-4, > 15 significant digits, -0.
        let weights = [30, 10, 8, 5, 5, 4, 10, 8, 4, 6];
        match self.rng.weighted(&weights) {
            0 => self.rng.below(11).to_string(),
            1 => self.rng.below(100_000).to_string(),
            2 => {
                let choices = [
                    "0.5",
                    "1.5",
                    "3.14",
                    "2.50",
                    "0.1",
                    "0.25",
                    "10.0",
                    "99.99",
                    "123456.789",
                    ".5",
                    "0.001",
                    "2.",
                    "1.0",
                    "00",
                    "007",
                    "0.0",
                    "0.0001",
                    "1.",
                    "0.000123",
                    "12345678.9",
                    "99999999999999.9",
                    "0.3",
                ];
                (*self.rng.pick(&choices)).to_owned()
            }
            3 => {
                let choices = [
                    "1.5e3", "2E2", "1e-3", "1e0", "5e10", "2.5e-2", "1.25E+2", "3e14", "1e3",
                    ".5e1", "1e-400",
                ];
                (*self.rng.pick(&choices)).to_owned()
            }
            4 => {
                // AVOID: hex beyond 32 bits and upper-case 0X.
                let choices = ["0x1F", "0xff", "0x0", "0x10", "0xABCDEF", "0x7fffffff"];
                (*self.rng.pick(&choices)).to_owned()
            }
            5 => {
                let choices = ["0o17", "0o0", "0o777", "0o10"];
                (*self.rng.pick(&choices)).to_owned()
            }
            6 => format!("-{}", 1 + self.rng.below(1000)),
            7 => {
                let choices = ["-0.5", "-1.25", "-1e3", "-2.5e-2", "-3.14", "-.5"];
                (*self.rng.pick(&choices)).to_owned()
            }
            8 => {
                let choices = [
                    "123456789012345",
                    "100000000000000",
                    "4294967296",
                    "9007199254740",
                ];
                (*self.rng.pick(&choices)).to_owned()
            }
            _ => {
                if finite {
                    "7".to_owned()
                } else {
                    let choices = ["Infinity", "-Infinity", "NaN", "1e400", "-1e400"];
                    (*self.rng.pick(&choices)).to_owned()
                }
            }
        }
    }

    fn literal(&mut self, o: Opts) -> String {
        match self.rng.weighted(&[8, 10, 30, 40]) {
            0 => "null".to_owned(),
            1 => if self.rng.chance(50) { "true" } else { "false" }.to_owned(),
            2 => self.number_lit(o.finite),
            _ => {
                let s = self.random_string();
                self.string_lit(&s)
            }
        }
    }

    // ------------------------------------------------------------------ paths

    fn render_key(&mut self, key: &str) -> String {
        let legal = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let key = if self.rng.chance(15) {
            self.recase(key)
        } else {
            key.to_owned()
        };
        if legal && self.rng.chance(75) {
            format!(".{key}")
        } else {
            let lit = self.string_lit(&key);
            format!("[{lit}]")
        }
    }

    fn star(&mut self) -> &'static str {
        if self.rng.chance(50) { ".*" } else { "[*]" }
    }

    /// Accessors walking `value` (cloned so `self` stays free).
    fn accessors(&mut self, value: Option<Value>, max_steps: usize) -> String {
        let mut out = String::new();
        let mut cur = value;
        let steps = self.rng.below(max_steps + 1);
        for _ in 0..steps {
            let next = match cur.take() {
                Some(Value::Object(map)) if !map.is_empty() => {
                    let keys: Vec<String> = map.keys().cloned().collect();
                    match self.rng.weighted(&[75, 8, 10, 7]) {
                        0 => {
                            let k = self.rng.pick(&keys).clone();
                            out.push_str(&self.render_key(&k));
                            map.get(&k).cloned()
                        }
                        1 => {
                            let k = *self.rng.pick(&["missing", "nope-x", "Sha2", "_x", "0"]);
                            out.push_str(&self.render_key(k));
                            None
                        }
                        2 => {
                            out.push_str(self.star());
                            // Continue with a representative child.
                            let k = self.rng.pick(&keys).clone();
                            map.get(&k).cloned()
                        }
                        _ => {
                            // Computed key.
                            let k = self.rng.pick(&keys).clone();
                            let e = if self.rng.chance(50) {
                                let f = self.func_name("format");
                                let kl = self.string_lit(&k);
                                format!("{f}('{{0}}', {kl})")
                            } else {
                                let kl = self.string_lit(&k.to_ascii_uppercase());
                                let inner = self.rng.pick(&["", "(", "(("]).to_string();
                                let close: String = inner.chars().map(|_| ')').collect();
                                format!("{inner}{kl}{close}")
                            };
                            out.push_str(&format!("[{e}]"));
                            map.get(&k).cloned()
                        }
                    }
                }
                Some(Value::Array(arr)) if !arr.is_empty() => {
                    match self.rng.weighted(&[55, 8, 6, 8, 15, 8]) {
                        0 => {
                            let i = self.rng.below(arr.len());
                            out.push_str(&format!("[{i}]"));
                            arr.get(i).cloned()
                        }
                        1 => {
                            out.push_str(&format!("[{}]", arr.len() + self.rng.below(5)));
                            None
                        }
                        2 => {
                            let i = self.rng.below(arr.len());
                            out.push_str(&format!("['{i}']"));
                            arr.get(i).cloned()
                        }
                        3 => {
                            let idx = *self.rng.pick(&[
                                "1.5", "-1", "null", "true", "false", "'x'", "'1.9'", "' 1 '",
                                "0x1", "NaN",
                            ]);
                            out.push_str(&format!("[{idx}]"));
                            None
                        }
                        4 => {
                            out.push_str(self.star());
                            let i = self.rng.below(arr.len());
                            arr.get(i).cloned()
                        }
                        _ => {
                            // Computed, never failing index.
                            let idx = self.rng.pick(&[
                                "inputs.zero",
                                "inputs.count",
                                "inputs.list[0]",
                                "matrix.experimental",
                                "inputs.flag",
                                "env.NUM_STR",
                                "inputs.ratio",
                                "inputs.list",
                            ]);
                            out.push_str(&format!("[{idx}]"));
                            None
                        }
                    }
                }
                _ => {
                    // Primitive, empty or unknown: any access yields null (or an
                    // empty filter). Mostly stop here.
                    if self.rng.chance(75) {
                        break;
                    }
                    match self.rng.below(4) {
                        0 => out.push_str(".foo"),
                        1 => out.push_str("[0]"),
                        2 => out.push_str(self.star()),
                        _ => out.push_str("['bar']"),
                    }
                    None
                }
            };
            cur = next;
        }
        out
    }

    fn path(&mut self) -> String {
        let keys: Vec<String> = self
            .ctx
            .as_object()
            .map(|top| top.keys().cloned().collect())
            .unwrap_or_default();
        let k = self.rng.pick(&keys).clone();
        let value = self.ctx.get(&k).cloned();
        let name = if self.rng.chance(15) {
            self.recase(&k)
        } else {
            k
        };
        let acc = self.accessors(value, 5);
        format!("{name}{acc}")
    }

    /// A path that leads to an array (or a filter).
    fn array_expr(&mut self, o: Opts) -> String {
        let choices = [
            "inputs.list",
            "inputs.strings",
            "inputs.empty_list",
            "inputs.objects.*.name",
            "inputs.objects[*].value",
            "github.event.commits.*.message",
            "github.event.commits.*.modified.*",
            "github.event.repository.topics",
            "github.event.pull_request.labels.*.name",
            "inputs.nested.level1.level2.arr",
            "inputs.nested.level1.level2.arr[*][1]",
            "matrix.*",
            "env.*",
            "steps.*.outcome",
            "steps.*.outputs.*",
            "inputs.empty_obj.*",
            "github.event.commits[0].added",
        ];
        match self.rng.below(10) {
            0 => {
                let f = self.func_name("fromJSON");
                let j =
                    *self
                        .rng
                        .pick(&[r#"[1, 2.5, "three", false]"#, r#"["a", "B", "c"]"#, "[]"]);
                let lit = self.string_lit(j);
                format!("{f}({lit})")
            }
            1 => self.expr(o.deeper()),
            _ => (*self.rng.pick(&choices)).to_owned(),
        }
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, o: Opts) -> String {
        if o.depth >= MAX_DEPTH {
            return if self.rng.chance(50) {
                self.literal(o)
            } else {
                self.path()
            };
        }
        match self.rng.weighted(&[18, 24, 12, 8, 5, 4, 29]) {
            0 => self.literal(o),
            1 => self.path(),
            2 => self.comparison(o),
            3 => self.logical(o),
            4 => {
                let s = self.sp();
                let e = self.unary_operand(o);
                let bangs = if self.rng.chance(20) { "!!" } else { "!" };
                format!("{bangs}{s}{e}")
            }
            5 => {
                let e = self.expr(o.deeper());
                let acc = if self.rng.chance(20) {
                    self.blind_accessors()
                } else {
                    String::new()
                };
                format!("({e}){acc}")
            }
            _ => self.call(o),
        }
    }

    /// Operand of `!`: parenthesized unless it is an atom.
    fn unary_operand(&mut self, o: Opts) -> String {
        match self.rng.below(4) {
            0 => self.literal(o),
            1 => self.path(),
            2 => self.call(o.deeper()),
            _ => {
                let e = self.expr(o.deeper());
                format!("({e})")
            }
        }
    }

    fn comparison(&mut self, o: Opts) -> String {
        let op = *self.rng.pick(&["==", "!=", "<", "<=", ">", ">="]);
        let l = self.operand(o);
        let r = self.operand(o);
        let s1 = self.sp();
        let s2 = self.sp();
        format!("{l}{s1}{op}{s2}{r}")
    }

    fn operand(&mut self, o: Opts) -> String {
        // Mostly atoms; sometimes a nested expression, with or without
        // parentheses (precedence is part of what is tested).
        match self.rng.below(10) {
            0..=2 => self.literal(o),
            3..=5 => self.path(),
            6 | 7 => self.call(o.deeper()),
            8 => {
                let e = self.expr(o.deeper());
                format!("({e})")
            }
            _ => self.expr(o.deeper()),
        }
    }

    fn logical(&mut self, o: Opts) -> String {
        let n = 2 + self.rng.below(2);
        let mut out = String::new();
        for i in 0..n {
            if i > 0 {
                let op = if self.rng.chance(50) { "&&" } else { "||" };
                let s1 = self.sp();
                let s2 = self.sp();
                out.push_str(&format!("{s1}{op}{s2}"));
            }
            let e = self.operand(o);
            out.push_str(&e);
        }
        out
    }

    /// An expression that evaluates to a boolean (for `case` predicates).
    fn predicate(&mut self, o: Opts) -> String {
        if o.depth >= MAX_DEPTH {
            return if self.rng.chance(50) { "true" } else { "false" }.to_owned();
        }
        match self.rng.below(8) {
            0 => if self.rng.chance(50) { "true" } else { "false" }.to_owned(),
            1 | 2 => self.comparison(o.deeper()),
            3 => {
                let e = self.unary_operand(o.deeper());
                format!("!{e}")
            }
            4 => self.starts_ends_with(o.deeper()),
            5 => self.contains(o.deeper()),
            6 => {
                let a = self.predicate(o.deeper());
                let b = self.predicate(o.deeper());
                let op = if self.rng.chance(50) { "&&" } else { "||" };
                format!("({a} {op} {b})")
            }
            _ => {
                let p = *self.rng.pick(&[
                    "inputs.flag",
                    "inputs.off",
                    "matrix.experimental",
                    "github.event.forced",
                    "github.event.pull_request.draft",
                ]);
                p.to_owned()
            }
        }
    }

    fn call(&mut self, o: Opts) -> String {
        let call = match self.rng.weighted(&[14, 14, 16, 8, 10, 14, 8, 4]) {
            0 => self.contains(o),
            1 => self.starts_ends_with(o),
            2 => self.format_call(o),
            3 => self.join(o),
            4 => {
                // AVOID: NaN / Infinity under toJSON.
                let f = self.func_name("toJSON");
                let a = self.expr(o.deeper().finite());
                format!("{f}({a})")
            }
            5 => self.fromjson_call(o),
            6 => self.case(o),
            _ => return self.identity(o),
        };
        // Accessors on a call's result (mostly a string or boolean: null).
        if self.rng.chance(5) {
            let acc = self.blind_accessors();
            format!("{call}{acc}")
        } else {
            call
        }
    }

    /// Comparisons and lookups where object identity matters: arrays and
    /// objects are equal only when they are the same instance.
    fn identity(&mut self, o: Opts) -> String {
        const SAME: &[(&str, &str)] = &[
            ("inputs.list", "INPUTS['LIST']"),
            ("github.event", "github['event']"),
            ("inputs.empty_obj", "inputs.Empty_Obj"),
            ("inputs.objects[1]", "inputs['objects'][1]"),
            ("inputs.nested.level1", "inputs.nested['level1']"),
            ("inputs.empty_list", "inputs.empty_list"),
        ];
        const OTHER: &[&str] = &[
            "inputs.strings",
            "inputs.objects[0]",
            "fromJSON('[]')",
            "fromJSON('{}')",
            "inputs.list.*",
            "inputs.*",
            "inputs.empty_list",
            "inputs.nested",
        ];
        let (a, b) = *self.rng.pick(SAME);
        let (a, b) = if self.rng.chance(50) { (a, b) } else { (b, a) };
        let f = self.func_name("case");
        match self.rng.below(8) {
            0 => format!("{a} == {b}"),
            1 => format!("{a} != {b}"),
            2 => format!("{a} == {}", self.rng.pick(OTHER)),
            3 => format!("{a} == {f}(true, {b}, null)"),
            4 => {
                let c = self.func_name("contains");
                format!(
                    "{c}(inputs.objects, {})",
                    self.rng.pick(&[
                        "inputs.objects[1]",
                        "inputs.objects.*[1]",
                        "fromJSON('{\"name\": \"a\", \"value\": 1}')",
                        "inputs.objects[0]"
                    ])
                )
            }
            5 => format!("{a}.* == {b}.*"),
            6 => format!("{} {} {}", a, self.rng.pick(&["<", "<=", ">", ">="]), b),
            _ => {
                let l = self.literal(o);
                format!("{a} == {l}")
            }
        }
    }

    fn string_ish(&mut self, o: Opts) -> String {
        match self.rng.below(10) {
            0..=3 => {
                let s = self.random_string();
                self.string_lit(&s)
            }
            4..=6 => self.path(),
            7 => self.literal(o),
            _ => self.expr(o.deeper()),
        }
    }

    fn contains(&mut self, o: Opts) -> String {
        let f = self.func_name("contains");
        let haystack = match self.rng.below(10) {
            0..=3 => self.array_expr(o.deeper()),
            _ => self.string_ish(o.deeper()),
        };
        // AVOID: the runner evaluates the second argument lazily.
        let needle = if self.rng.chance(25) {
            (*self.rng.pick(&[
                "null", "0", "1", "''", "false", "true", "'TWO'", "'2.5'", "' 1 '", "'1e0'", "2.5",
                "'null'",
            ]))
            .to_owned()
        } else {
            self.string_ish(o.deeper().safe())
        };
        let c = self.comma();
        format!("{f}({haystack}{c}{needle})")
    }

    fn starts_ends_with(&mut self, o: Opts) -> String {
        let f = if self.rng.chance(50) {
            self.func_name("startsWith")
        } else {
            self.func_name("endsWith")
        };
        let a = self.string_ish(o.deeper());
        // AVOID: the runner evaluates the second argument lazily.
        let b = self.string_ish(o.deeper().safe());
        let c = self.comma();
        format!("{f}({a}{c}{b})")
    }

    fn join(&mut self, o: Opts) -> String {
        let f = self.func_name("join");
        let a = match self.rng.below(10) {
            0..=6 => self.array_expr(o.deeper()),
            _ => self.string_ish(o.deeper()),
        };
        if self.rng.chance(40) {
            format!("{f}({a})")
        } else {
            // AVOID: the runner evaluates the separator lazily.
            let sep = match self.rng.below(6) {
                0..=3 => {
                    let s = *self.rng.pick(&[", ", "-", "", " | ", "\n", "::", "''"]);
                    self.string_lit(s)
                }
                _ => self.expr(o.deeper().safe()),
            };
            let c = self.comma();
            format!("{f}({a}{c}{sep})")
        }
    }

    fn format_call(&mut self, o: Opts) -> String {
        let f = self.func_name("format");
        let nargs = self.rng.weighted(&[10, 35, 30, 15, 10]);
        let template = match self.rng.below(10) {
            0 => {
                // A non-literal format string.
                if nargs >= 1 {
                    "inputs.braces".to_owned()
                } else {
                    (*self.rng.pick(&[
                        "github.ref",
                        "inputs.name",
                        "inputs.count",
                        "inputs.nothing",
                    ]))
                    .to_owned()
                }
            }
            _ => {
                let invalid = o.fallible && self.rng.chance(12);
                let t = self.format_template(nargs, invalid);
                self.string_lit(&t)
            }
        };
        let mut out = format!("{f}({template}");
        for _ in 0..nargs {
            // AVOID: the runner evaluates arguments lazily, only when referenced.
            let a = self.expr(o.deeper().safe());
            let c = self.comma();
            out.push_str(c);
            out.push_str(&a);
        }
        out.push(')');
        out
    }

    fn format_template(&mut self, nargs: usize, invalid: bool) -> String {
        let pieces = 1 + self.rng.below(4);
        let mut parts: Vec<String> = Vec::new();
        for _ in 0..pieces {
            let p = match self.rng.below(10) {
                0..=3 => (*self.rng.pick(FORMAT_TEXT)).to_owned(),
                4..=7 if nargs > 0 => {
                    let i = self.rng.below(nargs);
                    if self.rng.chance(10) {
                        format!("{{0{i}}}")
                    } else {
                        format!("{{{i}}}")
                    }
                }
                8 => (*self.rng.pick(&["{{", "{{{{", "}}{{"])).to_owned(),
                9 if nargs > 0 && self.rng.chance(30) => {
                    format!("{{{{{{{}}}}}}}", self.rng.below(nargs))
                }
                9 => "}}".to_owned(),
                _ => (*self.rng.pick(FORMAT_TEXT)).to_owned(),
            };
            parts.push(p);
        }
        if invalid {
            let bad = match self.rng.below(8) {
                0 => format!("{{{nargs}}}"),
                1 => "{".to_owned(),
                2 => "}".to_owned(),
                3 => "{}".to_owned(),
                4 => "{ 0}".to_owned(),
                5 => "{x}".to_owned(),
                6 => "{-1}".to_owned(),
                _ => "{256}".to_owned(),
            };
            let at = self.rng.below(parts.len() + 1);
            parts.insert(at, bad);
        }
        parts.concat()
    }

    fn fromjson_call(&mut self, o: Opts) -> String {
        let f = self.func_name("fromJSON");
        let r = self.rng.below(100);
        if r < 65 {
            let j = *self.rng.pick(VALID_JSON);
            let lit = self.string_lit(j);
            let parsed: Option<Value> = serde_json::from_str(j).ok();
            let acc = if self.rng.chance(40) {
                self.accessors(parsed, 3)
            } else {
                String::new()
            };
            format!("{f}({lit}){acc}")
        } else if r < 77 {
            let t = self.func_name("toJSON");
            let a = self.expr(o.deeper().finite());
            format!("{f}({t}({a}))")
        } else if r < 90 {
            // Context strings that hold valid JSON.
            let p = *self.rng.pick(&[
                "inputs.json_str",
                "inputs.count",
                "inputs.flag",
                "matrix.node",
                "inputs.exp_str",
                "inputs.spaced_num",
                "inputs.true_str",
                "inputs.neg_str",
                "inputs.dec_str",
                "github.run_id",
                "env.CI",
                // null converts to '', which is no JSON: an error.
                "inputs.nothing",
            ]);
            let p = if p == "inputs.nothing" && !o.fallible {
                "inputs.count"
            } else {
                p
            };
            if p == "inputs.json_str" && self.rng.chance(50) {
                format!("{f}({p}).a[{}]", self.rng.below(4))
            } else {
                format!("{f}({p})")
            }
        } else if o.fallible {
            let j = *self.rng.pick(INVALID_JSON);
            let lit = self.string_lit(j);
            format!("{f}({lit})")
        } else {
            format!("{f}('[1, 2]')")
        }
    }

    fn case(&mut self, o: Opts) -> String {
        let f = self.func_name("case");
        let pairs = 1 + self.rng.below(2);
        let mut out = format!("{f}(");
        // AVOID: the runner evaluates `case` arguments lazily; all must be safe.
        let so = o.deeper().safe();
        for _ in 0..pairs {
            let p = self.predicate(so);
            let v = if self.rng.chance(25) {
                self.array_expr(so.deeper())
            } else {
                self.expr(so.deeper())
            };
            let c1 = self.comma();
            let c2 = self.comma();
            out.push_str(&format!("{p}{c1}{v}{c2}"));
        }
        let d = self.expr(so.deeper());
        out.push_str(&d);
        out.push(')');
        // `case` passes its value through: index it (filters must stay filters).
        if self.rng.chance(30) {
            let acc = self.blind_accessors();
            out.push_str(&acc);
        }
        out
    }

    /// One to three accessors applied to a value of unknown shape.
    fn blind_accessors(&mut self) -> String {
        let n = 1 + self.rng.below(3);
        let mut out = String::new();
        for _ in 0..n {
            let a = *self.rng.pick(&[
                ".foo", "[0]", "[1]", ".*", "[*]", ".name", "['name']", ".event", "[-1]", ".value",
                "['0']", ".ref",
            ]);
            out.push_str(a);
        }
        out
    }
}
