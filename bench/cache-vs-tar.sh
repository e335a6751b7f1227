#!/usr/bin/env bash
# Times the native actions/cache built-in's save and restore against
# `tar --zstd -cf` / `tar --zstd -xf` on the same tree, in the same run.
#
#   bench/cache-vs-tar.sh [REPS]        (default 5)
#
# The tree: 200 MB in 20,000 files under 200 directories, deterministic (a
# fixed seed), mixed sizes (most files 1-16 KB, a few of 100 KB-1 MB), about
# half of the bytes compressible text and half random.
#
# Gantry's side is crates/gantry-run/examples/cache_bench.rs, built in release
# mode: it opens a cache store in a temporary data directory and calls the
# built-in (actions/cache/save, actions/cache/restore) once, timing only that
# call (not process startup). tar's side is timed around the tar command.
# Each repetition runs gantry save, tar -c, gantry restore, tar -x, alternating,
# each into a fresh directory, after a `sync` (so that no timing pays for the
# write-back of the one before); the medians are compared. The page cache is
# warm for both (the tree is read once before the first timing).
#
# The goal (issue 6): gantry at least 0.9x tar's speed both ways, that is a
# ratio tar_time / gantry_time of at least 0.9. CACHEBENCH_KEEP=1 keeps the
# temporary directory.
set -euo pipefail

REPS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for tool in tar zstd python3; do
  command -v "$tool" >/dev/null || { echo "cache-vs-tar: $tool is needed" >&2; exit 1; }
done

echo "building the cache_bench example (release)…" >&2
cargo build --quiet --release --manifest-path "$ROOT/Cargo.toml" -p gantry-run --example cache_bench
BIN="$ROOT/target/release/examples/cache_bench"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gantry-cachebench.XXXXXX")
if [[ -z "${CACHEBENCH_KEEP:-}" ]]; then
  trap 'rm -rf "$TMP"' EXIT
else
  echo "keeping $TMP" >&2
fi

SRC="$TMP/src"
mkdir -p "$SRC"
echo "writing the tree…" >&2
python3 - "$SRC/tree" <<'PY'
import os, random, sys
root = sys.argv[1]
rng = random.Random(20261127)
words = [w.encode() for w in "fn let mut struct impl pub use crate self match Some None Ok Err return if else for while loop String Vec Option Result u64 usize &str => -> :: { } ( ) ; , .".split()]
TARGET, FILES = 200_000_000, 20_000
big = set(rng.sample(range(FILES), 100))          # 100 files of 100 KB - 1 MB
sizes = [rng.randint(100 << 10, 1 << 20) if i in big else rng.randint(1 << 10, 16 << 10) for i in range(FILES)]
scale = TARGET / sum(sizes)
sizes = [max(64, int(s * scale)) for s in sizes]
text = bytearray()
while len(text) < 4 << 20:
    line = b" ".join(rng.choice(words) for _ in range(rng.randint(3, 14)))
    text += b"    " * rng.randint(0, 3) + line + b"\n"
text = bytes(text)
total = 0
for i, size in enumerate(sizes):
    d = os.path.join(root, f"d{i % 200:03d}")
    os.makedirs(d, exist_ok=True)
    if i % 2 == 0:
        start = rng.randrange(0, len(text) - size) if size < len(text) else 0
        body = (text[start:start + size] * (size // len(text) + 1))[:size]
        name = f"f{i:05d}.rs"
    else:
        body = rng.randbytes(size)
        name = f"f{i:05d}.bin"
    with open(os.path.join(d, name), "wb") as f:
        f.write(body)
    total += size
print(f"{FILES} files, {total / 1e6:.1f} MB", file=sys.stderr)
PY
du -sh "$SRC/tree" >&2
tar -cf - -C "$SRC" tree >/dev/null   # warm the page cache

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

g_save=() g_restore=() t_create=() t_extract=() p_create=()
for ((i = 1; i <= REPS; i++)); do
  DATA="$TMP/data$i"
  sync
  s=$("$BIN" save "$SRC" "$DATA" "bench-$i" tree 2>"$TMP/save$i.log") || { cat "$TMP/save$i.log" >&2; exit 1; }
  g_save+=("$s")

  sync
  t0=$(now); tar --zstd -cf "$TMP/tree$i.tar.zst" -C "$SRC" tree; t1=$(now)
  t_create+=("$(elapsed "$t0" "$t1")")

  # The archive format the real client writes (and gantry keeps, for
  # sub-second mtimes): POSIX pax headers.
  sync
  t0=$(now); tar --posix --zstd -cf "$TMP/treep$i.tar.zst" -C "$SRC" tree; t1=$(now)
  p_create+=("$(elapsed "$t0" "$t1")")
  rm -f "$TMP/treep$i.tar.zst"

  mkdir -p "$TMP/g$i"
  sync
  r=$("$BIN" restore "$TMP/g$i" "$DATA" "bench-$i" tree 2>"$TMP/restore$i.log") || { cat "$TMP/restore$i.log" >&2; exit 1; }
  g_restore+=("$r")

  mkdir -p "$TMP/t$i"
  sync
  t0=$(now); tar --zstd -xf "$TMP/tree$i.tar.zst" -C "$TMP/t$i"; t1=$(now)
  t_extract+=("$(elapsed "$t0" "$t1")")

  # Both restored the same files.
  if ! diff -rq "$TMP/g$i/tree" "$TMP/t$i/tree" >/dev/null; then
    echo "cache-vs-tar: the restored trees differ (rep $i)" >&2
    exit 1
  fi
  g_size=$(find "$DATA" -type f -size +1M -printf '%s\n' | sort -n | tail -1)
  t_size=$(stat -c %s "$TMP/tree$i.tar.zst")
  echo "rep $i: gantry save ${g_save[-1]}s restore ${g_restore[-1]}s | tar -c ${t_create[-1]}s --posix -c ${p_create[-1]}s -x ${t_extract[-1]}s" >&2
  rm -rf "$TMP/g$i" "$TMP/t$i" "$TMP/tree$i.tar.zst" "$DATA"
  sync
done

gs=$(median "${g_save[@]}"); gr=$(median "${g_restore[@]}")
tc=$(median "${t_create[@]}"); tx=$(median "${t_extract[@]}"); pc=$(median "${p_create[@]}")
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }
echo
echo "cache save vs tar --zstd -cf, restore vs -xf: 200 MB, 20,000 files, median of $REPS"
echo "archive size: gantry $((g_size / 1000000)) MB, tar --zstd $((t_size / 1000000)) MB"
printf '| | gantry built-in | tar --zstd | speed vs tar (goal >= 0.9) |\n|---|---|---|---|\n'
printf '| save / -cf | %ss | %ss | %sx |\n' "$gs" "$tc" "$(ratio "$tc" "$gs")"
printf '| restore / -xf | %ss | %ss | %sx |\n' "$gr" "$tx" "$(ratio "$tx" "$gr")"
printf '| save / --posix -cf (same format) | %ss | %ss | %sx |\n' "$gs" "$pc" "$(ratio "$pc" "$gs")"
