#!/bin/sh
# Renders the real Trace Atlas window under Xvfb and captures it:
#   overview.png   the whole cpuprofile fixture, zoomed out
#   zoomed.png     a goroutine zoomed in, with the span details pane
#   drilldown.png  the goroutine drill-down
#   errors.png     a truncated trace: the error banner over what was valid
#   empty.png      the empty state (Open, the sample, recent traces)
#   unreadable.png a file that is not a trace: the page says why
# Usage: screenshots/take.sh [BUILD_DIR]   (default build-ui)
# Needs xvfb-run, xauth and imagemagick's `import`:
#   apt-get install xvfb xauth imagemagick
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build-ui}
smoke=$build/tests/ui/test-ui-smoke
fx=$root/tests/fixtures/26
[ -x "$smoke" ] || { echo "build first: ninja -C $build" >&2; exit 1; }
for tool in xvfb-run import; do
  command -v $tool >/dev/null || { echo "missing $tool (apt-get install xvfb xauth imagemagick)" >&2; exit 1; }
done

shoot() { # NAME POSE FILE
  name=$1 pose=$2 file=$3
  GSK_RENDERER=cairo GDK_BACKEND=x11 GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 GTK_A11Y=none \
  xvfb-run -a -s '-screen 0 1600x1000x24' sh -c "
    '$smoke' --pose '$pose' --hold 4 '$file' >/dev/null 2>&1 &
    pid=\$!
    sleep 3
    import -window root '$here/$name.png'
    wait \$pid" 
  echo "wrote $here/$name.png"
}

# The empty state of the real binary.
GSK_RENDERER=cairo GDK_BACKEND=x11 GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 \
xvfb-run -a -s '-screen 0 1280x800x24' sh -c "
  '$build/src/ui/trace-atlas' >/dev/null 2>&1 &
  pid=\$!; sleep 3; import -window root '$here/empty.png'; kill \$pid; wait \$pid || true"
echo "wrote $here/empty.png"

# A file that is not a trace, opened by the real binary.
GSK_RENDERER=cairo GDK_BACKEND=x11 GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 \
xvfb-run -a -s '-screen 0 1280x800x24' sh -c "
  '$build/src/ui/trace-atlas' '$root/README.md' >/dev/null 2>&1 &
  pid=\$!; sleep 3; import -window root '$here/unreadable.png'; kill \$pid; wait \$pid || true"
echo "wrote $here/unreadable.png"

shoot overview overview "$fx/cpuprofile.trace"
shoot zoomed zoomed "$fx/cpuprofile.trace"
shoot drilldown drilldown "$fx/annotations.trace"
shoot errors overview "$fx/generations-trunc.trace.zst"
