"""query.path and query.neighbourhood through a third-party client (python3-msgpack) against a
real knoopd, on scenario graphs with known answers: paths that exist only in some periods,
ties, k > 1, the hop and work bounds, excluded nodes, contacts, explicit organisation hops and
a hub with 10,000 members. The same scenarios as tests/integration/test_path.c, which asks them
of a knoopd that answers k = 1 questions on its event loop; this knoopd has a loop budget of
1 µs (--loop-try-us 1), so that nearly every k = 1 question gives up there and is answered
again by a worker: the answers must not change.

All persons and bodies here are test data, not real office holders.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from knoopd_fixture import Knoopd  # noqa: E402
from test_thirdparty import Client  # noqa: E402

HUB = 10000


class PathCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Knoopd("--loop-try-us", "1").start()
        cls.c = Client(cls.srv.connect())
        c = cls.c
        ids = {}

        def person(key):
            ids[key] = c.ok("node.create", {"kind": "person",
                                            "props": {"key": key, "initials": key[0] + ".",
                                                      "surname": key}})["id"]

        def body(key, kind="body", type_="overlegorgaan"):
            ids[key] = c.ok("node.create", {"kind": kind, "type": type_,
                                            "props": {"key": key, "name": "Orgaan " + key}})["id"]

        def edge(type_, src, dst, frm, to=None, props=None):
            p = {"type": type_, "source": ids[src], "target": ids[dst], "valid_from": frm}
            if to:
                p["valid_to"] = to
            if props:
                p["props"] = props
            return c.ok("edge.create", p)["id"]

        # Periods: A and B overlap at X in 2012-2015; B and C at Y from 2018.
        for k in ("Anna", "Bert", "Cees", "Dirk"):
            person(k)
        body("X")
        body("Y")
        cls.ax = edge("lid", "Anna", "X", "2010-01-01", "2015-01-01")
        cls.bx = edge("lid", "Bert", "X", "2012-01-01", "2020-01-01")
        edge("lid", "Bert", "Y", "2016-01-01")
        edge("lid", "Cees", "Y", "2018-01-01")
        # Ties: Sven - M1/M2 - Tom (kent), and a longer way Sven - M3 - M4 - Tom.
        for k in ("Sven", "Tom", "M1", "M2", "M3", "M4"):
            person(k)
        for a, b in (("Sven", "M1"), ("M1", "Tom"), ("Sven", "M2"), ("M2", "Tom"),
                     ("Sven", "M3"), ("M3", "M4"), ("M4", "Tom")):
            edge("kent", a, b, "2000-01-01")
        # A chain of four kent hops for the bounds: Q0 - Q1 - Q2 - Q3 - Q4.
        for i in range(5):
            person("Q%d" % i)
        for i in range(4):
            edge("kent", "Q%d" % i, "Q%d" % (i + 1), "2000-01-01")
        # Contact: Eva and Fien betrokkenen at one klantcontact on 2024-03-01; Gijs the actor.
        for k in ("Eva", "Fien"):
            person(k)
        ids["Gijs"] = c.ok("node.create", {"kind": "person", "props": {
            "key": "Gijs", "initials": "G.", "surname": "Gijs", "actor": True}})["id"]
        c.ok("contact.register", {"kanaal": "telefoon", "onderwerp": "Overleg",
                                  "plaatsgevondenOp": "2024-03-01T10:30:00+01:00",
                                  "betrokkenen": [{"partij": ids["Eva"], "rol": "klant"},
                                                  {"partij": ids["Fien"], "rol": "klant"}],
                                  "actoren": [ids["Gijs"]]})
        # Organisation hops: Hans at org O1, Ids at O2, both organisations deelnemer of R.
        for k in ("Hans", "Ids"):
            person(k)
        body("O1", "organisation", "overig")
        body("O2", "organisation", "overig")
        body("R")
        edge("medewerker", "Hans", "O1", "2020-01-01")
        edge("medewerker", "Ids", "O2", "2020-01-01")
        edge("deelnemer", "O1", "R", "2020-01-01")
        edge("deelnemer", "O2", "R", "2020-01-01")
        # An organisation that is a member of a body is not a person: Jan and O3 are both
        # `lid` of K, which links no persons (Kees works at O3).
        for k in ("Jan", "Kees"):
            person(k)
        body("K")
        body("O3", "organisation", "overig")
        edge("medewerker", "Kees", "O3", "2020-01-01")
        edge("lid", "Jan", "K", "2020-01-01")
        edge("lid", "O3", "K", "2020-01-01")
        # The hub: 10,000 members of H; the last one knows Zoe.
        person("Zoe")
        body("H")
        ops = [{"method": "node.create", "params": {"kind": "person", "props": {
            "key": "h%05d" % i, "initials": "H.", "surname": "Hub%05d" % i}}}
            for i in range(HUB)]
        res = c.ok("batch", {"ops": ops})["results"]
        cls.hub = [r["id"] for r in res]
        ops = [{"method": "edge.create", "params": {"type": "lid", "source": h,
                                                    "target": ids["H"],
                                                    "valid_from": "2021-01-01"}}
               for h in cls.hub]
        c.ok("batch", {"ops": ops})
        c.ok("edge.create", {"type": "kent", "source": cls.hub[-1], "target": ids["Zoe"],
                             "valid_from": "2021-01-01"})
        cls.ids = ids

    @classmethod
    def tearDownClass(cls):
        cls.c.s.close()
        assert cls.srv.stop() == 0
        cls.srv.cleanup()

    def path(self, a, b, **kw):
        p = {"source": self.ids.get(a, a), "target": self.ids.get(b, b)}
        p.update(kw)
        return self.c.ok("query.path", p)

    def names(self, path):
        hops = path["hops"]
        return [hops[0]["from"]["key"]] + [h["to"]["key"] for h in hops]

    def test_co_membership_counts_only_in_overlapping_periods(self):
        r = self.path("Anna", "Bert", at="2013-06-01")
        self.assertEqual(len(r["paths"]), 1)
        hop = r["paths"][0]["hops"][0]
        self.assertEqual(hop["link"], "co-membership")
        self.assertEqual(hop["org"]["key"], "X")
        self.assertEqual([e["id"] for e in hop["roles"]], [self.ax, self.bx])
        self.assertEqual(hop["period"], {"from": "2012-01-01", "to": "2015-01-01"})
        self.assertEqual(self.path("Anna", "Bert", at="2016-06-01")["paths"], [])

    def test_path_exists_ever_and_in_a_period_but_not_on_one_day(self):
        self.assertEqual(self.path("Anna", "Cees", at="2013-06-01")["paths"], [])
        self.assertEqual(self.path("Anna", "Cees", at="2019-06-01")["paths"], [])
        r = self.path("Anna", "Cees")
        self.assertEqual(self.names(r["paths"][0]), ["Anna", "Bert", "Cees"])
        self.assertEqual(r["paths"][0]["hops"][1]["period"], {"from": "2018-01-01", "to": None})
        r = self.path("Anna", "Cees", **{"from": "2014-01-01", "to": "2019-01-01"})
        hops = r["paths"][0]["hops"]
        self.assertEqual(hops[0]["period"], {"from": "2014-01-01", "to": "2015-01-01"})
        self.assertEqual(hops[1]["period"], {"from": "2018-01-01", "to": "2019-01-01"})
        self.assertEqual(self.path("Anna", "Cees", **{"from": "2015-01-01", "to": "2017-01-01"})
                         ["paths"], [])

    def test_ties_take_the_lower_id_and_k_gives_the_next_paths_in_order(self):
        r = self.path("Sven", "Tom")
        self.assertEqual(self.names(r["paths"][0]), ["Sven", "M1", "Tom"])
        r = self.path("Sven", "Tom", k=3)
        self.assertEqual([self.names(p) for p in r["paths"]],
                         [["Sven", "M1", "Tom"], ["Sven", "M2", "Tom"],
                          ["Sven", "M3", "M4", "Tom"]])
        self.assertEqual([p["length"] for p in r["paths"]], [2, 2, 3])
        self.assertFalse(r["bound_hit"])
        self.assertEqual(len(self.path("Sven", "Tom", k=10)["paths"]), 3)

    def test_excluded_nodes_are_never_visited(self):
        r = self.path("Sven", "Tom", exclude=["M1"])
        self.assertEqual(self.names(r["paths"][0]), ["Sven", "M2", "Tom"])
        r = self.path("Sven", "Tom", exclude=["M1", self.ids["M2"]], k=5)
        self.assertEqual([self.names(p) for p in r["paths"]], [["Sven", "M3", "M4", "Tom"]])
        err, _ = self.c.call("query.path", {"source": "Sven", "target": "Tom",
                                            "exclude": ["Tom"]})
        self.assertEqual(err["code"], "invalid_argument")

    def test_hop_bound_reports_bound_hit(self):
        r = self.path("Q0", "Q4", max_hops=3)
        self.assertEqual(r["paths"], [])
        self.assertTrue(r["bound_hit"])
        self.assertEqual(r["bound"], "max_hops")
        r = self.path("Q0", "Q4", max_hops=4)
        self.assertEqual(self.names(r["paths"][0]), ["Q0", "Q1", "Q2", "Q3", "Q4"])
        self.assertFalse(r["bound_hit"])

    def test_work_bound_reports_bound_hit(self):
        r = self.path("Q0", "Q4", max_expanded=2)
        self.assertEqual(r["paths"], [])
        self.assertTrue(r["bound_hit"])
        self.assertEqual(r["bound"], "expanded")
        self.assertLessEqual(r["expanded"], 2)

    def test_contact_links_betrokkenen_but_not_actors_with_each_other(self):
        r = self.path("Eva", "Fien")
        hop = r["paths"][0]["hops"][0]
        self.assertEqual(hop["link"], "contact")
        self.assertEqual(hop["org"]["type"], "klantcontact")
        self.assertEqual(hop["period"], {"from": "2024-03-01", "to": "2024-03-02"})
        r = self.path("Eva", "Gijs", at="2024-03-01")
        self.assertEqual(r["paths"][0]["hops"][0]["link"], "contact")
        self.assertEqual(self.path("Eva", "Fien", at="2024-03-02")["paths"], [])
        self.assertEqual(self.path("Eva", "Fien", links=["kent"])["paths"], [])

    def test_membership_passes_through_organisations_when_asked(self):
        self.assertEqual(self.path("Hans", "Ids")["paths"], [])
        r = self.path("Hans", "Ids", links=["membership"])
        self.assertEqual(self.names(r["paths"][0]), ["Hans", "O1", "R", "O2", "Ids"])
        self.assertEqual([h["link"] for h in r["paths"][0]["hops"]], ["membership"] * 4)
        self.assertEqual(r["paths"][0]["hops"][1]["org"]["key"], "R")

    def test_an_organisation_member_is_no_person_link(self):
        self.assertEqual(self.path("Jan", "Kees")["paths"], [])
        self.assertEqual(self.path("Kees", "Jan", k=3)["paths"], [])
        r = self.path("Jan", "Kees", links=["membership"])
        self.assertEqual(self.names(r["paths"][0]), ["Jan", "K", "O3", "Kees"])

    def test_hub_with_ten_thousand_members_is_expanded_once(self):
        t0 = time.monotonic()
        r = self.path(self.hub[0], "Zoe")
        took = time.monotonic() - t0
        p = r["paths"][0]
        self.assertEqual(p["length"], 2)
        self.assertEqual(p["hops"][0]["link"], "co-membership")
        self.assertEqual(p["hops"][1]["link"], "kent")
        self.assertEqual(p["hops"][0]["to"]["id"], self.hub[-1])
        self.assertFalse(r["bound_hit"])
        self.assertLess(r["expanded"], 10)
        self.assertLess(took, 10.0)
        # Walking 10,000 members takes far more than this knoopd's 1 µs loop budget: the try
        # on the loop gave up, and a worker gave the answer above.
        tries = self.c.ok("server.info")["loop_tries"]
        self.assertEqual(tries["budget_us"], 1)
        self.assertGreaterEqual(tries["moved"], 1)
        self.assertGreaterEqual(tries["tried"], tries["moved"])
        # k = 3 between two members: the direct hop, then nothing shorter than 2 more.
        r = self.path(self.hub[0], self.hub[1], k=3)
        self.assertEqual(r["paths"][0]["length"], 1)
        self.assertEqual([p["length"] for p in r["paths"]], [1, 2, 2])
        self.assertLess(r["expanded"], 100)

    def test_bad_parameters_name_the_field(self):
        for params, field in (({"k": 0}, "params.k"), ({"max_hops": 13}, "params.max_hops"),
                              ({"links": ["vriend"]}, "params.links[0]"),
                              ({"at": "2020-01-01", "from": "2019-01-01"}, "params.at"),
                              ({"known_at": "2999-01-01T00:00:00Z"}, "params.known_at"),
                              ({"known_at": "2020-01-01"}, "params.known_at")):
            p = {"source": "Sven", "target": "Tom"}
            p.update(params)
            err, _ = self.c.call("query.path", p)
            self.assertEqual(err["code"], "invalid_argument", params)
            self.assertIn(field, err["message"])
        err, _ = self.c.call("query.path", {"source": "Sven", "target": "NOPE"})
        self.assertEqual(err["code"], "not_found")

    def test_neighbourhood_ranks_stronger_connections_first(self):
        r = self.c.ok("query.neighbourhood", {"node": "Bert", "depth": 2})
        self.assertEqual(r["counts"], {"person": 2})
        first = r["nodes"][0]
        self.assertEqual(first["distance"], 1)
        # Anna shares X with Bert for 3 years, Cees Y for longer (open end counts until today).
        self.assertEqual([n["node"]["key"] for n in r["nodes"]], ["Cees", "Anna"])
        self.assertGreater(r["nodes"][0]["score"], r["nodes"][1]["score"])
        r = self.c.ok("query.neighbourhood", {"node": "Sven", "depth": 2})
        self.assertEqual(r["total"], 5)
        self.assertEqual([n["distance"] for n in r["nodes"]], [1, 1, 1, 2, 2])
        r = self.c.ok("query.neighbourhood", {"node": "Sven", "depth": 1, "limit": 2})
        self.assertTrue(r["more"])
        self.assertEqual(len(r["nodes"]), 2)


if __name__ == "__main__":
    unittest.main()
