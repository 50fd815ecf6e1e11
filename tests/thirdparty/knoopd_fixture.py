"""Start and stop a real knoopd for the third-party client tests.

knoopd runs on 127.0.0.1 port 0 with a fresh data directory; the port is read from its ready
line. No sleeps: waiting is a bounded poll on the process's stdout.
"""
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

KNOOPD = os.environ.get("KNOOPD", "knoopd")


class Knoopd:
    def __init__(self, *extra, data=None, trust_loopback=True):
        """trust_loopback (the default) starts knoopd with --trust-loopback: the tests of
        everything but auth connect as the local operator without credentials."""
        self.own_data = data is None
        if trust_loopback:
            extra = ("--trust-loopback",) + tuple(extra)
        self.data = data or tempfile.mkdtemp(prefix="knoop-py-")
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.unix = None

    def start(self, timeout=30.0):
        self.proc = subprocess.Popen(
            [KNOOPD, "--data", self.data, "--listen", "127.0.0.1:0", "--log-level", "warn"]
            + self.extra,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("knoopd did not print its ready line")
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                ch = os.read(self.proc.stdout.fileno(), 1)
                if not ch:
                    raise RuntimeError("knoopd exited: " + self.proc.stderr.read().decode())
                line += ch
        words = dict(w.split("=", 1) for w in line.decode().split()[2:])
        self.port = int(words["listen"].rsplit(":", 1)[1])
        self.unix = words.get("unix")
        return self

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def stop(self, sig=signal.SIGTERM):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.proc = None
        return rc

    def cleanup(self):
        if self.proc is not None:
            self.stop(signal.SIGKILL)
        if self.own_data:
            shutil.rmtree(self.data, ignore_errors=True)
