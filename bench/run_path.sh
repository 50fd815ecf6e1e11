#!/bin/sh
# Benchmarks query.path on a generated graph of national size: builds knoopd, knoop and
# bench_path (RelWithDebInfo, build/release), starts knoopd on a temporary data directory,
# imports the real gemeenten, provinces, veiligheidsregio's and koepels (schema/data), and runs
# bench/bench_path.c, which generates persons, roles and contacts (seeded) and prints its table.
# Not part of the test command.
#
# Usage: bench/run_path.sh [bench_path options: --persons N --roles N --contacts N --queries N]
# KNOOPD_ARGS="--adj-cache-mb 0" bench/run_path.sh ...   measures without the adjacency cache.
#
# KNOOP_BENCH_DATA=DIR keeps the data directory in DIR: the first run generates the graph there,
# later runs reuse it (bench_path --reuse 1, nothing imported or written), which saves the
# minutes the generation takes.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/knoopd-start.sh
. scripts/knoopd-start.sh
JOBS=$(nproc 2>/dev/null || echo 2)
[ "$JOBS" -gt 2 ] && JOBS=2

cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j"$JOBS" --target knoopd knoop_cli bench_path >/dev/null 2>&1 ||
    cmake --build build/release -j"$JOBS" >/dev/null
BIN=build/release/bin
DATA=schema/data
RUN=$(mktemp -d "${TMPDIR:-/tmp}/knoop-bench.XXXXXX")
DATADIR=${KNOOP_BENCH_DATA:-$RUN/data}
PID=""

trap knoopd_cleanup EXIT INT TERM

# KNOOPD_ARGS: further knoopd options, e.g. "--adj-cache-mb 0" to measure without the cache.
# shellcheck disable=SC2086
knoopd_start run_path "$RUN/knoopd.out" "$RUN/knoopd.log" \
    "$BIN/knoopd" --data "$DATADIR" --listen 127.0.0.1:0 --trust-loopback ${KNOOPD_ARGS:-}
KNOOP_ADDR=$ADDR
export KNOOP_ADDR

REUSE=0
if [ -f "$DATADIR/.bench-generated" ]; then
    REUSE=1
    echo "== reusing the graph generated in $DATADIR"
else
    echo "== import the real gemeenten and bodies into $DATADIR"
    t0=$(date +%s)
    # The import's reports (rows skipped or normalised, each with file:line) go to import.log.
    LOG=$RUN/import.log
    "$BIN/knoop" import "$DATA/provinces.csv" "$DATA/gemeenten.csv" "$DATA/gemeente_regions.csv" \
        "$DATA/koepels.csv" >>"$LOG" 2>&1
    echo "(imported in $(($(date +%s) - t0)) s; $(nproc) cores)"
    echo
fi
"$BIN/bench_path" --addr "$ADDR" --reuse "$REUSE" "$@"
[ -n "${KNOOP_BENCH_DATA:-}" ] && touch "$DATADIR/.bench-generated"

kill -TERM "$PID"
wait "$PID" || { echo "run_path: knoopd did not exit cleanly" >&2; exit 1; }
PID=""
