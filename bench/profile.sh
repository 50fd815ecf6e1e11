#!/usr/bin/env bash
# Profiles knoopd under the request-path workloads of issue 10 and prints a summary: starts
# knoopd on a temporary data directory, loads bench_load's graph, then
#   1. perf record (DWARF call graphs) of knoopd during pipelined ping (16 connections x 16) and during node.get by
#      id (16 connections), each followed by the top functions (perf report, self and children);
#      valgrind --tool=callgrind on a short run instead when perf cannot record here;
#   2. strace -c -f of knoopd over exactly R pipelined pings (default 100000) and R/5 node.get
#      (16 connections): every syscall with its count, and futex and write calls per request.
# Not part of the test command. Keeps each run short; uses both cores for about a minute.
#
# Usage: bench/profile.sh [--seconds S] [--pings R] [--no-build]
set -eu

SECS=3
PINGS=100000
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) SECS=$2; shift 2 ;;
    --pings) PINGS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "usage: bench/profile.sh [--seconds S] [--pings R] [--no-build]" >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")/.."
command -v strace >/dev/null 2>&1 || {
    echo "profile: missing strace (scripts/install-bench-deps.sh)" >&2
    exit 1
}
if [ "$BUILD" = 1 ]; then
    JOBS=$(nproc 2>/dev/null || echo 2)
    [ "$JOBS" -gt 2 ] && JOBS=2
    cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build/release -j"$JOBS" --target knoopd bench_load >/dev/null
fi
BIN=$PWD/build/release/bin
NODES=5000

RUN=$(mktemp -d "${TMPDIR:-/tmp}/knoop-profile.XXXXXX")
KPID=""
cleanup() {
    set +e
    if [ -n "$KPID" ] && kill -0 "$KPID" 2>/dev/null; then
        kill -TERM "$KPID"
        wait "$KPID" 2>/dev/null
    fi
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_knoopd() { # extra command prefix (valgrind) or nothing
    "$@" "$BIN/knoopd" --data "$RUN/data" --listen 127.0.0.1:0 --trust-loopback >"$RUN/knoopd.out" \
        2>"$RUN/knoopd.log" &
    KPID=$!
    local i=0
    until grep -q '^knoopd ready listen=' "$RUN/knoopd.out" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 600 ] || ! kill -0 "$KPID" 2>/dev/null; then
            echo "profile: knoopd did not start" >&2
            cat "$RUN/knoopd.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    KADDR=$(sed -n 's/^knoopd ready listen=\([^ ]*\).*/\1/p' "$RUN/knoopd.out")
}

stop_knoopd() {
    kill -TERM "$KPID"
    wait "$KPID" || true
    KPID=""
}

load() {
    "$BIN/bench_load" "$@" --addr "$KADDR" --nodes "$NODES"
}

start_knoopd
load --load-only >/dev/null

echo "knoopd $(git describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores," \
    "$NODES nodes, $((NODES * 5)) edges; $(date -u +%Y-%m-%dT%H:%MZ)"

PERF=0
if command -v perf >/dev/null 2>&1 &&
    perf record -q -o "$RUN/probe.data" -g -- true >/dev/null 2>&1; then
    PERF=1
fi

# profile LABEL bench_load-args...: perf record -g of knoopd while bench_load runs.
profile() {
    local label=$1
    shift
    echo
    echo "=== $label: perf record --call-graph dwarf -F 499 -p knoopd, ${SECS} s"
    # DWARF unwinding: libc, libuv and RocksDB are built without frame pointers, and the
    # interesting stacks (futex waits in the thread pool) run through them.
    perf record -q --call-graph dwarf,16384 -F 499 -p "$KPID" -o "$RUN/perf.data" \
        >/dev/null 2>"$RUN/perf.err" &
    local ppid=$!
    sleep 0.5
    load --first 1 --seconds "$SECS" "$@"
    kill -INT "$ppid"
    wait "$ppid" || true
    echo "--- top 25 by self time (perf report --no-children --sort symbol)"
    perf report -i "$RUN/perf.data" --stdio --no-children --sort symbol -g none \
        --percent-limit 0.7 2>/dev/null | grep -v '^#' | grep -v '^$' | head -25
    echo "--- top 25 by time including callees (--children --sort symbol)"
    perf report -i "$RUN/perf.data" --stdio --children --sort symbol -g none \
        --percent-limit 3 2>/dev/null | grep -v '^#' | grep -v '^$' | head -25
    echo "--- top 20 user-space functions by self time (dso, symbol)"
    perf report -i "$RUN/perf.data" --stdio --no-children --sort dso,symbol -g none \
        --percent-limit 0.25 2>/dev/null | grep -F '[.]' | head -20
    echo "--- call graph of the entries over 5% (self), callers below, branches over 2%"
    perf report -i "$RUN/perf.data" --stdio --no-children --sort symbol \
        -g caller,2,callee,function,percent --percent-limit 5 2>/dev/null |
        grep -v '^#' | grep -v '^$' | head -90
}

if [ "$PERF" = 1 ]; then
    profile "ping, 16 connections x pipeline 16" --workload ping --conns 16 --depth 16
    profile "node.get by id, 16 connections" --workload node.get --conns 16 --depth 1
else
    stop_knoopd
    echo
    echo "=== perf cannot record here: valgrind --tool=callgrind, 20000 requests per workload"
    start_knoopd valgrind --tool=callgrind --callgrind-out-file="$RUN/callgrind.out"
    load --first 1 --requests 20000 --workload ping --conns 16 --depth 16
    load --first 1 --requests 20000 --workload node.get --conns 16 --depth 1
    stop_knoopd
    callgrind_annotate "$RUN/callgrind.out" 2>/dev/null | head -40
    start_knoopd
fi

# count_syscalls N bench_load-args...: strace -c -f of knoopd over exactly N requests.
count_syscalls() {
    local n=$1 spid i=0
    shift
    strace -c -f -p "$KPID" -o "$RUN/strace.out" 2>"$RUN/strace.err" &
    spid=$!
    until grep -q attached "$RUN/strace.err" 2>/dev/null || [ $i -gt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    load --first 1 --requests "$n" "$@"
    sleep 0.5
    kill -INT "$spid"
    wait "$spid" || true
    cat "$RUN/strace.out"
    awk -v n="$n" '$NF == "futex" || $NF == "write" || $NF == "total" {
            printf "%s: %d calls, %.2f per request\n", $NF, $4, $4 / n }' "$RUN/strace.out"
}

echo
echo "=== strace -c -f -p knoopd over $PINGS pings, 16 connections x pipeline 16"
count_syscalls "$PINGS" --workload ping --conns 16 --depth 16
echo
echo "=== strace -c -f -p knoopd over $((PINGS / 5)) node.get, 16 connections"
count_syscalls $((PINGS / 5)) --workload node.get --conns 16 --depth 1
stop_knoopd
