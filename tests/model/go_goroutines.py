#!/usr/bin/env python3
"""Per-goroutine time per state as Go's `go tool trace` reports it.

Starts `go tool trace -http=127.0.0.1:PORT FILE`, reads the goroutine
analysis pages (/goroutines, then /goroutine?name=... for every start
location) and prints one canonical line per goroutine:

    g<ID> total=<ns> exec=<ns> sched=<ns> syscall=<ns> block[<reason>]=<ns> ... unknown=<ns>

(keys sorted, zero values left out; durations in integer nanoseconds, parsed
exactly from Go's time.Duration text). The model tests compare these lines
with the model's own accounting.

    go_goroutines.py FILE            print to stdout
    go_goroutines.py --write DIR     write DIR/<format>-<name>.txt for every fixture
                     --fixtures DIR  (with --write) the fixtures directory
"""
import argparse
import html
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

UNITS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 1000000, "s": 1000000000,
         "m": 60 * 1000000000, "h": 3600 * 1000000000}
DUR_RE = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text):
    """Go's Duration.String() back to integer nanoseconds, exactly."""
    text = text.strip()
    neg = text.startswith("-")
    if neg:
        text = text[1:]
    if text == "0s" or text == "":
        return 0
    total = 0
    pos = 0
    for m in DUR_RE.finditer(text):
        if m.start() != pos:
            raise ValueError("bad duration %r" % text)
        pos = m.end()
        num, unit = m.group(1), m.group(2)
        scale = UNITS[unit]
        if "." in num:
            whole, frac = num.split(".")
            total += int(whole) * scale
            # the fraction is exact in the unit's decimal digits
            digits = len(frac)
            total += int(frac) * scale // (10 ** digits)
        else:
            total += int(num) * scale
    if pos != len(text):
        raise ValueError("bad duration %r" % text)
    return -total if neg else total


def find_go():
    go = shutil.which("go")
    if go:
        return go
    if os.path.exists("/usr/local/go/bin/go"):
        return "/usr/local/go/bin/go"
    return None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fetch(url, tries=600, proc=None):
    last = None
    for _ in range(tries):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("go tool trace exited: %s" % proc.stdout.read().decode(errors="replace")[-500:])
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                return r.read().decode("utf-8")
        except Exception as e:  # server not up yet
            last = e
            time.sleep(0.1)
    raise RuntimeError("cannot fetch %s: %s" % (url, last))


CELL_RE = re.compile(r"<t([dh])[^>]*>(.*?)</t[dh]>", re.S)
ROW_RE = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
TAG_RE = re.compile(r"<[^>]+>")


def cells(row_html):
    return [(k, html.unescape(TAG_RE.sub("", v)).strip()) for k, v in CELL_RE.findall(row_html)]


def scrape(trace, go):
    if trace.endswith(".zst"):
        # go tool trace reads plain traces only
        import tempfile
        with tempfile.NamedTemporaryFile(suffix=".trace") as tmp:
            subprocess.run(["zstd", "-q", "-d", "-c", trace], stdout=tmp, check=True)
            tmp.flush()
            return scrape(tmp.name, go)
    port = free_port()
    env = dict(os.environ, TZ="UTC")
    proc = subprocess.Popen([go, "tool", "trace", "-http=127.0.0.1:%d" % port, trace],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        base = "http://127.0.0.1:%d" % port
        page = fetch(base + "/goroutines", proc=proc)
        names = [html.unescape(n) for n in re.findall(r'href="/goroutine\?name=([^"]*)"', page)]
        out = {}
        for name in names:
            q = urllib.parse.quote(urllib.parse.unquote(name), safe="")
            gp = fetch(base + "/goroutine?name=" + q, tries=50, proc=proc)
            # the breakdown table is the first table.details
            m = re.search(r'<table class="details">(.*?)</table>', gp, re.S)
            if not m:
                continue
            rows = ROW_RE.findall(m.group(1))
            if not rows:
                continue
            header = [v for k, v in cells(rows[0])]
            # header: Goroutine, Total, (bar), stat names...
            stat_names = header[3:]
            for row in rows[1:]:
                c = [v for k, v in cells(row)]
                if len(c) < 3:
                    continue
                gid = int(c[0])
                rec = {"total": parse_duration(c[1])}
                for sname, val in zip(stat_names, c[3:]):
                    rec[stat_key(sname)] = parse_duration(val)
                out[gid] = rec
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def stat_key(name):
    fixed = {
        "Execution time": "exec",
        "Sched wait time": "sched",
        "Syscall execution time": "syscall",
        "Block time (syscall)": "syscall_block",
        "Unknown time": "unknown",
    }
    if name in fixed:
        return fixed[name]
    m = re.match(r"Block time \((.*)\)$", name)
    if m:
        return "block[%s]" % m.group(1)
    return name


def lines(stats):
    out = []
    for gid in sorted(stats):
        rec = stats[gid]
        parts = ["g%d" % gid]
        for k in sorted(rec):
            if rec[k]:
                parts.append("%s=%d" % (k, rec[k]))
        out.append(" ".join(parts))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace", nargs="?")
    ap.add_argument("--write")
    ap.add_argument("--fixtures")
    a = ap.parse_args()
    go = find_go()
    if not go:
        print("go not found", file=sys.stderr)
        return 77
    if a.write:
        os.makedirs(a.write, exist_ok=True)
        for fmt in sorted(os.listdir(a.fixtures)):
            d = os.path.join(a.fixtures, fmt)
            if not os.path.isdir(d) or not fmt.isdigit():
                continue
            for f in sorted(os.listdir(d)):
                if not (f.endswith(".trace") or f.endswith(".trace.zst")):
                    continue
                path = os.path.join(d, f)
                name = "%s-%s.txt" % (fmt, f.split(".trace")[0])
                try:
                    st = scrape(path, go)
                except Exception as e:
                    print("%s: %s" % (path, e), file=sys.stderr)
                    continue
                with open(os.path.join(a.write, name), "w") as fh:
                    fh.write(lines(st))
                print("wrote", name, len(st), "goroutines", file=sys.stderr)
        return 0
    sys.stdout.write(lines(scrape(a.trace, go)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
