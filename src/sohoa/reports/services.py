"""Writes of the reports app: the inventory import, and exports (an export is audited, so it is a write)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sohoa.core import audit, policy
from sohoa.registry.models import Unit

from . import exports
from .models import InventoryCount, Series
from .selectors import Progress

INVENTORY_COLUMNS = ("unit_code", "series", "year", "documents", "pages", "digitized")
REQUIRED_INVENTORY_COLUMNS = ("unit_code", "series", "year", "documents")
FORMATS = tuple(exports.RENDERERS)


@dataclass
class Export:
    content: bytes
    content_type: str
    filename: str


def report_export(*, actor: Any, progress: Progress, fmt: str, via: str = "") -> Export:
    """Render a progress report in one format and write the audit row (“export”) for it."""
    if fmt not in exports.RENDERERS:
        raise ValidationError(_("Unknown format “%(fmt)s”: use %(all)s") % {"fmt": fmt, "all": ", ".join(FORMATS)})
    render, content_type = exports.RENDERERS[fmt]
    content = render(progress)
    unit = progress.unit
    audit.record(
        "export",
        actor=actor,
        object_type="reports.progress",
        object_id=str(unit.pk),
        object_repr=f"{unit.code} {progress.year_from}–{progress.year_to}",
        details={
            "format": fmt,
            "from": progress.year_from,
            "to": progress.year_to,
            "totals": progress.totals.as_dict(),
            **({"via": via} if via else {}),
        },
    )
    filename = (
        f"tien-do-so-hoa_{re.sub(r'[^A-Za-z0-9._-]', '_', unit.code)}_{progress.year_from}-{progress.year_to}.{fmt}"
    )
    return Export(content, content_type, filename)


# ---- inventory import ---------------------------------------------------------------------------------


@dataclass
class InventoryImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [{"row": r, "reason": why} for r, why in sorted(self.rejected)],
            "unknown_columns": self.unknown_columns,
        }


def _count(raw: dict[str, str], column: str, *, required: bool) -> int | None:
    text = raw.get(column, "").strip()
    if not text:
        if required:
            raise ValueError(_("%(column)s: is empty") % {"column": column})
        return None
    if not re.fullmatch(r"\d+(\.0+)?", text):
        raise ValueError(_("%(column)s: “%(value)s” is not a whole number") % {"column": column, "value": text})
    return int(float(text))


def _inventory_row(raw: dict[str, str], units: dict[str, Unit]) -> tuple[Unit, str, int, dict[str, Any]]:
    code = raw.get("unit_code", "").strip()
    unit = units.get(code)
    if unit is None:
        raise ValueError(_("unit_code: unknown unit “%(code)s”") % {"code": code})
    series = raw.get("series", "").strip().lower()
    if series not in Series.values:
        raise ValueError(
            _("series: “%(value)s” is not one of %(all)s") % {"value": series, "all": ", ".join(Series.values)}
        )
    year = _count(raw, "year", required=True)
    if year is None or not 1900 <= year <= 2100:
        raise ValueError(_("year: “%(value)s” is not a year") % {"value": raw.get("year", "")})
    documents = _count(raw, "documents", required=True)
    digitized = _count(raw, "digitized", required=False) or 0
    if documents is not None and digitized > documents:
        raise ValueError(_("digitized: more than the documents counted"))
    values = {"documents": documents, "pages": _count(raw, "pages", required=False), "digitized": digitized}
    return unit, series, year, values


def inventory_import(
    *, actor: Any, header: list[str], rows: list[tuple[int, dict[str, str]]], source: str = ""
) -> InventoryImportReport:
    """Upsert counts (unit, series, year → documents, pages, digitized); bad rows are reported by number.

    The file is small (one row per unit, series and year), so it is applied in one transaction.
    """
    missing = [c for c in REQUIRED_INVENTORY_COLUMNS if c not in header]
    if missing:
        raise ValidationError(_("Missing required column(s): %(cols)s") % {"cols": ", ".join(missing)})
    if actor is not None and not policy.can_create(actor, InventoryCount):
        raise PermissionDenied(_("Your role may not change %(what)s.") % {"what": _("inventory counts")})
    report = InventoryImportReport(unknown_columns=[h for h in header if h and h not in INVENTORY_COLUMNS])
    codes = {raw.get("unit_code", "").strip() for _n, raw in rows}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    if actor is not None:
        allowed = set(policy.scope_units(actor).filter(code__in=codes).values_list("code", flat=True))
        units = {c: u for c, u in units.items() if c in allowed}  # out of scope reads as unknown
    seen: dict[tuple[int, str, int], int] = {}
    with transaction.atomic():
        existing = {
            (c.unit_id, c.series, c.year): c for c in InventoryCount.objects.filter(unit__in=list(units.values()))
        }
        for number, raw in rows:
            try:
                unit, series, year, values = _inventory_row(raw, units)
            except ValueError as exc:
                report.rejected.append((number, str(exc)))
                continue
            key = (unit.pk, series, year)
            if key in seen:
                report.rejected.append(
                    (number, _("same unit, series and year as row %(row)d of this file") % {"row": seen[key]})
                )
                continue
            seen[key] = number
            current = existing.get(key)
            if current is None:
                InventoryCount.objects.create(unit=unit, series=series, year=year, **values)
                report.created += 1
            elif any(getattr(current, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(current, k, v)
                current.save()
                report.updated += 1
            else:
                report.unchanged += 1
        audit.record(
            "import",
            actor=actor,
            object_type="reports.inventorycount",
            object_repr=source[:300],
            details=report.as_dict(),
        )
    return report
