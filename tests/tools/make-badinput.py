#!/usr/bin/env python3
"""Generate the hand-made bad-input traces of tests/badinput/.

Usage: make-badinput.py [OUTDIR]        (default: tests/badinput next to this tool)

Writes one NAME.bin per case plus README.md listing what each case is.  The
output is deterministic (no time stamps, seeded pseudo-random bytes), so
re-running it only changes files when this script changes.  The expected Go
results (NAME.expect) are produced by regen-golden.sh.

Python 3 standard library only.
"""

import gzip
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tracetext as tt  # noqa: E402

NT = tt.NOTHREAD
ev = tt.event_bytes
uv = tt.uvarint


def det_bytes(seed, n):
    """Deterministic pseudo-random bytes (SHA-256 in counter mode)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s:%d" % (seed.encode(), i)).digest()
        i += 1
    return bytes(out[:n])


# --- building blocks -------------------------------------------------------

def sync_batch(gen, time, freq=15625000, snap=True, fmt=26):
    if fmt < 25:
        return tt.batch(gen, NT, time, ev("Frequency", freq))
    p = bytes([50]) + ev("Frequency", freq)
    if snap:
        p += ev("ClockSnapshot", 1, 1000 + gen, 1700000000 + gen, 0)
    return tt.batch(gen, NT, time, p)


def strings_batch(gen, time, strings):
    p = bytes([4])
    for sid, s in strings:
        p += ev("String", sid, data=s)
    return tt.batch(gen, NT, time, p)


def stacks_batch(gen, time, stacks):
    p = bytes([2])
    for sid, frames in stacks:
        p += ev("Stack", sid, len(frames), frames=frames)
    return tt.batch(gen, NT, time, p)


def good_events():
    """A P, a running goroutine that blocks on string 1 with stack 1."""
    return (ev("ProcStatus", 1, 0, 1) + ev("GoStatus", 1, 1, 7, 2)
            + ev("GoBlock", 5, 1, 1))


# Later generations: the goroutine is re-announced as waiting and unblocked.
GEN2_EVENTS = (ev("ProcStatus", 1, 0, 1) + ev("GoStatus", 1, 1, 7, 4)
               + ev("GoUnblock", 1, 1, 1, 1))
STRINGS = [(1, b"sleep"), (2, b"main.main"), (3, b"/src/main.go")]
STACKS = [(1, [(0x401000, 2, 3, 10)])]


def generation(gen, t0, fmt, events=None, eog=True):
    """A complete, valid generation of format fmt (sync, events, tables)."""
    if events is None:
        events = good_events() if gen == 1 else GEN2_EVENTS
    out = b""
    if fmt >= 25:
        out += sync_batch(gen, t0, fmt=fmt)
    out += tt.batch(gen, 7, t0 + 10, events)
    if fmt < 25:
        out += sync_batch(gen, t0 + 15, fmt=fmt)
    out += stacks_batch(gen, t0 + 20, STACKS)
    out += strings_batch(gen, t0 + 21, STRINGS)
    if fmt >= 26 and eog:
        out += bytes([52])
    return out


def good_trace(fmt=26, gens=2):
    out = tt.header(fmt)
    for g in range(1, gens + 1):
        out += generation(g, 100 * g, fmt)
    return out


def one_gen_with_events(events, fmt=26, strings=STRINGS, stacks=STACKS):
    return (tt.header(fmt) + sync_batch(1, 100, fmt=fmt) + tt.batch(1, 7, 110, events)
            + stacks_batch(1, 120, stacks) + strings_batch(1, 121, strings)
            + (bytes([52]) if fmt >= 26 else b""))


# --- the cases -------------------------------------------------------------

def cases():
    C = []

    def add(name, desc, data):
        C.append((name, desc, data))

    good26 = good_trace(26)
    good25 = good_trace(25)
    body26 = good26[16:]

    # Headers and versions
    add("zero-length", "an empty file", b"")
    add("bad-header-text", "a text file, not a trace", b"this is not a Go execution trace\n" * 3)
    add("bad-header-short", "only the first 10 bytes of a header", b"go 1.26 tr")
    add("bad-header-two-nuls", "header with 2 instead of 3 NULs (15 bytes), then a valid body",
        b"go 1.26 trace\0\0" + body26)
    add("unknown-version-1.24", 'header "go 1.24 trace" (no runtime writes it) + valid format-26 body',
        tt.header(24) + body26)
    add("unknown-version-1.99", 'header "go 1.99 trace" + valid format-26 body', tt.header(99) + body26)
    add("v1-header-only", 'header "go 1.21 trace" (legacy v1 format), nothing else', tt.header(21))
    add("v1-header-garbage", 'header "go 1.21 trace" followed by bytes that are no v1 trace',
        tt.header(21) + b"\x01\x02\x03garbage")
    add("header-lenient-leading-zero",
        'header "go 1.026 trace\\0\\0\\0" (17 bytes): Go\'s Fscanf("go 1.%d trace...") '
        "reads 026 as 26 and ACCEPTS it", b"go 1.026 trace\0\0\0" + body26)
    add("header-lenient-double-space",
        'header "go 1.26  trace\\0\\0\\0" (17 bytes): a space in Go\'s Fscanf format '
        "matches any run of spaces, so Go ACCEPTS it", b"go 1.26  trace\0\0\0" + body26)
    add("header-lenient-tab",
        'header "go 1.26\\ttrace\\0\\0\\0": Go ACCEPTS a tab where the format has a space',
        b"go 1.26\ttrace\0\0\0" + body26)
    add("gzip", "a gzip-compressed valid trace", gzip.compress(good26, mtime=0))
    add("random-bytes", "4 KiB of pseudo-random bytes", det_bytes("random", 4096))
    add("random-after-header", "a format-26 header, then 4 KiB of pseudo-random bytes",
        tt.header(26) + det_bytes("after-header", 4096))
    add("random-after-header-fmt22", "a format-22 header, then 4 KiB of pseudo-random bytes",
        tt.header(22) + det_bytes("after-header-22", 4096))

    # Framing
    add("expected-batch", "after the header, a String event byte (5) instead of a batch",
        tt.header(26) + bytes([5, 1, 1, 65]))
    add("oversized-batch", "a batch whose size field is 70000 (> 65536), with 70000 bytes following",
        tt.header(26) + bytes([1]) + uv(1) + uv(7) + uv(100) + uv(70000) + bytes(70000))
    add("oversized-batch-huge", "a batch size of 2^63 (allocation guard)",
        tt.header(26) + bytes([1]) + uv(1) + uv(7) + uv(100) + uv(1 << 63))
    add("batch-size-exceeds-file", "a batch size of 60000 with only 8 payload bytes in the file",
        tt.header(26) + bytes([1]) + uv(1) + uv(7) + uv(100) + uv(60000) + bytes(8))
    add("truncated-varint-gen", "EventBatch header cut inside the gen uvarint",
        tt.header(26) + bytes([1, 0x80]))
    add("truncated-varint-size", "EventBatch header cut inside the size uvarint",
        tt.header(25) + bytes([1]) + uv(1) + uv(7) + uv(100) + bytes([0x85]))
    add("varint-overflow-10th-byte", "batch gen uvarint whose 10th byte is 0x02 (overflow)",
        tt.header(26) + bytes([1]) + b"\xff" * 9 + b"\x02" + uv(7) + uv(1) + uv(0))
    add("varint-overflow-11-bytes", "batch M uvarint of 11 bytes (0x80 x10, 0x00)",
        tt.header(26) + bytes([1]) + uv(1) + b"\x80" * 10 + b"\x00" + uv(1) + uv(0))
    add("varint-overflow-in-event", "event argument uvarint of 10 bytes ending in 0x7f",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + bytes([37]) + uv(1)
                            + b"\xff" * 9 + b"\x7f"))
    add("varint-overflow-in-dt", "event timestamp delta of 10 bytes ending in 0x02",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + bytes([37]) + b"\xff" * 9 + b"\x02" + uv(5)))
    add("truncated-event-arg", "event batch ending inside an event's argument list",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + bytes([25, 1, 1])))
    add("generation-zero", "a batch with generation number 0", tt.header(26) + tt.batch(0, 7, 100, b""))
    add("generation-zero-fmt23", "a batch with generation number 0 (format 23)",
        tt.header(23) + tt.batch(0, 7, 100, b""))

    # Event types
    add("unknown-event-type-60", "an event batch containing event type 60 (unused slot)",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + bytes([60, 1, 1, 1])))
    add("unknown-event-type-200", "an event batch containing event type 200 (past the table)",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + bytes([200, 1, 1, 1])))
    add("event-type-zero", "an event batch containing event type 0",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + bytes([0, 1])))
    add("untimed-event-in-batch", "a Stack record (type 3) inside an event batch",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + ev("Stack", 1, 0)))

    # Table IDs
    add("bad-string-id", "GoBlock whose reason_string is 99 (not in the string table)",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + ev("GoStatus", 1, 1, 7, 2) + ev("GoBlock", 5, 99, 1)))
    add("bad-stack-id", "GoBlock whose stack is 77 (not in the stack table)",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + ev("GoStatus", 1, 1, 7, 2) + ev("GoBlock", 5, 1, 77)))
    add("bad-new-stack-id", "GoCreate whose new_stack (2nd stack arg) is 55 (not in the table)",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + ev("GoStatus", 1, 1, 7, 2)
                            + ev("GoCreate", 1, 2, 55, 1)))
    add("bad-string-id-region", "UserRegionBegin whose name string 42 does not exist",
        one_gen_with_events(ev("ProcStatus", 1, 0, 1) + ev("GoStatus", 1, 1, 7, 2)
                            + ev("UserRegionBegin", 1, 0, 42, 0)))
    add("cpu-sample-bad-stack-id", "a CPU sample whose stack ID 31 is not in the stack table "
        "(the parser does not validate sample stacks)",
        tt.header(26) + sync_batch(1, 100) + tt.batch(1, 7, 110, ev("ProcStatus", 1, 0, 1))
        + tt.batch(1, NT, 111, bytes([6]) + ev("CPUSample", 112, 7, 0, 0, 31))
        + stacks_batch(1, 120, STACKS) + strings_batch(1, 121, STRINGS) + bytes([52]))
    add("cpu-samples-bad-inner-byte", "a CPU-samples batch containing a String event",
        tt.header(26) + sync_batch(1, 100)
        + tt.batch(1, NT, 111, bytes([6]) + ev("String", 1, data=b"x")) + bytes([52]))
    add("cpu-sample-truncated", "a CPU-samples batch ending inside a sample, after a complete "
        "first generation (Go: io.EOF, trace ends silently after generation 1)",
        good_trace(26, gens=1) + sync_batch(2, 200)
        + tt.batch(2, NT, 211, bytes([6, 7]) + uv(212) + uv(7)) + bytes([52]))

    # Tables
    add("missing-frequency", "format 26: the sync batch has a ClockSnapshot but no Frequency",
        tt.header(26) + tt.batch(1, NT, 100, bytes([50]) + ev("ClockSnapshot", 1, 1, 1, 1))
        + tt.batch(1, 7, 110, ev("ProcStatus", 1, 0, 1)) + bytes([52]))
    add("missing-frequency-fmt22", "format 22: event and table batches but no frequency batch",
        tt.header(22) + tt.batch(1, 7, 110, good_events()) + stacks_batch(1, 120, STACKS)
        + strings_batch(1, 121, STRINGS))
    add("zero-frequency", "format 26: Frequency 0 (division by zero in the unit conversion)",
        tt.header(26) + tt.batch(1, NT, 100, bytes([50]) + ev("Frequency", 0) + ev("ClockSnapshot", 1, 1, 1, 1))
        + tt.batch(1, 7, 110, ev("ProcStatus", 1, 0, 1)) + bytes([52]))
    add("huge-nframes", "a stack with nframes = 1000 (> 128)",
        tt.header(26) + sync_batch(1, 100)
        + tt.batch(1, NT, 120, bytes([2]) + ev("Stack", 1, 1000) + bytes(16)) + bytes([52]))
    add("huge-nframes-2e62", "a stack with nframes = 2^62 (allocation guard)",
        tt.header(26) + sync_batch(1, 100)
        + tt.batch(1, NT, 120, bytes([2]) + ev("Stack", 1, 1 << 62) + bytes(16)) + bytes([52]))
    add("stack-truncated-frame", "a stack table batch ending inside a frame",
        tt.header(26) + sync_batch(1, 100)
        + tt.batch(1, NT, 120, bytes([2, 3]) + uv(1) + uv(2) + uv(0x401000) + uv(2)) + bytes([52]))
    add("huge-string-length", "a string entry of declared length 2000 (> 1024), 2000 bytes present",
        tt.header(26) + sync_batch(1, 100)
        + tt.batch(1, NT, 121, bytes([4, 5]) + uv(1) + uv(2000) + b"s" * 2000) + bytes([52]))
    add("huge-string-length-2e60", "a string entry of declared length 2^60 (allocation guard)",
        tt.header(26) + sync_batch(1, 100)
        + tt.batch(1, NT, 121, bytes([4, 5]) + uv(1) + uv(1 << 60) + b"abc") + bytes([52]))
    add("string-truncated", "a string entry whose data runs past the end of its batch",
        tt.header(26) + sync_batch(1, 100)
        + tt.batch(1, NT, 121, bytes([4, 5]) + uv(1) + uv(50) + b"short") + bytes([52]))
    add("strings-batch-bad-inner-byte", "a strings batch containing a Stack record",
        tt.header(26) + sync_batch(1, 100)
        + tt.batch(1, NT, 121, bytes([4]) + ev("String", 1, data=b"a") + ev("Stack", 1, 0)) + bytes([52]))
    add("sync-batch-bad-inner-byte", "format 25: a sync batch containing a String event",
        tt.header(25) + tt.batch(1, NT, 100, bytes([50]) + ev("Frequency", 15625000)
                                + ev("String", 1, data=b"a")))
    add("duplicate-stack-id", "two stacks with ID 1",
        tt.header(26) + sync_batch(1, 100) + stacks_batch(1, 120, STACKS + STACKS)
        + strings_batch(1, 121, STRINGS) + bytes([52]))
    add("unknown-experiment-id", "an ExperimentalBatch with experiment ID 9 (only 1 is defined)",
        tt.header(26) + sync_batch(1, 100) + tt.experimental_batch(9, 1, NT, 101, b"\x00\x01\x02")
        + tt.batch(1, 7, 110, ev("ProcStatus", 1, 0, 1)) + bytes([52]))

    # Truncation
    cut26 = good_trace(26, gens=2)
    g1 = len(tt.header(26)) + len(generation(1, 100, 26))
    add("truncated-final-generation-fmt26",
        "two format-26 generations, cut in the middle of the second one's event batch",
        cut26[:g1 + 30])
    add("truncated-final-generation-fmt26-no-eog",
        "a complete format-26 generation whose EndOfGeneration byte is missing",
        cut26[:g1 - 1])
    cut25 = good_trace(25, gens=2)
    g1 = len(tt.header(25)) + len(generation(1, 100, 25))
    add("truncated-final-generation-fmt25",
        "two format-25 generations, cut in the middle of the second one's event batch",
        cut25[:g1 + 30])
    add("truncated-final-generation-fmt25-after-sync",
        "two format-25 generations, cut right after the second one's sync batch",
        cut25[:g1 + len(sync_batch(2, 200, fmt=25))])
    cut22 = good_trace(22, gens=2)
    g1 = len(tt.header(22)) + len(generation(1, 100, 22))
    g2_events = len(tt.batch(2, 7, 210, GEN2_EVENTS))
    add("truncated-final-generation-fmt22",
        "two format-22 generations, the second cut 3 bytes into its frequency batch "
        "(after its event batch)",
        cut22[:g1 + g2_events + 3])
    add("trailing-batch-byte-fmt26", "a valid format-26 trace followed by a lone EventBatch byte",
        good26 + bytes([1]))
    add("trailing-batch-byte-fmt25", "a valid format-25 trace followed by a lone EventBatch byte",
        good25 + bytes([1]))
    add("trailing-experimental-byte", "a valid format-26 trace followed by a lone ExperimentalBatch byte "
        "(Go: io.EOF reading the experiment byte looks like a clean end of trace)",
        good26 + bytes([49]))
    add("trailing-end-of-generation", "a valid format-26 trace followed by an extra EndOfGeneration byte",
        good26 + bytes([52]))
    add("sync-batch-truncated", "format 26: the sync batch ends right after the Frequency byte "
        "(Go: the io.EOF from the table reader ends the trace silently)",
        tt.header(26) + tt.batch(1, NT, 100, bytes([50, 8])) + tt.batch(1, 7, 110, good_events())
        + bytes([52]))
    add("frequency-batch-truncated-fmt22", "format 22: a frequency batch holding only the Frequency byte",
        good_trace(22, gens=1) + tt.batch(2, NT, 300, bytes([8])) + tt.batch(2, 7, 310, GEN2_EVENTS))
    add("strings-batch-truncated-id", "a strings batch ending right after a String byte "
        "(Go: io.EOF, trace ends silently)",
        good_trace(26, gens=1) + sync_batch(2, 200) + tt.batch(2, NT, 221, bytes([4, 5])) + bytes([52]))
    add("stacks-batch-truncated-id", "a stacks batch ending right after a Stack byte",
        good_trace(26, gens=1) + sync_batch(2, 200) + tt.batch(2, NT, 220, bytes([2, 3])) + bytes([52]))
    add("eog-in-fmt25", "format 25 with an EndOfGeneration byte between generations",
        tt.header(25) + generation(1, 100, 25) + bytes([52]) + generation(2, 200, 25))
    return C


# Cases where Go 1.26's behaviour is a quirk (or a crash) that Trace Atlas may
# legitimately not reproduce.  golden_test.py tolerates a clean failure (exit
# 1 with a message, no crash) for these unless run with --strict.
QUIRKS = {
    "header-lenient-leading-zero": "Go parses the header with fmt.Fscanf and accepts 1.026",
    "header-lenient-double-space": "Go parses the header with fmt.Fscanf; a format space matches any run of blanks",
    "header-lenient-tab": "Go parses the header with fmt.Fscanf; a format space matches a tab",
    "trailing-experimental-byte": "io.EOF while reading a batch header is taken as the clean end of the trace",
    "sync-batch-truncated": "io.EOF inside a table batch is taken as the clean end of the trace",
    "frequency-batch-truncated-fmt22": "io.EOF inside a table batch is taken as the clean end of the trace",
    "strings-batch-truncated-id": "io.EOF inside a table batch is taken as the clean end of the trace",
    "stacks-batch-truncated-id": "io.EOF inside a table batch is taken as the clean end of the trace",
    "cpu-sample-truncated": "io.EOF inside a table batch is taken as the clean end of the trace",
    "zero-frequency": "1/0 = +Inf ns per unit; float->int64 of Inf is MinInt64 on amd64 (arch-dependent)",
    "unknown-experiment-id": "Go panics (index out of range) when printing the Sync",
    "cpu-sample-bad-stack-id": "Go panics (mustGet) when printing the sample's stack",
}


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = argv[1] if len(argv) > 1 else os.path.join(here, "..", "badinput")
    os.makedirs(outdir, exist_ok=True)
    cs = cases()
    names = set()
    for name, desc, data in cs:
        assert name not in names, name
        names.add(name)
        p = os.path.join(outdir, name + ".bin")
        old = None
        if os.path.exists(p):
            with open(p, "rb") as f:
                old = f.read()
        if old != data:
            with open(p, "wb") as f:
                f.write(data)
    # Remove stale .bin files that this script no longer generates.
    for fn in sorted(os.listdir(outdir)):
        if fn.endswith(".bin") and fn[:-4] not in names:
            os.remove(os.path.join(outdir, fn))
            exp = os.path.join(outdir, fn[:-4] + ".expect")
            if os.path.exists(exp):
                os.remove(exp)
    lines = ["# Bad-input cases", "",
             "Generated by `tests/tools/make-badinput.py` (do not edit the .bin files by hand).",
             "Each `NAME.bin` has a `NAME.expect` with Go 1.26's exit status, stdout and stderr",
             "for `go tool trace -d=parsed NAME.bin` (regenerate with `tests/tools/regen-golden.sh`).",
             "The runner (`tests/golden_test.py`) also tries a directory as input.", "",
             "| case | bytes | what it is |", "|---|---|---|"]
    for name, desc, data in cs:
        lines.append("| `%s` | %d | %s |" % (name, len(data), desc.replace("|", "\\|")))
    lines += ["", "Quirk cases (Go's result is a parser quirk or a crash; `golden_test.py` accepts a",
              "clean failure for them unless `--strict` is given; also listed in `quirks.txt`):", ""]
    for name in sorted(QUIRKS):
        assert name in names, name
        lines.append("- `%s`: %s" % (name, QUIRKS[name]))
    with open(os.path.join(outdir, "quirks.txt"), "w") as f:
        f.write("# case<TAB>reason: Go behaviour that Trace Atlas may legitimately not reproduce\n")
        for name in sorted(QUIRKS):
            f.write("%s\t%s\n" % (name, QUIRKS[name]))
    with open(os.path.join(outdir, "README.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("make-badinput: %d cases in %s" % (len(cs), os.path.normpath(outdir)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
