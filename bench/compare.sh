#!/usr/bin/env bash
# Knoop side by side with Redis 7 and PostgreSQL 15 on the workloads of issue 10, in one run on
# this machine: starts knoopd, redis-server and a PostgreSQL cluster in a temporary directory on
# loopback ports, loads the same graph into knoopd (bench_load) and PostgreSQL (the same edges,
# through bench_load --edges-csv), runs each workload for a few seconds per server, and prints one
# table: throughput, p50/p99 latency, the Knoop/peer throughput ratio, server CPU microseconds per
# request (/proc/PID/stat utime+stime, children included, before and after each run) and
# syscalls per request (strace -c -f -p PID over a separate fixed-size run). See bench/README.md.
#
# Installs nothing: the peers come from scripts/install-bench-deps.sh. Not part of the test
# command. Runs as root too (PostgreSQL then runs as the postgres user, through runuser).
#
# Usage: bench/compare.sh [--seconds S] [--nodes N] [--sys-requests R] [--no-build] [--no-strace]
set -eu
# A failing step inside $(...) or before a pipe stops the script too (and the trap cleans up).
set -o pipefail
shopt -s inherit_errexit

SECONDS_PER_RUN=3
NODES=5000
SYS_REQUESTS=20000
BUILD=1
STRACE=1
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --nodes) NODES=$2; shift 2 ;;
    --sys-requests) SYS_REQUESTS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-strace) STRACE=0; shift ;;
    *) echo "usage: bench/compare.sh [--seconds S] [--nodes N] [--sys-requests R] [--no-build]" \
        "[--no-strace]" >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")/.."
PGBIN=/usr/lib/postgresql/15/bin
missing=""
for t in redis-server redis-benchmark redis-cli pgbench psql python3; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
for t in initdb pg_ctl postgres; do
    [ -x "$PGBIN/$t" ] || missing="$missing $PGBIN/$t"
done
if [ "$STRACE" = 1 ] && ! command -v strace >/dev/null 2>&1; then
    missing="$missing strace"
fi
if [ -n "$missing" ]; then
    echo "compare: missing:$missing (scripts/install-bench-deps.sh installs them)" >&2
    exit 1
fi

if [ "$BUILD" = 1 ]; then
    JOBS=$(nproc 2>/dev/null || echo 2)
    [ "$JOBS" -gt 2 ] && JOBS=2
    cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build/release -j"$JOBS" --target knoopd bench_load >/dev/null
fi
BIN=$PWD/build/release/bin

RUN=$(mktemp -d "${TMPDIR:-/tmp}/knoop-compare.XXXXXX")
chmod 755 "$RUN"
KPID=""
RPID=""
PG_STARTED=0
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
    AS_PG=(runuser -u postgres --)
fi

