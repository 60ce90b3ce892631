#!/usr/bin/env python3
"""Golden and bad-input tests for `trace-atlas-cli dump --parsed`.

usage: golden_test.py --cli PATH [--dir DIR ...] [--live [--go GO]] [--strict]
                      [-k SUBSTRING] [-j N] [--timeout SECONDS] [-v]

For every case in each --dir (default: tests/golden and tests/badinput):

  * X.txt  a trace in Go's text format; converted to a binary in a temp dir
           with tests/tools/tracetext.py;
  * X.bin  a binary trace, used as is;

and its expectation X.expect (Go 1.26's exit status, stdout and stderr of
`TZ=UTC go tool trace -d=parsed`, written by tests/tools/regen-golden.sh), the
runner executes `CLI dump --parsed FILE` with TZ=UTC and a timeout, and checks:

  * the CLI did not crash (killed by a signal, or a shell's 128+N status) and
    did not time out;
  * Go succeeded  -> exit status 0 and stdout byte-identical to Go's;
  * Go failed     -> exit status 1, a non-empty stderr, and stdout identical to
                     what Go printed before its error.  If Go's message (its
                     first line) does not occur in ours, both are shown as
                     info (they need not match);
  * Go crashed    -> (Go panicked: see go-crashed in the .expect) the CLI must
                     exit 0 or 1 (1 with a message), without crashing.
  * Quirk cases   -> cases listed in a directory's quirks.txt also pass when
                     the CLI fails cleanly (exit 1 with a message) instead of
                     reproducing Go's quirk, unless --strict is given.

One extra case passes a directory as the input file: the CLI must fail with
exit status 1, a message on stderr and nothing on stdout.

--live regenerates the expectations on the fly with a Go >= 1.26 toolchain
(--go, else `go` on PATH) instead of reading the .expect files.

The last line is `golden: N passed, M failed`; the exit status is 1 if any
case failed (2 for usage errors).  Python 3 standard library only.
"""

import argparse
import concurrent.futures
import difflib
import os
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tools"))
import goldenexpect  # noqa: E402
import tracetext  # noqa: E402


class Case:
    def __init__(self, name, src, kind, expect_path, quirk):
        self.name = name          # display name, e.g. golden/heap-tie-order
        self.src = src            # .txt or .bin path
        self.kind = kind          # "txt" or "bin"
        self.expect_path = expect_path
        self.quirk = quirk        # reason string or None


def load_quirks(d):
    q = {}
    p = os.path.join(d, "quirks.txt")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                name, _, reason = line.partition("\t")
                q[name.strip()] = reason.strip() or "quirk"
    return q


def discover(dirs, pattern):
    cases = []
    for d in dirs:
        if not os.path.isdir(d):
            raise SystemExit("golden_test.py: no such directory: %s" % d)
        quirks = load_quirks(d)
        label = os.path.basename(os.path.normpath(d))
        for fn in sorted(os.listdir(d)):
            base, ext = os.path.splitext(fn)
            if ext not in (".txt", ".bin"):
                continue
            if fn == "quirks.txt":
                continue
            name = "%s/%s" % (label, base)
            if pattern and pattern not in name:
                continue
            cases.append(Case(name, os.path.join(d, fn), ext[1:],
                              os.path.join(d, base + ".expect"), quirks.get(base)))
    return cases


def crashed(rc):
    if rc < 0:
        return "killed by signal %s" % _signame(-rc)
    if 128 < rc < 128 + 65:
        return "exit status %d (a shell's report of signal %s)" % (rc, _signame(rc - 128))
    return None


