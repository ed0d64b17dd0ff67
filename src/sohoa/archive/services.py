"""Writes to the archive. Each service checks the actor's right through the policy, validates, saves in
one transaction and writes the audit row."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from sohoa.core import audit, policy

from . import notation as notation_mod
from .models import Document, Fonds, Record, RegisterEntry, StorageLocation

M = TypeVar("M", bound=models.Model)


def _model_changes(obj: models.Model) -> dict[str, Any]:
    """Field → (old, new) for an existing object, read back from the database."""
    if obj.pk is None:
        return {}
    old = type(obj)._default_manager.filter(pk=obj.pk).values().first() or {}
    changes = {}
    for f in obj._meta.concrete_fields:
        if f.attname in ("updated_at", "created_at"):
            continue
        new = getattr(obj, f.attname)
        if old.get(f.attname) != new:
            changes[f.attname] = [old.get(f.attname), new]
    return changes


def _check_write(actor: Any, obj: models.Model) -> None:
    """The actor may write this kind, the object's unit is in their scope and its level within clearance."""
    if actor is None:
        return  # the system itself: command line imports, the digitization worker
    if not policy.can_create(actor, type(obj)):
        raise PermissionDenied(_("Your role may not change %(what)s.") % {"what": obj._meta.verbose_name_plural})
    unit = getattr(obj, "unit", None)
    if unit is not None and not policy.unit_in_scope(actor, unit):
        raise ValidationError({"unit": _("You can only work with units in your scope.")})
    level = getattr(obj, "confidentiality", None)
    if level is not None and not policy.level_allowed(actor, level):
        raise ValidationError({"confidentiality": _("This level is above your clearance.")})
    if obj.pk is not None and not policy.can_see(actor, type(obj)._default_manager.get(pk=obj.pk)):
        raise PermissionDenied(_("You may not change this object."))


def _keep_provenance(obj: models.Model) -> None:
    """The creating unit is provenance: once set it never changes, whatever a form sends."""
    if obj.pk is not None and hasattr(obj, "creator_unit_id"):
        obj.creator_unit_id = type(obj)._default_manager.values_list("creator_unit_id", flat=True).get(pk=obj.pk)


@transaction.atomic
def _save(actor: Any, obj: M, *, details: dict[str, Any] | None = None) -> M:
    creating = obj.pk is None
    _keep_provenance(obj)
    _check_write(actor, obj)
    obj.full_clean()
    changes = _model_changes(obj)
    obj.save()
    audit.record(
        "create" if creating else "update",
        actor=actor,
        obj=obj,
        details={**(details or {}), **({"changes": changes} if changes else {})},
    )
    return obj


def fonds_save(*, actor: Any, fonds: Fonds) -> Fonds:
    if fonds.pk is None and fonds.creator_unit_id is None:
        fonds.creator_unit_id = fonds.unit_id
    return _save(actor, fonds)


def location_save(*, actor: Any, location: StorageLocation) -> StorageLocation:
    return _save(actor, location)


def record_save(*, actor: Any, record: Record) -> Record:
    if record.pk is None and record.creator_unit_id is None:
        record.creator_unit_id = record.unit_id
    return _save(actor, record)


def duplicates_of(document: Document) -> tuple[int, list[Document]]:
    """Documents with the same number + symbol + issuing body (Decree 30 asks to warn on these).

    Returns the total count and those the actor may be shown; the caller shows the visible ones and
    mentions only the number of the others, so a duplicate is never missed but nothing secret leaks.
    """
    if not document.notation:
        return 0, []
    same_notation = Document.objects.filter(notation_key=notation_mod.fold(notation_mod.clean(document.notation)))
    if document.pk:
        same_notation = same_notation.exclude(pk=document.pk)
    issuer_key = notation_mod.fold(document.issuer)
    matches = [
        d
        for d in same_notation.select_related("unit")
        if (document.issuer_unit_id and d.issuer_unit_id == document.issuer_unit_id)
        or (issuer_key and notation_mod.fold(d.issuer) == issuer_key)
        or (not issuer_key and not document.issuer_unit_id)
    ]
    return len(matches), matches


def _complete_document(document: Document) -> None:
    """Derive what the standard derives: notation ↔ number/symbol, identifier = record code + order."""
    document.notation = notation_mod.clean(document.notation)
    if document.notation and not (document.number and document.symbol):
        number, symbol = notation_mod.split(document.notation)
        document.number = document.number or number
        document.symbol = document.symbol or symbol
    elif not document.notation and document.number and document.symbol:
        document.notation = notation_mod.join(document.number, document.symbol)
    if document.record is not None and document.order_in_record and not document.identifier:
        document.identifier = f"{document.record.code}.{document.order_in_record}"
    if document.identifier == "":
        document.identifier = None
    if document.record_id and document.pk is None and document.unit_id is None:
        document.unit_id = document.record.unit_id


def document_save(*, actor: Any, document: Document, allow_duplicate: bool = False) -> Document:
    """Register or update a document. A duplicate number + symbol + issuer is refused unless confirmed."""
    _complete_document(document)
    if document.pk is None:
        if document.creator_unit_id is None:
            document.creator_unit_id = document.unit_id
        document.created_by = actor
    count, _visible = duplicates_of(document)
    if count and not allow_duplicate:
        # The code must sit on the field's error: Django drops `code=` given next to a dict.
        raise ValidationError(
            {
                "notation": ValidationError(
                    _(
                        "%(count)s document(s) with the same number, symbol and issuing body are already "
                        "registered. Check, then confirm to register anyway."
                    )
                    % {"count": count},
                    code="duplicate",
                )
            }
        )
    return _save(actor, document, details={"duplicate_confirmed": count} if count else None)


def register_entry_save(*, actor: Any, entry: RegisterEntry) -> RegisterEntry:
    entry.notation = notation_mod.clean(entry.notation)
    if entry.pk is None and not entry.entry_number:
        last = RegisterEntry.objects.filter(unit_id=entry.unit_id, direction=entry.direction, year=entry.year)
        entry.entry_number = (last.aggregate(m=models.Max("entry_number"))["m"] or 0) + 1
    if entry.document is not None and not policy.can_see(actor, entry.document):
        raise ValidationError({"document": _("Unknown document.")})
    return _save(actor, entry)
