"""What a reorganization hands over, kind by kind: each kind proposes its items and moves them.

A kind is registered once (`register`) with a function that lists the objects a dissolved unit keeps
and one that moves a set of them to a unit. Issue 9 adds open petitions and case files by registering
two more kinds; nothing else in the reorganization changes. Kinds run in their order of registration,
so a parent (fonds, record) is proposed before the items that follow it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from sohoa.registry.models import Unit


@dataclass
class Proposed:
    """One object a dissolved unit hands over, before it is a TransferItem row."""

    object_id: int
    label: str
    code: str = ""
    documents: int = 0
    checksum: str = ""
    #: (kind, object id) of the item this one follows, e.g. ("record", 12) for a document in record 12.
    parent: tuple[str, int] | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    label: Any
    #: The objects whose custodian is `unit` (a dissolved unit).
    propose: Callable[[Unit], Iterable[Proposed]]
    #: Move the objects with these ids from `source` to `target`; returns how many moved. `target` None
    #: means "to nobody" (allowed for user scopes only). Called inside the execution's transaction.
    move: Callable[[list[int], Unit, Unit | None, Any], int]
    #: Listed in the table of the hand-over minutes (archival material) or only counted below it.
    in_minutes_table: bool = True
    #: Whether "to nobody" is a valid choice (the user loses the unit).
    optional_target: bool = False
    #: Document ids whose index entry must be rebuilt after a move (custodian changed).
    reindex: Callable[[list[int]], Iterable[int]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.name] = kind


def get(name: str) -> Kind:
    return KINDS[name]


# ---- archive ------------------------------------------------------------------------------------------


def _propose_fonds(unit: Unit) -> Iterable[Proposed]:
    from sohoa.archive.models import Document, Fonds

    for f in Fonds.objects.filter(unit=unit).order_by("code"):
        docs = Document.objects.filter(record__fonds=f).count()
        yield Proposed(f.pk, f.name, code=f.code, documents=docs)


def _propose_records(unit: Unit) -> Iterable[Proposed]:
    from sohoa.archive.models import Record
    from sohoa.digitization.models import DigitalCopy

    records = list(Record.objects.filter(unit=unit).order_by("code"))
    sums: dict[int, list[tuple[int, str]]] = {}
    copies = DigitalCopy.objects.filter(document__record__in=records).order_by("document_id")
    for record_id, doc_id, sha in copies.values_list("document__record_id", "document_id", "archival_sha256"):
        sums.setdefault(record_id, []).append((doc_id, sha))
    counts = dict(
        Record.objects.filter(pk__in=[r.pk for r in records]).annotate(n=Count("documents")).values_list("pk", "n")
    )
    for r in records:
        label = r.title if not r.confidentiality else str(r.get_confidentiality_display())
        # A record's checksum: SHA-256 over its documents' archival checksums in document order, so a
        # receiving archive can check the whole record with one number.
        listed = sums.get(r.pk, [])
        manifest = "".join(f"{doc_id}:{sha}\n" for doc_id, sha in listed)
        yield Proposed(
            r.pk,
            label,
            code=r.code,
            documents=counts.get(r.pk, 0),
            checksum=hashlib.sha256(manifest.encode()).hexdigest() if listed else "",
            parent=("fonds", r.fonds_id) if r.fonds_id else None,
        )


def _propose_documents(unit: Unit) -> Iterable[Proposed]:
    from sohoa.archive.models import Document

    docs = (
        Document.objects.filter(unit=unit).select_related("digital_copy").order_by("record_id", "order_in_record", "pk")
    )
    for d in docs:
        copy = getattr(d, "digital_copy", None)
        # A classified subject is not copied into the proposal or the minutes: the number and the level say
        # enough to hand the paper over, and the Office's clearance may be lower than the document's.
        label = d.subject[:300] if not d.confidentiality else str(d.get_confidentiality_display())
        yield Proposed(
            d.pk,
            label,
            code=d.notation or d.identifier or f"#{d.pk}",
            documents=1,
            checksum=copy.archival_sha256 if copy else "",
            parent=("record", d.record_id) if d.record_id else None,
        )


def _mover(model_path: str) -> Callable[[list[int], Unit, Unit | None, Any], int]:
    def move(ids: list[int], source: Unit, target: Unit | None, actor: Any) -> int:
        from django.apps import apps

        model = apps.get_model(model_path)
        # Only rows still kept by the dissolved unit: a stale proposal moves nothing it should not.
        return int(model._default_manager.filter(pk__in=ids, unit=source).update(unit=target))

    return move


def _reindex_documents(ids: list[int]) -> Iterable[int]:
    return ids


def _reindex_records(ids: list[int]) -> Iterable[int]:
    from sohoa.archive.models import Document

    return Document.objects.filter(record__in=ids).values_list("pk", flat=True)


# ---- planning -----------------------------------------------------------------------------------------


def _propose_plans(unit: Unit) -> Iterable[Proposed]:
    from sohoa.planning.models import Plan

    for p in Plan.objects.filter(unit=unit).order_by("pk"):
        yield Proposed(p.pk, p.name, code=p.get_status_display())


# ---- units under a dissolved unit, and user scopes -------------------------------------------------------


def _propose_units(unit: Unit) -> Iterable[Proposed]:
    """The direct children of a dissolved unit move with it: they are placed under the successor."""
    for child in Unit.objects.filter(parent=unit, valid_to__isnull=True).order_by("code"):
        yield Proposed(child.pk, child.name, code=child.code)


def _move_units(ids: list[int], source: Unit, target: Unit | None, actor: Any) -> int:
    from sohoa.registry.services import unit_save

    moved = 0
    for child in Unit.objects.filter(pk__in=ids, parent=source):
        child.parent = target
        unit_save(actor=actor, unit=child)  # keeps the paths below it right; its search entries follow
        moved += 1
    return moved


def _propose_users(unit: Unit) -> Iterable[Proposed]:
    for user in unit.members.filter(is_active=True).order_by("username"):
        yield Proposed(user.pk, user.get_full_name() or user.username, code=user.username)


def _move_users(ids: list[int], source: Unit, target: Unit | None, actor: Any) -> int:
    from sohoa.core.models import User

    moved = 0
    for user in User.objects.filter(pk__in=ids, units=source):
        user.units.remove(source)
        if target is not None:
            user.units.add(target)
        moved += 1
    return moved


register(Kind("fonds", _("Fonds"), _propose_fonds, _mover("archive.Fonds")))
register(Kind("record", _("Record"), _propose_records, _mover("archive.Record"), reindex=_reindex_records))
register(Kind("document", _("Document"), _propose_documents, _mover("archive.Document"), reindex=_reindex_documents))
register(Kind("plan", _("Digitization plan"), _propose_plans, _mover("planning.Plan"), in_minutes_table=False))
register(Kind("unit", _("Unit under it"), _propose_units, _move_units, in_minutes_table=False))
register(Kind("user", _("User scope"), _propose_users, _move_users, in_minutes_table=False, optional_target=True))
