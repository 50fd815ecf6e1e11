"""Users, roles, tokens and auth (issue 13), driven by python3-msgpack on raw sockets.

knoopd runs without --trust-loopback here: TCP connections must authenticate. Connections that
are meant to fail auth come from their own loopback address (127.0.0.N), so that the per-address
back-off they cause does not slow the other connections of a test.
"""
import json
import os
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from knoopd_fixture import Knoopd  # noqa: E402
from test_thirdparty import Client  # noqa: E402

PASSWORD = "correct horse battery staple"



def moment():
    """An RFC 3339 moment strictly between the commits before and after the call: the clock
    passes a millisecond on either side (a bounded busy wait, no sleep)."""
    t0 = int(time.time() * 1000)
    while int(time.time() * 1000) <= t0:
        pass
    t = int(time.time() * 1000)
    while int(time.time() * 1000) <= t:
        pass
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t // 1000)) + ".%03dZ" % (t % 1000)

class SecurityCase(unittest.TestCase):
    env_password = None

    def setUp(self):
        if self.env_password is not None:
            os.environ["KNOOP_ADMIN_PASSWORD"] = self.env_password
        try:
            self.srv = Knoopd(trust_loopback=False).start()
        finally:
            os.environ.pop("KNOOP_ADMIN_PASSWORD", None)
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.s.close()
        self.srv.stop()
        self.srv.cleanup()

    def connect(self, source="127.0.0.1"):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(30)
        s.bind((source, 0))
        s.connect(("127.0.0.1", self.srv.port))
        c = Client(s)
        self.clients.append(c)
        return c

    def admin_password(self):
        with open(os.path.join(self.srv.data, "admin-password")) as f:
            return f.read().strip()

    def login(self, user, password, source="127.0.0.1"):
        c = self.connect(source)
        res = c.ok("auth", {"user": user, "password": password})
        self.assertEqual(res["user"], user)
        return c

    def admin(self):
        return self.login("admin", self.admin_password())

    def add_user(self, name, role, password=PASSWORD):
        return self.admin().ok("user.add", {"name": name, "role": role, "password": password})


class FirstStartTests(SecurityCase):
    def test_first_start_writes_the_admin_password_to_a_0600_file(self):
        path = os.path.join(self.srv.data, "admin-password")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertGreaterEqual(len(self.admin_password()), 16)
        c = self.admin()
        users = c.ok("user.list")["users"]
        self.assertEqual([(u["name"], u["role"]) for u in users], [("admin", "admin")])

    def test_restart_does_not_create_another_admin(self):
        pw = self.admin_password()
        self.srv.stop()
        self.srv.start()
        self.assertEqual(self.admin_password(), pw)
        self.assertEqual(len(self.admin().ok("user.list")["users"]), 1)


class EnvPasswordTests(SecurityCase):
    env_password = "an admin password from the environment"

    def test_admin_password_from_the_environment_writes_no_file(self):
        self.assertFalse(os.path.exists(os.path.join(self.srv.data, "admin-password")))
        self.login("admin", self.env_password)


