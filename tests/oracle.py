#!/usr/bin/env python3
"""Oracle test: compare `trace-atlas-cli dump` with Go 1.26's `go tool trace -d`.

For every fixture tests/fixtures/<fmt>/<name>.trace[.zst] this runs

    TZ=UTC CLI dump --parsed FIXTURE        (or --wire)

and expects stdout byte for byte identical to `TZ=UTC go tool trace
-d=parsed` (or -d=wire) on the decompressed trace, and the same exit status
(Go prints the events before a parse error, then the error on stderr, and
exits 1). Stderr is not compared: error texts need not match.

If the `go` on PATH is Go 1.26 or newer, Go is run live and each mismatch is
shown as its first differing lines. Otherwise (or with --manifest) the CLI
output is checked against the manifests recorded in
tests/fixtures/expected/<fmt>/<name>.<mode> (stdout sha256, line count, exit
status).

    oracle.py --cli build/src/cli/trace-atlas-cli --fixtures tests/fixtures
    oracle.py --record --fixtures tests/fixtures     (used by testprog/regen.sh)

Python standard library only; .zst fixtures are decompressed with the zstd
command (or compression.zstd where Python has it).
"""

import argparse
import concurrent.futures
import difflib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

MODES = ("parsed", "wire")
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MAX_DIFF_LINES = 10
MIN_GO_MINOR = 26


class Output:
    """What one command printed and how it ended."""

    def __init__(self, stdout=b"", stderr=b"", status=None, timed_out=False, error=None):
        self.stdout = stdout
        self.stderr = stderr
        self.status = status  # exit status; negative for a signal, None if it did not run
        self.timed_out = timed_out
        self.error = error  # why it did not run

    def describe_status(self):
        if self.error:
            return self.error
        if self.timed_out:
            return "timed out"
        if self.status is not None and self.status < 0:
            return "killed by signal %d" % -self.status
        return "exit %s" % self.status


def run(argv, timeout, cwd=None):
    """Runs argv with TZ=UTC, capturing output; kills its process group on timeout."""
    env = dict(os.environ, TZ="UTC")
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=cwd,
                                start_new_session=True)
    except OSError as e:
        return Output(error="cannot run %s: %s" % (argv[0], e))
    try:
        out, err = proc.communicate(timeout=timeout)
        return Output(out, err, proc.returncode)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        out, err = proc.communicate()
        return Output(out, err, proc.returncode, timed_out=True)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def count_lines(data):
    """Number of lines, counting a final line without a newline."""
    n = data.count(b"\n")
    if data and not data.endswith(b"\n"):
        n += 1
    return n


