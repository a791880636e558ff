#!/usr/bin/env python3
"""Reads meson's testlog.json and prints one line per failed test, then the closing
"N passed, N failed, N skipped" line that CI reads. Exit status 1 when anything failed."""
import json
import sys


def main(path: str) -> int:
    passed = failed = skipped = 0
    failures = []
    with open(path, encoding="utf-8") as log:
        for line in log:
            entry = json.loads(line)
            result = entry.get("result", "")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
                failures.append(f"{entry.get('name')}: {result}")
    for failure in failures:
        print(f"FAILED {failure}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/meson-logs/testlog.json"))
