"""knoopd driven by MessagePack-RPC clients that are not ours.

- Debian's python3-msgpack on a raw TCP socket (hand-made envelopes, malformed input, limits,
  pipelining, 500 concurrent connections, restarts, kill -9 during acknowledged writes);
- the msgpack-rpc session of Debian's python3-pynvim (a complete, independent implementation of
  the MessagePack-RPC spec).
"""
import os
import select
import time
import selectors
import signal
import socket
import struct
import sys
import tempfile
import threading
import unittest

import msgpack

sys.path.insert(0, os.path.dirname(__file__))
from knoopd_fixture import Knoopd  # noqa: E402


class Client:
    """A minimal spec-following client on a raw socket."""

    def __init__(self, sock):
        self.s = sock
        self.u = msgpack.Unpacker(raw=False, strict_map_key=False)
        self.next = 0

    def send(self, method, params=None, msgid=None):
        if msgid is None:
            self.next += 1
            msgid = self.next
        self.s.sendall(msgpack.packb([0, msgid, method, [] if params is None else [params]]))
        return msgid

    def recv(self):
        while True:
            for msg in self.u:
                return msg
            data = self.s.recv(1 << 16)
            if not data:
                raise EOFError("connection closed")
            self.u.feed(data)

    def call(self, method, params=None):
        msgid = self.send(method, params)
        msg = self.recv()
        assert msg[0] == 1 and msg[1] == msgid, msg
        return msg[2], msg[3]

    def ok(self, method, params=None):
        err, res = self.call(method, params)
        assert err is None, err
        return res

    def closed(self):
        """True when the server closed the connection (after any pending answers)."""
        try:
            while True:
                data = self.s.recv(1 << 16)
                if not data:
                    return True
                self.u.feed(data)
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


class ServerCase(unittest.TestCase):
    extra = ()
    trust_loopback = True

    def setUp(self):
        self.srv = Knoopd(*self.extra, trust_loopback=self.trust_loopback).start()
        self.c = Client(self.srv.connect())

    def tearDown(self):
        self.c.s.close()
        rc = self.srv.stop()
        self.srv.cleanup()
        self.assertEqual(rc, 0, "knoopd must exit 0 on SIGTERM")

    def still_serving(self):
        c2 = Client(self.srv.connect())
        self.assertEqual(c2.ok("ping"), "pong")
        c2.s.close()


