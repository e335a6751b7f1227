"""Fails (and fixes the files) when a line ends in spaces or tabs."""

import sys


def main(paths):
    bad = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
        fixed = "".join(line.rstrip(" \t\r\n") + ("\n" if line.endswith("\n") else "") for line in text.splitlines(True))
        if fixed != text:
            bad.append(path)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(fixed)
    for path in bad:
        print(f"fixed trailing whitespace: {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
