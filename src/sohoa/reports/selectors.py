"""Reads for reports: digitization progress of a unit's subtree over a period, counted in the database.

Counting rule (docs/decisions/0013-paper-inventory-and-progress.md):
- incoming/outgoing: total = register entries of the period (by their `year`); digitized = entries whose
  document has a digital copy;
- an InventoryCount adds its documents (and the digitized number the unit reported) for a unit, series
  and year that has no register entry of that series and year — an imported register replaces the
  hand count, it never adds to it;
- other series come from inventory counts only.
Counts are scoped by unit (the user's scope ∩ the unit's subtree), not by confidentiality: a number of
secret papers reveals nothing of them, and leaders must see the whole backlog.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count as CountOf
from django.db.models import Q, QuerySet

from sohoa.archive.models import RegisterEntry
from sohoa.core import policy
from sohoa.digitization.models import DigitalCopy
from sohoa.registry.models import Unit

from .models import REGISTER_SERIES, InventoryCount, Series


def percent(digitized: int, total: int) -> float | None:
    """Share digitized with one decimal, rounded half up (5914 of 9396 → 62.9); None when there is nothing."""
    if not total:
        return None
    value = (Decimal(digitized) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


@dataclass
class Count:
    total: int = 0
    digitized: int = 0

    @property
    def percent(self) -> float | None:
        return percent(self.digitized, self.total)

    def add(self, total: int, digitized: int) -> None:
        self.total += total
        self.digitized += digitized

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "digitized": self.digitized, "percent": self.percent}


@dataclass
class Row:
    """Progress of one unit (or the whole report) per series."""

    series: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))

    @property
    def totals(self) -> Count:
        result = Count()
        for count in self.series.values():
            result.add(count.total, count.digitized)
        return result

    def ordered(self) -> list[tuple[str, Count]]:
        """Series in a fixed order: the two registers always, the others when they have documents."""
        return [
            (s.value, self.series.get(s.value, Count()))
            for s in Series
            if s in REGISTER_SERIES or self.series.get(s.value, Count()).total
        ]


@dataclass
class UnitRow:
    unit: Unit
    row: Row


@dataclass
class Progress:
    unit: Unit
    year_from: int
    year_to: int
    overall: Row
    children: list[UnitRow]

    @property
    def series(self) -> list[tuple[str, Count]]:
        return self.overall.ordered()

    @property
    def totals(self) -> Count:
        return self.overall.totals

    def as_json(self) -> dict[str, Any]:
        """The report's JSON contract (issue 4)."""
        return {
            "unit": self.unit.code,
            "from": self.year_from,
            "to": self.year_to,
            "series": [{"series": name, **count.as_dict()} for name, count in self.series],
            "totals": self.totals.as_dict(),
        }


def report_units(user: Any, unit: Unit) -> QuerySet[Unit]:
    """The units a report on `unit` counts: its subtree, cut to the user's scope (None = the system)."""
    units = Unit.objects.filter(path__startswith=unit.path) if unit.path else Unit.objects.filter(pk=unit.pk)
    if user is not None:
        units = units.filter(pk__in=policy.scope_units(user).values("pk"))
    return units


def report_unit_get(user: Any, pk: Any) -> Unit:
    """A unit the user may report on (in their scope), or 404 whether it is missing or out of scope."""
    return policy.get_visible_or_404(user, policy.scope_units(user).select_related("parent"), pk=pk)


def default_report_unit(user: Any) -> Unit | None:
    """The top of the user's scope: the province for province-wide roles, else their first unit."""
    return policy.scope_units(user).select_related("parent").order_by("path").first()


def progress(user: Any, *, unit: Unit, year_from: int, year_to: int) -> Progress:
    """Total, digitized and percent per series for `unit` and everything under it, and per child unit.

    Two GROUP BY queries (registers, inventory) and one for the units involved; no per-row Python.
    """
    units = report_units(user, unit)
    digitized = Q(document_id__in=DigitalCopy.objects.values("document_id"))
    register = (
        RegisterEntry.objects.filter(unit__in=units.values("pk"), year__gte=year_from, year__lte=year_to)
        .values("unit_id", "direction", "year")
        .annotate(total=CountOf("id"), digitized=CountOf("id", filter=digitized))
        .order_by()
    )
    inventory = (
        InventoryCount.objects.filter(unit__in=units.values("pk"), year__gte=year_from, year__lte=year_to)
        .values_list("unit_id", "series", "year", "documents", "digitized")
        .order_by()
    )
    # (unit id, series) → Count, before rolling up.
    cells: dict[tuple[int, str], Count] = defaultdict(Count)
    registered: set[tuple[int, str, int]] = set()
    for group in register:
        registered.add((group["unit_id"], group["direction"], group["year"]))
        cells[(group["unit_id"], group["direction"])].add(group["total"], group["digitized"])
    for unit_id, series, year, documents, done in inventory:
        if (unit_id, series, year) not in registered:
            cells[(unit_id, series)].add(documents, done)

    paths = dict(Unit.objects.filter(pk__in={u for u, _s in cells}).values_list("pk", "path"))
    children = list(units.filter(parent=unit).order_by("code"))
    overall = Row()
    by_child: dict[int, Row] = defaultdict(Row)
    depth = len(unit.path.strip("/").split("/")) if unit.path else 0
    for (unit_id, series), count in cells.items():
        overall.series[series].add(count.total, count.digitized)
        parts = paths.get(unit_id, "").strip("/").split("/")
        child_id = int(parts[depth]) if len(parts) > depth else unit.pk  # the unit's own registers
        by_child[child_id].series[series].add(count.total, count.digitized)
    rows = [UnitRow(unit, by_child[unit.pk])] if unit.pk in by_child else []
    rows += [UnitRow(child, by_child[child.pk]) for child in children]
    return Progress(unit=unit, year_from=year_from, year_to=year_to, overall=overall, children=rows)
