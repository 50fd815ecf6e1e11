#!/bin/sh
# The whole test suite: installs what is missing, checks formatting, builds with warnings as
# errors, runs every unit and integration test, builds Release with GCC and RelWithDebInfo with
# clang (warnings as errors, no tests), then builds and runs the tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer, and runs each libFuzzer target for a bounded time.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
JOBS=$(nproc 2>/dev/null || echo 2)

echo "== clang-format"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build/*')
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files

echo "== build (RelWithDebInfo, -Werror)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j"$JOBS"
echo "== tests"
(cd build/release && ctest --output-on-failure -j"$JOBS")

# Release (-O3) and clang report warnings RelWithDebInfo with GCC does not; build only, the
# tests above already ran.
echo "== build (Release, GCC, -Werror)"
CC=gcc cmake -S . -B build/gcc-release -DCMAKE_BUILD_TYPE=Release -DKNOOP_TESTS=ON >/dev/null
cmake --build build/gcc-release -j"$JOBS"
echo "== build (clang, RelWithDebInfo, -Werror)"
CC=clang cmake -S . -B build/clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKNOOP_TESTS=ON >/dev/null
cmake --build build/clang -j"$JOBS"

echo "== build (ASan + UBSan)"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DKNOOP_SANITIZE=ON >/dev/null
cmake --build build/asan -j"$JOBS"
echo "== tests under ASan + UBSan"
(cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$JOBS")
# libFuzzer targets (tests/fuzz/README.md): each runs over its kept corpus for a bounded number
# of executions; a crash, leak, sanitizer report or failed assertion fails the suite.
echo "== fuzz (bounded)"
CC=clang cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKNOOP_FUZZ=ON \
    -DKNOOP_TESTS=OFF >/dev/null
cmake --build build/fuzz -j"$JOBS" --target fuzz
for t in fuzz_proto fuzz_validate fuzz_import fuzz_dispatch; do
    ./tests/fuzz/run.sh build/fuzz "$t" -runs=200000 -max_total_time=20 >build/fuzz/"$t".log 2>&1 ||
        { tail -n 60 build/fuzz/"$t".log; echo "fuzz: $t failed (log: build/fuzz/$t.log)"; exit 1; }
    grep -h '^Done\|stat::number_of_executed_units' build/fuzz/"$t".log | sed "s/^/$t: /"
done
echo "== all checks passed"