class RawClientTests(ServerCase):
    def test_ping_and_empty_params(self):
        self.assertEqual(self.c.ok("ping"), "pong")
        self.c.s.sendall(msgpack.packb([0, 77, "ping", [{}]]))
        self.assertEqual(self.c.recv(), [1, 77, None, "pong"])

    def test_node_and_edge_round_trip(self):
        g = self.c.ok("node.create", {"kind": "organisation", "type": "gemeente",
                                      "props": {"name": "Súdwest-Fryslân", "cbs_code": "GM1900"}})
        p = self.c.ok("node.create", {"kind": "person", "props": {"name": "P. Jansen"}})
        e = self.c.ok("edge.create", {"type": "wethouder", "source": p["id"], "target": "GM1900",
                                      "valid_from": "2022-06-01",
                                      "props": {"portefeuilles": ["Milieu"]}})
        self.assertEqual(e["target"], g["id"])
        self.assertIsNone(e["valid_to"])
        found = self.c.ok("node.find", {"name": "sudwest fryslan"})
        self.assertEqual([n["id"] for n in found["nodes"]], [g["id"]])
        at = self.c.ok("edge.list", {"node": "GM1900", "at": "2022-06-01"})
        self.assertEqual([x["id"] for x in at["edges"]], [e["id"]])
        before = self.c.ok("edge.list", {"node": "GM1900", "at": "2022-05-31"})
        self.assertEqual(before["edges"], [])

    def test_notification_gets_no_answer_but_runs(self):
        self.c.s.sendall(msgpack.packb([2, "node.create", [{"kind": "project",
                                                           "props": {"key": "P-1"}}]]))
        # Requests run concurrently and a notification has no answer to wait for: poll, bounded.
        for _ in range(1000):
            res = self.c.ok("node.find", {"key": "P-1"})
            if res["nodes"]:
                break
        self.assertEqual(len(res["nodes"]), 1)

    def test_unknown_method_keeps_connection(self):
        err, res = self.c.call("node.explode", {"id": 1})
        self.assertEqual(err["code"], "not_found")
        self.assertIn("node.explode", err["message"])
        self.assertEqual(self.c.ok("ping"), "pong")

    def test_wrong_parameter_types(self):
        for params, field in [({"id": "x" * 3, "cascade": "yes"}, "cascade"),
                              ({"idd": 1}, "idd")]:
            err, _ = self.c.call("node.delete", params)
            self.assertEqual(err["code"], "invalid_argument")
            self.assertIn(field, err["message"])
        err, _ = self.c.call("edge.create", {"type": "lid", "source": 1, "target": 1,
                                             "valid_from": "2019-02-29"})
        self.assertEqual(err["code"], "invalid_argument")
        self.assertIn("valid_from", err["message"])
        self.c.s.sendall(msgpack.packb([0, 5, "node.get", {"id": 1}]))  # params not an array
        msg = self.c.recv()
        self.assertEqual(msg[2]["code"], "invalid_argument")
        self.assertEqual(self.c.ok("ping"), "pong")

    def test_malformed_bytes_close_only_that_connection(self):
        self.c.s.sendall(b"\xc1\xc1\xc1")
        self.assertTrue(self.c.closed())
        self.still_serving()

    def test_bad_envelope_with_msgid_is_answered_and_connection_stays(self):
        self.c.s.sendall(msgpack.packb([0, 9, 42, []]))  # method not a string
        msg = self.c.recv()
        self.assertEqual(msg[1], 9)
        self.assertEqual(msg[2]["code"], "invalid_argument")
        self.assertIn("method", msg[2]["message"])
        self.assertEqual(self.c.ok("ping"), "pong")

    def test_message_that_is_no_envelope_closes(self):
        self.c.s.sendall(msgpack.packb({"hello": "world"}))
        self.assertTrue(self.c.closed())
        self.still_serving()

    def test_truncated_message_then_close(self):
        data = msgpack.packb([0, 1, "node.get", [{"id": 1}]])
        self.c.s.sendall(data[:-3])
        self.c.s.close()
        self.still_serving()

    def test_oversized_message_is_refused(self):
        # A request declaring a 20 MiB string, over the 16 MiB default: refused from its header.
        head = b"\x94\x00\x07\xa4ping\x91\x81\xa1x\xdb" + struct.pack(">I", 20 << 20)
        self.c.s.sendall(head)
        msg = self.c.recv()
        self.assertEqual(msg[1], 7)
        self.assertEqual(msg[2]["code"], "too_large")
        self.assertTrue(self.c.closed())
        self.still_serving()

    def test_huge_declared_array_is_refused_without_allocation(self):
        self.c.s.sendall(b"\x94\x00\x08\xa4ping\xdd\xff\xff\xff\xff")
        msg = self.c.recv()
        self.assertEqual(msg[2]["code"], "too_large")
        self.assertTrue(self.c.closed())
        self.still_serving()

    def test_too_deep_nesting_is_refused(self):
        deep = "x"
        for _ in range(40):
            deep = [deep]
        self.c.s.sendall(msgpack.packb([0, 3, "ping", [{"a": deep}]]))
        msg = self.c.recv()
        self.assertEqual(msg[2]["code"], "invalid_argument")
        self.assertTrue(self.c.closed())
        self.still_serving()

    def test_pipelined_requests_are_answered_by_msgid(self):
        ids = {}
        for i in range(300):
            msgid = self.c.send("node.create", {"kind": "person", "props": {"n": i}})
            ids[msgid] = i
        seen = {}
        for _ in range(300):
            msg = self.c.recv()
            self.assertIsNone(msg[2])
            seen[msg[1]] = msg[3]["props"]["n"]
        self.assertEqual(seen, ids)

    def test_five_hundred_concurrent_connections(self):
        sel = selectors.DefaultSelector()
        conns = []
        for i in range(500):
            s = self.srv.connect()
            s.setblocking(False)
            c = Client(s)
            c.expect = {}
            for j in range(4):
                c.next += 1
                c.expect[c.next] = "pong" if j % 2 == 0 else None
            payload = b"".join(
                msgpack.packb([0, mid, "ping" if want else "server.info", []])
                for mid, want in c.expect.items())
            c.s.sendall(payload)
            sel.register(s, selectors.EVENT_READ, c)
            conns.append(c)
        pending = 500 * 4
        while pending > 0:
            events = sel.select(timeout=60)
            self.assertTrue(events, "server stopped answering")
            for key, _ in events:
                c = key.data
                data = c.s.recv(1 << 16)
                self.assertTrue(data, "connection closed early")
                c.u.feed(data)
                for msg in c.u:
                    want = c.expect.pop(msg[1])
                    self.assertIsNone(msg[2])
                    if want is None:
                        self.assertEqual(msg[3]["name"], "knoopd")
                    else:
                        self.assertEqual(msg[3], want)
                    pending -= 1
        for c in conns:
            self.assertEqual(c.expect, {})
            sel.unregister(c.s)
            c.s.close()