cleanup() {
    set +e
    if [ -n "$KPID" ] && kill -0 "$KPID" 2>/dev/null; then
        kill -TERM "$KPID"
        wait "$KPID" 2>/dev/null
    fi
    if [ -n "$RPID" ] && kill -0 "$RPID" 2>/dev/null; then
        kill -TERM "$RPID"
        wait "$RPID" 2>/dev/null
    fi
    if [ "$PG_STARTED" = 1 ]; then
        "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$RUN/pg" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for DESCRIPTION COMMAND...: a bounded poll (30 s) until COMMAND succeeds.
wait_for() {
    local what=$1 i=0
    shift
    until "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 300 ]; then
            echo "compare: $what did not come up" >&2
            exit 1
        fi
        sleep 0.1
    done
}

CLK_TCK=$(getconf CLK_TCK)

# cpu_ticks PID: utime+stime of PID (all its threads) plus the children it has reaped
# (cutime+cstime) plus its live children's utime+stime: PostgreSQL's backends are children of the
# postmaster and are reaped when pgbench disconnects.
cpu_ticks() {
    local pid=$1 total=0 f line rest
    for f in /proc/[0-9]*/stat; do
        line=$(cat "$f" 2>/dev/null) || continue
        rest=${line##*) }
        # shellcheck disable=SC2086
        set -- $rest
        # rest: state ppid ... ; field 14 of stat is $12 here (utime), 15 stime, 16 cutime,
        # 17 cstime.
        if [ "${f#/proc/}" = "$pid/stat" ]; then
            total=$((total + ${12} + ${13} + ${14} + ${15}))
        elif [ "$2" = "$pid" ]; then
            total=$((total + ${12} + ${13}))
        fi
    done
    echo "$total"
}

children_of() {
    local pid=$1 n=0 f line rest
    for f in /proc/[0-9]*/stat; do
        line=$(cat "$f" 2>/dev/null) || continue
        rest=${line##*) }
        # shellcheck disable=SC2086
        set -- $rest
        [ "$2" = "$pid" ] && n=$((n + 1))
    done
    echo "$n"
}

# ---------------------------------------------------------------------------------------------
# Servers.
"$BIN/knoopd" --data "$RUN/knoop" --listen 127.0.0.1:0 --trust-loopback >"$RUN/knoopd.out" 2>"$RUN/knoopd.log" &
KPID=$!
knoop_ready() {
    grep -q '^knoopd ready listen=' "$RUN/knoopd.out" && kill -0 "$KPID"
}
wait_for knoopd knoop_ready
KADDR=$(sed -n 's/^knoopd ready listen=\([^ ]*\).*/\1/p' "$RUN/knoopd.out")

RPORT=$(free_port)
mkdir "$RUN/redis"
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$RUN/redis" \
    --logfile "$RUN/redis/redis.log" &
RPID=$!
wait_for redis-server redis-cli -h 127.0.0.1 -p "$RPORT" ping

PPORT=$(free_port)
mkdir "$RUN/pg" "$RUN/pgsock"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$RUN/pg" "$RUN/pgsock"
fi
"${AS_PG[@]}" "$PGBIN/initdb" -D "$RUN/pg" -U bench -A trust --no-sync >"$RUN/initdb.log" 2>&1
PG_STARTED=1
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$RUN/pg" -l "$RUN/pgsock/pg.log" -w \
    -o "-p $PPORT -k $RUN/pgsock -c listen_addresses=127.0.0.1 -c max_connections=64" \
    start >/dev/null
PGPID=$(head -n 1 "$RUN/pg/postmaster.pid")
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PPORT" -U bench -d postgres)

# ---------------------------------------------------------------------------------------------
# The same graph in knoopd and PostgreSQL.
echo "== loading $NODES nodes and $((NODES * 5)) edges into knoopd and PostgreSQL" >&2
"$BIN/bench_load" --addr "$KADDR" --nodes "$NODES" --load-only --edges-csv "$RUN/edges.csv" \
    >"$RUN/load.out"
FIRST=$(sed -n 's/^bench_load: loaded first=\([0-9]*\).*/\1/p' "$RUN/load.out")
LAST=$((FIRST + NODES - 1))
"${PSQL[@]}" <<EOF
CREATE TABLE nodes (id bigint PRIMARY KEY, props jsonb NOT NULL);
CREATE TABLE edges (id bigserial PRIMARY KEY, type text NOT NULL, src bigint NOT NULL,
                    dst bigint NOT NULL, valid_from date NOT NULL, valid_to date);
INSERT INTO nodes SELECT g, jsonb_build_object('kind', CASE WHEN (g - $FIRST) % 5 = 0
    THEN 'organisation' ELSE 'person' END, 'name', 'Bench') FROM generate_series($FIRST, $LAST) g;
\copy edges (type, src, dst, valid_from, valid_to) FROM '$RUN/edges.csv' WITH (FORMAT csv)
CREATE INDEX edges_src ON edges (src, valid_from);
CREATE INDEX edges_dst ON edges (dst, valid_from);
VACUUM ANALYZE;
EOF
cat >"$RUN/node.sql" <<'EOF'
\set id random(:first, :last)
SELECT id, props FROM nodes WHERE id = :id;
EOF
cat >"$RUN/edges.sql" <<'EOF'
\set n random(:first, :last)
\set y random(1995, 2024)
SELECT id, type, src, dst, valid_from, valid_to FROM edges
 WHERE src = :n AND valid_from <= make_date(:y, 6, 1) AND (valid_to IS NULL OR valid_to > make_date(:y, 6, 1))
UNION ALL
SELECT id, type, src, dst, valid_from, valid_to FROM edges
 WHERE dst = :n AND valid_from <= make_date(:y, 6, 1) AND (valid_to IS NULL OR valid_to > make_date(:y, 6, 1));
EOF

# ---------------------------------------------------------------------------------------------
# Runners. Each prints "requests req/s p50_us p99_us" on stdout.
knoop_run() { # workload conns depth [--requests R]
    local w=$1 c=$2 d=$3
    shift 3
    local limit=(--seconds "$SECONDS_PER_RUN")
    [ $# -gt 0 ] && limit=("$@")
    "$BIN/bench_load" --addr "$KADDR" --first "$FIRST" --nodes "$NODES" --workload "$w" \
        --conns "$c" --depth "$d" "${limit[@]}" --tsv | awk -F'\t' '{print $4, $6, $7, $8}'
}

redis_run() { # conns pipeline requests
    redis-benchmark -h 127.0.0.1 -p "$RPORT" -t ping_mbulk -c "$1" -P "$2" -n "$3" --csv 2>/dev/null |
        awk -F'","' -v n="$3" '/PING_MBULK/ {print n, $2, $5 * 1000, $7 * 1000}'
}

pg_run() { # script conns [-t per-client | (duration)]
    local script=$1 c=$2 out
    shift 2
    local limit=(-T "$SECONDS_PER_RUN")
    [ $# -gt 0 ] && limit=("$@")
    rm -f "$RUN"/pglog*
    out=$(pgbench -n -M prepared -h 127.0.0.1 -p "$PPORT" -U bench -c "$c" -j 2 "${limit[@]}" \
        -D first="$FIRST" -D last="$LAST" -f "$RUN/$script" -l --log-prefix="$RUN/pglog" \
        postgres 2>&1) || { echo "$out" >&2; return 1; }
    local n tps
    n=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
    tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p')
    # Per-transaction logs: the third field is the latency in microseconds.
    cat "$RUN"/pglog* | awk '{print $3}' | sort -n |
        awk -v n="$n" -v tps="$tps" '{v[NR] = $1}
            END {printf "%s %.0f %s %s\n", n, tps, v[int(0.50 * (NR - 1)) + 1], v[int(0.99 * (NR - 1)) + 1]}'
}

# measure PID COMMAND...: runs COMMAND (a runner), waits until the server's child processes are
# back to their count before the run, and prints the runner's output plus the server's CPU
# microseconds per request.
measure() {
    local pid=$1 before after res kids i=0
    shift
    kids=$(children_of "$pid")
    before=$(cpu_ticks "$pid")
    res=$("$@")
    while [ "$(children_of "$pid")" -gt "$kids" ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    after=$(cpu_ticks "$pid")
    echo "$res" | awk -v t=$((after - before)) -v hz="$CLK_TCK" \
        '{printf "%s %.2f\n", $0, ($1 > 0 ? t * 1e6 / hz / $1 : 0)}'
}

# syscalls PID REQUESTS COMMAND...: strace -c -f -p PID while COMMAND runs (a fixed-size run of
# REQUESTS requests); prints syscalls per request and the three most frequent calls.
syscalls() {
    local pid=$1 n=$2 spid i=0
    shift 2
    if [ "$STRACE" = 0 ]; then
        echo "- -"
        return
    fi
    rm -f "$RUN/strace.out" "$RUN/strace.err"
    strace -c -f -p "$pid" -o "$RUN/strace.out" 2>"$RUN/strace.err" &
    spid=$!
    until grep -q attached "$RUN/strace.err" 2>/dev/null || [ $i -gt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    "$@" >/dev/null
    # Let the server finish with the last requests (and PostgreSQL reap its backends).
    sleep 0.5
    kill -INT "$spid"
    wait "$spid" 2>/dev/null || true
    awk -v n="$n" '
        /^[ ]*[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+/ && $NF != "total" {calls[$NF] = $4}
        $NF == "total" {total = $4}
        END {
            top = ""
            for (k = 0; k < 3; k++) {
                best = ""; bv = -1
                for (s in calls) if (calls[s] > bv) {bv = calls[s]; best = s}
                if (best == "") break
                top = top (top == "" ? "" : ",") best ":" sprintf("%.1f", bv / n)
                delete calls[best]
            }
            printf "%.1f %s\n", total / n, top
        }' "$RUN/strace.out"
}

ROWS=()
row() { # label conns pipeline peer knoop-result peer-result knoop-sys peer-sys
    ROWS+=("$1|$2|$3|$4|$5|$6|$7|$8")
}

echo "== running (each ${SECONDS_PER_RUN} s; syscalls over $SYS_REQUESTS requests)" >&2
# Redis runs a fixed number of requests: about SECONDS_PER_RUN seconds at the issue's rates.
RP16=$((SECONDS_PER_RUN * 1000000))
RP1=$((SECONDS_PER_RUN * 80000))

k=$(measure "$KPID" knoop_run ping 16 16)
p=$(measure "$RPID" redis_run 16 16 "$RP16")
ks=$(syscalls "$KPID" "$SYS_REQUESTS" knoop_run ping 16 16 --requests "$SYS_REQUESTS")
ps=$(syscalls "$RPID" "$SYS_REQUESTS" redis_run 16 16 "$SYS_REQUESTS")
row "ping" 16 16 "Redis" "$k" "$p" "$ks" "$ps"

k=$(measure "$KPID" knoop_run ping 16 1)
p=$(measure "$RPID" redis_run 16 1 "$RP1")
ks=$(syscalls "$KPID" "$SYS_REQUESTS" knoop_run ping 16 1 --requests "$SYS_REQUESTS")
ps=$(syscalls "$RPID" "$SYS_REQUESTS" redis_run 16 1 "$SYS_REQUESTS")
row "ping" 16 1 "Redis" "$k" "$p" "$ks" "$ps"

k=$(measure "$KPID" knoop_run node.get 16 1)
p=$(measure "$PGPID" pg_run node.sql 16)
ks=$(syscalls "$KPID" "$SYS_REQUESTS" knoop_run node.get 16 1 --requests "$SYS_REQUESTS")
ps=$(syscalls "$PGPID" "$SYS_REQUESTS" pg_run node.sql 16 -t $((SYS_REQUESTS / 16)))
row "node by id" 16 1 "PostgreSQL" "$k" "$p" "$ks" "$ps"

k=$(measure "$KPID" knoop_run edge.list 16 1)
p=$(measure "$PGPID" pg_run edges.sql 16)
ks=$(syscalls "$KPID" "$SYS_REQUESTS" knoop_run edge.list 16 1 --requests "$SYS_REQUESTS")
ps=$(syscalls "$PGPID" "$SYS_REQUESTS" pg_run edges.sql 16 -t $((SYS_REQUESTS / 16)))
row "edges at a date" 16 1 "PostgreSQL" "$k" "$p" "$ks" "$ps"

k=$(measure "$KPID" knoop_run ping 1 1)
p=$(measure "$RPID" redis_run 1 1 $((SECONDS_PER_RUN * 30000)))
ks=$(syscalls "$KPID" "$SYS_REQUESTS" knoop_run ping 1 1 --requests "$SYS_REQUESTS")
ps=$(syscalls "$RPID" "$SYS_REQUESTS" redis_run 1 1 "$SYS_REQUESTS")
row "ping, one connection" 1 1 "Redis" "$k" "$p" "$ks" "$ps"

LOOP=$(knoop_run loopback 1 1)

# ---------------------------------------------------------------------------------------------
echo
echo "Knoop $(git describe --always --dirty 2>/dev/null || echo '?') vs Redis $(redis-server --version |
    sed -n 's/.*v=\([^ ]*\).*/\1/p') and PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}');" \
    "$(nproc) cores; $NODES nodes, $((NODES * 5)) edges; $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Runs of ${SECONDS_PER_RUN} s (Redis: a fixed request count of about that length)."
if [ "$STRACE" = 1 ]; then
    echo "syscalls/req: strace -c -f -p SERVER over a separate run of $SYS_REQUESTS requests."
fi
echo
printf '| %-20s | %-5s | %-3s | %9s | %7s | %7s | %-10s | %9s | %7s | %7s | %5s | %7s | %7s | %6s | %6s | %-36s | %-36s |\n' \
    workload conns P "Knoop r/s" "p50 µs" "p99 µs" peer "peer r/s" "p50 µs" "p99 µs" ratio \
    "K CPU µs" "P CPU µs" "K sys" "P sys" "Knoop top syscalls/req" "peer top syscalls/req"
printf '|%s|\n' "----------------------|-------|-----|-----------|---------|---------|------------|-----------|---------|---------|-------|---------|---------|--------|--------|--------------------------------------|--------------------------------------"
for r in "${ROWS[@]}"; do
    [ -n "${COMPARE_DEBUG:-}" ] && printf "raw: %s\n" "$r" >&2
    IFS='|' read -r label c pl peer k p ks ps <<<"$r"
    read -r _ kr kp50 kp99 kcpu <<<"$k"
    read -r _ pr pp50 pp99 pcpu <<<"$p"
    read -r ksys ktop <<<"$ks"
    read -r psys ptop <<<"$ps"
    ratio=$(awk -v a="$kr" -v b="$pr" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
    printf '| %-20s | %5s | %3s | %9.0f | %7.1f | %7.1f | %-10s | %9.0f | %7.1f | %7.1f | %5s | %7s | %7s | %6s | %6s | %-36s | %-36s |\n' \
        "$label" "$c" "$pl" "$kr" "$kp50" "$kp99" "$peer" "$pr" "$pp50" "$pp99" "$ratio" \
        "$kcpu" "$pcpu" "$ksys" "$psys" "${ktop:--}" "${ptop:--}"
done
read -r _ lr lp50 lp99 <<<"$LOOP"
echo
printf 'Bare TCP loopback round trip (1 byte, one connection): p50 %.1f µs, p99 %.1f µs, %.0f/s\n' \
    "$lp50" "$lp99" "$lr"
