# Sourced (not run) by the scripts that start a knoopd of their own: demo.sh and bench/run_*.sh.
#
# knoopd_start PROG OUT LOG KNOOPD [ARGS...]: starts KNOOPD ARGS in the background with stdout to
# OUT and stderr to LOG, sets PID, and waits for its ready line ("knoopd ready
# listen=HOST:PORT ...") with a bounded poll (at most 30 s) that stops early if knoopd exits; sets
# ADDR to HOST:PORT. On failure prints "PROG: ..." and knoopd's log to stderr and exits 1. OUT is
# created before knoopd starts, so that the first look at it cannot fail (under set -e that ended
# a script while knoopd started, and once left demo.sh waiting in its cleanup).
knoopd_start() {
    _prog=$1
    _out=$2
    _log=$3
    shift 3
    : >"$_out"
    "$@" >"$_out" 2>"$_log" &
    PID=$!
    ADDR=""
    _i=0
    while [ $_i -lt 300 ]; do
        ADDR=$(sed -n 's/^knoopd ready listen=\([^ ]*\).*/\1/p' "$_out")
        [ -n "$ADDR" ] && return 0
        if ! kill -0 "$PID" 2>/dev/null; then
            echo "$_prog: knoopd exited before it was ready:" >&2
            cat "$_log" >&2
            exit 1
        fi
        _i=$((_i + 1))
        sleep 0.1
    done
    echo "$_prog: knoopd printed no ready line within 30 s" >&2
    cat "$_log" >&2
    exit 1
}

# knoopd_cleanup: for `trap knoopd_cleanup EXIT INT TERM` in the scripts that run knoopd in a
# scratch directory: stops the knoopd in PID (SIGTERM, then waits) if it still runs and removes
# RUN.
knoopd_cleanup() {
    if [ -n "${PID:-}" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "${RUN:?}"
}
