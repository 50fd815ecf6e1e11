#!/bin/sh
# Times the main job's import (the steps of scripts/demo.sh, in its order, with the same knoopd
# options: sync on) and reports the data directory's size afterwards: the write cost of a change
# to the storage layout, measured before and after it. The last lines give knoopd's CPU time
# and the data directory's size. Not part of the test command.
#
# Usage: bench/run_import.sh [BIN_DIR]   (default build/release/bin, built RelWithDebInfo first)
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-}
if [ -z "$BIN" ]; then
    cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build/release -j2 --target knoopd knoop_cli >/dev/null
    BIN=build/release/bin
fi
DATA=schema/data
RUN=$(mktemp -d "${TMPDIR:-/tmp}/knoop-import.XXXXXX")
PID=""
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$RUN"
}
trap cleanup EXIT INT TERM

"$BIN/knoopd" --data "$RUN/data" --listen 127.0.0.1:0 --trust-loopback >"$RUN/knoopd.out" \
    2>"$RUN/knoopd.log" &
PID=$!
ADDR=""
i=0
while [ $i -lt 300 ]; do
    ADDR=$(sed -n 's/^knoopd ready listen=\([^ ]*\).*/\1/p' "$RUN/knoopd.out" 2>/dev/null || true)
    [ -n "$ADDR" ] && break
    kill -0 "$PID" 2>/dev/null || { cat "$RUN/knoopd.log" >&2; exit 1; }
    i=$((i + 1))
    sleep 0.1
done
[ -n "$ADDR" ] || { echo "run_import: knoopd printed no ready line" >&2; exit 1; }
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
