"""What the index holds of one archive document, built from the database or (benchmark) from plain data.

A classified document (level > 0) goes in blind: no stored or indexed text, only a keyed hash (HMAC with
a key derived from the master key) of each distinct term, folded and exact. Someone holding the index but
not the key learns which classified documents share a hashed term, not the words.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tantivy import Document, Facet

from .analyzers import EXACT, FOLD, analyzers, nfc, normalize, normalize_notation, terms

BLIND_BYTES = 12


@dataclass
class SearchDoc:
    doc_id: int
    notation: str = ""
    title: str = ""
    pages: list[str] = field(default_factory=list)
    meta: str = ""  # other metadata words: type, issuer, keywords, record, fonds, unit names
    level: int = 0
    unit_path: str = "/"  # /root/…/unit/
    unit_id: int = 0
    #: The creating unit (provenance), when it differs from the custodian; empty = the custodian.
    creator_path: str = ""
    creator_id: int = 0
    record_id: int = 0
    fonds_id: int = 0
    doctype: str = ""
    issued: dt.date | None = None
    status: str = "registered"  # registered | digitizing | digitized
    lang: str = "vi"
    #: The petitions and case files the document belongs to: "petition:12", "case:3".
    links: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return any(p.strip() for p in self.pages)

    @property
    def year(self) -> int:
        return self.issued.year if self.issued else 0

    def content_hash(self) -> int:
        """A signed 64-bit digest of everything indexed: search-check compares it with the database."""
        h = hashlib.blake2b(digest_size=8)
        for part in (
            self.notation, self.title, "\f".join(self.pages), self.meta, self.level, self.unit_path,
            self.creator_path, self.record_id, self.fonds_id, self.doctype, self.issued, self.status, self.lang,
            " ".join(self.links),
        ):  # fmt: skip
            h.update(str(part).encode())
            h.update(b"\x00")
        return int.from_bytes(h.digest(), "big", signed=True)


@lru_cache(maxsize=200_000)
def _blind(key: bytes, prefix: str, term: str) -> str:
    return hmac.new(key, (prefix + term).encode(), hashlib.sha256).hexdigest()[: BLIND_BYTES * 2]


def blind_terms(key: bytes, text: str, analyzer: str) -> list[str]:
    """Keyed hashes of the distinct terms of `text` (one per term: no frequencies, no positions)."""
    return [_blind(key, analyzer, t) for t in dict.fromkeys(terms(text, analyzer))]


def blind_notation(key: bytes, notation: str) -> str:
    return _blind(key, "notation", normalize_notation(notation).lower())


def bigrams(text: str) -> str:
    """The adjacent pairs of folded terms, "a_b b_c …" (the simple tokenizer never yields "_").
    `text` must be NFC already; tone placement does not matter once folded."""
    folded = analyzers()[FOLD].analyze(text)
    return " ".join([a + "_" + b for a, b in zip(folded, folded[1:], strict=False)])


def to_tantivy(doc: SearchDoc, blind_key: bytes) -> Document:
    values: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "content_hash": doc.content_hash(),
        "level": doc.level,
        "unit": Facet.from_string(doc.unit_path.rstrip("/") or "/"),
        "unit_id": doc.unit_id,
        "creator": Facet.from_string((doc.creator_path or doc.unit_path).rstrip("/") or "/"),
        "record_id": doc.record_id,
        "fonds_id": doc.fonds_id,
        "doctype": doc.doctype or "-",
        "year": doc.year,
        "status": doc.status,
        "has_text": int(doc.has_text),
        "lang": doc.lang or "-",
        "links": doc.links,
    }
    values["f_place"] = f"{doc.unit_id}|{doc.fonds_id}|{doc.creator_id or doc.unit_id}"
    values["f_kind"] = f"{values['doctype']}|{doc.year}"
    values["f_state"] = f"{doc.level}|{doc.status}|{values['has_text']}|{values['lang']}"
    if doc.issued:
        values["issued"] = dt.datetime(doc.issued.year, doc.issued.month, doc.issued.day, tzinfo=dt.UTC)
    if doc.level > 0:
        text = "\n".join([doc.title, doc.meta, *doc.pages])
        folded = blind_terms(blind_key, text, FOLD)
        if doc.notation:
            folded.append(blind_notation(blind_key, doc.notation))
        values["blind"] = " ".join(folded)
        values["blind_x"] = " ".join(blind_terms(blind_key, text, EXACT))
    else:
        # Folded fields (stored: snippets) keep the spelling as written; only the exact fields, which
        # rank, get one tone placement (folding removes tones, so matching is the same either way).
        title, meta = nfc(doc.title), nfc(doc.meta)
        pages = [nfc(p) for p in doc.pages] or [""]
        notation = normalize_notation(doc.notation)
        values.update(
            notation=notation, notation_f=notation, title=normalize(title), title_f=title,
            body=[normalize(p) for p in pages], body_f=pages, meta=normalize(meta), meta_f=meta,
            body_bi=[bigrams(p) for p in pages],
        )  # fmt: skip
    return Document(**values)


def _status(document: Any) -> str:
    if getattr(document, "has_copy", False):
        return "digitized"
    return "digitizing" if getattr(document, "has_intake", False) else "registered"


def from_database(ids: Iterable[int] | None = None, chunk: int = 500) -> Iterator[SearchDoc]:
    """SearchDocs of the given documents (all when None), read in chunks of `chunk` with few queries."""
    from django.db.models import Exists, OuterRef
    from django.utils.translation import override

    from sohoa.archive.models import Document as ArchiveDocument
    from sohoa.digitization.models import DigitalCopy, Intake, Page
    from sohoa.digitization.secrecy import page_texts

    qs = (
        ArchiveDocument.objects.select_related("record", "record__fonds", "unit", "creator_unit")
        .annotate(
            has_copy=Exists(DigitalCopy.objects.filter(document=OuterRef("pk"))),
            has_intake=Exists(Intake.objects.filter(document=OuterRef("pk"))),
        )
        .order_by("pk")
    )
    wanted = None if ids is None else sorted(set(ids))
    last = 0
    while True:
        if wanted is None:
            batch = list(qs.filter(pk__gt=last)[:chunk])
        else:
            part, wanted = wanted[:chunk], wanted[chunk:]
            batch = list(qs.filter(pk__in=part)) if part else []
        if not batch:
            return
        last = batch[-1].pk
        pages: dict[int, list[str]] = {}
        rows = (
            Page.objects.filter(document__in=[d.pk for d in batch])
            .order_by("document", "number")
            .values_list("document", "intake_id", "text")
        )
        for doc_id, text in page_texts(rows):  # a classified page's text is sealed in the database
            pages.setdefault(doc_id, []).append(text)
        links, link_words = _links([d.pk for d in batch])
        for d in batch:
            record = d.record
            with override("vi"):  # the same words (and content hash) whatever the caller's language
                type_label = str(d.get_doc_type_display()) if d.doc_type else ""
            meta = [type_label, d.type_name, d.issuer, d.keywords]
            # The custodian's own name; its ancestors are in the `unit` facet (filter by any of them).
            meta += [d.information_sign, d.notes, d.unit.name, d.unit.short_name, *link_words.get(d.pk, [])]
            if record is not None:
                meta += [record.code, record.title]
                if record.fonds is not None:
                    meta += [record.fonds.code, record.fonds.name]
            moved = d.creator_unit_id != d.unit_id  # provenance differs from custody (e.g. after a merger)
            yield SearchDoc(
                doc_id=d.pk,
                notation=d.notation,
                title=d.subject,
                pages=pages.get(d.pk, []),
                meta="\n".join(m for m in meta if m),
                level=int(d.confidentiality),
                unit_path=d.unit.path or f"/{d.unit_id}/",
                unit_id=d.unit_id,
                creator_path=(d.creator_unit.path or f"/{d.creator_unit_id}/") if moved else "",
                creator_id=d.creator_unit_id if moved else 0,
                record_id=d.record_id or 0,
                fonds_id=(record.fonds_id or 0) if record is not None else 0,
                doctype=d.doc_type,
                issued=d.issued_date,
                status=_status(d),
                lang=d.language,
                links=links.get(d.pk, []),
            )
        if wanted is not None and not wanted:
            return


def _links(doc_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Per document: its petition and case links ("petition:12"), and their numbers and codes as words
    (searching a petition's register number or a case's code finds its papers)."""
    from sohoa.cases.models import CaseDocument
    from sohoa.petitions.models import PetitionFile

    links: dict[int, list[str]] = {}
    words: dict[int, list[str]] = {}
    petitions = PetitionFile.objects.filter(document__in=doc_ids).values_list(
        "document", "petition", "petition__number"
    )
    cases = CaseDocument.objects.filter(document__in=doc_ids).values_list("document", "case", "case__code")
    for kind, rows in (("petition", petitions), ("case", cases)):
        for doc, pk, word in rows:
            link = f"{kind}:{pk}"
            if link not in links.setdefault(doc, []):
                links[doc].append(link)
                words.setdefault(doc, []).append(word)
    return links, words
