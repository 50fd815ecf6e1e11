#!/bin/sh
# Installs the Debian 12 packages bench/compare.sh compares Knoop against (Redis 7 with
# redis-benchmark, PostgreSQL 15 with pgbench) and the tools it measures with (strace, perf), if
# any is missing. Not part of the test command, nor of scripts/install-deps.sh: only the
# benchmarks need them. Idempotent and non-interactive; quick when everything is present.
set -eu
PKGS="redis-server redis-tools postgresql postgresql-contrib strace linux-perf"
missing=""
for p in $PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-bench-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
