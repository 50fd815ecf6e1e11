"""Issue 10's hostile clients, measured (bench/run_hostile.sh runs it; not part of the tests).

Against a running knoopd (argv: ADDR PID SECONDS BENCH_LOAD): loads 2,000 persons with 1 KiB of properties
each, then for SECONDS runs at once
  - 4 connections that pipeline `node.find {kind: person, limit: 1000}` (answers of ~1.3 MB)
    and never read,
  - 20 connections that keep 128 `node.find {kind: person, limit: 100}` each in flight,
  - 1 connection that sends one 15 MB request (refused: an unknown parameter), then idles,
  - 1 well-behaved client asking `node.get` of a random person, one at a time: bench_load,
    a process of its own (a Python thread would wait for the hostile threads' interpreter lock),
and samples knoopd's RSS every 100 ms. Then it sends SIGTERM with the hostile connections still
open and times knoopd's exit. Prints one line per figure.
"""
import msgpack
import os
import signal
import socket
import subprocess
import sys
import threading
import time

ADDR, PID, SECONDS, BENCH_LOAD = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
HOST, PORT = ADDR.rsplit(":", 1)
stop = threading.Event()


def connect():
    s = socket.create_connection((HOST, int(PORT)))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def rss_kib():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Client:
    def __init__(self):
        self.s = connect()
        self.u = msgpack.Unpacker(raw=False, max_buffer_size=1 << 30)
        self.mid = 0

    def call(self, method, params):
        self.mid += 1
        self.s.sendall(msgpack.packb([0, self.mid, method, [params]]))
        while True:
            for o in self.u:
                if o[2] is not None:
                    raise RuntimeError("%s: %s" % (method, o[2]))
                return o[3]
            d = self.s.recv(1 << 20)
            if not d:
                raise RuntimeError("closed")
            self.u.feed(d)


def load(c):
    ids = []
    pad = "x" * 1024
    for chunk in range(20):
        ops = [{"method": "node.create", "params": {"kind": "person", "props": {
            "surname": "Hostile%04d" % (chunk * 100 + i), "initials": "H.", "note": pad}}}
            for i in range(100)]
        ids += [r["id"] for r in c.call("batch", {"ops": ops})["results"]]
    return ids


def never_reads(conns):
    req = msgpack.packb([0, 1, "node.find", [{"kind": "person", "limit": 1000}]])
    for s in conns:
        s.setblocking(False)
    while not stop.is_set():
        for s in conns:
            try:
                s.send(req * 16)
            except (BlockingIOError, InterruptedError):
                pass  # knoopd stopped reading it: the cap works
            except OSError:
                pass  # closed by knoopd
        time.sleep(0.01)


def scanner(s):
    u = msgpack.Unpacker(raw=False, max_buffer_size=1 << 30)
    req = msgpack.packb([0, 1, "node.find", [{"kind": "person", "limit": 100}]])
    try:
        s.sendall(req * 128)
        while not stop.is_set():
            d = s.recv(1 << 20)
            if not d:
                return
            u.feed(d)
            n = sum(1 for _ in u)
            if n:
                s.sendall(req * n)
    except OSError:
        return


def main():
    c = Client()
    ids = load(c)
    time.sleep(1)
    idle = rss_kib()
    hostile = [connect() for _ in range(4)]
    scans = [connect() for _ in range(20)]
    big = connect()
    threads = [threading.Thread(target=never_reads, args=(hostile,))]
    threads += [threading.Thread(target=scanner, args=(s,)) for s in scans]
    for t in threads:
        t.start()
    # 15 MB in 15,000 strings of 1,000 bytes (one string may hold at most 1 MiB).
    big.sendall(msgpack.packb([0, 1, "node.get", [{"id": ids[0], "pad": ["y" * 1000] * 15000}]]))
    peak = idle
    well = subprocess.Popen([BENCH_LOAD, "--addr", ADDR, "--first", str(min(ids)), "--nodes",
                             str(len(ids)), "--workload", "node.get", "--conns", "1", "--depth",
                             "1", "--seconds", str(SECONDS)], stdout=subprocess.PIPE, text=True)
    while well.poll() is None:
        peak = max(peak, rss_kib())
        time.sleep(0.1)
    well_out = well.stdout.read().strip()
    during = rss_kib()
    info = c.call("server.info", {})
    mem = info["memory"]
    mem["memtable_bytes"] = info["memtables"]["bytes"]
    mem["read_audit_entries"] = info["read_audit"]["entries"]
    mem["read_audit_writes"] = info["read_audit"]["writes"]
    t0 = time.perf_counter()
    os.kill(PID, signal.SIGTERM)
    waited = None
    while time.perf_counter() - t0 < 30:
        try:
            os.kill(PID, 0)
        except ProcessLookupError:
            waited = time.perf_counter() - t0
            break
        try:
            with open("/proc/%d/stat" % PID) as f:
                if f.read().split()[2] == "Z":
                    waited = time.perf_counter() - t0
                    break
        except FileNotFoundError:
            waited = time.perf_counter() - t0
            break
        time.sleep(0.01)
    stop.set()
    for s in hostile + scans + [big]:
        s.close()
    print("rss_idle_mib %.1f" % (idle / 1024))
    print("rss_peak_mib %.1f (%.1f above idle)" % (peak / 1024, (peak - idle) / 1024))
    print("rss_at_end_mib %.1f" % (during / 1024))
    print("server_info_memory_mib %s" % ", ".join(
        "%s %.1f" % (k, v / 1048576) if k.endswith("bytes") else "%s %d" % (k, v)
        for k, v in sorted(mem.items())))
    print("well-behaved client: %s" % well_out)
    print("sigterm_exit_s %s" % ("%.3f" % waited if waited is not None else "not within 30 s"))


main()
