"""Fails (and fixes the files) unless a non-empty file ends in exactly one newline."""

import sys


def main(paths):
    bad = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        if not data:
            continue
        fixed = data.rstrip(b"\n") + b"\n"
        if fixed != data:
            bad.append(path)
            with open(path, "wb") as f:
                f.write(fixed)
    for path in bad:
        print(f"fixed end of file: {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
