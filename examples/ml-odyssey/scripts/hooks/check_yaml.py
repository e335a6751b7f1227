"""A dependency-free YAML sanity check: no tab indentation, no duplicate
top-level keys. (A full parser would need PyYAML; pre-commit brings one, but
the hook keeps to the standard library so it runs anywhere.)"""

import re
import sys

KEY = re.compile(r"^([A-Za-z_][\w-]*):")


def main(paths):
    errors = []
    for path in paths:
        seen = {}
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if line.startswith("\t") or re.match(r"^ *\t", line):
                    errors.append(f"{path}:{number}: tab used for indentation")
                match = KEY.match(line)
                if match:
                    key = match.group(1)
                    if key in seen:
                        errors.append(f"{path}:{number}: duplicate top-level key {key!r} (first on line {seen[key]})")
                    seen[key] = number
    for error in errors:
        print(error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
