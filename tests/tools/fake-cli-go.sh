#!/bin/sh
# A stand-in for trace-atlas-cli that answers `dump --parsed FILE` with Go's own
# `go tool trace -d=parsed FILE`.  Used to test tests/golden_test.py itself:
#   tests/golden_test.py --cli tests/tools/fake-cli-go.sh      (all cases pass)
# Go's parser panics on two bad inputs (exit status 2); the runner demands that
# our CLI fails cleanly there, so this stand-in turns a Go panic into exit 1
# with the panic's first line as the message.
if [ "$#" -ne 3 ] || [ "$1" != dump ] || [ "$2" != --parsed ]; then
    echo "usage: $0 dump --parsed FILE" >&2
    exit 2
fi
err=$(mktemp "${TMPDIR:-/tmp}/fake-cli.XXXXXX") || exit 1
"${GO:-go}" tool trace -d=parsed "$3" 2>"$err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q '^panic:' "$err"; then
    grep -m1 '^panic:' "$err" >&2
    rc=1
else
    cat "$err" >&2
fi
rm -f "$err"
exit "$rc"
