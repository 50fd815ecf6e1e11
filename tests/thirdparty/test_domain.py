"""The VNG domain through a real knoopd: schema validation (strict core regime, role types,
lists of values, run-time fields), data quality (addresses from the postcode table, contact
details, Dutch person names), woonplaatsen maintenance and membership questions.

Values are real reference data (../../../shared/data, copied to schema/data): Almere GM0034 in
Flevoland, Amsterdam PC4 1011, woonplaatsen of Súdwest-Fryslân GM1900.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from knoopd_fixture import Knoopd  # noqa: E402
from test_thirdparty import Client  # noqa: E402


class DomainCase(unittest.TestCase):
    def setUp(self):
        self.srv = Knoopd().start()
        self.c = Client(self.srv.connect())

    def tearDown(self):
        self.c.s.close()
        self.assertEqual(self.srv.stop(), 0)
        self.srv.cleanup()

    def fail_with(self, code, method, params, *words):
        err, _ = self.c.call(method, params)
        self.assertIsNotNone(err, "%s should fail" % method)
        self.assertEqual(err["code"], code, err)
        for w in words:
            self.assertIn(w, err["message"])
        return err

    def gemeente(self, name="Almere", code="GM0034", **props):
        p = {"name": name, "cbs_code": code, "provincie": "NL-FL"}
        p.update(props)
        return self.c.ok("node.create", {"kind": "organisation", "type": "gemeente", "props": p})

    def person(self, **props):
        return self.c.ok("node.create", {"kind": "person", "props": props})


class SchemaTests(DomainCase):
    def test_core_nodes_are_strict(self):
        self.fail_with("invalid_argument", "node.create",
                       {"kind": "organisation", "type": "gemeente",
                        "props": {"name": "Almere", "cbs_code": "GM34x"}}, "props.cbs_code")
        self.fail_with("invalid_argument", "node.create",
                       {"kind": "organisation", "type": "gemeente",
                        "props": {"name": "Almere", "cbs_code": "GM0034", "kleur": "blauw"}},
                       "props.kleur", "strict")
        self.fail_with("invalid_argument", "node.create",
                       {"kind": "organisation", "type": "gemeente", "props": {"cbs_code": "GM0034"}},
                       "props.name", "required")
        self.fail_with("invalid_argument", "node.create",
                       {"kind": "organisation", "type": "gemeente",
                        "props": {"name": "Almere", "cbs_code": "GM0034", "provincie": "NL-XX"}},
                       "props.provincie", "provincie")
        self.fail_with("invalid_argument", "node.create",
                       {"kind": "organisation", "type": "stadsdeel", "props": {"name": "X"}},
                       "type", "gemeente")
        self.assertEqual(self.c.ok("node.find", {})["nodes"], [], "nothing was written")
        g = self.gemeente(cbs_code_extra=None) if False else self.gemeente()
        self.assertEqual(g["props"]["cbs_code"], "GM0034")

    def test_codes_are_normalised(self):
        g = self.c.ok("node.create", {"kind": "organisation", "type": "gemeente",
                                      "props": {"name": "Almere", "cbs_code": "gm0034",
                                                "email": "Info@ALMERE.nl",
                                                "website": "www.almere.nl",
                                                "telefoon": "14 036"}})
        self.assertEqual(g["props"]["cbs_code"], "GM0034")
        self.assertEqual(g["props"]["email"], "Info@almere.nl")
        self.assertTrue(g["props"]["website"].startswith("https://www.almere.nl"))
        self.assertEqual(g["props"]["telefoon"], "14 036")
        self.fail_with("invalid_argument", "node.update",
                       {"id": g["id"], "set": {"email": "info@@almere"}}, "props.email")

    def test_roles_must_fit_their_ends(self):
        g = self.gemeente()
        p = self.person(initials="P.", surname="Jansen", example=True)
        prj = self.c.ok("node.create", {"kind": "project", "type": "project",
                                        "props": {"name": "Voorbeeldproject"}})
        e = self.c.ok("edge.create", {"type": "wethouder", "source": p["id"], "target": "GM0034",
                                      "valid_from": "2022-06-01",
                                      "props": {"portefeuilles": ["Milieu"]}})
        self.assertEqual(e["props"]["portefeuilles"], ["Milieu"])
        self.fail_with("invalid_argument", "edge.create",
                       {"type": "wethouder", "source": p["id"], "target": prj["id"],
                        "valid_from": "2022-06-01"}, "wethouder runs from person")
        self.fail_with("invalid_argument", "edge.create",
                       {"type": "wethouder", "source": g["id"], "target": g["id"],
                        "valid_from": "2022-06-01"}, "not from organisation gemeente")
        self.fail_with("invalid_argument", "edge.create",
                       {"type": "raadslid", "source": p["id"], "target": g["id"],
                        "valid_from": "2022-03-30"}, "props.namens", "required")
        self.fail_with("invalid_argument", "edge.create",
                       {"type": "wethouder", "source": p["id"], "target": g["id"],
                        "valid_from": "2022-06-01", "props": {"portefeuille": "Milieu"}},
                       "props.portefeuille", "portefeuilles")
        self.fail_with("invalid_argument", "edge.create",
                       {"type": "vriend", "source": p["id"], "target": g["id"],
                        "valid_from": "2022-06-01"}, "not a role type")
        # Between other (non-core) nodes the lighter regime takes any typed relation.
        q = self.person(initials="J.", surname="Vries", tussenvoegsel="de", example=True)
        self.c.ok("edge.create", {"type": "collega", "source": p["id"], "target": q["id"],
                                  "valid_from": "2020-01-01"})

    def test_runtime_fields_and_lists(self):
        self.c.ok("schema.list.define", {"name": "regio-type", "values": [
            {"code": "stedelijk", "label": "Stedelijke regio"}, {"code": "landelijk"}]})
        self.c.ok("schema.field.define", {"name": "regiotype", "kind": "organisation",
                                          "type": "gemeente", "value_type": "list",
                                          "list": "regio-type", "regime": "core"})
        self.c.ok("schema.field.define", {"name": "aantal_kernen", "kind": "organisation",
                                          "type": "gemeente", "value_type": "integer"})
        self.fail_with("invalid_argument", "schema.field.define",
                       {"name": "x", "kind": "organisation", "value_type": "list",
                        "list": "bestaat-niet"}, "params.list")
        self.fail_with("conflict", "schema.field.define",
                       {"name": "name", "kind": "organisation", "type": "gemeente",
                        "value_type": "integer"}, "built-in")
        self.fail_with("invalid_argument", "node.create",
                       {"kind": "organisation", "type": "gemeente",
                        "props": {"name": "Almere", "cbs_code": "GM0034", "aantal_kernen": "vijf"}},
                       "props.aantal_kernen")
        self.fail_with("invalid_argument", "node.create",
                       {"kind": "organisation", "type": "gemeente",
                        "props": {"name": "Almere", "cbs_code": "GM0034", "regiotype": "x"}},
                       "regio-type")
        g = self.gemeente(regiotype="stedelijk", aantal_kernen=6)
        self.assertEqual(g["props"]["aantal_kernen"], 6)
        self.c.ok("schema.list.add", {"list": "regio-type", "code": "gemengd"})
        self.c.ok("node.update", {"id": g["id"], "set": {"regiotype": "gemengd"}})
        # Definitions survive a restart.
        self.c.s.close()
        self.assertEqual(self.srv.stop(), 0)
        self.srv.start()
        self.c = Client(self.srv.connect())
        lst = self.c.ok("schema.list.get", {"name": "regio-type"})
        self.assertEqual([v["code"] for v in lst["values"]], ["stedelijk", "landelijk", "gemengd"])
        fields = self.c.ok("schema.fields", {"kind": "organisation", "type": "gemeente"})["fields"]
        self.assertIn("aantal_kernen", [f["name"] for f in fields])
        self.fail_with("invalid_argument", "node.update",
                       {"id": g["id"], "set": {"aantal_kernen": "zes"}}, "props.aantal_kernen")

    def test_shipped_lists(self):
        prov = self.c.ok("schema.list.get", {"name": "provincie"})["values"]
        self.assertEqual(len(prov), 12)
        fr = [v for v in prov if v["code"] == "NL-FR"][0]
        self.assertEqual((fr["label"], fr["abbreviation"], fr["ext_code"]),
                         ("Fryslân", "FR", "PV21"))
        names = [x["name"] for x in self.c.ok("schema.lists")["lists"]]
        for want in ("categorie", "grootteklasse", "stedelijkheidsklasse"):
            self.assertIn(want, names)
        roles = [r["name"] for r in self.c.ok("schema.roles")["roles"]]
        for want in ("burgemeester", "wethouder", "raadslid", "griffier", "gemeentesecretaris",
                     "loco-burgemeester", "fractievoorzitter", "lid", "voorzitter", "deelnemer"):
            self.assertIn(want, roles)


class QualityTests(DomainCase):
    def test_address_completed_from_postcode_table(self):
        self.c.ok("postcode.put", {"postcode": "1315", "place": "Almere", "gemeente": "GM0034"})
        g = self.gemeente(bezoekadres={"street": "Stadhuisplein", "house_number": 1,
                                       "postcode": "1315hr"})
        a = g["props"]["bezoekadres"]
        self.assertEqual(a["postcode"], "1315 HR")
        self.assertEqual(a["place"], "Almere")
        self.assertEqual(a["gemeente"], "GM0034")
        self.assertEqual(a["notation"], "Stadhuisplein 1\n1315 HR  ALMERE")
        self.fail_with("invalid_argument", "node.update",
                       {"id": g["id"], "set": {"postadres": {"postbus": "200", "postcode": "1315 AA",
                                                             "place": "Utrecht"}}},
                       "postadres.place")
        self.fail_with("invalid_argument", "node.update",
                       {"id": g["id"], "set": {"bezoekadres": {"postbus": "200",
                                                               "postcode": "1300 AE"}}},
                       "bezoekadres")

    def test_person_names_display_and_search(self):
        p = self.person(initials="p", tussenvoegsel="de", surname="Jong", example=True)
        self.assertEqual(p["props"]["name"], "Jong, P. de")
        for q in ("P. de Jong", "de jong", "JONG", "Jong, P. de"):
            found = self.c.ok("node.find", {"name": q})["nodes"]
            self.assertIn(p["id"], [n["id"] for n in found], q)

    def test_klantcontact_is_immutable(self):
        k = self.c.ok("node.create", {"kind": "contact", "type": "klantcontact",
                                      "props": {"onderwerp": "Vraag", "kanaal": "telefoon"}})
        self.fail_with("conflict", "node.update", {"id": k["id"], "set": {"onderwerp": "x"}},
                       "immutable")
        self.fail_with("conflict", "node.delete", {"id": k["id"]}, "immutable")


class PlacesAndMembersTests(DomainCase):
    def test_monthly_place_name_update(self):
        first = [{"code": 2400, "name": "Abbega", "gemeente": "GM1900"},
                 {"code": 2301, "name": "Allingawier", "gemeente": "GM1900"},
                 {"code": 2302, "name": "Arum", "gemeente": "GM1900"}]
        r = self.c.ok("places.sync", {"places": first, "on": "2025-01-01"})
        self.assertEqual((len(r["added"]), len(r["ended"]), r["unchanged"]), (3, 0, 0))
        second = first[1:] + [{"code": 2401, "name": "Blauwhuis", "gemeente": "GM1900"}]
        r = self.c.ok("places.sync", {"places": second, "on": "2025-02-01"})
        self.assertEqual([p["name"] for p in r["added"]], ["Blauwhuis"])
        self.assertEqual([(p["name"], p["valid_to"]) for p in r["ended"]],
                         [("Abbega", "2025-02-01")])
        self.assertEqual(r["unchanged"], 2)
        again = self.c.ok("places.sync", {"places": second, "on": "2025-03-01"})
        self.assertEqual((again["added"], again["ended"], again["unchanged"]), ([], [], 3))
        jan = self.c.ok("query.places", {"gemeente": "GM1900", "at": "2025-01-15"})["places"]
        feb = self.c.ok("query.places", {"gemeente": "GM1900", "at": "2025-02-15"})["places"]
        self.assertEqual(sorted(p["name"] for p in jan), ["Abbega", "Allingawier", "Arum"])
        self.assertEqual(sorted(p["name"] for p in feb), ["Allingawier", "Arum", "Blauwhuis"])

    def test_members_of_province_and_region(self):
        self.c.ok("node.create", {"kind": "organisation", "type": "provincie",
                                  "props": {"name": "Flevoland", "cbs_code": "PV24",
                                            "key": "NL-FL", "abbreviation": "FL"}})
        self.c.ok("node.create", {"kind": "body", "type": "veiligheidsregio",
                                  "props": {"name": "Flevoland", "key": "VR25"}})
        for name, code, since in (("Almere", "GM0034", "1984-01-01"),
                                  ("Lelystad", "GM0995", "1980-01-01")):
            self.gemeente(name, code, begin_date=since)
            self.c.ok("edge.put", {"type": "ligt in", "source": code, "target": "NL-FL",
                                   "valid_from": since})
            r = self.c.ok("edge.put", {"type": "deelnemer", "source": code, "target": "VR25",
                                       "valid_from": "2023-07-12"})
            self.assertTrue(r["created"])
            self.assertFalse(self.c.ok("edge.put", {"type": "deelnemer", "source": code,
                                                    "target": "VR25",
                                                    "valid_from": "2023-07-12"})["created"])
        m = self.c.ok("query.members", {"node": "NL-FL", "type": "ligt in"})["members"]
        self.assertEqual([x["name"] for x in m], ["Almere", "Lelystad"])
        m = self.c.ok("query.members", {"node": "NL-FL", "type": "ligt in", "at": "1982-01-01"})
        self.assertEqual([x["name"] for x in m["members"]], ["Lelystad"])
        m = self.c.ok("query.members", {"node": "VR25"})["members"]
        self.assertEqual([x["key"] for x in m], ["GM0034", "GM0995"])

    def test_node_put_is_idempotent_and_batch_atomic(self):
        p = {"kind": "organisation", "type": "gemeente",
             "props": {"name": "Almere", "cbs_code": "GM0034", "provincie": "NL-FL"}}
        r1 = self.c.ok("node.put", p)
        r2 = self.c.ok("node.put", p)
        self.assertEqual((r1["created"], r2["created"], r2["changed"]), (True, False, False))
        self.assertEqual(len(self.c.ok("history.list", {"id": r1["node"]["id"]})["entries"]), 1)
        # Values the schema normalises compare as stored: the second put changes nothing.
        c = {"kind": "organisation", "type": "gemeente",
             "props": {"cbs_code": "GM0034", "email": "Info@ALMERE.nl", "telefoon": "(036) 539 99 11"}}
        self.assertTrue(self.c.ok("node.put", c)["changed"])
        self.assertFalse(self.c.ok("node.put", c)["changed"])
        self.assertEqual(len(self.c.ok("history.list", {"id": "GM0034"})["entries"]), 2)
        err, _ = self.c.call("batch", {"ops": [
            {"method": "node.put", "params": {"kind": "organisation", "type": "gemeente",
                                              "props": {"name": "Lelystad", "cbs_code": "GM0995"}}},
            {"method": "edge.create", "params": {"type": "ligt in", "source": "GM0995",
                                                 "target": "NL-FL",
                                                 "valid_from": "1980-01-01"}}]})
        self.assertEqual(err["code"], "not_found")
        self.assertIn("ops[1]", err["message"])
        self.assertEqual(self.c.ok("node.find", {"key": "GM0995"})["nodes"], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
