#!/bin/sh
# bench/run's results-to-markdown generator on a fixed results file: the table has every
# row with its median, spread, ratio and baseline, and every target marked met or missed.
# (The benchmark itself is not run here: it needs the peers and minutes of quiet machine.)
set -eu
run=$1
fixture=$2
out=$(python3 "$run" --markdown "$fixture")

fail () { echo "FAIL: $1"; echo "$out"; exit 1; }
expect () { printf '%s\n' "$out" | grep -qxF -- "$1" || fail "missing line: $1"; }

expect '| ctxtrace begin+end | 26 | 25–27.5 | ns/span | 1.30x | two rdtsc | 0 dropped |'
expect '| LTTng-UST entry+exit tracepoints | 250 | 240–300 | ns/span | 12.50x | two rdtsc | 0 events discarded |'
expect '| 1 thread: committed spans per s | 998,000 | 990,000–1,000,000 | spans/s | 1.00x | offered 1M/s |  |'
# A single measurement shows no spread.
expect '| model load 10,000,000 spans | 4.2 |  | s | 3.50x | SELECT count(*) |  |'
expect '| hot path <= 0.25x LTTng-UST'"'"'s | 26 vs 250 ns (0.10x) | met |'
expect '| >= 1M spans/s sustained, < 0.1 % dropped (1 thread) | 998,000/s, 0.200 % dropped | **missed** |'
expect '**hot path**'
expect '**sustained (1M spans/s offered)**'
printf '%s\n' "$out" | grep -q '^Measured by `bench/run --quick` on Test CPU (2 cores, Linux 6.1.0, Debian 12.11)' \
  || fail "machine line"
printf '%s\n' "$out" | grep -q '^Skipped: Tracy: TRACY_SRC is unset$' || fail "skipped line"
# Each table's rows have as many cells as its header.
bad=$(printf '%s\n' "$out" | awk -F'|' '/^\| what/ { n = NF } /^\| target/ { n = NF } /^\|/ && NF != n { print }')
[ -z "$bad" ] || fail "ragged rows: $bad"
# Targets: 2 met, 1 missed, nothing else.
[ "$(printf '%s\n' "$out" | grep -c '| met |$')" = 2 ] || fail "met count"
[ "$(printf '%s\n' "$out" | grep -c '| \*\*missed\*\* |$')" = 1 ] || fail "missed count"
echo "ok: bench/run --markdown"
