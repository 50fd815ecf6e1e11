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
# shellcheck source=scripts/knoopd-start.sh
. scripts/knoopd-start.sh
./scripts/install-deps.sh
# At most 2 parallel compile jobs: the build stays within a small machine's memory.
JOBS=$(nproc 2>/dev/null || echo 2)
[ "$JOBS" -gt 2 ] && JOBS=2

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
knoopd_start demo "$RUN/knoopd.out" "$RUN/knoopd.log" \
    "$BIN/knoopd" --data "$RUN/data" --listen 127.0.0.1:0 --trust-loopback
echo "knoopd listening on $ADDR (pid $PID)"
KNOOP_ADDR=$ADDR
export KNOOP_ADDR

echo
echo "== import the reference data (schema/data; Bron: CBS and others, see SOURCES.md)"
"$KNOOP" import "$DATA/provinces.csv" "$DATA/gemeenten.csv" "$DATA/gemeente_regions.csv" \
    "$DATA/koepels.csv"
# herindelingen.csv: the mergers since 2019 (gemeente.merge where the file names the successor;
# a gemeente the file names no successor for only ends). Each such row is listed on stderr.
"$KNOOP" import "$DATA/herindelingen.csv" 2>"$RUN/import-herindelingen.log"
echo "(gemeenten ended without a successor in the file: $(grep -c 'no successor' \
    "$RUN/import-herindelingen.log") notes in $RUN/import-herindelingen.log)"
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
echo "######## Real data: the register's office holders (2026-04-15), the Kiesraad's 2022 result"
echo
echo "== Who is the burgemeester of Almere now?"
"$KNOOP" query holders GM0034 --role burgemeester --role "waarnemend burgemeester"
echo
echo "== The seat distribution of Amsterdam's council on 2024-01-01, next to the Kiesraad's result"
"$KNOOP" query seats GM0363 --at 2024-01-01
echo
echo "== The wethouders of the gemeenten in province Flevoland (NL-FL), now"
"$KNOOP" query holders --scope NL-FL --role wethouder
echo
echo "== The fractievoorzitters of Almere (the register gives no party)"
"$KNOOP" query holders GM0034 --role fractievoorzitter
echo
echo "== The G40 members and their burgemeester, now (one query over the scope G40)"
"$KNOOP" query holders --scope G40 --role burgemeester --role "waarnemend burgemeester"
echo
echo "== The gemeente perspective of Almere, now (perspective get; JSON, summarised)"
"$KNOOP" --json perspective get gemeente GM0034 >"$RUN/perspective-almere.json"
python3 - "$RUN/perspective-almere.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
names = lambda rows: ", ".join(r["person"]["name"] for r in rows) or "-"
print("gemeente:   %s (%s), provincie %s" % (d["subject"]["name"], d["subject"]["key"],
                                            d.get("province", {}).get("name", "-")))
print("contact:    %s, %s, %s" % (d.get("email"), d.get("telefoon"), d.get("website")))
print("places:     %d woonplaatsen" % len(d.get("places", [])))
print("member of:  %s" % ", ".join(m["node"]["name"] for m in d.get("memberships", [])))
c = d.get("college", {})
print("college:    burgemeester %s; wethouders %s" % (names(c.get("burgemeester", [])),
                                                       names(c.get("wethouders", []))))
print("griffier:   %s" % names(d.get("griffier", [])))
print("council:    %d raadsleden; fractievoorzitters %d" % (d["council"]["total"],
                                                           len(d.get("fractievoorzitters", []))))
PY
echo "(all of it: $RUN/perspective-almere.json)"
echo
echo "== Which place names belong to gemeente Sudwest-Fryslan (GM1900)?"
"$KNOOP" query places GM1900 | head -n 12
echo "..."
echo
echo "== Which gemeenten are in veiligheidsregio Flevoland (VR25)?"
"$KNOOP" query members VR25 --type deelnemer
echo
echo "== How many gemeenten existed on 1 January 2018 .. 2023 (node find --at; CBS: 380, 355,"
echo "   355, 352, 345, 342)?"
for y in 2018 2019 2020 2021 2022 2023; do
    echo "$y-01-01: $("$KNOOP" --json node find --kind organisation --type gemeente \
        --at "$y-01-01" --limit 1000 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["nodes"]))')"
done
echo
echo "== Which gemeenten went into Het Hogeland (GM1966) on 2019-01-01?"
"$KNOOP" --json node find --kind organisation --type gemeente --at 2018-12-31 --limit 1000 |
    python3 -c 'import json,sys; print(", ".join(sorted(n["props"]["name"] for n in json.load(sys.stdin)["nodes"] if n["props"].get("opgegaan_in") == "GM1966")))'
echo
echo "== Stored roles that break a role rule (schema.check; the register's own clashes were"
echo "   refused at import and listed in $RUN/import-office-holders.log)"
"$KNOOP" call schema.check '{"limit": 5}'
echo
echo "== K. Bokhorst (Almere): elected for the VVD in 2022, listed as raadslid in 2026: one person"
"$KNOOP" query roles "GM0034|K|bokhorst"

echo
echo "== Who knows whom: the burgemeesters of Almere and Zeewolde, through their veiligheidsregio"
echo "(organisation hops; the province Flevoland excluded, so the path goes through VR25)"
"$KNOOP" path "GM0034|WHJM|van der loo" "GM0050|AM|harmsma" --links membership --exclude NL-FL
echo
echo "== The same question drawn with Graphviz (docs/pictures/path-almere-zeewolde.svg)"
mkdir -p docs/pictures
"$KNOOP" graph --path "GM0034|WHJM|van der loo" "GM0050|AM|harmsma" --links membership \
    --exclude NL-FL -k 2 --out docs/pictures/path-almere-zeewolde.svg

echo
echo "######## Example data (VOORBEELDGEGEVENS: fictitious persons, marked (voorbeeld))"
echo "Left out of real answers; --examples includes them."
echo
echo "== The roles of P. Jansen (example data), with the role each is held on behalf of"
"$KNOOP" query roles VOORBEELD-P-JANSEN
echo
echo "== Almere's wethouders and raadsleden on 2024-01-01 with the example persons (--examples)"
"$KNOOP" query holders GM0034 --at 2024-01-01 --role wethouder --role raadslid --examples |
    grep -E "^naam|^---|voorbeeld"
echo
echo "== Almere's seats on 2024-01-01 with the example raadslid counted apart (--examples)"
"$KNOOP" query seats GM0034 --at 2024-01-01 --examples

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