class AuthTests(SecurityCase):
    def test_tcp_needs_auth_for_everything_but_ping_and_auth(self):
        c = self.connect()
        self.assertEqual(c.ok("ping"), "pong")
        err, _ = c.call("node.find", {})
        self.assertEqual(err["code"], "unauthenticated")

    def test_wrong_password_and_unknown_user_are_unauthenticated_alike(self):
        c = self.connect("127.0.0.2")
        err, _ = c.call("auth", {"user": "admin", "password": "not the password"})
        self.assertEqual(err["code"], "unauthenticated")
        c2 = self.connect("127.0.0.3")
        err2, _ = c2.call("auth", {"user": "nobody", "password": "not the password"})
        self.assertEqual(err2["code"], "unauthenticated")
        self.assertEqual(err["message"], err2["message"])

    def test_password_auth_gives_the_users_role(self):
        self.add_user("rita", "reader")
        c = self.connect()
        self.assertEqual(c.ok("auth", {"user": "rita", "password": PASSWORD}),
                         {"authenticated": True, "user": "rita", "role": "reader"})

    def test_auth_takes_either_password_or_token_not_both(self):
        c = self.connect()
        err, _ = c.call("auth", {"user": "admin", "token": "x"})
        self.assertEqual(err["code"], "invalid_argument")

    def test_token_auth_and_revocation(self):
        a = self.admin()
        a.ok("user.add", {"name": "svc", "role": "editor"})  # a token-only user
        t = a.ok("user.token", {"name": "svc", "label": "export job"})
        self.assertTrue(t["token"].startswith("kn_"))
        c = self.connect()
        self.assertEqual(c.ok("auth", {"token": t["token"]})["user"], "svc")
        c.ok("node.create", {"kind": "organisation", "props": {"name": "Testorganisatie"}})
        listed = [u for u in a.ok("user.list")["users"] if u["name"] == "svc"][0]
        self.assertEqual([x["id"] for x in listed["tokens"]], [t["id"]])
        self.assertFalse(listed["password"])
        # The token is stored as a hash only: its text is in no file of the data directory.
        for root, _, files in os.walk(self.srv.data):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    self.assertNotIn(t["token"].encode(), fh.read(), f)
        self.assertEqual(a.ok("user.token.revoke", {"name": "svc", "id": t["id"]})["revoked"], 1)
        c2 = self.connect("127.0.0.4")
        err, _ = c2.call("auth", {"token": t["token"]})
        self.assertEqual(err["code"], "unauthenticated")
        self.assertIn("revoked", err["message"])

    def test_removed_user_cannot_authenticate(self):
        self.add_user("tijdelijk", "reader")
        self.admin().ok("user.remove", {"name": "tijdelijk"})
        c = self.connect("127.0.0.5")
        err, _ = c.call("auth", {"user": "tijdelijk", "password": PASSWORD})
        self.assertEqual(err["code"], "unauthenticated")

    def test_last_admin_cannot_be_removed(self):
        err, _ = self.admin().call("user.remove", {"name": "admin"})
        self.assertEqual(err["code"], "conflict")

    def test_user_changes_own_password_but_not_anothers(self):
        self.add_user("rita", "reader")
        self.add_user("erik", "editor")
        c = self.login("rita", PASSWORD)
        err, _ = c.call("user.passwd", {"name": "erik", "password": "a new password!"})
        self.assertEqual(err["code"], "permission_denied")
        c.ok("user.passwd", {"name": "rita", "password": "a new password!"})
        self.login("rita", "a new password!")

    def test_short_password_is_refused(self):
        err, _ = self.admin().call("user.add", {"name": "kort", "role": "reader",
                                                "password": "kort"})
        self.assertEqual(err["code"], "invalid_argument")


class RoleTests(SecurityCase):
    def setUp(self):
        super().setUp()
        a = self.admin()
        for name, role in (("rita", "reader"), ("erik", "editor"), ("petra", "privacy")):
            a.ok("user.add", {"name": name, "role": role, "password": PASSWORD})

    def assertDenied(self, c, method, params, role):
        err, _ = c.call(method, params)
        self.assertIsNotNone(err, method)
        self.assertEqual(err["code"], "permission_denied", err)
        self.assertIn("needs the role " + role, err["message"])

    def test_reader_reads_but_cannot_write(self):
        c = self.login("rita", PASSWORD)
        self.assertEqual(c.ok("node.find", {})["nodes"], [])
        self.assertDenied(c, "node.create", {"kind": "person", "props": {"name": "X"}}, "editor")
        self.assertDenied(c, "batch", {"ops": []}, "editor")
        self.assertDenied(c, "user.list", {}, "admin")

    def test_editor_writes_but_cannot_define_schema_or_manage_users(self):
        c = self.login("erik", PASSWORD)
        c.ok("node.create", {"kind": "organisation", "props": {"name": "Testorganisatie"}})
        self.assertDenied(c, "schema.list.define", {"name": "x", "values": []}, "admin")
        self.assertDenied(c, "user.add", {"name": "x", "role": "admin"}, "admin")
        self.assertDenied(c, "admin.check", {}, "admin")

    def test_privacy_reads_but_cannot_write_or_administer(self):
        c = self.login("petra", PASSWORD)
        c.ok("node.find", {})
        self.assertDenied(c, "node.create", {"kind": "person", "props": {"name": "X"}}, "editor")
        self.assertDenied(c, "user.list", {}, "admin")

    def test_admin_may_do_what_editor_and_reader_may(self):
        c = self.admin()
        c.ok("node.create", {"kind": "organisation", "props": {"name": "Testorganisatie"}})
        c.ok("node.find", {})
        c.ok("admin.check", {})

    def test_a_batch_op_needs_its_own_role(self):
        c = self.login("erik", PASSWORD)
        err, _ = c.call("batch", {"ops": [{"method": "user.add",
                                           "params": {"name": "x", "role": "admin"}}]})
        self.assertEqual(err["code"], "permission_denied")

    def test_history_names_the_user_as_actor(self):
        c = self.login("erik", PASSWORD)
        n = c.ok("node.create", {"kind": "organisation", "props": {"name": "Testorganisatie"},
                                 "reason": "test"})
        h = c.ok("history.list", {"id": n["id"]})["entries"]
        self.assertEqual([(e["actor"], e["reason"]) for e in h], [("erik", "test")])

    def test_auth_on_a_connection_changes_its_identity(self):
        c = self.login("rita", PASSWORD)
        self.assertDenied(c, "node.create", {"kind": "person", "props": {"name": "X"}}, "editor")
        c.ok("auth", {"user": "erik", "password": PASSWORD})
        c.ok("node.create", {"kind": "organisation", "props": {"name": "Testorganisatie"}})