def decompress(data):
    if not data.startswith(ZSTD_MAGIC):
        return data
    try:
        from compression import zstd  # Python 3.14+
        return zstd.decompress(data)
    except ImportError:
        pass
    if not shutil.which("zstd"):
        raise RuntimeError("a .zst fixture needs the zstd command (or Python 3.14+)")
    p = subprocess.run(["zstd", "-q", "-d", "-c"], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if p.returncode != 0:
        raise RuntimeError("zstd -d failed: %s" % p.stderr.decode(errors="replace").strip())
    return p.stdout


class Fixture:
    def __init__(self, root, fmt, filename):
        self.path = os.path.join(root, fmt, filename)
        self.fmt = fmt
        self.name = re.sub(r"\.trace(\.zst)?$", "", filename)
        self.id = "%s/%s" % (fmt, self.name)
        self.root = root
        self._raw = None
        self._sha = None

    def manifest_path(self, mode):
        return os.path.join(self.root, "expected", self.fmt, "%s.%s" % (self.name, mode))

    def raw(self, tmpdir):
        """Path of the decompressed trace (the fixture itself if not compressed)."""
        if self._raw is None:
            with open(self.path, "rb") as f:
                data = f.read()
            if data.startswith(ZSTD_MAGIC):
                path = os.path.join(tmpdir, "%s-%s.trace" % (self.fmt, self.name))
                with open(path, "wb") as f:
                    f.write(decompress(data))
                self._raw = path
            else:
                self._raw = self.path
        return self._raw

    def trace_sha256(self, tmpdir):
        if self._sha is None:
            with open(self.raw(tmpdir), "rb") as f:
                self._sha = sha256(f.read())
        return self._sha


def find_fixtures(root, only):
    fixtures = []
    for fmt in sorted(os.listdir(root)):
        d = os.path.join(root, fmt)
        if not re.fullmatch(r"\d+", fmt) or not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            if re.search(r"\.trace(\.zst)?$", fn):
                fx = Fixture(root, fmt, fn)
                if only is None or re.search(only, fx.id):
                    fixtures.append(fx)
    return fixtures


def go_version(go):
    """Returns (version string, minor number) of the go command, or (None, None)."""
    with tempfile.TemporaryDirectory() as d:  # keep any go.mod's toolchain line out of it
        out = run([go, "env", "GOVERSION"], 120, cwd=d)
    if out.status != 0:
        return None, None
    v = out.stdout.decode(errors="replace").strip()
    m = re.search(r"go1\.(\d+)", v)
    return v, (int(m.group(1)) if m else None)


def run_go(go, fx, mode, timeout, tmpdir):
    return run([go, "tool", "trace", "-d=" + mode, fx.raw(tmpdir)], timeout, cwd=tmpdir)


def run_cli(cli, fx, mode, timeout, tmpdir):
    return run([cli, "dump", "--" + mode, fx.path], timeout, cwd=tmpdir)


# --- manifests -----------------------------------------------------------------

def format_manifest(fx, mode, goversion, trace_sha, out):
    stderr = out.stderr.decode("utf-8", errors="backslashreplace")
    if stderr and not stderr.endswith("\n"):
        stderr += "\n"
    return (
        "# Oracle manifest: `TZ=UTC go tool trace -d=%s` on this fixture (decompressed).\n"
        "# Written by tests/oracle.py --record; regenerate with tests/testprog/regen.sh.\n"
        "fixture: %s\n"
        "trace-sha256: %s\n"
        "go: %s\n"
        "mode: %s\n"
        "stdout-sha256: %s\n"
        "stdout-lines: %d\n"
        "stdout-bytes: %d\n"
        "exit: %d\n"
        "stderr:\n%s" % (mode, os.path.relpath(fx.path, fx.root), trace_sha, goversion, mode,
                         sha256(out.stdout), count_lines(out.stdout), len(out.stdout),
                         out.status, stderr))


def read_manifest(path):
    fields = {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line.startswith("#") or not line:
            continue
        key, _, value = line.partition(":")
        if key == "stderr":
            fields["stderr"] = "\n".join(lines[i + 1:])
            break
        fields[key] = value.strip()
    for key in ("stdout-sha256", "stdout-lines", "exit"):
        if key not in fields:
            raise ValueError("%s: no %s field" % (path, key))
    return fields


# --- comparison ----------------------------------------------------------------

def show_line(b):
    s = b.decode("utf-8", errors="backslashreplace")
    return s if len(s) <= 160 else s[:160] + "..."


def line_diff(want, got):
    """Describes where got departs from want: the first differing lines, with
    line numbers, aligned by difflib over a window after the first mismatch."""
    a, b = want.split(b"\n"), got.split(b"\n")
    # A final newline leaves an empty last element; drop it so that "no more
    # lines" is visible as the end of the list.
    if a and a[-1] == b"":
        a.pop()
    if b and b[-1] == b"":
        b.pop()
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    msgs = ["    first difference at line %d" % (i + 1)]
    for side, mine, other in (("cli", b, a), ("go", a, b)):
        if i == len(mine):
            msgs.append("    %s output ends there; %s goes on with %d more lines:" % (side, "go" if side == "cli" else "cli", len(other) - i))
            for k in range(i, min(i + 3, len(other))):
                msgs.append("      %7d | %s" % (k + 1, show_line(other[k])))
            return msgs
    window = 400
    wa, wb = a[i:i + window], b[i:i + window]
    sm = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    shown = 0
    for tag, a0, a1, b0, b1 in sm.get_opcodes():
        if tag == "equal":
            continue
        for k in range(a0, a1):
            msgs.append("    - go  %7d | %s" % (i + k + 1, show_line(wa[k])))
        for k in range(b0, b1):
            msgs.append("    + cli %7d | %s" % (i + k + 1, show_line(wb[k])))
        shown += max(a1 - a0, b1 - b0)
        if shown >= MAX_DIFF_LINES:
            break
    limit = 1 + 2 * MAX_DIFF_LINES
    if len(msgs) > limit:
        msgs = msgs[:limit] + ["    ... (further differences not shown)"]
    return msgs


def stderr_head(out, who):
    text = out.stderr.decode("utf-8", errors="backslashreplace").strip().splitlines()
    return ["    %s stderr: %s" % (who, l) for l in text[:3]]


def compare_live(fx, mode, go_out, cli_out):
    """Returns a list of problem lines (empty when identical)."""
    problems = []
    if go_out.error or go_out.timed_out or (go_out.status is not None and go_out.status < 0):
        return ["go tool trace failed: %s" % go_out.describe_status()] + stderr_head(go_out, "go")
    if cli_out.error or cli_out.timed_out:
        return ["cli %s" % cli_out.describe_status()] + stderr_head(cli_out, "cli")
    if cli_out.status != go_out.status:
        problems.append("exit status: go %s, cli %s" % (go_out.status, cli_out.describe_status()))
        problems += stderr_head(go_out, "go") + stderr_head(cli_out, "cli")
    if cli_out.stdout != go_out.stdout:
        problems.append("stdout differs: go %d lines / %d bytes, cli %d lines / %d bytes" % (
            count_lines(go_out.stdout), len(go_out.stdout),
            count_lines(cli_out.stdout), len(cli_out.stdout)))
        problems += line_diff(go_out.stdout, cli_out.stdout)
    return problems


def compare_manifest(fx, mode, manifest, trace_sha, cli_out):
    if manifest.get("trace-sha256") and manifest["trace-sha256"] != trace_sha:
        return ["manifest %s is stale (fixture changed): rerun tests/testprog/regen.sh"
                % fx.manifest_path(mode)]
    if cli_out.error or cli_out.timed_out:
        return ["cli %s" % cli_out.describe_status()] + stderr_head(cli_out, "cli")
    problems = []
    want_exit = int(manifest["exit"])
    if cli_out.status != want_exit:
        problems.append("exit status: go %d, cli %s" % (want_exit, cli_out.describe_status()))
        problems += stderr_head(cli_out, "cli")
    if sha256(cli_out.stdout) != manifest["stdout-sha256"]:
        problems.append("stdout differs from the recorded go output: go %s lines, cli %d lines "
                        "(put Go >= 1.%d on PATH to see the differing lines)"
                        % (manifest["stdout-lines"], count_lines(cli_out.stdout), MIN_GO_MINOR))
    return problems


def drift(fx, manifest, go_out, tmpdir):
    """Notes (not failures) when live Go disagrees with the recorded manifest,
    e.g. because a newer Go changed its output: the manifests need regenerating."""
    if manifest is None or go_out.status is None or go_out.timed_out:
        return []
    if manifest.get("trace-sha256") != fx.trace_sha256(tmpdir):
        return ["manifest is stale (fixture changed); rerun tests/testprog/regen.sh"]
    if (sha256(go_out.stdout) != manifest["stdout-sha256"]
            or go_out.status != int(manifest["exit"])):
        return ["live go output differs from the manifest recorded with %s"
                % manifest.get("go", "?")]
    return []


# --- main ----------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cli", help="path of trace-atlas-cli")
    ap.add_argument("--fixtures", required=True, help="fixture directory (tests/fixtures)")
    ap.add_argument("--mode", choices=MODES + ("both",), default=None,
                    help="-d mode to compare (default parsed; --record defaults to both)")
    ap.add_argument("--go", default="go", help="go command (default: go on PATH)")
    ap.add_argument("--manifest", action="store_true",
                    help="compare against the recorded manifests even if Go >= 1.26 is available")
    ap.add_argument("--record", action="store_true",
                    help="(re)write the expected/ manifests from live Go >= 1.26; no CLI needed")
    ap.add_argument("--only", metavar="REGEX", help="only fixtures whose <fmt>/<name> matches")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per command (default 60)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="fixtures checked in parallel")
    ap.add_argument("-v", "--verbose", action="store_true", help="also list identical fixtures")
    args = ap.parse_args()

    mode = args.mode or ("both" if args.record else "parsed")
    modes = MODES if mode == "both" else (mode,)
    root = os.path.abspath(args.fixtures)
    if not os.path.isdir(root):
        ap.error("no fixture directory %s" % root)
    fixtures = find_fixtures(root, args.only)
    if not fixtures:
        print("oracle: no fixtures found in %s" % root, file=sys.stderr)
        return 2

    goversion, gominor = go_version(args.go)
    live = gominor is not None and gominor >= MIN_GO_MINOR and not args.manifest

    if args.record:
        if not live:
            print("oracle: --record needs Go >= 1.%d (found %s)" % (MIN_GO_MINOR, goversion),
                  file=sys.stderr)
            return 2
        return record(args, fixtures, modes, goversion)

    if not args.cli:
        ap.error("--cli is required")
    cli = os.path.abspath(args.cli)
    if not os.access(cli, os.X_OK):
        ap.error("%s is not an executable" % cli)

    print("oracle: %d fixtures, mode %s, against %s" % (
        len(fixtures), mode,
        "live %s" % goversion if live else "recorded manifests (go: %s)" % (goversion or "not found")))

    with tempfile.TemporaryDirectory(prefix="oracle-") as tmpdir:
        def check(job):
            """Returns (problems, notes) for one fixture and mode."""
            fx, m = job
            try:
                cli_out = run_cli(cli, fx, m, args.timeout, tmpdir)
                mpath = fx.manifest_path(m)
                manifest = read_manifest(mpath) if os.path.exists(mpath) else None
                if live:
                    go_out = run_go(args.go, fx, m, args.timeout, tmpdir)
                    return compare_live(fx, m, go_out, cli_out), drift(fx, manifest, go_out, tmpdir)
                if manifest is None:
                    return ["no manifest %s: run tests/testprog/regen.sh" % mpath], []
                return compare_manifest(fx, m, manifest, fx.trace_sha256(tmpdir), cli_out), []
            except Exception as e:  # a broken fixture or manifest is a failure, not a crash
                return ["error: %s" % e], []

        jobs = [(fx, m) for fx in fixtures for m in modes]
        # Decompress serially first so parallel jobs never race on the same file.
        for fx in fixtures:
            try:
                fx.raw(tmpdir)
            except Exception:
                pass
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(check, jobs))

    same = 0
    for (fx, m), (problems, notes) in zip(jobs, results):
        label = "%s (%s)" % (fx.id, m)
        for n in notes:
            print("note %s: %s" % (label, n))
        if problems:
            print("DIFF %s" % label)
            for p in problems:
                print("  " + p if not p.startswith("    ") else p)
        else:
            same += 1
            if args.verbose:
                print("ok   %s" % label)
    print("oracle: %d/%d identical" % (same, len(jobs)))
    return 0 if same == len(jobs) else 1


def record(args, fixtures, modes, goversion):
    failures = 0
    with tempfile.TemporaryDirectory(prefix="oracle-") as tmpdir:
        def one(job):
            fx, m = job
            out = run_go(args.go, fx, m, args.timeout, tmpdir)
            if out.error or out.timed_out or out.status is None or out.status < 0:
                return fx, m, out, None
            text = format_manifest(fx, m, goversion, fx.trace_sha256(tmpdir), out)
            path = fx.manifest_path(m)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            return fx, m, out, path

        for fx in fixtures:
            fx.raw(tmpdir)
        jobs = [(fx, m) for fx in fixtures for m in modes]
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            for fx, m, out, path in pool.map(one, jobs):
                if path is None:
                    failures += 1
                    print("FAIL %s (%s): go tool trace %s" % (fx.id, m, out.describe_status()))
                    continue
                err = out.stderr.decode("utf-8", errors="backslashreplace").strip()
                print("%-32s %-6s exit %d  %7d lines%s" % (
                    fx.id, m, out.status, count_lines(out.stdout),
                    ("  stderr: " + err.splitlines()[0][:100]) if err else ""))
    print("oracle: recorded %d manifests with %s" % (len(fixtures) * len(modes) - failures, goversion))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