def _signame(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return str(n)


def run_cli(cli, path, timeout):
    """Run `cli dump --parsed path` (TZ=UTC) in its own process group; on a
    timeout the whole group is killed.  Returns (rc, stdout, stderr, timed_out)."""
    env = dict(os.environ)
    env["TZ"] = "UTC"
    p = subprocess.Popen([cli, "dump", "--parsed", path], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err, False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        return None, out, err, True


def stdout_diff(want, got, limit=40):
    w = want.decode("utf-8", "replace").splitlines(keepends=True)
    g = got.decode("utf-8", "replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(w, g, "go (expected)", "cli (actual)", n=2))
    if not lines:
        # Differs only in bytes that decode identically, or in a final newline.
        return ["    (stdout differs in raw bytes: %d vs %d bytes)\n" % (len(want), len(got))]
    out = ["    " + ln if ln.endswith("\n") else "    " + ln + "\n" for ln in lines[:limit]]
    if len(lines) > limit:
        out.append("    ... (%d more diff lines)\n" % (len(lines) - limit))
    return out


def first_line(b):
    s = b.decode("utf-8", "replace").strip()
    return s.split("\n", 1)[0] if s else "(empty)"


def check_case(case, args, tmpdir):
    """Return (status, messages): status in pass/fail/tolerated; messages are
    lines to print (failures, infos)."""
    msgs = []
    # Input file.
    if case.kind == "txt":
        try:
            with open(case.src, "rb") as f:
                data = tracetext.text_to_binary(f.read())
        except (tracetext.TextFormatError, ValueError) as e:
            return "fail", ["  cannot convert %s: %s" % (case.src, e)]
        path = os.path.join(tmpdir, case.name.replace("/", "__") + ".bin")
        with open(path, "wb") as f:
            f.write(data)
    else:
        path = case.src
    # Expectation.
    try:
        if args.live:
            exp = goldenexpect.run_go(args.go, path)
        else:
            exp = goldenexpect.read_expect(case.expect_path)
    except FileNotFoundError:
        return "fail", ["  missing %s (run tests/tools/regen-golden.sh)" % case.expect_path]
    except goldenexpect.ExpectFormatError as e:
        return "fail", ["  bad expectation file %s: %s" % (case.expect_path, e)]

    rc, out, err, timed_out = run_cli(args.cli, path, args.timeout)
    if timed_out:
        return "fail", ["  CLI timed out after %g s" % args.timeout]
    c = crashed(rc)
    if c:
        return "fail", ["  CLI crashed: %s; stderr: %s" % (c, first_line(err))]

    problems = []
    if exp.go_crashed:
        if rc not in (0, 1):
            problems.append("exit status %d, want 0 or 1 (Go crashed on this input: %s)"
                            % (rc, first_line(exp.stderr)))
        elif rc == 1 and not err.strip():
            problems.append("exit status 1 but stderr is empty")
        else:
            msgs.append("  info: Go crashed here (%s); CLI exit %d%s" % (
                first_line(exp.stderr), rc, ", error: " + first_line(err) if rc else ""))
    elif exp.exit_status == 0:
        if rc != 0:
            problems.append("exit status %d, want 0; stderr: %s" % (rc, first_line(err)))
        if out != exp.stdout:
            problems.append("stdout differs from Go's")
    else:
        if rc != 1:
            problems.append("exit status %d, want 1 (Go failed with: %s)" % (rc, first_line(exp.stderr)))
        elif not err.strip():
            problems.append("exit status 1 but stderr is empty")
        if out != exp.stdout:
            problems.append("stdout differs from Go's (output before the error)")
        if rc == 1 and err.strip() and first_line(exp.stderr) not in err.decode("utf-8", "replace"):
            msgs.append("  info: error texts differ")
            msgs.append("      go:  %s" % first_line(exp.stderr))
            msgs.append("      cli: %s" % first_line(err))

    if not problems:
        return "pass", msgs
    if case.quirk and not args.strict and rc == 1 and err.strip():
        return "tolerated", ["  info: quirk case (%s): Go exit %d, CLI failed cleanly: %s"
                             % (case.quirk, exp.exit_status, first_line(err))]
    fail = ["  " + p for p in problems]
    if any("stdout" in p for p in problems):
        fail += [ln.rstrip("\n") for ln in stdout_diff(exp.stdout, out)]
    if case.quirk:
        fail.append("  (quirk case: %s)" % case.quirk)
    return "fail", fail + msgs


def check_directory(args, tmpdir):
    d = os.path.join(tmpdir, "a-directory.trace")
    os.makedirs(d, exist_ok=True)
    rc, out, err, timed_out = run_cli(args.cli, d, args.timeout)
    if timed_out:
        return "fail", ["  CLI timed out after %g s" % args.timeout]
    c = crashed(rc)
    if c:
        return "fail", ["  CLI crashed: %s" % c]
    problems = []
    if rc != 1:
        problems.append("exit status %d, want 1" % rc)
    if not err.strip():
        problems.append("no error message on stderr")
    if out:
        problems.append("unexpected stdout: %s" % first_line(out))
    if problems:
        return "fail", ["  " + p for p in problems]
    return "pass", ["  info: directory input -> %s" % first_line(err)] if args.verbose else []


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", required=True, help="path of trace-atlas-cli (or a stand-in)")
    ap.add_argument("--dir", action="append", help="case directory (repeatable)")
    ap.add_argument("--live", action="store_true", help="compute expectations with Go now")
    ap.add_argument("--go", help="go command for --live (default: go on PATH)")
    ap.add_argument("--strict", action="store_true", help="quirk cases must match Go too")
    ap.add_argument("-k", dest="pattern", help="only cases whose name contains this")
    ap.add_argument("-j", dest="jobs", type=int, default=2, help="parallel jobs (default 2)")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-case timeout in s (30)")
    ap.add_argument("-v", "--verbose", action="store_true", help="also list passing cases")
    args = ap.parse_args(argv)

    if not (os.path.isfile(args.cli) and os.access(args.cli, os.X_OK)):
        found = shutil.which(args.cli)
        if not found:
            print("golden_test.py: CLI %s is not an executable file" % args.cli, file=sys.stderr)
            return 2
        args.cli = found
    args.cli = os.path.abspath(args.cli)
    dirs = args.dir or [os.path.join(HERE, "golden"), os.path.join(HERE, "badinput")]
    if args.live:
        args.go = args.go or shutil.which("go")
        if not args.go:
            print("golden_test.py: --live needs a go command (--go or PATH)", file=sys.stderr)
            return 2
        try:
            vstr, (major, minor) = goldenexpect.go_version(args.go)
        except RuntimeError as e:
            print("golden_test.py: %s" % e, file=sys.stderr)
            return 2
        if (major, minor) < (1, 26):
            print("golden_test.py: --live needs Go >= 1.26, %s is %s" % (args.go, vstr), file=sys.stderr)
            return 2
        print("golden: live expectations from %s (%s)" % (args.go, vstr))

    cases = discover(dirs, args.pattern)
    results = {}
    with tempfile.TemporaryDirectory(prefix="trace-atlas-golden.") as tmpdir:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as ex:
            futs = {ex.submit(check_case, c, args, tmpdir): c.name for c in cases}
            if not args.pattern or args.pattern in "directory-input":
                futs[ex.submit(check_directory, args, tmpdir)] = "(directory-input)"
            for f in concurrent.futures.as_completed(futs):
                try:
                    results[futs[f]] = f.result()
                except Exception as e:  # a bug in the runner itself
                    results[futs[f]] = ("fail", ["  runner error: %r" % e])

    npass = nfail = ntol = 0
    for name in sorted(results):
        status, msgs = results[name]
        if status == "fail":
            nfail += 1
            print("FAIL %s" % name)
        elif status == "tolerated":
            ntol += 1
            npass += 1
            print("ok   %s (quirk tolerated)" % name)
        else:
            npass += 1
            if args.verbose or msgs:
                print("ok   %s" % name)
        for m in msgs:
            print(m)
    if ntol:
        print("golden: %d of the passed cases are quirk cases where a clean failure was accepted" % ntol)
    print("golden: %d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
