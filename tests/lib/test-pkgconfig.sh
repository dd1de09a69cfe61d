#!/bin/sh
# Builds tests/lib/pkgconfig-user.c with `pkg-config --cflags --libs ctxtrace` against the
# build tree (meson-uninstalled), runs it, and checks the trace it wrote.
set -eu
build=$1
src=$2
extra=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PKG_CONFIG_PATH="$build/meson-uninstalled"
flags=$(pkg-config --cflags --libs ctxtrace)
cc $extra -o "$tmp/user" "$src/pkgconfig-user.c" $flags
LD_LIBRARY_PATH="$build/libctxtrace" "$tmp/user" "$tmp/t.db"
n=$(sqlite3 "$tmp/t.db" "SELECT count(*) FROM span")
[ "$n" = 2 ] || { echo "expected 2 spans, got $n"; exit 1; }
echo "test-pkgconfig: ok"
