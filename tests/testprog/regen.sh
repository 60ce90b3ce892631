#!/usr/bin/env bash
# Regenerates the trace fixture corpus and its oracle manifests:
#
#   tests/fixtures/<fmt>/<scenario>.trace[.zst]      traces written by each toolchain
#   tests/fixtures/<fmt>/<scenario>-trunc.trace[.zst] the same cut at 60 % (inside a batch)
#   tests/fixtures/<fmt>/<scenario>-cut.trace[.zst]   cut at the batch boundary nearest to 60 %
#   tests/fixtures/expected/<fmt>/<name>.parsed|.wire `go tool trace -d=...` manifests
#
# for the four v2 trace formats: 22 (Go 1.22), 23 (Go 1.24, which still writes
# format 23), 25 (Go 1.25) and 26 (Go 1.26, the local toolchain). Older
# toolchains come through the Go module proxy (GOTOOLCHAIN=go1.NN.P).
#
# Usage: tests/testprog/regen.sh [FORMAT...]     (default: 22 23 25 26)
# Environment: GO (default go; must be Go >= 1.26), GO22/GO23/GO25/GO26 to pick
# other toolchains, JOBS (parallel manifest recording, default 2).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
fixtures=$root/tests/fixtures
GO=${GO:-go}
JOBS=${JOBS:-2}

declare -A toolchain=(
	[22]=${GO22:-go1.22.12}
	[23]=${GO23:-go1.24.13}
	[25]=${GO25:-go1.25.14}
	[26]=${GO26:-local}
)
formats=("$@")
[ ${#formats[@]} -gt 0 ] || formats=(22 23 25 26)

trunc_scenarios="sync generations"   # cut copies of these, where the format has them
trunc_percent=60
zstd_threshold=$((128 * 1024))       # bigger traces are stored as .trace.zst (zstd -19)
scenario_timeout=120

die() { echo "regen: $*" >&2; exit 1; }

# batch_boundary FILE TARGET: the offset nearest to TARGET, other than the
# header's end and the file's end if possible, at which a top-level record
# (EventBatch, ExperimentalBatch or EndOfGeneration) starts.
batch_boundary() {
	python3 - "$1" "$2" <<'PY'
import sys
data, target = open(sys.argv[1], "rb").read(), int(sys.argv[2])
def uvarint(i):
    v = shift = 0
    while True:
        b = data[i]; i += 1
        v |= (b & 0x7f) << shift; shift += 7
        if b < 0x80:
            return v, i
pos, starts = 16, []
while pos < len(data):
    starts.append(pos)
    kind = data[pos]; pos += 1
    if kind == 52:                 # EndOfGeneration
        continue
    if kind == 49:                 # ExperimentalBatch: experiment byte first
        pos += 1
    elif kind != 1:
        sys.exit("unexpected record type %d at %d" % (kind, pos - 1))
    for _ in range(3):             # gen, M, base time
        _, pos = uvarint(pos)
    size, pos = uvarint(pos)
    pos += size
inner = [p for p in starts if p > 16] or [16]
print(min(inner, key=lambda p: abs(p - target)))
PY
}

for f in "${formats[@]}"; do
	[ -n "${toolchain[$f]:-}" ] || die "unknown format '$f' (want 22, 23, 25 or 26)"
done
command -v zstd >/dev/null || die "zstd is required"
command -v python3 >/dev/null || die "python3 is required"
localver=$(cd / && GOTOOLCHAIN=local "$GO" env GOVERSION) || die "cannot run $GO"
case $localver in
	go1.2[6-9]* | go1.[3-9][0-9]*) ;;
	*) die "$GO is $localver; the oracle needs Go >= 1.26" ;;
esac

