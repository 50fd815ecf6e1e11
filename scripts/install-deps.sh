#!/bin/sh
# Installs the Debian 12 packages Knoop needs to build, test and run, if any is missing.
# graphviz draws `knoop graph` pictures (dot -Tsvg/-Tpng).
# Idempotent and non-interactive; quick when everything is present (dpkg -s, no apt-get).
set -eu
# libclang-rt-14-dev: clang's sanitizer and libFuzzer runtimes (the fuzz step of test.sh).
PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev clang-format git
librocksdb-dev libuv1-dev libmsgpack-dev libcmocka-dev libutf8proc-dev libedit-dev libjansson-dev
libsodium-dev libssl-dev openssl python3 python3-msgpack python3-pynvim graphviz"
missing=""
for p in $PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
