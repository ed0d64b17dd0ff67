"""Reads of the archive, always through the access policy, with the joins their pages need."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from sohoa.core import policy

from . import notation as notation_mod
from .models import Document, Fonds, Record, RegisterEntry, RegisterImport, StorageLocation


def _text_q(q: str, fields: tuple[str, ...]) -> Q:
    cond = Q()
    for word in q.split()[:10]:
        word_q = Q()
        for f in fields:
            word_q |= Q(**{f"{f}__icontains": word})
        cond &= word_q
    return cond


def document_list(
    user: Any,
    *,
    q: str = "",
    unit: int | None = None,
    doc_type: str = "",
    year: int | None = None,
    confidentiality: int | None = None,
    record: int | None = None,
) -> QuerySet[Document]:
    qs = policy.restrict(user, Document.objects.all()).select_related("unit", "record")
    if q:
        cleaned = notation_mod.clean(q)
        qs = qs.filter(_text_q(q, ("notation", "subject", "issuer", "keywords")) | Q(notation__iexact=cleaned))
    if unit:
        qs = qs.filter(unit_id=unit)
    if doc_type:
        qs = qs.filter(doc_type=doc_type)
    if year:
        qs = qs.filter(issued_date__year=year)
    if confidentiality is not None:
        qs = qs.filter(confidentiality=confidentiality)
    if record:
        qs = qs.filter(record_id=record)
    return qs


def document_get(user: Any, pk: Any) -> Document:
    qs = Document.objects.select_related("unit", "creator_unit", "record", "issuer_unit", "location", "created_by")
    return policy.get_visible_or_404(user, qs, pk=pk)


def record_list(
    user: Any, *, q: str = "", unit: int | None = None, fonds: int | None = None, year: int | None = None
) -> QuerySet[Record]:
    qs = policy.restrict(user, Record.objects.all()).select_related("unit", "fonds")
    if q:
        qs = qs.filter(_text_q(q, ("code", "title", "number")))
    if unit:
        qs = qs.filter(unit_id=unit)
    if fonds:
        qs = qs.filter(fonds_id=fonds)
    if year:
        qs = qs.filter(year=year)
    return qs


def record_get(user: Any, pk: Any) -> Record:
    qs = Record.objects.select_related("unit", "creator_unit", "fonds", "location")
    return policy.get_visible_or_404(user, qs, pk=pk)


def record_documents(user: Any, record: Record) -> QuerySet[Document]:
    return document_list(user, record=record.pk).order_by("order_in_record", "id")


def fonds_list(user: Any, *, q: str = "", unit: int | None = None) -> QuerySet[Fonds]:
    qs = policy.restrict(user, Fonds.objects.all()).select_related("unit", "creator_unit")
    if q:
        qs = qs.filter(_text_q(q, ("code", "name")))
    if unit:
        qs = qs.filter(unit_id=unit)
    return qs


def fonds_get(user: Any, pk: Any) -> Fonds:
    return policy.get_visible_or_404(user, Fonds.objects.select_related("unit", "creator_unit"), pk=pk)


def fonds_records(user: Any, fonds: Fonds) -> QuerySet[Record]:
    return record_list(user, fonds=fonds.pk)


def register_list(
    user: Any, *, direction: str = "", q: str = "", unit: int | None = None, year: int | None = None
) -> QuerySet[RegisterEntry]:
    qs = policy.restrict(user, RegisterEntry.objects.all()).select_related("unit", "document")
    if direction:
        qs = qs.filter(direction=direction)
    if q:
        qs = qs.filter(_text_q(q, ("notation", "subject", "author", "signer")))
    if unit:
        qs = qs.filter(unit_id=unit)
    if year:
        qs = qs.filter(year=year)
    return qs


def register_get(user: Any, pk: Any) -> RegisterEntry:
    return policy.get_visible_or_404(user, RegisterEntry.objects.select_related("unit", "document"), pk=pk)


def _entries(user: Any) -> QuerySet[RegisterEntry]:
    """Register rows `user` may see; None is the system (the pipeline, extraction, commands)."""
    qs = RegisterEntry.objects.all()
    return qs if user is None else policy.restrict(user, qs)


def register_matches(user: Any, *, unit_id: int, notation: str, issued_date: dt.date | None) -> QuerySet[RegisterEntry]:
    """Unlinked rows of the unit with the same folded number/symbol and document date: the automatic
    matcher links when there is exactly one."""
    key = notation_mod.fold(notation_mod.clean(notation))
    if not key or issued_date is None:
        return RegisterEntry.objects.none()
    return (
        _entries(user)
        .filter(unit_id=unit_id, notation_key=key, doc_date=issued_date, document__isnull=True)
        .order_by("year", "direction", "entry_number")
    )


def register_suggestions(user: Any, document: Document) -> list[RegisterEntry]:
    """Unlinked rows of the document's unit with its number/symbol, same date first: what the operator is
    offered when the matcher could not decide (several rows, or a date that differs or is missing)."""
    key = document.notation_key or notation_mod.fold(notation_mod.clean(document.notation))
    if not key:
        return []
    rows = list(
        _entries(user)
        .filter(unit_id=document.unit_id, notation_key=key, document__isnull=True)
        .order_by("-year", "entry_number")[:20]
    )
    return sorted(rows, key=lambda e: e.doc_date != document.issued_date)


def register_unlinked(
    user: Any,
    *,
    unit_id: int,
    direction: str = "",
    number: str = "",
    date: dt.date | None = None,
    subject: str = "",
) -> QuerySet[RegisterEntry]:
    """The picker's list: unlinked rows of one unit, filtered by number (entry number or number/symbol),
    date (of the document or of arrival) and words of the subject."""
    qs = _entries(user).filter(unit_id=unit_id, document__isnull=True)
    if direction:
        qs = qs.filter(direction=direction)
    number = number.strip()
    if number:
        key = notation_mod.fold(notation_mod.clean(number))
        cond = Q(notation_key__startswith=key) | Q(notation__icontains=number)
        if number.isdigit():
            cond |= Q(entry_number=int(number))
        qs = qs.filter(cond)
    if date is not None:
        qs = qs.filter(Q(doc_date=date) | Q(arrival_date=date))
    if subject.strip():
        qs = qs.filter(_text_q(subject, ("subject",)))
    return qs.order_by("-year", "-entry_number")


def location_list(user: Any, *, unit: int | None = None) -> QuerySet[StorageLocation]:
    qs = policy.restrict(user, StorageLocation.objects.all()).select_related("unit")
    return qs.filter(unit_id=unit) if unit else qs


def location_get(user: Any, pk: Any) -> StorageLocation:
    return policy.get_visible_or_404(user, StorageLocation.objects.select_related("unit"), pk=pk)


def counts(user: Any) -> dict[str, int]:
    """What the dashboard shows: how many of each the user can see."""
    return {
        "documents": policy.restrict(user, Document.objects.all()).count(),
        "records": policy.restrict(user, Record.objects.all()).count(),
        "fonds": policy.restrict(user, Fonds.objects.all()).count(),
        "register_entries": policy.restrict(user, RegisterEntry.objects.all()).count(),
        "digitized": policy.restrict(user, Document.objects.exclude(confidence="")).count(),
    }


def register_import_get(user: Any, pk: Any) -> RegisterImport:
    """A browser register import the user may see (its unit in scope), or 404."""
    return policy.get_visible_or_404(user, RegisterImport.objects.select_related("unit"), pk=pk)


def register_imports(user: Any) -> QuerySet[RegisterImport]:
    return policy.restrict(user, RegisterImport.objects.select_related("unit")).order_by("-created_at")
