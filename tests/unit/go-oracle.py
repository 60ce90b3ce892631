#!/usr/bin/env python3
"""go-oracle.py: replay the unit tests' traces through Go's own parser.

    TA_UNIT_DUMP=/tmp/ta-unit meson test -C BUILD --suite unit
    tests/unit/go-oracle.py /tmp/ta-unit [--go /usr/local/go/bin/go] [-v]

Every NAME.bin written by a unit test (tb_check) has the expected text in
NAME.want: the `go tool trace -d=parsed` stdout, then optionally a line
"!! TEXT" when parsing must fail, TEXT being a substring of the error. This
runs Go 1.26 on each NAME.bin (TZ=UTC) and reports every case where Go's
stdout differs from the expectation, where Go's exit status disagrees, or
where Go's error does not contain TEXT. Exit status 1 if any case differs.
Python standard library only.
"""

import argparse
import difflib
import os
import subprocess
import sys


def split_want(text):
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("!! "):
            return "\n".join(lines[:i]) + ("\n" if i else ""), line[3:]
    return text, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--go", default=os.environ.get("GO", "/usr/local/go/bin/go"))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    env = dict(os.environ, TZ="UTC")
    names = sorted(f[:-4] for f in os.listdir(args.dir) if f.endswith(".bin"))
    bad = 0
    for name in names:
        base = os.path.join(args.dir, name)
        with open(base + ".want", encoding="utf-8", errors="surrogateescape") as f:
            want_out, want_err = split_want(f.read())
        p = subprocess.run([args.go, "tool", "trace", "-d=parsed", base + ".bin"],
                           capture_output=True, env=env)
        out = p.stdout.decode("utf-8", "surrogateescape")
        err = p.stderr.decode("utf-8", "surrogateescape").strip()
        problems = []
        if out != want_out:
            diff = difflib.unified_diff(want_out.splitlines(), out.splitlines(),
                                        "expected", "go", lineterm="", n=2)
            problems.append("stdout differs:\n" + "\n".join(diff))
        if want_err is None and p.returncode != 0:
            problems.append("go failed: " + err)
        if want_err is not None:
            if p.returncode == 0:
                problems.append("go succeeded, expected error: " + want_err)
            elif want_err not in err:
                problems.append("go error %r lacks %r" % (err[:300], want_err))
        if problems:
            bad += 1
            print("DIFF %s\n  %s" % (name, "\n  ".join(problems)))
        elif args.verbose:
            print("ok   %s" % name)
    print("%d traces, %d differ from Go" % (len(names), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
