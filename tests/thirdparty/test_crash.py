"""Crash test: knoopd killed with SIGKILL while writers of every kind run; nothing acknowledged is
lost, nothing is half-applied, and the consistency checker finds the store clean.

Each cycle runs five writers on their own connections, each on its own entities:

- create:  node.create and edge.create between its nodes;
- end:     an on-behalf-of chain (base, dependent, dependent's dependent), then edge.end of the
           base, which ends the whole chain in one write;
- delete:  a node with edges and an edge held on behalf of one of them, then node.delete with
           cascade;
- batch:   `batch` of three node.create and an edge.create between them (by external key);
- import:  node.put / edge.put upserts of the same keys again and again with changing names
           (an import's operations).

The writers record what was acknowledged; an operation whose answer never came is "in flight".
At a random moment (after a random number of acknowledgements) knoopd gets SIGKILL. Then
`knoopd --check DIR` must be clean (exit 0), knoopd restarts on the same directory, and the test
checks that every acknowledged change is there (by id, by valid_to, deletions gone), that
in-flight changes are all-or-nothing (a batch's nodes, a chain's ends, a cascade's edges), and
that `admin.check` is clean too.

Environment: KNOOPD (the server binary), KNOOP_CRASH_CYCLES (default 20; ctest sets 10 for the
sanitizer build, where a cycle takes about three times as long), KNOOP_CRASH_SEED (default:
random, printed). Long run: KNOOP_CRASH_CYCLES=500. Every acknowledged write is
checked after the kill that follows it and again at the end; in between, with more than
KNOOP_CRASH_FULL (default 20000) acknowledged entities, older ones are sampled (2000 a cycle).
No sleeps: waiting is on the writers' acknowledgements or the server's ready line, bounded.
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from knoopd_fixture import KNOOPD, Knoopd  # noqa: E402
from test_thirdparty import Client  # noqa: E402

END_ON = "2023-01-01"


class Model:
    """What the writers were told was committed, and what was in flight when knoopd died."""

    def __init__(self):
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.acks = 0          # acknowledged write operations, all cycles
        self.cycle_acks = 0
        self.nodes = {}        # id -> external key, expected present
        self.gone_nodes = set()
        self.edges = {}        # id -> expected valid_to (None = open)
        self.gone_edges = set()
        self.chains = []       # [base, dep, dep2] whose end is acknowledged or not tried
        self.imports = {}      # key -> acknowledged name
        self.errors = []       # unexpected error responses
        self.inflight = []     # (kind, data) of operations without an answer

    def ack(self, n=1):
        with self.cond:
            self.acks += n
            self.cycle_acks += n
            self.cond.notify_all()


class Writer(threading.Thread):
    def __init__(self, model, port, cycle, kind, rng):
        super().__init__(daemon=True)
        self.m, self.port, self.cycle, self.kind, self.rng = model, port, cycle, kind, rng
        self.stop = threading.Event()
        self.i = 0

    def key(self, tag):
        self.i += 1
        return "c%d-%s-%s%d" % (self.cycle, self.kind, tag, self.i)

    def call(self, method, params, pending):
        """One write. pending describes it while unanswered; returns the result."""
        err, res = self.c.call(method, params)
        if err is not None:
            with self.m.lock:
                self.m.errors.append((method, params, err))
            raise RuntimeError("unexpected error: %s %s" % (method, err))
        return res

    def run(self):
        s = None
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.c = Client(s)
            while not self.stop.is_set():
                getattr(self, "w_" + self.kind)()
        except (EOFError, OSError, RuntimeError):
            pass
        except AssertionError as e:  # a wrong answer to an acknowledged write
            with self.m.lock:
                self.m.errors.append((self.kind, "wrong result", str(e)))
        finally:
            if s is not None:
                s.close()

    def pending(self, kind, data):
        with self.m.lock:
            self.m.inflight.append((kind, data))
        return (kind, data)

    def done(self, p):
        with self.m.lock:
            self.m.inflight.remove(p)

    def node(self, key):
        p = self.pending("node", key)
        n = self.call("node.create", {"kind": "person", "props": {"key": key}}, p)
        with self.m.lock:
            self.m.nodes[n["id"]] = key
        self.done(p)
        self.m.ack()
        return n["id"]

    def edge(self, a, b, frm="2020-01-01", behalf=None):
        params = {"type": "collega", "source": a, "target": b, "valid_from": frm}
        if behalf is not None:
            params["on_behalf_of"] = behalf
        p = self.pending("edge", (a, b))
        e = self.call("edge.create", params, p)
        with self.m.lock:
            self.m.edges[e["id"]] = None
        self.done(p)
        self.m.ack()
        return e["id"]

    def w_create(self):
        a = self.node(self.key("n"))
        b = self.node(self.key("n"))
        self.edge(a, b)

    def w_end(self):
        a = self.node(self.key("n"))
        b = self.node(self.key("n"))
        e0 = self.edge(a, b, "2020-01-01")
        e1 = self.edge(b, a, "2020-02-01", e0)
        e2 = self.edge(a, b, "2020-03-01", e1)
        chain = [e0, e1, e2]
        with self.m.lock:
            self.m.chains.append(chain)
        p = self.pending("end", chain)
        r = self.call("edge.end", {"id": e0, "on": END_ON}, p)
        assert sorted(x["id"] for x in r["ended"]) == sorted(chain), r
        with self.m.lock:
            for e in chain:
                self.m.edges[e] = END_ON
        self.done(p)
        self.m.ack()

    def w_delete(self):
        x = self.node(self.key("x"))
        y = self.node(self.key("y"))
        e0 = self.edge(x, y)
        e1 = self.edge(y, x, "2020-02-01", e0)
        # an edge between survivors held on behalf of a doomed one goes with it
        z = self.node(self.key("z"))
        e2 = self.edge(y, z, "2020-03-01", e1)
        doomed = [e0, e1, e2]
        p = self.pending("delete", (x, doomed))
        r = self.call("node.delete", {"id": x, "cascade": True}, p)
        assert sorted(r["deleted_edges"]) == sorted(doomed), r
        with self.m.lock:
            del self.m.nodes[x]
            self.m.gone_nodes.add(x)
            for e in doomed:
                del self.m.edges[e]
                self.m.gone_edges.add(e)
        self.done(p)
        self.m.ack()

    def w_batch(self):
        keys = [self.key("b") for _ in range(3)]
        ops = [{"method": "node.create", "params": {"kind": "person", "props": {"key": k}}}
               for k in keys]
        ops.append({"method": "edge.create",
                    "params": {"type": "collega", "source": keys[0], "target": keys[1],
                               "valid_from": "2021-01-01"}})
        p = self.pending("batch", keys)
        r = self.call("batch", {"ops": ops}, p)["results"]
        with self.m.lock:
            for k, n in zip(keys, r[:3]):
                self.m.nodes[n["id"]] = k
            self.m.edges[r[3]["id"]] = None
        self.done(p)
        self.m.ack()

    def w_import(self):
        # A small set of keys put again and again, as a re-run import does.
        k1 = "imp-%d" % self.rng.randrange(40)
        k2 = "imp-%d" % self.rng.randrange(40)
        name = "Import %s" % self.key("v")
        p = self.pending("import", (k1, name))
        n = self.call("node.put", {"kind": "person", "props": {"key": k1, "name": name}}, p)
        with self.m.lock:
            self.m.imports[k1] = name
            self.m.nodes[n["node"]["id"]] = k1
        self.done(p)
        self.m.ack()
        if k1 != k2 and k2 in self.m.imports:
            p = self.pending("edge.put", (k1, k2))
            e = self.call("edge.put", {"type": "collega", "source": k1, "target": k2,
                                       "valid_from": "2021-06-01"}, p)
            with self.m.lock:
                self.m.edges[e["edge"]["id"]] = None
            self.done(p)
            self.m.ack()


KINDS = ("create", "end", "delete", "batch", "import")


def pipeline(c, calls):
    """Sends (method, params, check) calls pipelined; returns the failures check reported."""
    failures = []
    for i in range(0, len(calls), 500):
        chunk = calls[i:i + 500]
        for j, (method, params, _) in enumerate(chunk):
            c.send(method, params, msgid=j + 1)
        got = {}
        for _ in chunk:
            msg = c.recv()
            got[msg[1]] = (msg[2], msg[3])
        for j, (method, params, check) in enumerate(chunk):
            err, res = got[j + 1]
            why = check(err, res)
            if why:
                failures.append("%s %s: %s" % (method, params, why))
    return failures


def present(err, res):
    return "lost: %s" % err if err is not None else None


def absent(err, res):
    if err is None:
        return "deleted but present"
    return None if err["code"] == "not_found" else "unexpected %s" % err


def valid_to_is(want):
    def check(err, res):
        if err is not None:
            return "lost: %s" % err
        return None if res["valid_to"] == want else "valid_to %s, acknowledged %s" % (
            res["valid_to"], want)
    return check


class CrashTest(unittest.TestCase):
    def test_sigkill_during_writes_of_every_kind_loses_nothing(self):
        cycles = int(os.environ.get("KNOOP_CRASH_CYCLES", "20"))
        full_limit = int(os.environ.get("KNOOP_CRASH_FULL", "20000"))
        seed = int(os.environ.get("KNOOP_CRASH_SEED", str(random.randrange(1 << 30))))
        print("crash test: seed=%d cycles=%d (KNOOP_CRASH_SEED=%d reproduces the choices)"
              % (seed, cycles, seed), flush=True)
        rng = random.Random(seed)
        data = tempfile.mkdtemp(prefix="knoop-crash-")
        m = Model()
        checked = 0
        t0 = time.monotonic()
        srv = None
        try:
            srv = Knoopd(data=data).start()
            for cycle in range(1, cycles + 1):
                m.cycle_acks = 0
                writers = [Writer(m, srv.port, cycle, k, random.Random(rng.random()))
                           for k in KINDS]
                for w in writers:
                    w.start()
                target = rng.randrange(5, 120)
                with m.cond:
                    self.assertTrue(m.cond.wait_for(lambda: m.cycle_acks >= target or
                                                    not any(w.is_alive() for w in writers),
                                                    timeout=60), "writers made no progress")
                srv.proc.send_signal(signal.SIGKILL)
                srv.proc.wait(timeout=60)
                for w in writers:
                    w.stop.set()
                for w in writers:
                    w.join(timeout=60)
                    self.assertFalse(w.is_alive(), "a writer hangs after the kill")
                srv.proc.stdout.close()
                srv.proc.stderr.close()
                srv.proc = None
                self.assertEqual(m.errors, [], "writes failed with an error response")

                # The directory as the crash left it: the checker must find it clean.
                r = subprocess.run([KNOOPD, "--check", data], capture_output=True, text=True,
                                   timeout=300)
                self.assertEqual(r.returncode, 0, "cycle %d: knoopd --check:\n%s%s"
                                 % (cycle, r.stdout[-4000:], r.stderr[-2000:]))
                self.assertIn("check clean", r.stdout)

                srv = Knoopd(data=data).start()
                last = cycle == cycles
                try:
                    c = Client(srv.connect())
                    checked += self.verify(c, m, rng, full=last or len(m.nodes) + len(m.edges)
                                           <= full_limit, cycle=cycle)
                    res = c.ok("admin.check", {})
                    c.s.close()
                except (EOFError, OSError) as e:
                    self.fail("cycle %d: connection lost while checking (%s): %s"
                              % (cycle, e, self.server_state(srv)))
                self.assertTrue(res["ok"], res["mismatches"][:20])
                if cycle % 10 == 0 or last:
                    print("cycle %d: %d acknowledged writes, %d checks so far, %d nodes, "
                          "%d edges, %.1f s" % (cycle, m.acks, checked, len(m.nodes),
                                                len(m.edges), time.monotonic() - t0),
                          flush=True)
            self.assertEqual(srv.stop(), 0)
            srv = None
            print("crash test: seed=%d cycles=%d acknowledged writes=%d checks=%d "
                  "lost=0 half-applied=0 checker clean after every kill, %.1f s"
                  % (seed, cycles, m.acks, checked, time.monotonic() - t0), flush=True)
        finally:
            if srv is not None and srv.proc is not None:
                srv.stop(signal.SIGKILL)
            shutil.rmtree(data, ignore_errors=True)

    @staticmethod
    def server_state(srv):
        """How knoopd ended, with the end of its log, when a connection to it broke."""
        try:
            rc = srv.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return "knoopd still runs"
        return "knoopd exited with status %s; stderr: %s" % (
            rc, srv.proc.stderr.read()[-3000:].decode(errors="replace"))

    def verify(self, c, m, rng, full, cycle):
        """Checks acknowledged state and in-flight atomicity; returns how many checks ran."""
        # First settle what was in flight (all or nothing), so the model holds what committed.
        failures = self.inflight(c, m)
        calls = []
        nodes = list(m.nodes.items())
        edges = list(m.edges.items())
        if not full:
            # Newest first (ids grow): this cycle's writes are always checked; older sampled.
            nodes.sort(reverse=True)
            edges.sort(reverse=True)
            nodes = nodes[:2000] + rng.sample(nodes[2000:], min(2000, len(nodes[2000:])))
            edges = edges[:2000] + rng.sample(edges[2000:], min(2000, len(edges[2000:])))
        for nid, _ in nodes:
            calls.append(("node.get", {"id": nid}, present))
        for eid, to in edges:
            calls.append(("edge.get", {"id": eid}, valid_to_is(to)))
        for nid in m.gone_nodes if full else list(m.gone_nodes)[-200:]:
            calls.append(("node.get", {"id": nid}, absent))
        for eid in m.gone_edges if full else list(m.gone_edges)[-600:]:
            calls.append(("edge.get", {"id": eid}, absent))
        for k, name in m.imports.items():
            calls.append(("node.get", {"id": k}, self.import_check(k, name)))
        failures += pipeline(c, calls)
        self.assertEqual(failures, [], "cycle %d: %d problems, first: %s"
                         % (cycle, len(failures), failures[:10]))
        return len(calls)

    @staticmethod
    def import_check(key, name):
        def check(err, res):
            if err is not None:
                return "lost: %s" % err
            got = res["props"].get("name")
            return None if got == name else "name %r, acknowledged %r" % (got, name)
        return check

    def inflight(self, c, m):
        """Operations without an answer: all of it or none of it."""
        failures = []
        left = []
        for kind, data in m.inflight:
            if kind == "end":
                got = [c.call("edge.get", {"id": e})[1]["valid_to"] for e in data]
                if got not in ([None] * 3, [END_ON] * 3):
                    failures.append("half-applied end of chain %s: valid_to %s" % (data, got))
                elif got[0] == END_ON:  # committed without an answer: now expected
                    for e in data:
                        m.edges[e] = END_ON
            elif kind == "delete":
                x, doomed = data
                there = [c.call("node.get", {"id": x})[0] is None] + \
                        [c.call("edge.get", {"id": e})[0] is None for e in doomed]
                if len(set(there)) != 1:
                    failures.append("half-applied cascade delete of %d: %s" % (x, there))
                elif not there[0]:
                    del m.nodes[x]
                    m.gone_nodes.add(x)
                    for e in doomed:
                        del m.edges[e]
                        m.gone_edges.add(e)
            elif kind == "batch":
                found = [c.call("node.get", {"id": k}) for k in data]
                there = [err is None for err, _ in found]
                if len(set(there)) != 1:
                    failures.append("half-applied batch %s: %s" % (data, there))
                elif there[0]:
                    for k, (_, n) in zip(data, found):
                        m.nodes[n["id"]] = k
            elif kind == "import":
                err, n = c.call("node.get", {"id": data[0]})
                if err is None and n["props"].get("name") == data[1]:
                    m.imports[data[0]] = data[1]
                    m.nodes[n["id"]] = data[0]
            # node, edge, edge.put without an answer: either outcome is fine (one record)
        m.inflight = left
        return failures


class CheckCommandTest(unittest.TestCase):
    def test_check_exit_status_clean_error_and_locked(self):
        srv = Knoopd().start()
        try:
            c = Client(srv.connect())
            a = c.ok("node.create", {"kind": "person", "props": {"key": "a", "name": "A"}})
            b = c.ok("node.create", {"kind": "person", "props": {"key": "b"}})
            c.ok("edge.create", {"type": "collega", "source": a["id"], "target": b["id"],
                                 "valid_from": "2020-01-01"})
            online = c.ok("admin.check", {})
            self.assertTrue(online["ok"])
            # history: the three changes and the first start's bootstrap admin (a user entry).
            self.assertEqual(online["counts"], {"nodes": 2, "edges": 1, "adjacency": 2,
                                                "index": 5, "history": 4, "mismatches": 0})
            # The running server holds the directory: the check refuses (exit 2), writes nothing.
            r = subprocess.run([KNOOPD, "--check", srv.data], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            c.s.close()
            self.assertEqual(srv.stop(), 0)
            r = subprocess.run([KNOOPD, "--check", srv.data], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("check clean: nodes=2 edges=1 adjacency=2 index=5 history=4 "
                          "mismatches=0 digest=" + online["digest"], r.stdout)
            missing = os.path.join(srv.data, "nothing-here")
            r = subprocess.run([KNOOPD, "--check", missing], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(r.returncode, 2)
            self.assertIn("not a knoop data directory", r.stderr)
            self.assertFalse(os.path.exists(missing), "--check created a directory")
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
