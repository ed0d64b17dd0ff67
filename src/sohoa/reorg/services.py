"""Writes of reorganizations: record one, propose the transfer, adjust it item by item, execute it.

Execution is one transaction: every object moves from the dissolved units to the successors (custodian
`unit` only; `creator_unit` is never touched), the units under a dissolved unit are placed under its
successor, user scopes follow the Office's mapping, dissolved units end on the effective date, the
registry's successions are written, the hand-over minutes are stored, and one audit row says it all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.core import audit, policy
from sohoa.registry.models import Unit
from sohoa.registry.services import succession_set, unit_save

from . import kinds, minutes
from .models import Reorganization, ReorganizationUnit, TransferItem

#: Documents reindexed per search task after an execution.
REINDEX_CHUNK = 500


def _check(actor: Any, reorganization: Reorganization | None, units: Sequence[Unit] = ()) -> None:
    """Only the Office and administrators run reorganizations, on units in their scope (None = system)."""
    if actor is None:
        return
    if not policy.can_create(actor, Reorganization):
        raise PermissionDenied(_("Your role may not record reorganizations."))
    if reorganization is not None and not policy.can_see(actor, reorganization):
        raise PermissionDenied(_("This reorganization is outside your scope."))
    if not policy.is_admin(actor):
        in_scope = set(policy.scope_units(actor).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
        outside = [u.code for u in units if u.pk not in in_scope]
        if outside:
            raise ValidationError(_("Units outside your scope: %(codes)s") % {"codes": ", ".join(outside)})


def decision_text(reorganization: Reorganization) -> str:
    """“1234/QĐ-UBND ngày 12/06/2025 của Ủy ban nhân dân tỉnh”, as written on successions and minutes."""
    r = reorganization
    return f"{r.decision_number} ngày {r.decision_date:%d/%m/%Y} của {r.decision_issuer}"


def _validate_units(kind: str, dissolved: list[Unit], successors: list[Unit]) -> None:
    if not dissolved or not successors:
        raise ValidationError(_("Name at least one dissolved unit and one successor."))
    if {u.pk for u in dissolved} & {u.pk for u in successors}:
        raise ValidationError(_("A unit cannot be both dissolved and a successor."))
    if len({u.pk for u in dissolved}) != len(dissolved) or len({u.pk for u in successors}) != len(successors):
        raise ValidationError(_("Each unit may be named once."))
    if kind == Reorganization.Kind.MERGE and len(successors) != 1:
        raise ValidationError(_("A merger has exactly one successor."))
    if kind == Reorganization.Kind.SPLIT and (len(dissolved) != 1 or len(successors) < 2):
        raise ValidationError(_("A split dissolves one unit among two or more successors."))
    for d in dissolved:
        if d.valid_to is not None:
            raise ValidationError(_("%(code)s is already dissolved.") % {"code": d.code})
        for s in successors:
            if s.path.startswith(d.path):
                raise ValidationError(
                    _("The successor %(successor)s lies under the dissolved unit %(unit)s.")
                    % {"successor": s.code, "unit": d.code}
                )


@transaction.atomic
def reorganization_create(
    *,
    actor: Any,
    kind: str,
    dissolved: list[Unit],
    successors: list[Unit],
    effective_date: dt.date,
    decision_number: str,
    decision_date: dt.date,
    decision_issuer: str,
    note: str = "",
) -> Reorganization:
    """Record a merger or split as a draft: nothing moves until it is proposed and executed."""
    _validate_units(kind, dissolved, successors)
    _check(actor, None, [*dissolved, *successors])
    reorganization = Reorganization(
        kind=kind,
        unit=successors[0],
        effective_date=effective_date,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        decision_issuer=decision_issuer.strip(),
        note=note,
        created_by=actor,
    )
    reorganization.full_clean()
    reorganization.save()
    ReorganizationUnit.objects.bulk_create(
        [
            ReorganizationUnit(reorganization=reorganization, unit=u, role=role, position=i)
            for role, units in (
                (ReorganizationUnit.Role.DISSOLVED, dissolved),
                (ReorganizationUnit.Role.SUCCESSOR, successors),
            )
            for i, u in enumerate(units)
        ]
    )
    audit.record(
        "reorg_create",
        actor=actor,
        obj=reorganization,
        details={
            "kind": kind,
            "dissolved": [u.code for u in dissolved],
            "successors": [u.code for u in successors],
            "effective_date": effective_date,
            "decision": decision_text(reorganization),
        },
    )
    return reorganization


def _units(reorganization: Reorganization, role: str) -> list[Unit]:
    rows = reorganization.parties.filter(role=role).select_related("unit").order_by("position")
    return [row.unit for row in rows]


def dissolved_units(reorganization: Reorganization) -> list[Unit]:
    return _units(reorganization, ReorganizationUnit.Role.DISSOLVED)


def successor_units(reorganization: Reorganization) -> list[Unit]:
    return _units(reorganization, ReorganizationUnit.Role.SUCCESSOR)


def _refuse_if_executed(reorganization: Reorganization) -> None:
    if reorganization.status == Reorganization.Status.EXECUTED:
        raise ValidationError(
            _("This reorganization was executed on %(date)s; it cannot be changed or executed again.")
            % {"date": timezone.localtime(reorganization.executed_at).strftime("%d/%m/%Y %H:%M")}
            if reorganization.executed_at
            else _("This reorganization was already executed.")
        )


@transaction.atomic
def reorganization_propose(*, actor: Any, reorganization: Reorganization) -> Reorganization:
    """List every object the dissolved units hand over, each to the first successor (users to nobody:
    the Office maps them explicitly). Proposing again starts over from what the units keep now."""
    reorganization = Reorganization.objects.select_for_update().get(pk=reorganization.pk)
    _refuse_if_executed(reorganization)
    dissolved, successors = dissolved_units(reorganization), successor_units(reorganization)
    _check(actor, reorganization, [*dissolved, *successors])
    reorganization.items.all().delete()
    default = successors[0]
    dissolved_ids = {u.pk for u in dissolved}
    made: dict[tuple[str, int], TransferItem] = {}
    counts: dict[str, int] = defaultdict(int)
    for unit in dissolved:
        for name, kind in kinds.KINDS.items():
            batch = []
            for p in kind.propose(unit):
                if name == "unit" and p.object_id in dissolved_ids:
                    continue  # dissolved itself, not carried along
                parent = made.get(p.parent) if p.parent else None
                batch.append(
                    TransferItem(
                        reorganization=reorganization,
                        kind=name,
                        object_id=p.object_id,
                        label=p.label[:500],
                        code=p.code[:150],
                        parent=parent,
                        from_unit=unit,
                        to_unit=None if kind.optional_target else (parent.to_unit if parent else default),
                        documents=p.documents,
                        checksum=p.checksum,
                    )
                )
            # Parents are created before the kinds that follow them (registration order), so their ids exist.
            for item in TransferItem.objects.bulk_create(batch, batch_size=1000):
                made[(name, item.object_id)] = item
            counts[name] += len(batch)
    reorganization.status = Reorganization.Status.PROPOSED
    reorganization.save(update_fields=["status"])
    audit.record("reorg_propose", actor=actor, obj=reorganization, details={"items": dict(counts)})
    return reorganization


def _descendants(item: TransferItem) -> list[TransferItem]:
    result: list[TransferItem] = []
    frontier = [item]
    while frontier:
        children = list(TransferItem.objects.filter(parent__in=frontier))
        result += children
        frontier = children
    return result


@transaction.atomic
def transfer_item_assign(*, actor: Any, item: TransferItem, to_unit: Unit | None) -> int:
    """Send one item (and the items that follow it: a fonds's records, a record's documents) to another
    successor, or a user to nobody. Returns how many items changed."""
    reorganization = Reorganization.objects.select_for_update().get(pk=item.reorganization_id)
    _refuse_if_executed(reorganization)
    _check(actor, reorganization)
    kind = kinds.get(item.kind)
    successors = successor_units(reorganization)
    if to_unit is None and not kind.optional_target:
        raise ValidationError(_("Choose the successor that receives it."))
    if to_unit is not None and to_unit.pk not in {s.pk for s in successors}:
        raise ValidationError(_("Only a successor of this reorganization can receive it."))
    changed = [item, *_descendants(item)] if to_unit is not None else [item]
    TransferItem.objects.filter(pk__in=[i.pk for i in changed]).update(to_unit=to_unit)
    audit.record(
        "reorg_adjust",
        actor=actor,
        obj=reorganization,
        details={
            "item": f"{item.kind}:{item.object_id}",
            "to": to_unit.code if to_unit else None,
            "items": len(changed),
        },
    )
    return len(changed)


def _store(reorganization: Reorganization, ext: str, content: bytes) -> tuple[str, str]:
    name = default_storage.save(
        f"reorg/{reorganization.pk}/bien-ban-giao-nhan-{reorganization.pk}.{ext}", ContentFile(content)
    )
    return name, hashlib.sha256(content).hexdigest()


def _reindex(ids: list[int]) -> None:
    from sohoa.search import tasks

    for start in range(0, len(ids), REINDEX_CHUNK):
        tasks.index_documents(ids[start : start + REINDEX_CHUNK])


@transaction.atomic
def reorganization_execute(*, actor: Any, reorganization: Reorganization) -> Reorganization:
    """Move everything as proposed and adjusted, in one transaction, and write the hand-over minutes.

    Refused when already executed, when not proposed, when an item has no receiver, or when the units no
    longer keep what was proposed (someone moved it since: propose again). Counts in the minutes are the
    rows that moved, checked against the items.
    """
    reorganization = Reorganization.objects.select_for_update().get(pk=reorganization.pk)
    _refuse_if_executed(reorganization)
    if reorganization.status != Reorganization.Status.PROPOSED:
        raise ValidationError(_("Propose the transfer before executing it."))
    dissolved, successors = dissolved_units(reorganization), successor_units(reorganization)
    _check(actor, reorganization, [*dissolved, *successors])
    items = list(reorganization.items.select_related("from_unit", "to_unit"))
    unknown = sorted({i.kind for i in items} - set(kinds.KINDS))
    if unknown:
        raise ValidationError(_("Unknown kinds of items: %(kinds)s") % {"kinds": ", ".join(unknown)})
    missing = [i for i in items if i.to_unit_id is None and not kinds.get(i.kind).optional_target]
    if missing:
        raise ValidationError(_("%(n)d items have no receiving unit.") % {"n": len(missing)})

    # The registry first: the dissolved units end on the effective date and name their successors (while
    # the actor's scope still holds them; user scopes change last).
    decision = decision_text(reorganization)
    for unit in dissolved:
        unit.refresh_from_db()
        unit.valid_to = reorganization.effective_date
        unit_save(actor=actor, unit=unit)
        succession_set(
            actor=actor,
            predecessor=unit,
            successors=successors,
            effective_date=reorganization.effective_date,
            decision=decision[:255],
        )
    moved: dict[str, int] = {}
    reindex: set[int] = set()
    for name, kind in kinds.KINDS.items():
        groups: dict[tuple[int, int | None], list[TransferItem]] = defaultdict(list)
        for item in items:
            if item.kind == name:
                groups[(item.from_unit_id, item.to_unit_id)].append(item)
        for group in groups.values():
            ids = [i.object_id for i in group]
            n = kind.move(ids, group[0].from_unit, group[0].to_unit, actor)
            if n != len(ids):
                raise ValidationError(
                    _(
                        "%(kind)s: %(expected)d proposed but %(moved)d still kept by %(unit)s. "
                        "Something changed since the proposal: propose again."
                    )
                    % {"kind": kind.label, "expected": len(ids), "moved": n, "unit": group[0].from_unit.code}
                )
            if kind.reindex:
                reindex.update(kind.reindex(ids))
        moved[name] = sum(1 for i in items if i.kind == name)

    reorganization.items.update(moved=True)
    reorganization.status = Reorganization.Status.EXECUTED
    reorganization.executed_by = actor
    reorganization.executed_at = timezone.now()

    content = minutes.build(reorganization, dissolved, successors, items)
    reorganization.minutes_docx, reorganization.minutes_docx_sha256 = _store(
        reorganization, "docx", minutes.render_docx(content)
    )
    reorganization.minutes_pdf, reorganization.minutes_pdf_sha256 = _store(
        reorganization, "pdf", minutes.render_pdf(content)
    )
    reorganization.save()
    audit.record(
        "reorg_execute",
        actor=actor,
        obj=reorganization,
        details={
            "moved": moved,
            "documents_moved": content.totals.documents,
            "dissolved": [u.code for u in dissolved],
            "successors": [u.code for u in successors],
            "minutes_docx_sha256": reorganization.minutes_docx_sha256,
            "minutes_pdf_sha256": reorganization.minutes_pdf_sha256,
        },
    )
    ids = sorted(reindex)
    # The search index follows the custodian; a failing index never undoes the transfer (search-check).
    transaction.on_commit(lambda: _reindex(ids), robust=True)
    return reorganization