start=$SECONDS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/regen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The runs should not depend on the regenerating machine or shell. More Ps
# than cores on purpose: with every P busy, the runtime's background sweeper
# yields after each batch of spans and floods the trace with GoStart/GoStop
# pairs (hundreds of KB, differing wildly between runs); spare idle Ps avoid it.
unset GODEBUG GOTRACEBACK GOGC GOMEMLIMIT
export GOMAXPROCS=8 TZ=UTC GOFLAGS=-buildvcs=false

for fmt in "${formats[@]}"; do
	tc=${toolchain[$fmt]}
	if [ "$tc" = local ]; then
		ver=$localver
	else
		ver=$(cd / && GOTOOLCHAIN=$tc "$GO" env GOVERSION) || die "cannot get toolchain $tc"
	fi
	# A go.mod whose go line is the toolchain's own release, so the binary gets
	# that release's GODEBUG defaults rather than Go 1.22's.
	minor=$(sed -E 's/^go1\.([0-9]+).*/\1/' <<<"$ver")
	printf 'module traceatlas.test/testprog\n\ngo 1.%s\n' "$minor" >"$tmp/go$fmt.mod"
	bin=$tmp/testprog-$fmt
	echo "== format $fmt: $ver"
	(cd "$here" && GOTOOLCHAIN=$tc "$GO" build -modfile="$tmp/go$fmt.mod" -trimpath -o "$bin" .)

	out=$tmp/out/$fmt
	mkdir -p "$out"
	header=$(printf 'go 1.%s trace' "$fmt")
	while IFS=$'\t' read -r scen _; do
		t0=$(date +%s%N)
		timeout "$scenario_timeout" "$bin" -scenario "$scen" "$out/$scen.trace" ||
			die "scenario $scen failed with $ver"
		got=$(head -c 13 "$out/$scen.trace")
		[ "$got" = "$header" ] || die "$scen with $ver: header '$got', want '$header'"
		printf '   %-16s %8d bytes  %4d ms\n' "$scen" "$(stat -c %s "$out/$scen.trace")" \
			$((($(date +%s%N) - t0) / 1000000))
	done < <("$bin" -list)

	for scen in $trunc_scenarios; do
		[ -f "$out/$scen.trace" ] || continue
		size=$(stat -c %s "$out/$scen.trace")
		limit=$((size * trunc_percent / 100))
		head -c "$limit" "$out/$scen.trace" >"$out/$scen-trunc.trace"
		head -c "$(batch_boundary "$out/$scen.trace" "$limit")" "$out/$scen.trace" >"$out/$scen-cut.trace"
	done

	rm -rf "${fixtures:?}/$fmt" "$fixtures/expected/$fmt"
	mkdir -p "$fixtures/$fmt"
	for f in "$out"/*.trace; do
		if [ "$(stat -c %s "$f")" -gt "$zstd_threshold" ]; then
			zstd -q -19 "$f" -o "$fixtures/$fmt/$(basename "$f").zst"
		else
			cp "$f" "$fixtures/$fmt/"
		fi
	done
done

echo "== manifests: $localver"
only="^($(IFS='|'; echo "${formats[*]}"))/"
(cd / && GOTOOLCHAIN=local python3 "$root/tests/oracle.py" --record --go "$GO" \
	--fixtures "$fixtures" --only "$only" -j "$JOBS") | tee "$tmp/record.log"

# A trace that Go cannot parse, or -d=wire rejects, is worth knowing about:
# only the -trunc and -cut copies are meant to fail.
bad=$(grep -E ' exit [1-9]' "$tmp/record.log" | grep -Ev -- '-(trunc|cut) ' || true)
if [ -n "$bad" ]; then
	echo "== note: whole fixtures on which go tool trace exits non-zero:"
	echo "$bad"
fi

echo "== corpus"
for fmt in "${formats[@]}"; do
	printf '%s: %s\n' "$fmt" "$(cd "$fixtures/$fmt" && ls | sed -E 's/\.trace(\.zst)?$//' | tr '\n' ' ')"
done
du -sh "$fixtures"
echo "regen: done in $((SECONDS - start)) s"