class LimitTests(unittest.TestCase):
    """Each configurable limit at its value and one past it, then a ping elsewhere."""

    def run_srv(self, *extra):
        srv = Knoopd(*extra).start()
        self.addCleanup(srv.cleanup)
        return srv

    # For the output caps: 200 persons of 1 KiB each make a node.find of all of them an answer of
    # about 235 KB.
    BIG_FIND = {"kind": "person", "limit": 200}

    def add_big_persons(self, c):
        """Creates the 200 persons BIG_FIND answers with; returns the first one's id."""
        ops = [{"method": "node.create", "params": {"kind": "person", "props": {
            "surname": "Vol%03d" % i, "initials": "V.", "note": "x" * 1000}}} for i in range(200)]
        return c.ok("batch", {"ops": ops})["results"][0]["id"]

    def never_reader(self, srv):
        """A connection that will not read: a small receive window, so that the answers wait
        in knoopd, not in the kernel."""
        h = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        h.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        h.connect(("127.0.0.1", srv.port))
        self.addCleanup(h.close)
        return h

    def big_finds(self, n):
        return b"".join(msgpack.packb([0, i, "node.find", [self.BIG_FIND]]) for i in range(n))

    def memory_when(self, c, pred):
        """server.info's memory figures at the first look (within 30 s) where pred holds; the
        last look's when none did. One look, as the kernel takes more of the never-read answers
        as its buffers grow, so that knoopd's unsent output goes up and down."""
        deadline = time.time() + 30
        while True:
            mem = c.ok("server.info")["memory"]
            if pred(mem) or time.time() >= deadline:
                return mem
            time.sleep(0.02)

    def test_a_client_that_never_reads_past_the_server_wide_cap_stops_no_one_else(self):
        # Two clients pipeline big answers and never read them, until knoopd holds more
        # unsent output than --max-total-output: they are no longer read, but a client that
        # reads its answers and waits for each is still served (it used to wait with them).
        srv = self.run_srv("--max-total-output", "65536")
        c = Client(srv.connect())
        first = self.add_big_persons(c)
        hogs = [self.never_reader(srv) for _ in range(2)]
        for h in hogs:
            h.setblocking(False)

        def push():
            for h in hogs:
                try:
                    h.send(self.big_finds(1))
                except BlockingIOError:
                    pass

        def pushed(mem):
            push()
            return mem["output_bytes"] >= 65536

        # What counts is that the output was past the cap while c was served.
        self.assertGreaterEqual(self.memory_when(c, pushed)["output_bytes"], 65536)
        for _ in range(20):
            push()
            self.assertEqual(c.ok("node.get", {"id": first})["id"], first)

    def test_queued_requests_wait_while_their_connection_has_its_fill_of_answers(self):
        # A client pipelines 40 requests with big answers and never reads: once its unsent
        # answers reach --max-pending-output, the rest stay queued instead of running and
        # piling up answers (at most one more answer per worker).
        srv = self.run_srv("--max-pending-output", "65536", "--threads", "2")
        c = Client(srv.connect())
        self.add_big_persons(c)
        self.never_reader(srv).sendall(self.big_finds(40))
        mem = self.memory_when(
            c, lambda m: m["requests_running"] == 0 and m["output_bytes"] >= 65536)
        self.assertGreaterEqual(mem["output_bytes"], 65536)
        self.assertEqual(mem["requests_running"], 0)
        self.assertGreaterEqual(mem["requests_waiting"], 1)
        self.assertLessEqual(mem["output_bytes"], 65536 + 2 * (512 << 10))

    def test_shutdown_closes_a_client_that_takes_no_answers_before_the_grace_period(self):
        # knoopd holds answers for a client that never reads them; SIGTERM with a grace period
        # of 10 minutes: the client is closed once a tick sees it take nothing, well before.
        srv = self.run_srv("--shutdown-grace", "600000")
        c = Client(srv.connect())
        self.add_big_persons(c)
        self.never_reader(srv).sendall(self.big_finds(40))
        self.assertGreater(self.memory_when(c, lambda m: m["output_bytes"] > 0)["output_bytes"], 0)
        c.s.close()
        t0 = time.monotonic()
        self.assertEqual(srv.stop(), 0)
        self.assertLess(time.monotonic() - t0, 30)

    def test_message_size_at_and_past_the_limit(self):
        srv = self.run_srv("--max-message-bytes", "1024")

        def create(msgid, n):
            return msgpack.packb([0, msgid, "node.create",
                                  [{"kind": "person", "props": {"pad": "x" * n}}]])

        pad = next(n for n in range(900, 1100) if len(create(1, n)) == 1024)
        c = Client(srv.connect())
        c.s.sendall(create(1, pad))
        msg = c.recv()
        self.assertIsNone(msg[2], "a message of exactly the limit is accepted")
        c.s.sendall(create(2, pad + 1))
        msg = c.recv()
        self.assertEqual((msg[1], msg[2]["code"]), (2, "too_large"))
        self.assertTrue(c.closed())
        c2 = Client(srv.connect())
        self.assertEqual(c2.ok("ping"), "pong")
        c2.s.close()
        self.assertEqual(srv.stop(), 0)

    def test_connection_limit(self):
        srv = self.run_srv("--max-connections", "3")
        conns = [Client(srv.connect()) for _ in range(3)]
        for c in conns:
            self.assertEqual(c.ok("ping"), "pong")
        extra = Client(srv.connect())
        self.assertTrue(extra.closed(), "the fourth connection is closed at once")
        conns[0].s.close()
        # A freed slot can be used again (bounded wait for the server to notice the close).
        for _ in range(200):
            again = Client(srv.connect())
            try:
                if again.ok("ping") == "pong":
                    break
            except (EOFError, OSError):
                pass
        self.assertEqual(again.ok("ping"), "pong")
        self.assertEqual(srv.stop(), 0)

    def test_idle_connection_is_closed(self):
        srv = self.run_srv("--idle-timeout", "1")
        c = Client(srv.connect())
        self.assertEqual(c.ok("ping"), "pong")
        c.s.settimeout(10)
        self.assertTrue(c.closed(), "idle connection closed by the server")
        self.assertEqual(Client(srv.connect()).ok("ping"), "pong")
        self.assertEqual(srv.stop(), 0)

    def test_inflight_cap_applies_backpressure_without_losing_requests(self):
        srv = self.run_srv("--max-inflight", "2")
        c = Client(srv.connect())
        ids = [c.send("node.create", {"kind": "person", "props": {"n": i}}) for i in range(200)]
        got = {}
        for _ in ids:
            msg = c.recv()
            self.assertIsNone(msg[2])
            got[msg[1]] = msg[3]["props"]["n"]
        self.assertEqual(sorted(got), ids)
        self.assertEqual(srv.stop(), 0)


