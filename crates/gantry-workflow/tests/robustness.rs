//! Truncated and byte-mutated corpus files never make loading or lowering panic.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap too

mod common;

use common::{action_files, corpus_dir, workflow_files};
use gantry_workflow::{parse_action, parse_workflow};

/// A small deterministic xorshift generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[u8] = b":-[]{}\"'&*!|>#\t\n %@,?~0.$";

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Prefixes of `src` cut at random places.
fn truncations(src: &str, rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| src[..floor_char_boundary(src, rng.below(src.len() + 1))].to_owned())
        .collect()
}

/// Copies of `src` with a few ASCII bytes replaced, inserted or deleted.
fn mutations(src: &str, rng: &mut Rng, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        let mut bytes = src.as_bytes().to_vec();
        for _ in 0..1 + rng.below(4) {
            if bytes.is_empty() {
                break;
            }
            let at = rng.below(bytes.len());
            if !bytes[at].is_ascii() {
                continue;
            }
            let c = INTERESTING[rng.below(INTERESTING.len())];
            match rng.below(3) {
                0 => bytes[at] = c,
                1 => bytes.insert(at, c),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        // Only ASCII bytes were touched at ASCII positions, so this stays UTF-8.
        out.push(String::from_utf8(bytes).unwrap());
    }
    out
}

#[test]
fn mutated_corpus_never_panics() {
    let start = std::time::Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let corpus = corpus_dir();
    let mut inputs = 0usize;
    for (path, is_action) in workflow_files(&corpus)
        .into_iter()
        .map(|p| (p, false))
        .chain(action_files(&corpus).into_iter().map(|p| (p, true)))
    {
        let src = std::fs::read_to_string(&path).unwrap();
        let mut variants = truncations(&src, &mut rng, 3);
        variants.extend(mutations(&src, &mut rng, 4));
        for v in variants {
            inputs += 1;
            let cross = inputs.is_multiple_of(5);
            let result = std::panic::catch_unwind(|| {
                if is_action {
                    let _ = parse_action(&v);
                } else {
                    let _ = parse_workflow(&v);
                }
                // Lowering a workflow as an action (and vice versa) must not panic either.
                if cross {
                    let _ = if is_action {
                        parse_workflow(&v).1
                    } else {
                        parse_action(&v).1
                    };
                }
            });
            if result.is_err() {
                let dump = std::env::temp_dir().join("gantry-workflow-panic.yml");
                std::fs::write(&dump, &v).unwrap();
                panic!(
                    "panic on a variant of {} (written to {})",
                    path.display(),
                    dump.display()
                );
            }
        }
    }
    eprintln!("{inputs} variants in {:?}", start.elapsed());
}

#[test]
fn diagnostics_point_inside_the_source() {
    let mut rng = Rng(42);
    for path in workflow_files(&corpus_dir()).into_iter().take(60) {
        let src = std::fs::read_to_string(&path).unwrap();
        for v in mutations(&src, &mut rng, 3) {
            let (_, diags) = parse_workflow(&v);
            for d in diags {
                assert!(d.span.start.offset <= d.span.end.offset, "{d:?}");
                assert!(d.span.end.offset <= v.len(), "{d:?}");
                assert!(v.is_char_boundary(d.span.start.offset), "{d:?}");
                assert!(v.is_char_boundary(d.span.end.offset), "{d:?}");
                assert!(d.span.start.line >= 1 && d.span.start.column >= 1, "{d:?}");
            }
        }
    }
}
