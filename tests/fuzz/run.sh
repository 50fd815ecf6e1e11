#!/bin/sh
# Runs one fuzz target over its kept seed corpus: tests/fuzz/run.sh BUILD TARGET [OPTIONS...]
# BUILD is the KNOOP_FUZZ build directory (its fuzz/ holds the executables), TARGET e.g.
# fuzz_dispatch; OPTIONS go to libFuzzer (-runs=N, -max_total_time=S ...). The kept corpus
# tests/fuzz/corpus/TARGET is only read: inputs found on the way go to a scratch directory that
# is removed afterwards. A crash, leak, sanitizer report or failed assertion leaves its input in
# BUILD/artifacts/ and makes this script fail. tests/fuzz/lsan.supp says what LeakSanitizer may
# ignore (a false positive in glibc's thread_local bookkeeping, nothing of Knoop's).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
target=$2
shift 2
scratch=$(mktemp -d "${TMPDIR:-/tmp}/knoop-$target-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$build/artifacts"
dict=""
LSAN_OPTIONS="suppressions=$here/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
[ -f "$here/$target.dict" ] && dict="-dict=$here/$target.dict"
# shellcheck disable=SC2086
"$build/fuzz/$target" -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" \
    $dict "$@" "$scratch" "$here/corpus/$target"
