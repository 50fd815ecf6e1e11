#!/bin/sh
# Times the main job's import (the steps of scripts/demo.sh, in its order, with the same knoopd
# options: sync on) and reports the data directory's size afterwards: the write cost of a change
# to the storage layout, measured before and after it. The last lines give knoopd's CPU time
# and the data directory's size. Not part of the test command.
#
# Usage: bench/run_import.sh [BIN_DIR]   (default build/release/bin, built RelWithDebInfo first)
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/knoopd-start.sh
. scripts/knoopd-start.sh
BIN=${1:-}
if [ -z "$BIN" ]; then
    cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build/release -j2 --target knoopd knoop_cli >/dev/null
    BIN=build/release/bin
fi
DATA=schema/data
RUN=$(mktemp -d "${TMPDIR:-/tmp}/knoop-import.XXXXXX")
PID=""
trap knoopd_cleanup EXIT INT TERM

knoopd_start run_import "$RUN/knoopd.out" "$RUN/knoopd.log" \
    "$BIN/knoopd" --data "$RUN/data" --listen 127.0.0.1:0 --trust-loopback
KNOOP_ADDR=$ADDR
export KNOOP_ADDR

now() { date +%s.%N; }
step() {
    name=$1
    shift
    t0=$(now)
    "$BIN/knoop" import "$@" >>"$RUN/import.out" 2>>"$RUN/import.err"
    printf '%-40s %6.2f s\n' "$name" "$(echo "$(now) - $t0" | bc)"
}
T0=$(now)
step "reference data (provinces .. koepels)" "$DATA/provinces.csv" "$DATA/gemeenten.csv" \
    "$DATA/gemeente_regions.csv" "$DATA/koepels.csv"
step "herindelingen" "$DATA/herindelingen.csv"
step "gemeente_contacts" "$DATA/gemeente_contacts.csv"
step "postcodes_pc4" "$DATA/postcodes_pc4.csv"
step "woonplaatsen" --on 2025-01-01 "$DATA/woonplaatsen.csv"
step "example functionaries" "$DATA/example_functionarissen.json"
step "office holders + 2022 election" "$DATA/ambtsdragers.csv" \
    "$DATA/raadsleden_gekozen_2022.csv" "$DATA/seats_2022.csv"
printf '%-40s %6.2f s\n' "total" "$(echo "$(now) - $T0" | bc)"
# knoopd's own CPU time (user + system), less disturbed by other work on a shared machine than
# the wall-clock figures above.
TICKS=$(getconf CLK_TCK)
CPU=$(awk -v t="$TICKS" '{printf "%.2f", ($14 + $15) / t}' "/proc/$PID/stat")
printf '%-40s %6.2f s\n' "knoopd CPU time (user+sys)" "$CPU"
kill -TERM "$PID"
wait "$PID" || { echo "run_import: knoopd did not exit cleanly" >&2; exit 1; }
PID=""
printf '%-40s %6s\n' "data directory after a clean stop" "$(du -sh "$RUN/data" | cut -f1)"
