#!/bin/sh
# Issue 10's hostile clients, measured against a fresh knoopd with default limits: 4 connections
# that pipeline big answers and never read, 20 connections keeping 128 scans each in flight and
# one 15 MB request, while a well-behaved client asks node.get; then SIGTERM with them connected
# (bench/hostile.py says what each does). Prints knoopd's RSS at idle and at peak, the
# well-behaved client's node.get latency, and how long SIGTERM took. The tests check the same
# behaviour without timing (tests/integration/test_hostile.c); this measures it. Not part of the
# test command. Needs python3-msgpack (scripts/install-deps.sh installs it).
#
# Usage: bench/run_hostile.sh [SECONDS]   (default 10)
# shellcheck source=scripts/knoopd-start.sh
set -eu
cd "$(dirname "$0")/.."
. scripts/knoopd-start.sh
SECS=${1:-10}
JOBS=$(nproc 2>/dev/null || echo 2)
[ "$JOBS" -gt 2 ] && JOBS=2
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j"$JOBS" --target knoopd bench_load >/dev/null
RUN=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$RUN"' EXIT
knoopd_start run_hostile "$RUN/out" "$RUN/log" build/release/bin/knoopd --data "$RUN/data" \
    --listen 127.0.0.1:0 --trust-loopback
echo "knoopd $(git rev-parse --short HEAD 2>/dev/null || echo '?'), default limits, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
# Debian's python3 has python3-msgpack; another python3 first on PATH may not.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" bench/hostile.py "$ADDR" "$PID" "$SECS" build/release/bin/bench_load
wait "$PID" || true