class ServerOptionTests(unittest.TestCase):
    def knoopd(self, *args):
        import subprocess
        return subprocess.run([os.environ.get("KNOOPD", "knoopd")] + list(args),
                              capture_output=True, text=True, timeout=60)

    def test_help_version_and_bad_options(self):
        r = self.knoopd("--help")
        self.assertEqual(r.returncode, 0)
        for word in ("--data", "--listen", "--socket", "--max-message-bytes", "--idle-timeout",
                     "--adj-cache-mb", "--block-cache-mb", "--row-cache-mb", "--no-warm-up",
                     "--loop-try-us"):
            self.assertIn(word, r.stdout)
        r = self.knoopd("--version")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("knoopd "))
        r = self.knoopd("--max-depth", "99")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--max-depth", r.stderr)
        r = self.knoopd("--block-cache-mb", "99999999")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--block-cache-mb", r.stderr)
        self.assertIn("1048576", r.stderr)  # the range is named
        r = self.knoopd("--row-cache-mb", "-1")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--row-cache-mb", r.stderr)
        r = self.knoopd("--loop-try-us", "10001")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--loop-try-us", r.stderr)
        self.assertIn("10000", r.stderr)
        r = self.knoopd("--frobnicate")
        self.assertEqual(r.returncode, 2)

    def test_config_file_unix_socket_and_sigint(self):
        d = tempfile.mkdtemp(prefix="knoop-cfg-")
        sock = os.path.join(d, "knoopd.sock")
        cfg = os.path.join(d, "knoopd.conf")
        with open(cfg, "w") as f:
            f.write("# knoopd configuration\nsocket = %s\nmax-connections = 10\n"
                    "block_cache_mb = 64\nrow_cache_mb = 16\n" % sock)
        srv = Knoopd("--config", cfg).start()
        try:
            self.assertEqual(srv.unix, sock)
            u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            u.connect(sock)
            c = Client(u)
            info = c.ok("server.info")
            self.assertEqual(info["limits"]["connections"], 10)
            self.assertEqual(info["block_cache"]["budget_bytes"], 64 << 20)
            self.assertEqual(info["row_cache"]["budget_bytes"], 16 << 20)
            c.s.close()
            self.assertEqual(srv.stop(signal.SIGINT), 0)
            self.assertFalse(os.path.exists(sock), "socket removed on shutdown")
        finally:
            srv.cleanup()
            import shutil
            shutil.rmtree(d, ignore_errors=True)

    def test_bad_config_line_is_named(self):
        d = tempfile.mkdtemp(prefix="knoop-cfg-")
        cfg = os.path.join(d, "bad.conf")
        with open(cfg, "w") as f:
            f.write("listen = 127.0.0.1:0\nmax-conections = 5\n")
        r = self.knoopd("--data", os.path.join(d, "data"), "--config", cfg)
        self.assertEqual(r.returncode, 2)
        self.assertIn("bad.conf:2", r.stderr)
        self.assertIn("max-conections", r.stderr)


