#!/usr/bin/env bash
# A stand-in for trace-atlas-cli that answers `dump --parsed|--wire FILE` with
# Go's own `go tool trace -d=parsed|wire`, decompressing .zst fixtures first.
# It lets tests/oracle.py be checked before the real CLI exists:
#
#   tests/oracle.py --cli tests/testprog/go-as-cli.sh --fixtures tests/fixtures
#
# should print "oracle: N/N identical" (it also shows that Go's output is
# deterministic, since the oracle runs Go a second time).
set -euo pipefail
[ $# -eq 3 ] && [ "$1" = dump ] || { echo "usage: $0 dump --parsed|--wire FILE" >&2; exit 2; }
case $2 in
	--parsed) mode=parsed ;;
	--wire) mode=wire ;;
	*) echo "$0: unknown option $2" >&2; exit 2 ;;
esac
file=$3
if [ "$(head -c 4 "$file" | od -An -tx1 | tr -d ' \n')" = 28b52ffd ]; then
	tmp=$(mktemp)
	trap 'rm -f "$tmp"' EXIT
	zstd -q -d -c -- "$file" >"$tmp"
	file=$tmp
fi
status=0
TZ=UTC "${GO:-go}" tool trace -d="$mode" "$file" || status=$?
exit $status
