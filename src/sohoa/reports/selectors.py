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

Basis (docs/decisions/0028-reorganization.md): "creator" (default) counts paper under the unit that
registered it, which never changes; "custodian" counts a dissolved unit's paper under the unit that keeps
it now (reorg.selectors.custodian_map), so the successor's report includes its predecessors' periods.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Sum

from sohoa.core import policy
from sohoa.registry.models import Unit

from .models import REGISTER_SERIES, InventoryCount, ProgressCounter, Series

#: Whose paper a report counts: the creating unit's (provenance) or the current custodian's.
BASIS_CREATOR = "creator"
BASIS_CUSTODIAN = "custodian"
BASES = (BASIS_CREATOR, BASIS_CUSTODIAN)


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
    #: Each unit's own paper (not rolled up), by unit id: the dashboard's units at risk come from it.
    own: dict[int, Row] = field(default_factory=dict)
    basis: str = BASIS_CREATOR

    @property
    def series(self) -> list[tuple[str, Count]]:
        return self.overall.ordered()

    @property
    def totals(self) -> Count:
        return self.overall.totals

    def as_json(self) -> dict[str, Any]:
        """The report's JSON contract (issue 4)."""
        data: dict[str, Any] = {
            "unit": self.unit.code,
            "from": self.year_from,
            "to": self.year_to,
            "series": [{"series": name, **count.as_dict()} for name, count in self.series],
            "totals": self.totals.as_dict(),
        }
        if self.basis != BASIS_CREATOR:  # the default keeps the original contract unchanged
            data["basis"] = self.basis
        return data


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


def _cells(units: QuerySet[Unit], year_from: int, year_to: int) -> dict[tuple[int, str], Count]:
    """(unit id, series) → Count of the units' own paper, from the maintained register counters
    (reports.counters), plus the inventory counts of a unit, series and year without register entries.
    Both sums are done by the database: a province gives ~1,000 groups, whatever the rows behind them."""
    in_units = {"unit__in": units.values("pk"), "year__gte": year_from, "year__lte": year_to}
    register = (
        ProgressCounter.objects.filter(total__gt=0, **in_units)
        .values_list("unit_id", "series")
        .annotate(Sum("total"), Sum("digitized"))
        .order_by()
    )
    has_register = ProgressCounter.objects.filter(
        unit=OuterRef("unit"), series=OuterRef("series"), year=OuterRef("year"), total__gt=0
    )
    inventory = (
        InventoryCount.objects.filter(**in_units)
        .exclude(Exists(has_register))
        .values_list("unit_id", "series")
        .annotate(Sum("documents"), Sum("digitized"))
        .order_by()
    )
    cells: dict[tuple[int, str], Count] = defaultdict(Count)
    for query in (register, inventory):
        for unit_id, series, total, done in query:
            cells[(unit_id, series)].add(total, done)
    return cells


def _custodian_cells(
    units: QuerySet[Unit], year_from: int, year_to: int
) -> tuple[QuerySet[Unit], dict[tuple[int, str], Count]]:
    """Cells re-attributed to the current custodian: a dissolved unit's paper counts under the unit that
    keeps it now, when that unit is among `units`; a dissolved unit itself counts nothing of its own."""
    from sohoa.reorg.selectors import custodian_map

    custody = custodian_map()
    inside = set(units.values_list("pk", flat=True))
    counted = (inside - set(custody)) | {d for d, keeper in custody.items() if keeper in inside}
    counted_units = Unit.objects.filter(pk__in=counted)
    cells: dict[tuple[int, str], Count] = defaultdict(Count)
    for (unit_id, series), count in _cells(counted_units, year_from, year_to).items():
        cells[(custody.get(unit_id, unit_id), series)].add(count.total, count.digitized)
    return counted_units, cells


def progress(user: Any, *, unit: Unit, year_from: int, year_to: int, basis: str = BASIS_CREATOR) -> Progress:
    """Total, digitized and percent per series for `unit` and everything under it, and per child unit.

    Reads the maintained counters (one row per unit, series and year: a few thousand for a province,
    whatever the number of register rows), the inventory counts and the units' paths; no per-row Python.
    `basis` (BASES) says whether paper counts under its creating unit or its current custodian.
    """
    units = report_units(user, unit)
    if basis == BASIS_CUSTODIAN:
        _counted, cells = _custodian_cells(units, year_from, year_to)
    else:
        cells = _cells(units, year_from, year_to)
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
    own: dict[int, Row] = defaultdict(Row)
    for (unit_id, series), count in cells.items():
        own[unit_id].series[series].add(count.total, count.digitized)
    return Progress(
        unit=unit, year_from=year_from, year_to=year_to, overall=overall, children=rows, own=dict(own), basis=basis
    )


# ---- dashboard ----------------------------------------------------------------------------------------

#: How many units the dashboard lists as at risk.
AT_RISK_MAX = 10


@dataclass
class UnitProgress:
    unit: Unit
    count: Count


@dataclass
class Dashboard:
    """The province (or the user's top unit) at a glance: the report's numbers plus the units at risk."""

    progress: Progress
    at_risk: list[UnitProgress]  # lowest share digitized first; units with paper only
    not_started: int  # units with paper and nothing digitized
    units_with_paper: int


def dashboard(user: Any, *, unit: Unit, year_from: int, year_to: int, basis: str = BASIS_CREATOR) -> Dashboard:
    """Counts of `progress` (same scope rules) and the units whose own paper is least digitized.

    At risk = a unit with paper in the period, ranked by percent digitized, then by the most paper left
    (a unit with 0 of 5,000 comes before one with 0 of 10). The plan's deadline and forecast live in
    planning; this ranking needs none.
    """
    report = progress(user, unit=unit, year_from=year_from, year_to=year_to, basis=basis)
    with_paper = [(unit_id, row.totals) for unit_id, row in report.own.items() if row.totals.total]
    with_paper.sort(key=lambda item: (item[1].digitized / item[1].total, -(item[1].total - item[1].digitized)))
    worst = with_paper[:AT_RISK_MAX]
    units = Unit.objects.in_bulk([unit_id for unit_id, _count in worst])
    return Dashboard(
        progress=report,
        at_risk=[UnitProgress(units[unit_id], count) for unit_id, count in worst if unit_id in units],
        not_started=sum(1 for _unit_id, count in with_paper if not count.digitized),
        units_with_paper=len(with_paper),
    )
