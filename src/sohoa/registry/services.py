"""Writes to the registry of units: create/update with tree paths, successions, and bulk import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sohoa.core import audit, policy

from .models import Succession, Unit, UnitKind, code_validator

UNIT_FIELDS = ("name", "short_name", "kind", "parent", "valid_from", "valid_to")


def _stored_path(pk: Any) -> str:
    """The path in the database: objects the caller holds may be stale after another move."""
    return Unit.objects.filter(pk=pk).values_list("path", flat=True).first() or ""


def _path_of(unit: Unit) -> str:
    return (_stored_path(unit.parent_id) if unit.parent_id else "/") + f"{unit.pk}/"


def _refresh_paths(unit: Unit) -> None:
    """Recompute the path of `unit` and of everything below it after a move."""
    new_path = _path_of(unit)
    if new_path == unit.path:
        return
    old = unit.path
    Unit.objects.filter(pk=unit.pk).update(path=new_path)
    unit.path = new_path
    if old:
        for child in Unit.objects.filter(path__startswith=old).exclude(pk=unit.pk).order_by("path"):
            child.path = new_path + child.path[len(old) :]
            child.save(update_fields=["path"])


def _check_parent(unit: Unit) -> None:
    if unit.parent_id and unit.pk and _stored_path(unit.parent_id).startswith(unit.path or "\0"):
        raise ValidationError({"parent": _("A unit cannot be placed under itself or its own descendants.")})


def _check_write(actor: Any, unit: Unit) -> None:
    """People may change units of their own province only; new top-level units are for administrators.
    `actor=None` is the system itself (imports from the command line, demo data)."""
    if actor is None:
        return
    if not policy.can_create(actor, Unit):
        raise PermissionDenied(_("Your role may not change units."))
    if policy.is_admin(actor):
        return
    in_scope = policy.scope_units(actor)
    anchor = unit.parent if unit.pk is None or unit.parent_id else unit
    if anchor is None or not in_scope.filter(pk=anchor.pk).exists():
        raise ValidationError({"parent": _("You can only change units in your own province.")})
    if unit.pk and not in_scope.filter(pk=unit.pk).exists():
        raise ValidationError({"parent": _("You can only change units in your own province.")})


@transaction.atomic
def unit_save(*, actor: Any, unit: Unit) -> Unit:
    """Create or update a unit (validated), keeping tree paths right and writing the audit row."""
    creating = unit.pk is None
    _check_write(actor, unit)
    if not creating:
        unit.path = _stored_path(unit.pk)
    unit.full_clean(exclude=["path"])
    _check_parent(unit)
    unit.save()
    _refresh_paths(unit)
    audit.record("create" if creating else "update", actor=actor, obj=unit)
    return unit


@transaction.atomic
def succession_set(
    *, actor: Any, predecessor: Unit, successors: list[Unit], effective_date: dt.date | None, decision: str = ""
) -> list[Succession]:
    """Record that `predecessor` passes to `successors` (one: merge; several: split) on a date."""
    kind = Succession.Kind.MERGE if len(successors) == 1 else Succession.Kind.SPLIT
    Succession.objects.filter(predecessor=predecessor).exclude(successor__in=successors).delete()
    result = []
    for successor in successors:
        if successor.pk == predecessor.pk:
            raise ValidationError(_("A unit cannot succeed itself."))
        obj, _created = Succession.objects.update_or_create(
            predecessor=predecessor,
            successor=successor,
            defaults={"kind": kind, "effective_date": effective_date, "decision": decision},
        )
        result.append(obj)
    audit.record(
        "succession",
        actor=actor,
        obj=predecessor,
        details={"successors": [s.code for s in successors], "effective_date": effective_date},
    )
    return result


# ---- import ---------------------------------------------------------------------------------------

IMPORT_COLUMNS = ("code", "name", "short_name", "kind", "parent_code", "valid_from", "valid_to", "successor_codes")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number in the file, reason)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "rejected": [{"row": r, "reason": why} for r, why in self.rejected],
        }


def _parse_date(value: str, column: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(
        _("%(column)s: “%(value)s” is not a date (use YYYY-MM-DD or DD/MM/YYYY)") % {"column": column, "value": value}
    )


def _clean_row(row: dict[str, str]) -> dict[str, Any]:
    code = row.get("code", "").strip()
    try:
        code_validator(code)
    except ValidationError:
        raise ValueError(_("code: “%(code)s” is not a valid unit code") % {"code": code}) from None
    name = row.get("name", "").strip()
    if not name:
        raise ValueError(_("name: is empty"))
    kind = row.get("kind", "").strip() or UnitKind.OTHER
    if kind not in UnitKind.values:
        raise ValueError(
            _("kind: “%(kind)s” is not one of %(kinds)s") % {"kind": kind, "kinds": ", ".join(UnitKind.values)}
        )
    valid_from = _parse_date(row.get("valid_from", ""), "valid_from")
    valid_to = _parse_date(row.get("valid_to", ""), "valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise ValueError(_("valid_to is before valid_from"))
    successors = [c.strip() for c in row.get("successor_codes", "").replace(",", ";").split(";") if c.strip()]
    return {
        "code": code,
        "name": name,
        "short_name": row.get("short_name", "").strip(),
        "kind": kind,
        "parent_code": row.get("parent_code", "").strip(),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "successors": successors,
    }


def units_import(*, actor: Any, rows: list[tuple[int, dict[str, str]]], source: str = "") -> ImportReport:
    """Upsert units from parsed rows (row number, column → text). Good rows land; bad rows are reported.

    Rows are applied parents-first regardless of their order in the file; each row is its own
    transaction, so one bad row never takes good ones down with it. Successor links are set last, once
    every unit of the file exists.
    """
    report = ImportReport()
    cleaned: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, raw in rows:
        try:
            data = _clean_row(raw)
        except ValueError as exc:
            report.rejected.append((number, str(exc)))
            continue
        if data["code"] in cleaned:
            report.rejected.append(
                (
                    number,
                    _("code: “%(code)s” appears twice in the file (first on row %(row)s)")
                    % {"code": data["code"], "row": cleaned[data["code"]][0]},
                )
            )
            continue
        if data["parent_code"] == data["code"]:
            report.rejected.append((number, _("parent_code: a unit cannot be its own parent")))
            continue
        cleaned[data["code"]] = (number, data)

    pending = dict(cleaned)
    failed: set[str] = set()
    while pending:
        progressed = False
        for code, (number, data) in list(pending.items()):
            parent_code = data["parent_code"]
            if parent_code in pending:
                continue  # its parent comes first
            del pending[code]
            progressed = True
            if parent_code in failed:
                report.rejected.append(
                    (number, _("parent_code: parent “%(code)s” was rejected") % {"code": parent_code})
                )
                failed.add(code)
                continue
            try:
                _upsert_unit(actor, data, report)
            except (ValueError, ValidationError) as exc:
                message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                report.rejected.append((number, message))
                failed.add(code)
        if not progressed:  # a cycle of parents inside the file
            for code, (number, _data) in pending.items():
                report.rejected.append(
                    (number, _("parent_code: cycle of parents involving “%(code)s”") % {"code": code})
                )
                failed.add(code)
            break

    for code, (number, data) in cleaned.items():
        if code in failed or not data["successors"]:
            continue
        successors = list(Unit.objects.filter(code__in=data["successors"]))
        missing = sorted(set(data["successors"]) - {u.code for u in successors})
        if missing:
            report.rejected.append(
                (number, _("successor_codes: unknown unit(s) %(codes)s") % {"codes": ", ".join(missing)})
            )
            continue
        predecessor = Unit.objects.get(code=code)
        current = set(Succession.objects.filter(predecessor=predecessor).values_list("successor__code", flat=True))
        if current != set(data["successors"]):
            succession_set(actor=actor, predecessor=predecessor, successors=successors, effective_date=data["valid_to"])
            if code not in report.created and code not in report.updated:
                report.unchanged.remove(code)
                report.updated.append(code)
    audit.record("import", actor=actor, object_type="registry.unit", object_repr=source[:300], details=report.as_dict())
    return report


def _upsert_unit(actor: Any, data: dict[str, Any], report: ImportReport) -> None:
    parent = None
    if data["parent_code"]:
        parent = Unit.objects.filter(code=data["parent_code"]).first()
        if parent is None:
            raise ValueError(_("parent_code: unknown unit “%(code)s”") % {"code": data["parent_code"]})
    with transaction.atomic():
        unit = Unit.objects.filter(code=data["code"]).first()
        values = {k: data[k] for k in ("name", "short_name", "kind", "valid_from", "valid_to")}
        values["parent"] = parent
        if unit is None:
            unit_save(actor=actor, unit=Unit(code=data["code"], **values))
            report.created.append(data["code"])
            return
        changed = [k for k, v in values.items() if getattr(unit, k) != v]
        if not changed:
            report.unchanged.append(data["code"])
            return
        for k in changed:
            setattr(unit, k, values[k])
        unit_save(actor=actor, unit=unit)
        report.updated.append(data["code"])
