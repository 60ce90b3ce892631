#!/bin/sh
# Regenerate the expectations of the golden and bad-input trace tests from
# Go's own parser, and refresh the fuzz seed corpus.
#
# usage: tests/tools/regen-golden.sh [GO]
#
#   GO   the go command to use (default: $GO, else `go` on PATH, else
#        /usr/local/go/bin/go).  It must be Go >= 1.26.
#
# Steps (goldenexpect.py regen does 2-4 in one process):
#   1. tests/tools/make-badinput.py rewrites tests/badinput/*.bin (deterministic).
#   2. Every tests/golden/X.txt is converted with tracetext.py to a temporary
#      binary, and `TZ=UTC go tool trace -d=parsed` is run on it; its exit
#      status, stdout and stderr go to tests/golden/X.expect.  Binary cases
#      (tests/golden/X.bin, e.g. the small real traces) are used as they are.
#   3. The same for every tests/badinput/X.bin -> tests/badinput/X.expect.
#   4. tests/fuzz/corpus/golden-X.bin and badinput-X.bin are refreshed (other
#      files in the corpus directory are left alone); stale ones are removed.
# Files are only rewritten when their content changes, so a clean run leaves
# the tree unchanged.  Uses the cached trace tool binary (`go tool -n trace`).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tests=$(dirname "$here")
PY=${PYTHON:-python3}

GO=${1:-${GO:-}}
if [ -z "$GO" ]; then
    if command -v go >/dev/null 2>&1; then GO=go; else GO=/usr/local/go/bin/go; fi
fi
ver=$(GOTOOLCHAIN=local "$GO" env GOVERSION 2>/dev/null || true)
case "$ver" in
    go1.2[6-9]*|go1.[3-9][0-9]*|go[2-9]*) ;;
    *) echo "regen-golden.sh: need Go >= 1.26, $GO reports '${ver:-nothing}'" >&2; exit 1 ;;
esac
echo "regen-golden.sh: using $GO ($ver)"

"$PY" "$here/make-badinput.py" "$tests/badinput"
"$PY" "$here/goldenexpect.py" regen --go "$GO" "$tests"
