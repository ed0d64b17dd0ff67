"""Sanity checks for benchmarks/data/headers.jsonl (run: python benchmarks/data/validate_headers.py).

Checks every line parses, has exactly the expected keys, is NFC, has a unique id, an ISO date, a notation
that equals number + separator + symbol, a doc_type, and values from the closed vocabularies. Prints
counts by family, doc_type, level and evidence. Exits non-zero on any error.
"""

import collections
import datetime
import json
import pathlib
import re
import sys
import unicodedata

PATH = pathlib.Path(__file__).with_name("headers.jsonl")
KEYS = {
    "id", "family", "notation", "number", "symbol", "doc_type", "type_name", "issued_date", "place",
    "issuer", "parent_issuer", "subject", "signer", "signing_prefix", "signer_title", "confidentiality",
    "urgency", "source", "source_note", "level", "evidence", "inferred_fields",
}
REQUIRED = {"id", "family", "notation", "number", "symbol", "doc_type", "issued_date", "source"}
CHOICES = {
    "family": {"party", "state"},
    "signing_prefix": {None, "TM.", "KT.", "TL.", "TUQ.", "Q."},
    "confidentiality": {None, "mat", "toi_mat", "tuyet_mat"},
    "urgency": {None, "khan", "thuong_khan", "hoa_toc"},
    "level": {"central", "provincial", "lower"},
    "evidence": {"header", "header+metadata", "header+title", "header+body", "metadata", "title", "body", "ocr", "citation"},
}


def check(rec: dict, seen: set) -> list[str]:
    errors = []
    if set(rec) != KEYS:
        errors.append(f"keys differ: missing {KEYS - set(rec)}, extra {set(rec) - KEYS}")
    for key in REQUIRED:
        if not rec.get(key):
            errors.append(f"{key} is empty")
    for key, allowed in CHOICES.items():
        if rec.get(key) not in allowed:
            errors.append(f"{key}={rec.get(key)!r} not in {sorted(map(str, allowed))}")
    for key, value in rec.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str) and unicodedata.normalize("NFC", v) != v:
                errors.append(f"{key} is not NFC")
    if rec["id"] in seen:
        errors.append("duplicate id")
    seen.add(rec["id"])
    try:
        date = datetime.date.fromisoformat(rec["issued_date"])
        if not datetime.date(1945, 9, 2) <= date <= datetime.date(2026, 12, 31):
            errors.append("implausible date")
    except (TypeError, ValueError):
        errors.append(f"issued_date {rec['issued_date']!r} is not ISO")
        date = None
    notation, number, symbol = rec["notation"], rec["number"], rec["symbol"]
    if notation not in (f"{number}-{symbol}", f"{number}/{symbol}"):
        errors.append(f"notation {notation!r} != number {number!r} + symbol {symbol!r}")
    if rec["family"] == "party" and notation != f"{number}-{symbol}":
        errors.append("party notation must be number-TYPE/BODY")
    year = re.match(r"\d+[a-z]?/(\d{4})/", notation)
    if year and date and int(year.group(1)) != date.year:
        errors.append(f"year in notation {year.group(1)} != issued year {date.year}")
    if rec["family"] == "party" and not notation.split("-", 1)[1].startswith(rec["doc_type"]):
        errors.append("party doc_type does not match the notation")
    if not isinstance(rec.get("inferred_fields"), list) or any(f not in KEYS for f in rec["inferred_fields"]):
        errors.append("inferred_fields must list field names")
    return errors


def main() -> int:
    seen: set = set()
    records, bad = [], 0
    for lineno, line in enumerate(PATH.read_text(encoding="utf-8").splitlines(), 1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"line {lineno}: not JSON: {exc}")
            bad += 1
            continue
        for err in check(rec, seen):
            print(f"line {lineno} ({rec.get('id')}): {err}")
            bad += 1
        records.append(rec)
    print(f"{len(records)} records, {bad} problems")
    for key in ("family", "level", "evidence", "doc_type"):
        counts = collections.Counter(r[key] for r in records)
        print(f"by {key}: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    cross = collections.Counter((r["family"], r["level"]) for r in records)
    print("family x level: " + ", ".join(f"{f}/{lv} {n}" for (f, lv), n in sorted(cross.items())))
    for key in ("place", "issuer", "subject", "signer"):
        print(f"{key} present: {sum(1 for r in records if r[key])}/{len(records)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
