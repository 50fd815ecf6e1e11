#!/bin/sh
# The main job: installs what is missing, builds Knoop (RelWithDebInfo) into build/release,
# starts knoopd on a fresh data directory under build/demo-data, loads the real reference data
# (schema/data, see schema/data/SOURCES.md) and the example functionaries, and answers sample
# questions through the knoop CLI. Then it loads the real office holders (ambtsdragers.csv: the
# Register van Overheidsorganisaties on 2026-04-15) and the Kiesraad's 2022 council election
# result (raadsleden_gekozen_2022.csv, seats_2022.csv) and asks about them. Non-interactive;
# exits nonzero on any failure.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
JOBS=$(nproc 2>/dev/null || echo 2)

echo "== build (RelWithDebInfo)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j"$JOBS"

BIN=build/release/bin
KNOOP=$BIN/knoop
DATA=schema/data
mkdir -p build/demo-data
RUN=$(mktemp -d "$PWD/build/demo-data/run.XXXXXX")
PID=""

cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT INT TERM

echo "== start knoopd (data in $RUN/data)"
"$BIN/knoopd" --data "$RUN/data" --listen 127.0.0.1:0 >"$RUN/knoopd.out" 2>"$RUN/knoopd.log" &
PID=$!
# Wait for the ready line ("knoopd ready listen=127.0.0.1:PORT ..."): a bounded poll, at most
# 30 s, that stops early if knoopd exits.
ADDR=""
i=0
while [ $i -lt 300 ]; do
    ADDR=$(sed -n 's/^knoopd ready listen=\([^ ]*\).*/\1/p' "$RUN/knoopd.out")
    [ -n "$ADDR" ] && break
    if ! kill -0 "$PID" 2>/dev/null; then
        echo "demo: knoopd exited before it was ready:" >&2
        cat "$RUN/knoopd.log" >&2
        exit 1
    fi
    i=$((i + 1))
    sleep 0.1
done
if [ -z "$ADDR" ]; then
    echo "demo: knoopd printed no ready line within 30 s" >&2
    cat "$RUN/knoopd.log" >&2
    exit 1
fi
echo "knoopd listening on $ADDR (pid $PID)"
KNOOP_ADDR=$ADDR
export KNOOP_ADDR

echo
echo "== import the reference data (schema/data; Bron: CBS and others, see SOURCES.md)"
"$KNOOP" import "$DATA/provinces.csv" "$DATA/gemeenten.csv" "$DATA/gemeente_regions.csv" \
    "$DATA/koepels.csv"
# gemeente_contacts.csv: values the server refuses are skipped and listed (file:line).
"$KNOOP" import "$DATA/gemeente_contacts.csv"
"$KNOOP" import "$DATA/postcodes_pc4.csv"
"$KNOOP" import --on 2025-01-01 "$DATA/woonplaatsen.csv"
echo "== import the example functionaries (VOORBEELDGEGEVENS: fictitious persons)"
"$KNOOP" import "$DATA/example_functionarissen.json"
echo
echo "== import the real office holders and the 2022 council election result"
# ambtsdragers.csv first: the gekozen profile matches the elected of 2022 to the register's
# persons on the server. Each row whose name was normalised (initials written oddly) or that
# is not matched is listed on stderr as file:line; here they go to a log.
"$KNOOP" import "$DATA/ambtsdragers.csv" "$DATA/raadsleden_gekozen_2022.csv" \
    "$DATA/seats_2022.csv" 2>"$RUN/import-office-holders.log"
echo "(rows normalised or not matched: $(wc -l <"$RUN/import-office-holders.log") notes in" \
    "$RUN/import-office-holders.log)"

echo
echo "== Which place names belong to gemeente Súdwest-Fryslân (GM1900)?"
"$KNOOP" query places GM1900
echo
echo "== Which gemeenten are in province Flevoland?"
"$KNOOP" query members NL-FL --type "ligt in"
echo
echo "== Which gemeenten are in veiligheidsregio Flevoland (VR25)?"
"$KNOOP" query members VR25 --type deelnemer
echo
echo "== Which gemeenten are G40 members?"
"$KNOOP" query members G40 --type lid
echo
echo "== Who holds which role at Almere today? (example data)"
"$KNOOP" query holders GM0034
echo
echo "== The roles of P. Jansen (example data), with the role each is held on behalf of"
"$KNOOP" query roles VOORBEELD-P-JANSEN


echo
echo "== Who is burgemeester of Almere today? (real data: the register's 2026-04-15 listing)"
"$KNOOP" query holders GM0034 | sed -n '1,2p;/ burgemeester /p'
echo
echo "== Who were the raadsleden of Almere on 2024-01-01, and for which party? (Kiesraad 2022)"
"$KNOOP" query holders GM0034 --at 2024-01-01 | head -n 12
echo "..."
echo
echo "== The fractievoorzitters of Almere listed in the register (no party: the register gives none)"
"$KNOOP" query holders GM0034 | sed -n '1,2p;/ fractievoorzitter /p'
echo
echo "== K. Bokhorst (Almere): elected for the VVD in 2022, listed as raadslid in 2026: one person"
"$KNOOP" query roles "GM0034|K|bokhorst"
echo
echo "== The registered result of the 2022 council election in Amsterdam (seats per list)"
"$KNOOP" node get "GR2022|GM0363"

echo
echo "== stop knoopd (SIGTERM)"
kill -TERM "$PID"
status=0
wait "$PID" || status=$?
PID=""
if [ "$status" -ne 0 ]; then
    echo "demo: knoopd exited with status $status" >&2
    cat "$RUN/knoopd.log" >&2
    exit 1
fi
echo "knoopd stopped cleanly (exit 0); data kept in $RUN/data"
echo "== demo done"
