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
# The header and its macros compile without a warning for users who turn them all on.
for compiler in gcc clang; do
  if command -v $compiler >/dev/null; then
    $compiler -Wall -Wextra -Werror -c -o "$tmp/w.o" "$src/pkgconfig-user.c" $(pkg-config --cflags ctxtrace)
    $compiler -Wall -Wextra -Werror -x c++ -c -o "$tmp/w.o" "$src/pkgconfig-user.c" $(pkg-config --cflags ctxtrace)
  fi
done
LD_LIBRARY_PATH="$build/libctxtrace" "$tmp/user" "$tmp/t.db"
n=$(sqlite3 "$tmp/t.db" "SELECT count(*) FROM span")
[ "$n" = 2 ] || { echo "expected 2 spans, got $n"; exit 1; }
echo "test-pkgconfig: ok"
