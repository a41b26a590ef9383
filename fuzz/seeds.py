#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (fuzz/corpus/<target>/) from real examples: the
query strings of docs/ and the import files of tests/api/bulk.rs. Each input's first byte picks
what the target parses (see fuzz_targets/*.rs). Run from anywhere: python3 fuzz/seeds.py"""
import json, pathlib

here = pathlib.Path(__file__).resolve().parent

# query_string: selector 0 initiatives, 2 organisations, 3 changes, 4 lessons + paging.
QUERIES = [
    (0, "country=KE&per_page=50"),
    (0, "country=ML,"),
    (0, "q=school%20broadband&country=MK"),
    (0, "q=broadband&sort=relevance"),
    (0, "sort=-start_date,title&stage=implementing&sdg=4,5&action_line=C2,C7.e-health"),
    (0, "lever=policy&updated_since=2025-01-01&start_from=2024-01-01&end_to=2030-12-31"),
    (0, "updated_since=2025-03-04T05:06:07Z&scope=all&visibility=public&per_page=5&page=2"),
    (0, "country=KE&fields=title,countries,stage"),
    (0, "after=eyJrIjpbXX0&count=true&kind=msp&scale=national"),
    (0, "q=&colour=red&sdg=42&country=%00"),
    (2, "country=MK&sort=name"),
    (2, "sector=business&sort=-created_at&per_page=2&page=4"),
    (2, "colour=red"),
    (3, "limit=2&after=2"),
    (3, "after=0&limit=1000"),
    (4, "q=tender&tag=market-making"),
    (4, "page=1&per_page=100"),
]

BAD_CSV = ("title,kind,countries,action_lines,summary,iati_identifier\r\n"
           "Good one,msp,ML,C4,fine,XI-1\r\n"
           "\"Two\nline title\",ppp,XX,C99,\"spans\nlines\",XI-2\r\n"
           "Bad kind,nope,ML,C4,,XI-3\r\n"
           ",msp,ML,,,XI-4\r\n")
GOOD_CSV = ("title,kind,countries,action_lines,sdg_goals,stage,iati_identifier,external_identifiers\n"
            "Macedonia Connects,msp,MK,C2;C7.e-learning,4;9,implementing,XI-MK-1,donor:USAID-1\n"
            "Rwanda vouchers,ppp,RW,C2,,,XI-RW-1,\n")
EXPORT_CSV = ("id,tenant,title,summary,kind,countries,start_date,end_date,visibility,partners\r\n"
              "0193b0c4-1c2d-7e3f-8a9b-0c1d2e3f4a5b,demo,Rwanda vouchers,\"=Vouchers, \"\"cheap\"\"\",msp,RW;KG,2024-01-01,2023-01-01,private,x\r\n")
PARTNERS_CSV = ("initiative_title,initiative_countries,organization_name,roles\r\n"
                "Macedonia Connects,MK,Orange Mali,lead\r\n")
PARTNERS_FULL = ("initiative_id,initiative_iati_identifier,initiative_title,initiative_countries,organization_id,"
                 "organization_name,organization_acronym,organization_sector,organization_country,roles,status,"
                 "gains,interest,influence,joined_on,left_on\r\n"
                 ",XI-MK-1,,,,Ministry of ICT,MICT,government,MK,lead;funder,active,,3,5,2024-02-30,\r\n")
JSON_ROWS = [
    {"title": "Fine", "kind": "msp"},
    {"title": "Bad", "kind": "msp", "sdg_goals": [42], "colour": "red"},
    {"title": "Public too soon", "kind": "msp", "summary": "s", "countries": ["ML"],
     "action_lines": ["C4"], "visibility": "public"},
    {"title": "With partners", "kind": "ppp", "countries": ["SN"],
     "partners": [{"organization": {"name": "Sonatel", "sector": "business", "country": "SN"},
                   "roles": ["lead"], "interest": 4, "influence": 9}],
     "external_identifiers": [{"scheme": "donor", "identifier": "X-1"}],
     "start_date": "2024-01-01", "stage": "implementing"},
]
NDJSON = ("{\"title\": \"Fine\", \"kind\": \"msp\"}\n\n"
          "{\"title\": \"Bad\", \"kind\": \"msp\", \"countries\": [\"ZZ\"]}\nnot json\n")

# import_file: selector % 3 is the format (0 CSV, 1 JSON, 2 NDJSON); bit 2 with a NUL byte
# adds the companion partners CSV after it.
IMPORTS = [
    (0, BAD_CSV.encode()),
    (0, GOOD_CSV.encode()),
    (0, ("\ufeff" + EXPORT_CSV).encode()),
    (4 * 1 + 0, GOOD_CSV.encode() + b"\0" + PARTNERS_CSV.encode()),
    (4 * 1 + 0, GOOD_CSV.encode() + b"\0" + PARTNERS_FULL.encode()),
    (1, json.dumps(JSON_ROWS).encode()),
    (1, json.dumps(JSON_ROWS[:1]).encode()),
    (2, NDJSON.encode()),
    (2, "\n".join(json.dumps(r) for r in JSON_ROWS).encode()),
]


def write(target, items):
    out = here / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    for i, (selector, body) in enumerate(items):
        if isinstance(body, str):
            body = body.encode()
        (out / f"seed-{i:02}").write_bytes(bytes([selector]) + body)


write("query_string", QUERIES)
write("import_file", IMPORTS)
