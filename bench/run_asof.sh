#!/bin/sh
# Benchmarks reads on the two time axes (node.get and edge.list {at}, without and with
# known_at, on entities with 1, 10 and 100 versions): builds knoopd and bench_asof
# (RelWithDebInfo, build/release), starts knoopd on a temporary data directory and runs
# bench/bench_asof.c, which generates its entities (seeded) and prints its table.
# Not part of the test command.
#
# Usage: bench/run_asof.sh [bench_asof options: --entities N --reads N --seed S]
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/knoopd-start.sh
. scripts/knoopd-start.sh
JOBS=$(nproc 2>/dev/null || echo 2)
[ "$JOBS" -gt 2 ] && JOBS=2

cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j"$JOBS" --target knoopd bench_asof >/dev/null 2>&1 ||
    cmake --build build/release -j"$JOBS" >/dev/null
BIN=build/release/bin
RUN=$(mktemp -d "${TMPDIR:-/tmp}/knoop-bench.XXXXXX")
DATADIR=$RUN/data
PID=""

trap knoopd_cleanup EXIT INT TERM

knoopd_start run_asof "$RUN/knoopd.out" "$RUN/knoopd.log" \
    "$BIN/knoopd" --data "$DATADIR" --listen 127.0.0.1:0 --trust-loopback
KNOOP_ADDR=$ADDR
export KNOOP_ADDR

"$BIN/bench_asof" --addr "$ADDR" "$@"

kill -TERM "$PID"
wait "$PID" || { echo "run_asof: knoopd did not exit cleanly" >&2; exit 1; }
PID=""