class AuditTests(SecurityCase):
    def setUp(self):
        super().setUp()
        a = self.admin()
        for name, role in (("rita", "reader"), ("erik", "editor"), ("petra", "privacy")):
            a.ok("user.add", {"name": name, "role": role, "password": PASSWORD})

    def test_changes_and_person_reads_are_in_the_audit_trail_with_who_and_why(self):
        e = self.login("erik", PASSWORD)
        p = e.ok("node.create", {"kind": "person", "reason": "nieuwe wethouder",
                                 "props": {"name": "P. Jansen", "surname": "Jansen"}})
        org = e.ok("node.create", {"kind": "organisation", "props": {"name": "Testorganisatie"}})
        r = self.login("rita", PASSWORD)
        r.ok("node.get", {"id": p["id"], "reason": "vraag van de griffie"})
        r.ok("node.get", {"id": org["id"]})  # no person: not a personal-data read
        v = self.login("petra", PASSWORD)
        entries = v.ok("audit.list", {"id": p["id"]})["entries"]
        self.assertEqual([(x["kind"], x["user"], x["reason"]) for x in entries],
                         [("change", "erik", "nieuwe wethouder"),
                          ("read", "rita", "vraag van de griffie")])
        self.assertEqual(entries[1]["what"], "node.get")
        reads = v.ok("audit.list", {"kind": "read"})["entries"]
        self.assertEqual([x["ids"] for x in reads], [[p["id"]]])
        self.assertEqual(v.ok("audit.list", {"user": "rita"})["entries"][0]["user"], "rita")
        self.assertEqual(v.ok("audit.verify"), {"ok": True, "entries": len(
            v.ok("audit.list", {"limit": 100000})["entries"])})

    def test_search_results_with_persons_are_audited(self):
        e = self.login("erik", PASSWORD)
        p = e.ok("node.create", {"kind": "person", "props": {"name": "P. Jansen"}})
        r = self.login("rita", PASSWORD)
        found = r.ok("node.find", {"name": "P. Jans", "reason": "zoekvraag"})["nodes"]
        self.assertEqual([n["id"] for n in found], [p["id"]])
        v = self.login("petra", PASSWORD)
        last = v.ok("audit.list", {"kind": "read"})["entries"][-1]
        self.assertEqual((last["what"], last["ids"], last["reason"]),
                         ("node.find", [p["id"]], "zoekvraag"))

    def test_audit_needs_the_privacy_role(self):
        for who in ("rita", "erik", "admin"):
            c = self.login(who, PASSWORD if who != "admin" else self.admin_password())
            err, _ = c.call("audit.list", {})
            self.assertEqual(err["code"], "permission_denied")
            self.assertIn("needs the role privacy", err["message"])