class AuthTests(ServerCase):
    trust_loopback = False

    def setUp(self):
        fd, self.token_file = tempfile.mkstemp()
        os.write(fd, b"s3cret-token-for-tests\n")
        os.close(fd)
        self.extra = ("--auth-token-file", self.token_file)
        super().setUp()

    def tearDown(self):
        super().tearDown()
        os.unlink(self.token_file)

    def test_methods_need_auth(self):
        self.assertEqual(self.c.ok("ping"), "pong")
        err, _ = self.c.call("node.find", {})
        self.assertEqual(err["code"], "unauthenticated")
        err, _ = self.c.call("auth", {"token": "wrong"})
        self.assertEqual(err["code"], "unauthenticated")
        # The address now backs off: even the right token is refused until the wait is over.
        err, _ = self.c.call("auth", {"token": "s3cret-token-for-tests"})
        self.assertEqual(err["code"], "unauthenticated")
        self.assertIn("try again in", err["message"])
        deadline = time.monotonic() + 10
        while True:  # bounded poll, on a new connection (this one is closed after 3 failures)
            c = Client(self.srv.connect())
            err, res = c.call("auth", {"token": "s3cret-token-for-tests"})
            if err is None or time.monotonic() > deadline:
                break
            c.s.close()
            select.select([], [], [], 0.05)
        self.assertIsNone(err)
        self.assertEqual(res, {"authenticated": True, "user": "shared-token", "role": "admin"})
        self.assertEqual(c.ok("node.find", {})["nodes"], [])

    def test_unauthenticated_connections_of_one_address_are_capped(self):
        # self.c is one; 7 more fill this address's share of pre-auth slots (8).
        others = [Client(self.srv.connect()) for _ in range(7)]
        for o in others:
            self.assertEqual(o.ok("ping"), "pong")
        extra = Client(self.srv.connect())
        self.assertTrue(extra.closed())
        # One of them authenticates: its slot is free again for a newcomer.
        self.assertTrue(others[0].ok("auth", {"token": "s3cret-token-for-tests"})["authenticated"])
        newcomer = Client(self.srv.connect())
        self.assertEqual(newcomer.ok("ping"), "pong")
        for o in others + [extra, newcomer]:
            o.s.close()

    def test_failed_auth_closes_the_connection_after_three_attempts(self):
        for _ in range(3):
            err, _ = self.c.call("auth", {"token": "wrong"})
            self.assertEqual(err["code"], "unauthenticated")
        self.assertTrue(self.c.closed())

    def test_large_message_before_auth_is_refused(self):
        self.c.s.sendall(msgpack.packb([0, 1, "ping", [{"pad": "x" * 10000}]]))
        msg = self.c.recv()
        self.assertEqual(msg[2]["code"], "too_large")
        self.assertTrue(self.c.closed())


