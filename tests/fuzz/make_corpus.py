#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Run from anywhere with Debian's python3 (python3-msgpack): the files are committed, so this is
only needed after changing it. Every file is small and means something: a valid request of each
method, sessions of requests that build on each other, real CSV rows from schema/data, valid and
invalid addresses, names, e-mail addresses, telephone numbers and websites.
"""
import hashlib
import json
import os
import shutil

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, "schema", "data")


def out_dir(target):
    d = os.path.join(HERE, "corpus", target)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    return d


def write(d, name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def req(msgid, method, params=None):
    return msgpack.packb([0, msgid, method, [params] if params is not None else []],
                         use_bin_type=True)


# ---- fuzz_dispatch: requests of every method, and sessions ----

GEMEENTE = {"kind": "organisation", "type": "gemeente",
            "props": {"name": "Almere", "cbs_code": "GM0034", "provincie": "NL-FL",
                      "email": "Info@ALMERE.nl", "website": "www.almere.nl",
                      "telefoon": "14 036",
                      "bezoekadres": {"street": "Stadhuisplein", "house_number": 1,
                                      "postcode": "1315hr", "place": "Almere"},
                      "postadres": {"postbus": "200", "postcode": "1300 AE", "place": "Almere"}}}
PROVINCIE = {"kind": "organisation", "type": "provincie",
             "props": {"name": "Flevoland", "cbs_code": "PV24", "key": "NL-FL",
                       "abbreviation": "FL"}}
REGIO = {"kind": "body", "type": "veiligheidsregio", "props": {"name": "Flevoland", "key": "VR25"}}
PERSON = {"kind": "person", "props": {"key": "P-1", "initials": "p", "tussenvoegsel": "de",
                                      "surname": "Jong", "example": True}}
ACTOR = {"kind": "person", "props": {"name": "Medewerker", "key": "A-1", "actor": True,
                                     "actoridentificator": "mdw-1"}}
CONTACT = {"kanaal": "telefoon", "onderwerp": "Vraag over subsidie", "inhoud": "Regel 1\nRegel 2",
           "plaatsgevondenOp": "2024-03-01T10:30:00+01:00", "initiator": "klant",
           "indicatieContactGelukt": True, "betrokkenen": [{"partij": "P-1", "rol": "klant"}],
           "actoren": ["A-1"]}

METHODS = {
    "ping": None,
    "auth": {"token": "s3cret"},
    "server.info": None,
    "node.create": GEMEENTE,
    "node.get": {"id": "GM0034"},
    "node.update": {"id": "GM0034", "set": {"inwoners": 218096}, "unset": ["telefoon"],
                    "reason": "fuzz seed"},
    "node.delete": {"id": "P-1", "cascade": True, "reason": "fuzz seed"},
    "node.find": {"kind": "organisation", "type": "gemeente", "name": "almere", "limit": 10},
    "edge.create": {"type": "wethouder", "source": "P-1", "target": "GM0034",
                    "valid_from": "2022-06-01", "props": {"portefeuilles": ["Milieu"]}},
    "edge.get": {"id": 1},
    "edge.end": {"id": 1, "on": "2026-06-01", "reason": "fuzz seed"},
    "edge.list": {"node": "GM0034", "direction": "in", "type": "wethouder", "at": "2022-06-01",
                  "limit": 50},
    "history.list": {"id": "GM0034", "limit": 5},
    "batch": {"ops": [{"method": "node.put", "params": PROVINCIE},
                      {"method": "node.put", "params": GEMEENTE},
                      {"method": "edge.put", "params": {"type": "ligt in", "source": "GM0034",
                                                        "target": "NL-FL",
                                                        "valid_from": "1984-01-01"}}],
              "reason": "fuzz seed"},
    "schema.types": None,
    "schema.roles": None,
    "schema.role.define": {"name": "adviseur", "description": "Adviseur",
                           "sources": [{"kind": "person"}],
                           "targets": [{"kind": "organisation", "type": "gemeente"}],
                           "attributes": [{"name": "onderwerp", "value_type": "string",
                                           "description": "Onderwerp"}]},
    "schema.fields": {"kind": "organisation", "type": "gemeente"},
    "schema.field.define": {"name": "regiotype", "kind": "organisation", "type": "gemeente",
                            "value_type": "list", "list": "regio-type", "regime": "core",
                            "description": "Regiotype"},
    "schema.lists": None,
    "schema.list.get": {"name": "provincie"},
    "schema.list.define": {"name": "regio-type", "description": "Regiotypen",
                           "values": [{"code": "stedelijk", "label": "Stedelijke regio"},
                                      {"code": "landelijk"}]},
    "schema.list.add": {"list": "regio-type", "code": "gemengd", "label": "Gemengd",
                        "abbreviation": "GM"},
    "node.put": GEMEENTE,
    "edge.put": {"type": "deelnemer", "source": "GM0034", "target": "VR25",
                 "valid_from": "2023-07-12"},
    "postcode.put": {"postcode": "1315", "place": "Almere", "gemeente": "GM0034"},
    "places.sync": {"places": [{"code": 2400, "name": "Abbega", "gemeente": "GM1900"},
                               {"code": 2301, "name": "Allingawier", "gemeente": "GM1900"}],
                    "on": "2025-01-01"},
    "query.places": {"gemeente": "GM1900", "at": "2025-01-15", "all": False},
    "query.members": {"node": "NL-FL", "type": "ligt in", "at": "1990-01-01"},
    "contact.register": CONTACT,
    "contact.get": {"id": 1},
    "contact.list": {"partij": "P-1", "from": "2024-01-01", "to": "2025-01-01", "limit": 10},
    "task.create": {"klantcontact": 1, "gevraagdeHandeling": "Terugbellen",
                    "toelichting": "Graag voor vrijdag", "actoren": ["A-1"], "status": "te_verwerken"},
    "task.get": {"id": 1},
    "task.done": {"id": 1, "toelichting": "Teruggebeld"},
    "task.open": {"actor": "A-1", "limit": 10},
    "list.create": {"name": "Nieuwsbrief", "omschrijving": "Maandelijkse nieuwsbrief"},
    "list.subscribe": {"list": "Nieuwsbrief", "person": "P-1", "from": "2024-01-01"},
    "list.unsubscribe": {"list": "Nieuwsbrief", "person": "P-1", "on": "2025-01-01"},
    "list.members": {"list": "Nieuwsbrief", "at": "2024-06-01", "limit": 10},
}

SESSIONS = {
    "session-gemeente": [("node.create", PROVINCIE), ("node.create", REGIO),
                         ("postcode.put", {"postcode": "1315", "place": "Almere",
                                           "gemeente": "GM0034"}),
                         ("node.create", GEMEENTE), ("node.get", {"id": "GM0034"}),
                         ("edge.put", {"type": "ligt in", "source": "GM0034", "target": "NL-FL",
                                       "valid_from": "1984-01-01"}),
                         ("edge.put", {"type": "deelnemer", "source": "GM0034", "target": "VR25",
                                       "valid_from": "2023-07-12"}),
                         ("query.members", {"node": "NL-FL"}),
                         ("edge.list", {"node": "GM0034"}),
                         ("history.list", {"id": "GM0034"}),
                         ("node.delete", {"id": "GM0034", "cascade": True})],
    "session-person": [("node.create", GEMEENTE), ("node.create", PERSON),
                       ("edge.create", {"type": "wethouder", "source": "P-1", "target": "GM0034",
                                        "valid_from": "2022-06-01",
                                        "props": {"portefeuilles": ["Milieu"]}}),
                       ("node.find", {"name": "P. de Jong"}),
                       ("node.update", {"id": "P-1", "set": {"initials": "J.P."},
                                        "if_version": 1}),
                       ("edge.list", {"node": "P-1", "direction": "out"}),
                       ("edge.end", {"id": 1, "on": "2026-01-01"}),
                       ("node.delete", {"id": "P-1", "cascade": True})],
    "session-contact": [("node.create", PERSON), ("node.create", ACTOR),
                        ("contact.register", CONTACT), ("contact.list", {"partij": "P-1"}),
                        ("task.create", {"klantcontact": 3, "gevraagdeHandeling": "Terugbellen",
                                         "actoren": ["A-1"]}),
                        ("task.open", {"actor": "A-1"}), ("task.done", {"id": 4}),
                        ("list.create", {"name": "Nieuwsbrief"}),
                        ("list.subscribe", {"list": "Nieuwsbrief", "person": "P-1"}),
                        ("list.members", {"list": "Nieuwsbrief"}),
                        ("list.unsubscribe", {"list": "Nieuwsbrief", "person": "P-1",
                                              "on": "2030-01-01"})],
    "session-schema": [("schema.list.define", METHODS["schema.list.define"]),
                       ("schema.list.add", METHODS["schema.list.add"]),
                       ("schema.field.define", METHODS["schema.field.define"]),
                       ("schema.field.define", {"name": "aantal_kernen", "kind": "organisation",
                                                "type": "gemeente", "value_type": "integer"}),
                       ("node.create", {"kind": "organisation", "type": "gemeente",
                                        "props": {"name": "Urk", "cbs_code": "GM0184",
                                                  "regiotype": "gemengd", "aantal_kernen": 1}}),
                       ("schema.fields", {"kind": "organisation"}),
                       ("schema.list.get", {"name": "regio-type"})],
    "session-places": [("places.sync", METHODS["places.sync"]),
                       ("places.sync", {"places": [{"code": 2301, "name": "Allingawier",
                                                    "gemeente": "GM1900"},
                                                   {"code": 2401, "name": "Blauwhuis",
                                                    "gemeente": "GM1900"}],
                                        "on": "2025-02-01"}),
                       ("query.places", {"gemeente": "GM1900", "at": "2025-02-15"}),
                       ("query.places", {"gemeente": "GM1900", "all": True})],
}

BAD = {
    "bad-unknown-param": req(1, "node.get", {"idd": 1}),
    "bad-wrong-type": req(2, "node.get", {"id": [1]}),
    "bad-missing": req(3, "edge.create", {"type": "lid"}),
    "bad-date": req(4, "edge.list", {"node": 1, "at": "2019-13-01"}),
    "bad-kind": req(5, "node.create", {"kind": "alien", "props": {}}),
    "bad-params-map": msgpack.packb([0, 6, "node.get", {"id": 1}]),
    "bad-batch-nested": req(7, "batch", {"ops": [{"method": "batch",
                                                  "params": {"ops": []}}]}),
    "bad-unknown-method": req(8, "node.explode", {"id": 1}),
    "notify-ping": msgpack.packb([2, "ping", []]),
    "bad-huge-limit": req(9, "node.find", {"limit": 2 ** 64 - 1}),
    "bad-negative": req(10, "edge.get", {"id": -1}),
    "bad-props-types": req(11, "node.create", {"kind": "person",
                                               "props": {"k": 1.5, "b": b"\x00\xff", "n": None,
                                                         "a": [[[[]]]], "m": {"x": {}}}}),
}


def dispatch_corpus():
    d = out_dir("fuzz_dispatch")
    for i, (m, p) in enumerate(sorted(METHODS.items())):
        write(d, "method-" + m.replace(".", "-"), req(i + 1, m, p))
    for name, calls in SESSIONS.items():
        write(d, name, b"".join(req(i + 1, m, p) for i, (m, p) in enumerate(calls)))
    for name, data in BAD.items():
        write(d, name, data)


def proto_corpus():
    # The first byte: chunk size and limits (fuzz_proto.c); then a stream of messages.
    d = out_dir("fuzz_proto")
    for i, (m, p) in enumerate(sorted(METHODS.items())):
        write(d, "request-" + m.replace(".", "-"), bytes([i % 64]) + req(i + 1, m, p))
    write(d, "pipelined", b"\x07" + req(1, "ping") + req(2, "node.get", {"id": 1}) +
          msgpack.packb([2, "ping", []]))
    write(d, "response-ok", b"\x00" + msgpack.packb([1, 7, None, {"nodes": []}]))
    write(d, "response-err", b"\x00" + msgpack.packb([1, 7, {"code": "not_found",
                                                              "message": "no node 1"}, None]))
    write(d, "tight-limits", b"\x45" + req(1, "node.find", {"name": "x" * 100}))
    write(d, "deep", b"\x80" + b"\x91" * 40 + b"\xc0")
    write(d, "huge-array", b"\x01\xdd\xff\xff\xff\xff")
    write(d, "huge-str", b"\x01\xdb\x7f\xff\xff\xff")
    write(d, "c1", b"\x00\x94\x00\x01\xc1")
    write(d, "array16-envelope", b"\x00\xdc\x00\x04\x00\xcd\x01\x00\xa4ping\x90")


# ---- fuzz_import: real rows of schema/data ----

def head(name, n):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return "".join(f.readline() for _ in range(n))


def import_corpus():
    # The first byte picks the mode (fuzz_import.c).
    d = out_dir("fuzz_import")
    for tag, name, n in (("P", "provinces.csv", 13), ("G", "gemeenten.csv", 6),
                         ("R", "gemeente_regions.csv", 6), ("K", "koepels.csv", 8),
                         ("C", "gemeente_contacts.csv", 5), ("W", "woonplaatsen.csv", 8),
                         ("O", "postcodes_pc4.csv", 8)):
        text = head(name, n)
        write(d, "profile-" + name.replace(".csv", ""), tag + text)
        write(d, "guess-" + name.replace(".csv", ""), "c" + text)
    write(d, "guess-gemeenten-crlf-bom", "c\ufeff" + head("gemeenten.csv", 4).replace("\n", "\r\n"))
    write(d, "nodes", "N" + "kind,type,key,name,inwoners:int,actief:bool,extra:json\n"
          "organisation,gemeente,GM0034,Almere,218096,ja,\"{\"\"a\"\": [1, 2]}\"\n"
          "person,,P-1,\"Jansen, P.\",,nee,null\n")
    write(d, "edges", "E" + "type,source,target,valid_from,valid_to,portefeuilles:json,rel:x\n"
          "wethouder,P-1,GM0034,2022-06-01,,\"[\"\"Milieu\"\"]\",y\n"
          "lid,12,GM0034,2022-02-29,2021-01-01,,\n")
    write(d, "quoted-multiline", "P" + "iso_code,name,abbreviation,cbs_code\n"
          "NL-FR,\"Frys\nl\u00e2n\",FR,PV21\n\"unterminated\n")
    write(d, "bad-rows", "G" + head("gemeenten.csv", 2) +
          "GM0000,0000,,NL-XX,PV99,X,2019-13-01,2025-01-01\nGM0001,short\n")
    with open(os.path.join(DATA, "example_functionarissen.json"), encoding="utf-8") as f:
        write(d, "json-example", "j" + f.read())
    write(d, "json-bad", "j" + json.dumps({
        "nodes": [{"kind": "", "props": {}}, 5, {"kind": "person", "type": 3, "props": {"key": "K"}}],
        "edges": [{"ref": "a", "type": "lid", "source": 1, "target": "K", "valid_from": "2020-01-01",
                   "on_behalf_of_ref": "b"},
                  {"ref": "b", "type": "lid", "source": 1, "target": "K", "valid_from": "2020-01-01",
                   "on_behalf_of_ref": "a"},
                  {"ref": "a", "type": 1, "valid_from": "x", "valid_to": 3, "props": [],
                   "on_behalf_of": 1, "on_behalf_of_ref": "zz", "other": True}],
        "other": 1}))
    write(d, "csv-json-profile", "J" + head("provinces.csv", 3))


# ---- fuzz_validate: values of every validator ----

def contacts():
    import csv
    with open(os.path.join(DATA, "gemeente_contacts.csv"), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def validate_corpus():
    # The first byte picks the validator, the second the small output size (fuzz_validate.c).
    d = out_dir("fuzz_validate")
    vals = []
    rows = contacts()
    for r in rows[:40:4]:
        vals += [("e", r["email"]), ("f", r["telephone"]), ("w", r["website"]),
                 ("g", r["gemeente_cbs_code"])]
    vals += [("p", "1315 HR"), ("p", "1315hr"), ("p", " 1234  ab "), ("p", "1234 SA"),
             ("p", "0123 AB"), ("p", "1234-ab1"), ("4", "1315"), ("4", "0999"),
             ("e", "a.b+c@sub.example.nl"), ("e", "x@xn--fryslan-iza.nl"), ("e", "info@@almere"),
             ("e", ".a@b.nl"), ("f", "+31 (0)20 624 1111"), ("f", "0031416698700"),
             ("f", "0800-1234"), ("f", "0900 1234567"), ("f", "14 0592"), ("f", "(0416) 69 87 00"),
             ("f", "+32 2 123 45 67"), ("w", "HTTPS://WWW.Almere.NL:443/a/b?c=d#e"),
             ("w", "www.almere.nl"), ("w", "ftp://x.nl"), ("w", "http://x.nl:99999/"),
             ("w", "https://x.nl/%zz"), ("g", "gm0034"), ("g", "0034"), ("g", "GM0000"),
             ("v", "PV20"), ("v", "20"), ("v", "pv00"), ("d", "2024-02-29"), ("d", "2023-02-29"),
             ("d", "0001-01-01"), ("d", "9999-12-31"), ("d", "2019-13-01"), ("k", "person"),
             ("k", "organisation"), ("k", "bezoekadres"), ("k", "correspondentieadres"),
             ("N", "'s-Hertogenbosch"), ("N", "S\u00fadwest-Frysl\u00e2n"), ("N", "\u0130stanbul"),
             ("s", "P. de Jong"), ("s", "Jong, P. de"), ("s", "van 't Hof"), ("s", "d'Ancona"),
             ("a", "Stadhuisplein 1\n1315 HR\nAlmere"), ("a", "Postbus 00200\n1300 AE\nAlmere"),
             ("a", "Laan 1940-1945 12\n1234 AB\nX"), ("a", "2e Hugo de Grootstraat 5\n1052 LA\nA"),
             ("a", "Kerkstraat 12 A\n1234 AB\nX"), ("a", "Kerkstraat 12a 2hg\n1234 AB\nX"),
             ("a", "Kerkstraat 12-bis\n1234 AB\nX"), ("a", "Kerkstraat 12 3\n1234 AB\nX"),
             ("a", "12\n1234 AB\nX"), ("a", "Straat 012\n1234 AB\nX"),
             ("A", "\x01Stadhuisplein\n1\n\n\n\n1315hr\nAlmere"),
             ("A", "\x02\n0\n\n\n200\n1300 AE\nAlmere"),
             ("A", "\x01Markt\n12\nb\n3\n\n1234 ab\nS\u00fadwest-Frysl\u00e2n"),
             ("A", "\x01\n0\n\n\n200\n1300 AE\nAlmere"),
             ("n", "\nPieter Jan\nvan der\nBerg"), ("n", "PJ\n\n\nvan der Berg"),
             ("n", "Th.\n\n't\nHof"), ("n", "IJ.\nIJsbrand\n\nJong"), ("n", "\nJan-Willem\nde\nVries"),
             ("n", "Pieter\n\n\nJansen"), ("n", "\n\nvan\n")]
    for i, (tag, v) in enumerate(vals):
        small = [0, 1, 7, 16, 64, 200][i % 6]
        data = tag.encode() + bytes([small]) + v.encode()
        write(d, "%s-%s" % (tag, hashlib.sha1(data).hexdigest()[:10]), data)


if __name__ == "__main__":
    proto_corpus()
    dispatch_corpus()
    import_corpus()
    validate_corpus()
