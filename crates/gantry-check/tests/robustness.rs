//! No input makes the checker panic: every corpus file, truncated at many
//! points and with bytes mutated, goes through load + every rule.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use gantry_check::{Config, NoRepo, check_action, check_workflow};

fn corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        &mut v,
    );
    v.sort();
    v
}

/// A small deterministic generator (splitmix64) so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[&[u8]] = &[
    b"${{",
    b"}}",
    b":",
    b"- ",
    b"\n",
    b"'",
    b"\"",
    b"&a",
    b"*a",
    b"[",
    b"]",
    b"{",
    b"}",
    b"!",
    b"#",
    b"\t",
    b"  ",
    b"|",
    b">",
    b"on",
    b"jobs",
    b"needs",
    b"matrix",
    b"uses: ./x",
    b"\xff",
];

fn check_both(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = check_workflow(
        &text,
        Some(".github/workflows/x.yml"),
        &Config::default(),
        &NoRepo,
    );
    let _ = check_action(&text, Some("action.yml"), &Config::default(), &NoRepo);
}

#[test]
fn truncated_and_mutated_corpus_files_never_panic() {
    let files = corpus_files();
    assert!(files.len() > 300);
    let mut rng = Rng(0x5eed_0001);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        // Truncations at a few points, including inside multi-byte text.
        for _ in 0..3 {
            let cut = rng.below(bytes.len() + 1);
            check_both(&bytes[..cut]);
        }
        // Mutations: overwrite, insert or delete a few bytes.
        for _ in 0..3 {
            let mut m = bytes.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(m.len() + 1);
                match rng.below(3) {
                    0 if at < m.len() => m[at] = rng.next() as u8,
                    1 => {
                        let piece = INTERESTING[rng.below(INTERESTING.len())];
                        m.splice(at..at, piece.iter().copied());
                    }
                    _ if at < m.len() => {
                        m.remove(at);
                    }
                    _ => {}
                }
            }
            check_both(&m);
        }
    }
}
