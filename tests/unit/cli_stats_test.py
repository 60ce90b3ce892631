#!/usr/bin/env python3
"""`trace-atlas-cli stats` counts distinct goroutines, procs and threads.

usage: cli_stats_test.py --cli PATH

IDs below 2^24 and above it are kept apart by the CLI (a bitmap, a hash
set), so the trace mixes both, with repeats. Python 3 standard library only.
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

TRACE = """Trace Go1.22
EventBatch gen=1 m=77 time=10 size=auto
GoCreateSyscall dt=1 new_g=8
GoSyscallEndBlocked dt=1
GoCreateSyscall dt=1 new_g=1099511627776
EventBatch gen=1 m=1099511627777 time=12 size=auto
GoCreateSyscall dt=1 new_g=20000000
ProcStatus dt=1 p=3 pstatus=2
EventBatch gen=1 m=18446744073709551615 time=30 size=auto
Frequency freq=15625000
EventBatch gen=1 m=18446744073709551615 time=31 size=auto
Stacks
EventBatch gen=1 m=18446744073709551615 time=32 size=auto
Strings
"""

WANT = ["events: 7", "goroutines: 3", "procs: 1", "threads: 2"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        txt = os.path.join(tmp, "ids.txt")
        binary = os.path.join(tmp, "ids.bin")
        with open(txt, "w") as f:
            f.write(TRACE)
        subprocess.run([sys.executable, os.path.join(HERE, "..", "tools", "tracetext.py"), txt,
                        "-o", binary], check=True)
        out = subprocess.run([args.cli, "stats", "--no-states", binary], check=True,
                             capture_output=True, text=True).stdout
    lines = out.splitlines()
    missing = [w for w in WANT if w not in lines]
    if missing:
        print(out)
        print("cli-stats: missing " + ", ".join(missing))
        return 1
    print("cli-stats: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