class DurabilityTests(unittest.TestCase):
    def test_data_survives_restart(self):
        srv = Knoopd().start()
        try:
            c = Client(srv.connect())
            n = c.ok("node.create", {"kind": "organisation", "props": {"name": "Almere",
                                                                       "cbs_code": "GM0034"}})
            c.s.close()
            self.assertEqual(srv.stop(), 0)
            srv.start()
            c = Client(srv.connect())
            self.assertEqual(c.ok("node.get", {"id": "GM0034"})["id"], n["id"])
            c.s.close()
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()

    def test_start_warms_the_adjacency_cache_unless_told_not_to(self):
        srv = Knoopd().start()
        try:
            c = Client(srv.connect())
            org = c.ok("node.create", {"kind": "organisation", "type": "gemeente",
                                       "props": {"name": "Almere", "cbs_code": "GM0034"}})
            p = c.ok("node.create", {"kind": "person",
                                     "props": {"surname": "Vries", "initials": "A."}})
            c.ok("edge.create", {"type": "raadslid", "source": p["id"], "target": org["id"],
                                 "valid_from": "2022-03-30", "props": {"namens": "GL"}})
            c.s.close()
            self.assertEqual(srv.stop(), 0)
            srv.start()  # the warm-up builds both adjacencies without a question asked
            c = Client(srv.connect())
            deadline = time.time() + 30
            while c.ok("server.info")["warm_up"] == "running" and time.time() < deadline:
                time.sleep(0.05)
            info = c.ok("server.info")
            self.assertEqual(info["warm_up"], "done")
            self.assertEqual(info["adj_cache"]["nodes"], 2)
            self.assertEqual(info["adj_cache"]["hits"], 0)
            c.s.close()
            self.assertEqual(srv.stop(), 0)
            srv.extra.append("--no-warm-up")
            srv.start()
            c = Client(srv.connect())
            time.sleep(0.5)
            info = c.ok("server.info")
            self.assertEqual(info["warm_up"], "off")
            self.assertEqual(info["adj_cache"]["nodes"], 0)
            c.s.close()
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()

    def test_path_questions_are_tried_on_the_loop_when_idle_unless_told_not_to(self):
        # An idle server tries a k = 1 path question on its event loop (server.info
        # loop_tries); k = 5, or --loop-try-us 0, sends it to a worker. The answer is the same.
        srv = Knoopd().start()
        try:
            c = Client(srv.connect())
            a = c.ok("node.create", {"kind": "person",
                                     "props": {"surname": "Aa", "initials": "A."}})
            b = c.ok("node.create", {"kind": "person",
                                     "props": {"surname": "Bb", "initials": "B."}})
            c.ok("edge.create", {"type": "kent", "source": a["id"], "target": b["id"],
                                 "valid_from": "2020-01-01"})
            q = {"source": a["id"], "target": b["id"]}
            self.assertEqual(c.ok("server.info")["loop_tries"],
                             {"budget_us": 1000, "tried": 0, "moved": 0})
            first = c.ok("query.path", q)
            self.assertEqual([h["link"] for h in first["paths"][0]["hops"]], ["kent"])
            self.assertEqual(c.ok("server.info")["loop_tries"]["tried"], 1)
            q5 = dict(q, k=5)
            self.assertEqual(c.ok("query.path", q5)["paths"], first["paths"])
            self.assertEqual(c.ok("server.info")["loop_tries"]["tried"], 1)
            # edge.list: tried once its node's adjacency is cached (the first list of a node no
            # question has walked builds it on a worker); the same edges either way.
            x = c.ok("node.create", {"kind": "person",
                                     "props": {"surname": "Xx", "initials": "X."}})
            c.ok("edge.create", {"type": "kent", "source": x["id"], "target": b["id"],
                                 "valid_from": "2021-01-01"})
            edges = c.ok("edge.list", {"node": x["id"]})
            self.assertEqual(len(edges["edges"]), 1)
            self.assertEqual(c.ok("server.info")["loop_tries"]["tried"], 1)
            self.assertEqual(c.ok("edge.list", {"node": x["id"]}), edges)
            self.assertEqual(c.ok("server.info")["loop_tries"]["tried"], 2)
            c.s.close()
            self.assertEqual(srv.stop(), 0)
            srv.extra += ["--loop-try-us", "0"]
            srv.start()
            c = Client(srv.connect())
            self.assertEqual(c.ok("query.path", q)["paths"], first["paths"])
            self.assertEqual(c.ok("server.info")["loop_tries"],
                             {"budget_us": 0, "tried": 0, "moved": 0})
            c.s.close()
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()

    def test_server_info_counts_read_audit_entries_and_their_writes(self):
        # Each read that returns a person writes one audit entry (server.info read_audit); one
        # client at a time never shares a write, and a read without persons writes nothing.
        srv = Knoopd().start()
        try:
            c = Client(srv.connect())
            p = c.ok("node.create", {"kind": "person",
                                     "props": {"surname": "Pp", "initials": "P."}})
            base = c.ok("server.info")["read_audit"]
            for _ in range(3):
                c.ok("node.get", {"id": p["id"]})
            c.ok("schema.types", {})
            after = c.ok("server.info")["read_audit"]
            self.assertEqual(after["entries"] - base["entries"], 3)
            self.assertEqual(after["writes"] - base["writes"], 3)
            c.s.close()
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()

    def test_kill_9_loses_no_acknowledged_write(self):
        srv = Knoopd().start()
        acked = []
        stop = threading.Event()

        def writer(k):
            c = Client(srv.connect())
            i = 0
            try:
                while not stop.is_set():
                    i += 1
                    err, res = c.call("node.create", {"kind": "person",
                                                      "props": {"key": "w%d-%d" % (k, i)}})
                    if err is None:
                        acked.append(res["id"])
            except (EOFError, OSError):
                pass

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        # Let writes be acknowledged, then kill without warning.
        while len(acked) < 400:
            threading.Event().wait(0.01)
        srv.proc.send_signal(signal.SIGKILL)
        stop.set()
        srv.proc.wait()
        for t in threads:
            t.join()
        srv.proc.stdout.close()
        srv.proc.stderr.close()
        srv.proc = None
        try:
            srv.start()
            c = Client(srv.connect())
            for node_id in list(acked):
                c.send("node.get", {"id": node_id}, msgid=node_id)
            for _ in acked:
                msg = c.recv()
                self.assertIsNone(msg[2], "acknowledged node %d lost" % msg[1])
            c.s.close()
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()


class PynvimSessionTests(unittest.TestCase):
    """pynvim's msgpack_rpc Session: another implementation of the spec, unchanged."""

    def test_pynvim_session(self):
        from pynvim.msgpack_rpc import tcp_session
        from pynvim.msgpack_rpc.session import ErrorResponse  # noqa: F401
        srv = Knoopd().start()
        try:
            sess = tcp_session("127.0.0.1", srv.port)
            # pynvim's Nvim object normally installs this; keep the server's error map intact.
            sess.error_wrapper = lambda e: RuntimeError(e)
            self.assertEqual(sess.request("ping"), "pong")
            node = sess.request("node.create", {"kind": "body", "type": "veiligheidsregio",
                                                "props": {"name": "Flevoland", "key": "VR25"}})
            got = sess.request("node.get", {"id": "VR25"})
            self.assertEqual(got["id"], node["id"])
            with self.assertRaises(Exception) as cm:
                sess.request("node.get", {"id": 999999})
            self.assertEqual(cm.exception.args[0]["code"], "not_found")
            sess.close()
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
