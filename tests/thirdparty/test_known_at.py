"""Recorded time (known_at) through a third-party client (python3-msgpack) against a real
knoopd: the scenario of tests/integration/test_known_at.c, with corrections before and after
each moment.

  T0  nothing of the scenario exists
      Eerdmans becomes burgemeester of Almere from 2018-01-01 (open); Tweede; Eerdmans kent
      Tweede from 2000-01-01
  T1  as first recorded
      correction: Eerdmans' role ends on 2019-02-01; Tweede is burgemeester from 2019-02-01;
      Eerdmans is renamed Anders
  T2  after the correction
      the kent edge ends on 2020-01-01
  T3  the acquaintance ended
      correction: the kent edge is reopened
  T4  now

All persons here are test data, not real office holders.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from knoopd_fixture import Knoopd  # noqa: E402
from test_thirdparty import Client  # noqa: E402


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


class KnownAtCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Knoopd().start()
        cls.c = c = Client(cls.srv.connect())
        cls.T = T = []
        c.ok("node.create", {"kind": "organisation", "type": "gemeente",
                             "props": {"name": "Almere", "cbs_code": "GM0034",
                                       "provincie": "NL-FL"}})
        T.append(moment())
        cls.p = c.ok("node.create", {"kind": "person", "props": {
            "key": "T-KA-P", "initials": "E.", "surname": "Eerdmans"}})["id"]
        cls.q = c.ok("node.create", {"kind": "person", "props": {
            "key": "T-KA-Q", "initials": "T.", "surname": "Tweede"}})["id"]
        cls.burg_p = c.ok("edge.create", {"type": "burgemeester", "source": cls.p,
                                          "target": "GM0034", "valid_from": "2018-01-01"})["id"]
        cls.kent = c.ok("edge.create", {"type": "kent", "source": cls.p, "target": cls.q,
                                        "valid_from": "2000-01-01"})["id"]
        T.append(moment())
        c.ok("edge.update", {"id": cls.burg_p, "valid_to": "2019-02-01"})
        cls.burg_q = c.ok("edge.create", {"type": "burgemeester", "source": cls.q,
                                          "target": "GM0034", "valid_from": "2019-02-01"})["id"]
        c.ok("node.update", {"id": cls.p, "set": {"surname": "Anders"}})
        T.append(moment())
        c.ok("edge.end", {"id": cls.kent, "on": "2020-01-01"})
        T.append(moment())
        c.ok("edge.update", {"id": cls.kent, "reopen": True})
        T.append(moment())

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        cls.srv.cleanup()

    def code(self, method, params):
        err, _ = self.c.call(method, params)
        return err["code"] if err else None

    def holders(self, at, t=None):
        p = {"org": "GM0034", "role": "burgemeester", "at": at}
        if t is not None:
            p["known_at"] = self.T[t]
        return {h["person"]["id"] for h in self.c.ok("query.holders", p)["holders"]}

    def test_node_get_as_recorded(self):
        self.assertEqual(self.code("node.get", {"id": self.p, "known_at": self.T[0]}), "not_found")
        n = self.c.ok("node.get", {"id": "T-KA-P", "known_at": self.T[1]})
        self.assertEqual((n["id"], n["props"]["surname"]), (self.p, "Eerdmans"))
        for t in (2, 3, 4):
            n = self.c.ok("node.get", {"id": self.p, "known_at": self.T[t]})
            self.assertEqual(n["props"]["surname"], "Anders")

    def test_burgemeester_on_a_day_as_we_knew_it_then(self):
        self.assertEqual(self.holders("2019-03-01", 1), {self.p})
        self.assertEqual(self.holders("2019-03-01", 2), {self.q})
        self.assertEqual(self.holders("2019-03-01"), {self.q})
        self.assertEqual(self.holders("2018-06-01", 2), {self.p})
        self.assertEqual(self.holders("2019-03-01", 0), set())

    def test_edge_get_and_edge_list_with_at_and_known_at(self):
        e = self.c.ok("edge.get", {"id": self.burg_p, "known_at": self.T[1]})
        self.assertIsNone(e.get("valid_to"))
        e = self.c.ok("edge.get", {"id": self.burg_p, "known_at": self.T[2]})
        self.assertEqual(e["valid_to"], "2019-02-01")
        self.assertEqual(self.code("edge.get", {"id": self.burg_q, "known_at": self.T[1]}),
                         "not_found")
        for t, at, edge, listed in ((1, "2019-03-01", self.burg_p, True),
                                    (2, "2019-03-01", self.burg_p, False),
                                    (2, "2021-01-01", self.kent, True),
                                    (3, "2021-01-01", self.kent, False),
                                    (4, "2021-01-01", self.kent, True)):
            r = self.c.ok("edge.list", {"node": self.p, "at": at, "known_at": self.T[t]})
            self.assertEqual(edge in [x["id"] for x in r["edges"]], listed, (t, at))

    def test_renamed_person_found_by_the_old_name_at_the_old_moment_only(self):
        def found(name, t=None):
            p = {"name": name}
            if t is not None:
                p["known_at"] = self.T[t]
            return self.p in [n["id"] for n in self.c.ok("node.find", p)["nodes"]]
        self.assertTrue(found("Eerdmans", 1))
        self.assertFalse(found("Eerdmans", 2))
        self.assertFalse(found("Eerdmans"))
        self.assertFalse(found("Anders", 1))
        self.assertTrue(found("Anders"))

    def test_perspective_and_path_with_known_at(self):
        r = self.c.ok("perspective.get", {"name": "gemeente", "subject": "GM0034",
                                          "at": "2019-03-01", "known_at": self.T[1]})
        self.assertIn("Eerdmans", repr(r))
        self.assertNotIn("Tweede", repr(r))
        for t, n in ((2, 1), (3, 0), (4, 1)):
            r = self.c.ok("query.path", {"source": self.p, "target": self.q, "at": "2021-01-01",
                                         "links": ["kent"], "known_at": self.T[t]})
            self.assertEqual(len(r["paths"]), n, t)

    def test_future_and_malformed_known_at_are_invalid(self):
        for bad in ("2999-01-01T00:00:00Z", "2020-01-01", "gisteren"):
            err, _ = self.c.call("node.get", {"id": self.p, "known_at": bad})
            self.assertEqual(err["code"], "invalid_argument", bad)
            self.assertIn("params.known_at", err["message"])


if __name__ == "__main__":
    unittest.main()