class CliTests(SecurityCase):
    """The knoop CLI: user commands, and auth with secrets from the environment only."""

    def knoop(self, *args, **env):
        cli = os.environ.get("KNOOP_CLI")
        if not cli:
            self.skipTest("KNOOP_CLI not set")
        e = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
        e["KNOOP_ADDR"] = "127.0.0.1:%d" % self.srv.port
        e.update(env)
        return subprocess.run([cli] + list(args), env=e, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=60)

    def test_user_commands_and_auth_from_the_environment(self):
        admin = {"KNOOP_USER": "admin", "KNOOP_PASSWORD": self.admin_password()}
        r = self.knoop("node", "find")
        self.assertEqual(r.returncode, 1)
        self.assertIn("unauthenticated", r.stderr)
        r = self.knoop("user", "add", "rita", "--role", "reader", "--password",
                       KNOOP_NEW_PASSWORD=PASSWORD, **admin)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.knoop("user", "list", "--json", **admin)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(u["name"] for u in json.loads(r.stdout)["users"]),
                         ["admin", "rita"])
        r = self.knoop("node", "create", "--kind", "organisation", "--prop", "name=X",
                       KNOOP_USER="rita", KNOOP_PASSWORD=PASSWORD)
        self.assertEqual(r.returncode, 1)
        self.assertIn("permission_denied", r.stderr)
        r = self.knoop("user", "token", "rita", "--json", **admin)
        token = json.loads(r.stdout)["token"]
        r = self.knoop("node", "find", "--json", KNOOP_TOKEN=token)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.knoop("user", "revoke", "rita", **admin)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.knoop("node", "find", KNOOP_TOKEN=token).returncode, 1)

    def test_audit_commands(self):
        a = self.admin()
        for name, role in (("erik", "editor"), ("petra", "privacy")):
            a.ok("user.add", {"name": name, "role": role, "password": PASSWORD})
        e = self.login("erik", PASSWORD)
        pid = e.ok("node.create", {"kind": "person", "props": {"surname": "Voorbeeld"},
                                   "reason": "nieuw raadslid"})["id"]
        org = e.ok("node.create", {"kind": "organisation", "props": {"name": "Testorg"}})["id"]
        e.ok("node.get", {"id": pid, "reason": "controle"})
        erik = {"KNOOP_USER": "erik", "KNOOP_PASSWORD": PASSWORD}
        petra = {"KNOOP_USER": "petra", "KNOOP_PASSWORD": PASSWORD}

        r = self.knoop("audit", "list", **erik)
        self.assertEqual(r.returncode, 1)
        self.assertIn("needs the role privacy", r.stderr)

        def listed(*args):
            r = self.knoop("audit", "list", "--json", *args, **petra)
            self.assertEqual(r.returncode, 0, r.stderr)
            return json.loads(r.stdout)["entries"]

        every = listed()
        self.assertGreaterEqual(len(every), 4)  # 2 user.add, 2 node.create, 1 read
        mine = listed("--user", "erik")
        self.assertEqual([(x["kind"], x.get("what")) for x in mine],
                         [("change", None), ("change", None), ("read", "node.get")])
        self.assertEqual(mine[0]["reason"], "nieuw raadslid")
        about = listed("--id", str(pid))
        self.assertEqual([x["kind"] for x in about], ["change", "read"])
        self.assertTrue(all(pid in x["ids"] for x in about))
        self.assertNotIn(org, [i for x in about for i in x["ids"]])
        self.assertEqual([x["kind"] for x in listed("--id", str(pid), "--kind", "read")],
                         ["read"])
        today = every[-1]["ts"][:10]
        self.assertEqual(len(listed("--from", today)), len(every))
        self.assertEqual(listed("--to", today), [])
        self.assertEqual(listed("--from", "2000-01-01", "--to", "2000-01-02"), [])
        self.assertEqual(len(listed("--user", "erik", "--limit", "1")), 1)
        r = self.knoop("audit", "list", "--id", "abc", **petra)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--id", r.stderr)
        # The table form names the columns.
        r = self.knoop("audit", "list", "--user", "erik", **petra)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("nieuw raadslid", r.stdout)
        self.assertIn("node.get", r.stdout)

        r = self.knoop("audit", "verify", "--json", **petra)
        self.assertEqual(r.returncode, 0, r.stderr)
        v = json.loads(r.stdout)
        self.assertEqual(v["ok"], True)
        self.assertGreaterEqual(v["entries"], len(every))
        r = self.knoop("audit", "verify", **erik)
        self.assertEqual(r.returncode, 1)
        r = self.knoop("audit", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("verify", r.stdout)


EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "schema", "data",
                       "example_functionarissen.json")


