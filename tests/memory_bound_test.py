#!/usr/bin/env python3
"""Memory stays in proportion to the input on traces of absurd shape.

usage: memory_bound_test.py --cli PATH --tracetext PATH [--no-rss]
       memory_bound_test.py --tracetext PATH --print-expected [--go GO]

Builds, in a temp dir, traces whose one generation holds 100,000 threads,
each with one batch of one to three events (a few bytes each), and runs
`CLI dump --parsed`, `CLI stats --no-states` (the decoder) and
`CLI index --no-cache` (the model) on them.  Each run must end without a
crash (exit 0, or 1 with a message on stderr); `dump --parsed` must print
what Go 1.26's `go tool trace -d=parsed` prints (its exit status and the
sha256 of its stdout are in EXPECTED; --print-expected recomputes them with
Go).  With that many threads each cursor of the decoder reads ahead a single
event, a path ordinary traces never take.

Unless --no-rss (sanitizer builds, whose shadow memory would count), the
decoder's runs (dump, stats) peak at most at 32 MiB + 32 x the file's size.
Before its read-ahead buffers were shared between threads, 100,000 threads
of one event each (a 1.2 MB file) took 435 MB; now 38 MB.  (Go 1.26's own
reader takes 160-180 MB on these.)  The model's peak is printed, not
bounded: every proc and thread gets a summary track of a few KB, so
100,000 procs (many-procs, 2.2 MB) take 760 MB; 2.2 GB before its chunked
arrays started at 4 elements instead of 64, its level pages were reserved
for the entry at hand and its published views held only the levels a track
has.

The last line is `memory-bound: N passed, M failed`.  Standard library only.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile

MIB = 1 << 20
RSS_BASE = 32 * MIB
# Bytes of peak RSS allowed per byte of file (see above).
RSS_PER_BYTE = {"dump": 32, "stats": 32}
THREADS = 100_000

HEADER = [
    "Trace Go1.26",
    "EventBatch gen=1 m=18446744073709551615 time=400 size=15",
    "Sync",
    "Frequency freq=15625000",
    "ClockSnapshot dt=0 mono=1 sec=1700000000 nsec=0",
]


def trace_text(event):
    """A generation of THREADS threads, thread m's one batch holding event(m)."""
    lines = list(HEADER)
    for m in range(THREADS):
        lines.append("EventBatch gen=1 m=%d time=%d size=0" % (m, 500 + m))
        lines.append(event(m))
    lines.append("EndOfGeneration")
    return "\n".join(lines) + "\n"


CASES = {
    # Every thread allocates (HeapAlloc) without a proc: Go fails on the
    # first one ("expected a proc but didn't have one"), after the whole
    # generation has been read.
    "many-threads-without-proc": lambda m: "HeapAlloc dt=0 heapalloc_value=1",
    # Every thread reports an idle proc of its own, starts and stops it:
    # valid, 100,000 procs.
    "many-procs": lambda m: ("ProcStatus dt=0 p=%d pstatus=2\nProcStart dt=%d p=%d p_seq=1\n"
                             "ProcStop dt=%d" % (m, 1 + m % 7, m, 1 + m % 5)),
}

# Go 1.26's `go tool trace -d=parsed` on each case (TZ=UTC): exit status,
# sha256 of stdout.
EXPECTED = {
    "many-threads-without-proc": (1, "a7d70d0fa42a375bdefa1b18332d480f0ee4e9890359e1cc9288a85911912e38"),
    "many-procs": (0, "2cd0ed118f33c5a870d86a3400e8ed95aa2440b3bdb54163f9c3f7db5f9c7ee9"),
}


def build(tracetext, tmp, name, event):
    txt = os.path.join(tmp, name + ".txt")
    out = os.path.join(tmp, name + ".trace")
    with open(txt, "w") as f:
        f.write(trace_text(event))
    subprocess.run([sys.executable, tracetext, "--fix-sizes", txt], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, tracetext, txt, "-o", out], check=True)
    return out


def run(argv, tmp):
    """Runs argv with TZ=UTC; returns (exit status or -signal, sha256 of
    stdout, stderr, peak RSS in bytes). The peak comes from GNU time, whose
    own small process forks the command: a child forked from this script
    would count the script's memory in its peak."""
    env = dict(os.environ, TZ="UTC")
    peak_file = os.path.join(tmp, "peak")
    timed = ["/usr/bin/time", "-f", "%M", "-o", peak_file] if os.path.exists("/usr/bin/time") else []
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.run(timed + argv, stdout=out, stderr=err, env=env)
        code = proc.returncode
        if timed and code != 0:
            # GNU time reports a signal as "Command terminated by signal N".
            with open(peak_file) as f:
                first = f.readline()
            if first.startswith("Command terminated by signal"):
                code = -int(first.split()[-1])
        out.seek(0)
        digest = hashlib.sha256()
        for block in iter(lambda: out.read(1 << 20), b""):
            digest.update(block)
        err.seek(0)
        peak = 0
        if timed:
            with open(peak_file) as f:
                peak = int(f.read().split()[-1]) * 1024
        return code, digest.hexdigest(), err.read().decode(errors="replace"), peak


def print_expected(args):
    with tempfile.TemporaryDirectory() as tmp:
        for name, event in CASES.items():
            path = build(args.tracetext, tmp, name, event)
            code, digest, _, _ = run([args.go, "tool", "trace", "-d=parsed", path], tmp)
            print('    "%s": (%d, "%s"),' % (name, code, digest))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli")
    ap.add_argument("--tracetext", required=True)
    ap.add_argument("--no-rss", action="store_true")
    ap.add_argument("--print-expected", action="store_true")
    ap.add_argument("--go", default="go")
    args = ap.parse_args()
    if args.print_expected:
        return print_expected(args)
    if not args.cli:
        ap.error("--cli is required")

    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, event in CASES.items():
            path = build(args.tracetext, tmp, name, event)
            size = os.path.getsize(path)
            for what in (["dump", "--parsed"], ["stats", "--no-states"], ["index", "--no-cache"]):
                factor = RSS_PER_BYTE.get(what[0])
                limit = RSS_BASE + factor * size if factor else None
                code, digest, err, rss = run([args.cli] + what + [path], tmp)
                label = "%s %s" % (what[0], name)
                problems = []
                if what[0] == "dump" and (code, digest) != EXPECTED[name]:
                    problems.append("exit %d, stdout sha256 %s; Go 1.26: exit %d, %s"
                                    % ((code, digest) + EXPECTED[name]))
                if code not in (0, 1):
                    problems.append("exit status %d (crash?)" % code)
                if code == 1 and not err.strip():
                    problems.append("exit status 1 without a message")
                if not args.no_rss and limit and not rss:
                    problems.append("no peak RSS (needs GNU time at /usr/bin/time)")
                elif not args.no_rss and limit and rss > limit:
                    problems.append("peak RSS %.1f MiB > %.1f MiB (32 MiB + %d x %d bytes)"
                                    % (rss / MIB, limit / MIB, factor, size))
                if problems:
                    failed += 1
                    print("FAIL %s: %s" % (label, "; ".join(problems)))
                    if err.strip():
                        print("  stderr: " + err.strip().splitlines()[-1])
                else:
                    passed += 1
                    print("ok   %s: exit %d, peak RSS %.1f MiB (%s, file %d bytes)"
                          % (label, code, rss / MIB,
                             "limit %.1f MiB" % (limit / MIB) if limit else "not bounded", size))
    print("memory-bound: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
