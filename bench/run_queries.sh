#!/bin/sh
# Benchmarks the network questions on the real data: builds knoopd, knoop and bench_queries
# (RelWithDebInfo, build/release), starts knoopd on a temporary data directory, imports the
# reference data and the real office holders (schema/data: gemeenten, provinces, regions,
# koepels, contacts, postcodes, woonplaatsen, ambtsdragers.csv, the Kiesraad's 2022 result),
# runs bench/bench_queries.c and prints its table. Not part of the test command.
#
# Usage: bench/run_queries.sh [bench_queries options: --conns N --depth D --seconds S --at DATE]
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/knoopd-start.sh
. scripts/knoopd-start.sh
JOBS=$(nproc 2>/dev/null || echo 2)
[ "$JOBS" -gt 2 ] && JOBS=2

cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j"$JOBS" --target knoopd knoop_cli bench_queries >/dev/null 2>&1 ||
    cmake --build build/release -j"$JOBS" >/dev/null
BIN=build/release/bin
DATA=schema/data
RUN=$(mktemp -d "${TMPDIR:-/tmp}/knoop-bench.XXXXXX")
PID=""

trap knoopd_cleanup EXIT INT TERM

knoopd_start run_queries "$RUN/knoopd.out" "$RUN/knoopd.log" \
    "$BIN/knoopd" --data "$RUN/data" --listen 127.0.0.1:0 --trust-loopback
KNOOP_ADDR=$ADDR
export KNOOP_ADDR

echo "== import the real data into $RUN/data"
t0=$(date +%s)
# The import's reports (rows skipped or normalised, each with file:line) go to import.log.
LOG=$RUN/import.log
"$BIN/knoop" import "$DATA/provinces.csv" "$DATA/gemeenten.csv" "$DATA/gemeente_regions.csv" \
    "$DATA/koepels.csv" >>"$LOG" 2>&1
"$BIN/knoop" import "$DATA/gemeente_contacts.csv" >>"$LOG" 2>&1
"$BIN/knoop" import "$DATA/postcodes_pc4.csv" >>"$LOG" 2>&1
"$BIN/knoop" import --on 2025-01-01 "$DATA/woonplaatsen.csv" >>"$LOG" 2>&1
"$BIN/knoop" import "$DATA/ambtsdragers.csv" "$DATA/raadsleden_gekozen_2022.csv" \
    "$DATA/seats_2022.csv" >>"$LOG" 2>&1
echo "(imported in $(($(date +%s) - t0)) s; $(nproc) cores)"
echo
"$BIN/bench_queries" --addr "$ADDR" "$@"

kill -TERM "$PID"
wait "$PID" || { echo "run_queries: knoopd did not exit cleanly" >&2; exit 1; }
PID=""