class ErasureTests(SecurityCase):
    """privacy.erase and privacy.anonymise on the fictitious example person P. Jansen."""

    def setUp(self):
        super().setUp()
        a = self.admin()
        for name, role in (("erik", "editor"), ("petra", "privacy")):
            a.ok("user.add", {"name": name, "role": role, "password": PASSWORD})
        with open(EXAMPLE) as f:
            nodes = json.load(f)["nodes"]
        props = [n for n in nodes if n["props"].get("key") == "VOORBEELD-P-JANSEN"][0]["props"]
        other = [n for n in nodes if n["props"].get("key") == "VOORBEELD-E-VOORBEELD"][0]
        self.assertEqual(props["surname"], "Jansen")
        self.e = self.login("erik", PASSWORD)
        self.e.ok("node.create", {"kind": "organisation", "type": "gemeente",
                                  "props": {"name": "Almere", "cbs_code": "GM0034"}})
        # Reasons are kept in the audit trail (free text, never erased): no name in them.
        self.p = self.e.ok("node.create", {"kind": "person", "props": props,
                                           "reason": "nieuwe wethouder"})["id"]
        # The control: a person who stays, whose surname the byte search must find.
        self.e.ok("node.create", {"kind": "person", "props": other["props"]})
        self.role = self.e.ok("edge.create", {"type": "wethouder", "source": self.p,
                                              "target": "GM0034", "valid_from": "2022-06-01",
                                              "props": {"portefeuilles": ["Milieu"]}})["id"]
        self.e.ok("node.update", {"id": self.p, "set": {"email": "p.jansen@example.org"}})
        self.v = self.login("petra", PASSWORD)

    def files_holding(self, *needles):
        """Names of the data directory's files whose raw bytes hold any of needles. A file that a
        background compaction removes during the walk starts the walk again (its data moved)."""
        for _ in range(100):
            hits = []
            try:
                for root, _, files in os.walk(self.srv.data):
                    for f in files:
                        with open(os.path.join(root, f), "rb") as fh:
                            data = fh.read()
                        if any(n.encode() in data for n in needles):
                            hits.append(f)
                return hits
            except FileNotFoundError:
                continue
        self.fail("the data directory kept changing during the walk")

    def test_only_the_privacy_role_may_erase_or_anonymise(self):
        for method in ("privacy.erase", "privacy.anonymise"):
            err, _ = self.e.call(method, {"id": self.p, "reason": "test"})
            self.assertEqual(err["code"], "permission_denied")
            self.assertIn("needs the role privacy", err["message"])

    def test_erase_needs_a_reason(self):
        err, _ = self.v.call("privacy.erase", {"id": self.p})
        self.assertEqual(err["code"], "invalid_argument")

    def test_erase_refuses_a_node_that_is_not_a_person(self):
        err, _ = self.v.call("privacy.erase", {"id": "GM0034", "reason": "test"})
        self.assertEqual(err["code"], "invalid_argument")

    def test_erased_person_leaves_no_trace_in_the_api_nor_in_any_file(self):
        self.assertTrue(self.files_holding("Jansen"))  # before: in the WAL at least
        known = moment()  # recorded time before the erasure: the person was there
        self.assertEqual(self.e.ok("node.get", {"id": self.p, "known_at": known})["id"], self.p)
        res = self.v.ok("privacy.erase", {"id": self.p, "reason": "AVG-verzoek 2026-17"})
        self.assertEqual((res["erased"], res["edges"]), (self.p, 1))
        err, _ = self.e.call("node.get", {"id": self.p})
        self.assertEqual(err["code"], "not_found")
        err, _ = self.e.call("node.get", {"id": "VOORBEELD-P-JANSEN"})
        self.assertEqual(err["code"], "not_found")
        self.assertEqual(self.e.ok("node.find", {"name": "Jansen"})["nodes"], [])
        # Nor as recorded before the erasure: the versions went with the history.
        for method, params in (("node.get", {"id": self.p}),
                               ("node.get", {"id": "VOORBEELD-P-JANSEN"}),
                               ("edge.get", {"id": self.role})):
            err, _ = self.e.call(method, dict(params, known_at=known))
            self.assertEqual(err["code"], "not_found", (method, params))
        self.assertEqual(self.e.ok("node.find", {"name": "Jansen", "known_at": known})["nodes"],
                         [])
        err, _ = self.e.call("edge.get", {"id": self.role})
        self.assertEqual(err["code"], "not_found")
        # To others the erased id looks unused; the privacy role sees that it was erased.
        err, _ = self.e.call("history.list", {"id": self.p})
        self.assertEqual(err["code"], "not_found")
        h = self.v.ok("history.list", {"id": self.p})["entries"]
        self.assertEqual(h[-1]["op"], "erase")
        self.assertEqual(h[-1]["reason"], "AVG-verzoek 2026-17")
        self.assertTrue(all(x["before"] is None and x["after"] is None for x in h))
        self.assertTrue(all(x.get("erased") for x in h[:-1]))
        self.assertEqual(self.v.ok("audit.verify")["ok"], True)
        last = self.v.ok("audit.list", {"kind": "change", "user": "petra"})["entries"][-1]
        self.assertEqual((last["reason"], self.p in last["ids"]), ("AVG-verzoek 2026-17", True))
        self.assertTrue(self.admin().ok("admin.check")["ok"])
        self.assertEqual(self.files_holding("Jansen", "JANSEN", "p.jansen@example.org"), [])
        self.assertTrue(self.files_holding("Voorbeeld"))  # the search does see surnames
        # And still none after a restart (the WAL replay brings nothing back).
        self.srv.stop()
        self.srv.start()
        self.assertEqual(self.files_holding("Jansen", "JANSEN", "p.jansen@example.org"), [])
        self.assertTrue(self.files_holding("Voorbeeld"))

    def test_erased_key_is_refused_until_an_admin_overrides(self):
        self.v.ok("privacy.erase", {"id": self.p, "reason": "AVG-verzoek 2026-19"})
        again = {"kind": "person", "props": {"key": "VOORBEELD-P-JANSEN", "surname": "Jansen",
                                             "initials": "P."}}
        # node.put (the import's method, alone and in a batch), node.create, node.update.
        err, _ = self.e.call("node.put", again)
        self.assertEqual(err["code"], "conflict")
        self.assertIn("erased under the AVG", err["message"])
        err, _ = self.e.call("batch", {"ops": [{"method": "node.put", "params": again}]})
        self.assertEqual(err["code"], "conflict")
        err, _ = self.e.call("node.create", again)
        self.assertEqual(err["code"], "conflict")
        other = self.e.ok("node.find", {"name": "Voorbeeld"})["nodes"][0]["id"]
        err, _ = self.e.call("node.update", {"id": other,
                                             "set": {"key": "VOORBEELD-P-JANSEN"}})
        self.assertEqual(err["code"], "conflict")
        # An editor may not override; an admin may, and the tombstone then goes.
        err, _ = self.e.call("node.put", dict(again, override=True))
        self.assertEqual(err["code"], "permission_denied")
        self.assertIn("role admin", err["message"])
        res = self.admin().ok("node.put", dict(again, override=True,
                                               reason="opnieuw benoemd, AVG-verzoek ingetrokken"))
        self.assertTrue(res["created"])
        self.assertNotEqual(res["node"]["id"], self.p)
        res = self.e.ok("node.put", again)
        self.assertEqual((res["created"], res["changed"]), (False, False))
        # Other keys were never tombstoned: a different person is created as usual.
        self.e.ok("node.put", {"kind": "person", "props": {"key": "VOORBEELD-X", "surname": "X"}})

    def test_erased_key_is_refused_after_a_restart(self):
        self.v.ok("privacy.erase", {"id": self.p, "reason": "AVG-verzoek 2026-20"})
        self.srv.stop()
        self.srv.start()
        e = self.login("erik", PASSWORD)
        err, _ = e.call("node.put", {"kind": "person",
                                     "props": {"key": "VOORBEELD-P-JANSEN", "surname": "J"}})
        self.assertEqual(err["code"], "conflict")

    def test_export_returns_everything_held_about_the_person_as_json(self):
        err, _ = self.e.call("privacy.export", {"id": self.p})
        self.assertEqual(err["code"], "permission_denied")
        self.e.ok("node.get", {"id": self.p, "reason": "controle"})  # a read to be audited
        res = self.v.ok("privacy.export", {"id": "VOORBEELD-P-JANSEN",
                                           "reason": "inzageverzoek 2026-21"})
        doc = json.loads(json.dumps(res))  # JSON-ready: no bytes anywhere
        self.assertEqual(doc["id"], self.p)
        self.assertEqual(doc["node"]["props"]["surname"], "Jansen")
        self.assertEqual(doc["node"]["props"]["email"], "p.jansen@example.org")
        self.assertEqual(len(doc["edges"]), 1)
        edge = doc["edges"][0]
        self.assertEqual((edge["edge"]["id"], edge["edge"]["type"]), (self.role, "wethouder"))
        self.assertEqual(edge["direction"], "out")
        self.assertEqual((edge["other"]["name"], edge["other"]["kind"]),
                         ("Almere", "organisation"))
        self.assertEqual([h["op"] for h in edge["history"]], ["create"])
        self.assertEqual([h["op"] for h in doc["history"]], ["create", "update"])
        self.assertEqual(doc["history"][1]["after"]["props"]["email"], "p.jansen@example.org")
        kinds = [(a["kind"], a["user"], a.get("what")) for a in doc["audit"]]
        self.assertIn(("change", "erik", None), kinds)
        self.assertIn(("read", "erik", "node.get"), kinds)
        self.assertTrue(all(self.p in a["ids"] for a in doc["audit"]))
        self.assertTrue(all(isinstance(a["hash"], str) for a in doc["audit"] if "hash" in a))
        # The export itself is audited as a read of the person.
        last = self.v.ok("audit.list", {"id": self.p, "kind": "read"})["entries"][-1]
        self.assertEqual((last["user"], last["what"], last["reason"]),
                         ("petra", "privacy.export", "inzageverzoek 2026-21"))
        self.assertEqual(self.v.ok("audit.verify")["ok"], True)
        # After an erasure there is nothing left to export.
        self.v.ok("privacy.erase", {"id": self.p, "reason": "AVG-verzoek 2026-22"})
        err, _ = self.v.call("privacy.export", {"id": self.p})
        self.assertEqual(err["code"], "not_found")

    def test_retention_erases_exactly_the_old_contacts_and_audits_each_run(self):
        import datetime
        now = datetime.datetime.now(datetime.timezone.utc)
        actor = self.e.ok("node.create", {"kind": "person", "props": {
            "key": "VOORBEELD-ACTOR", "initials": "A.", "surname": "Actor", "actor": True}})["id"]

        def contact(days_ago, onderwerp):
            ts = (now - datetime.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
            return self.e.ok("contact.register", {
                "kanaal": "telefoon", "onderwerp": onderwerp, "plaatsgevondenOp": ts,
                "inhoud": "Gesprek " + onderwerp,
                "betrokkenen": [{"partij": self.p, "rol": "klant"}],
                "actoren": [actor]})["klantcontact"]["id"]

        old = sorted([contact(800, "Oudst-Qzx"), contact(366, "Oud-Qzx")])
        young = [contact(364, "Recent-Wvk"), contact(10, "Nieuw-Wvk")]
        rule = {"kind": "contact", "older_than_days": 365, "reason": "bewaartermijn 1 jaar"}
        err, _ = self.e.call("privacy.retention", rule)
        self.assertEqual(err["code"], "permission_denied")
        err, _ = self.v.call("privacy.retention", dict(rule, kind="person"))
        self.assertEqual(err["code"], "invalid_argument")
        err, _ = self.v.call("privacy.retention", dict(rule, older_than_days=0))
        self.assertEqual(err["code"], "invalid_argument")

        def runs():
            return [x for x in self.v.ok("audit.list", {"kind": "change", "user": "petra"})[
                "entries"] if x["reason"] == "bewaartermijn 1 jaar"]

        res = self.v.ok("privacy.retention", dict(rule, dry_run=True))
        self.assertEqual((sorted(res["would_erase"]), res["kept"]), (old, 2))
        for c in old + young:
            self.e.ok("contact.get", {"id": c})
        self.assertEqual(len(runs()), 1)

        res = self.v.ok("privacy.retention", rule)
        self.assertEqual((sorted(res["erased"]), res["kept"], res["dry_run"]), (old, 2, False))
        self.assertEqual(res["edges"], 4)  # per contact: the betrokkene and the actor
        for c in old:
            err, _ = self.e.call("contact.get", {"id": c})
            self.assertEqual(err["code"], "not_found")
        for c in young:
            self.e.ok("contact.get", {"id": c})
        self.e.ok("node.get", {"id": self.p})  # the person stays
        self.assertEqual(len(runs()), 2)
        last = runs()[-1]
        self.assertTrue(set(old) <= set(last["ids"]))
        # The run's own record: which rule, which ids.
        table = (1 << 63) | (ord("r") << 32) | 1
        h = self.v.ok("history.list", {"id": table})["entries"]
        self.assertEqual([x["op"] for x in h], ["retention", "retention"])
        self.assertEqual((h[-1]["after"]["dry_run"], sorted(h[-1]["after"]["ids"])),
                         (False, old))
        # Nothing old left in any file; the young ones are.
        self.assertEqual(self.files_holding("Oudst-Qzx", "Oud-Qzx"), [])
        self.assertTrue(self.files_holding("Recent-Wvk"))
        # A run that finds nothing is still recorded.
        self.assertEqual(self.v.ok("privacy.retention", rule)["erased"], [])
        self.assertEqual(len(runs()), 3)
        self.assertEqual(self.v.ok("audit.verify")["ok"], True)
        self.assertTrue(self.admin().ok("admin.check")["ok"])

    def test_anonymise_keeps_the_roles_and_removes_the_names(self):
        known = moment()  # recorded time before the anonymisation
        res = self.v.ok("privacy.anonymise", {"id": self.p, "reason": "AVG-verzoek 2026-18"})
        # As recorded before, the names are gone too: the anonymised record answers.
        old = self.e.ok("node.get", {"id": self.p, "known_at": known})
        self.assertTrue(old["props"]["surname"].startswith("Anoniem"))
        self.assertNotIn("Jansen", repr(old))
        self.assertEqual(self.e.ok("node.find", {"name": "Jansen", "known_at": known})["nodes"],
                         [])
        self.assertEqual([r["id"] for r in self.e.ok("edge.list", {"node": self.p,
                                                                   "known_at": known})["edges"]],
                         [self.role])
        self.assertEqual(self.files_holding("Jansen", "JANSEN", "p.jansen@example.org"), [])
        props = res["node"]["props"]
        self.assertTrue(props["surname"].startswith("Anoniem"))
        self.assertNotIn("key", props)
        self.assertNotIn("email", props)
        self.assertTrue(props["example"])
        roles = self.e.ok("edge.list", {"node": self.p})["edges"]
        self.assertEqual([r["id"] for r in roles], [self.role])
        h = self.v.ok("history.list", {"id": self.p})["entries"]
        self.assertEqual(h[-1]["op"], "anonymise")
        self.assertNotIn("Jansen", repr(h))
        self.assertEqual(self.v.ok("audit.verify")["ok"], True)
        self.assertTrue(self.admin().ok("admin.check")["ok"])
        self.assertEqual(self.files_holding("Jansen", "JANSEN", "p.jansen@example.org"), [])
        self.assertTrue(self.files_holding("Voorbeeld"))


class TlsTests(unittest.TestCase):
    """TLS on TCP, driven by Python's ssl module (OpenSSL, not our code) as the client."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="knoop-tls-")
        cls.cert = os.path.join(cls.dir, "cert.pem")
        cls.key = os.path.join(cls.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", cls.key, "-out",
                        cls.cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        os.chmod(cls.key, 0o600)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def start(self):
        srv = Knoopd("--tls-cert", self.cert, "--tls-key", self.key,
                     trust_loopback=False).start()
        self.addCleanup(srv.cleanup)
        return srv

    def test_python_ssl_client_authenticates_and_works_over_tls(self):
        srv = self.start()
        ctx = ssl.create_default_context(cafile=self.cert)
        raw = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
        s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.assertIn(s.version(), ("TLSv1.2", "TLSv1.3"))
        c = Client(s)
        self.assertEqual(c.ok("ping"), "pong")
        with open(os.path.join(srv.data, "admin-password")) as f:
            pw = f.read().strip()
        self.assertEqual(c.ok("auth", {"user": "admin", "password": pw})["user"], "admin")
        n = c.ok("node.create", {"kind": "organisation", "props": {"name": "Testorganisatie"}})
        self.assertEqual(c.ok("node.get", {"id": n["id"]})["props"]["name"], "Testorganisatie")
        # Pipelined requests over TLS, answered in order.
        for i in range(50):
            c.send("ping")
        self.assertEqual([c.recv()[3] for _ in range(50)], ["pong"] * 50)
        s.close()

    def test_plaintext_client_on_the_tls_port_gets_no_answer_and_is_closed(self):
        srv = self.start()
        c = Client(srv.connect())
        c.send("ping")
        self.assertTrue(c.closed())
        c.s.close()

    def test_knoop_cli_speaks_tls_and_checks_the_certificate(self):
        cli = os.environ.get("KNOOP_CLI")
        if not cli:
            self.skipTest("KNOOP_CLI not set")
        srv = self.start()
        with open(os.path.join(srv.data, "admin-password")) as f:
            pw = f.read().strip()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
        env.update({"KNOOP_USER": "admin", "KNOOP_PASSWORD": pw})
        base = [cli, "--port", str(srv.port), "--tls"]
        r = subprocess.run(base + ["--cacert", self.cert, "user", "list", "--json"], env=env,
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["users"][0]["name"], "admin")
        # Without the CA the server's self-signed certificate is refused.
        r = subprocess.run(base + ["ping"], env=env, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("tls handshake", r.stderr)

    def test_key_readable_by_others_is_refused(self):
        key = os.path.join(self.dir, "open-key.pem")
        shutil.copy(self.key, key)
        os.chmod(key, 0o644)
        r = subprocess.run([os.environ.get("KNOOPD", "knoopd"), "--data",
                            os.path.join(self.dir, "d1"), "--tls-cert", self.cert,
                            "--tls-key", key], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("can be read by others", r.stderr)

    def test_non_loopback_listen_without_tls_is_refused(self):
        r = subprocess.run([os.environ.get("KNOOPD", "knoopd"), "--data",
                            os.path.join(self.dir, "d2"), "--listen", "0.0.0.0:0"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--allow-plaintext", r.stderr)


class UnixSocketTests(unittest.TestCase):
    def test_unix_socket_is_the_local_operator_without_auth(self):
        d = tempfile.mkdtemp(prefix="knoop-sock-")
        path = os.path.join(d, "knoopd.sock")
        srv = Knoopd("--socket", path, trust_loopback=False).start()
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(30)
            s.connect(path)
            c = Client(s)
            n = c.ok("node.create", {"kind": "organisation", "props": {"name": "Testorganisatie"}})
            self.assertEqual(c.ok("history.list", {"id": n["id"]})["entries"][0]["actor"],
                             "local")
            s.close()
            tcp = Client(srv.connect())
            err, _ = tcp.call("node.find", {})
            self.assertEqual(err["code"], "unauthenticated")
            tcp.s.close()
        finally:
            srv.stop()
            srv.cleanup()
            shutil.rmtree(d, ignore_errors=True)


class TrustLoopbackTests(unittest.TestCase):
    def test_trust_loopback_acts_as_local_operator(self):
        srv = Knoopd().start()  # the fixture's default: --trust-loopback
        try:
            c = Client(srv.connect())
            n = c.ok("node.create", {"kind": "organisation", "props": {"name": "Testorganisatie"}})
            h = c.ok("history.list", {"id": n["id"]})["entries"]
            self.assertEqual(h[0]["actor"], "local")
            c.ok("user.list")
            c.s.close()
        finally:
            srv.stop()
            srv.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
