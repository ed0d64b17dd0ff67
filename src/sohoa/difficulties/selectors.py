"""Reads of difficulties, through the access policy: a unit sees its own subtree, the Office its province."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum

from sohoa.core import policy
from sohoa.registry.models import Unit

from .models import OUTSTANDING, Category, Difficulty, Status, StatusChange

#: The status filter's extra values: everything still waiting (the default) and everything.
STATUS_OUTSTANDING = "outstanding"
STATUS_ALL = "all"


def statuses_for(choice: str) -> tuple[str, ...]:
    """The statuses a filter value stands for ("" and "outstanding" = open and in progress)."""
    if choice == STATUS_ALL:
        return tuple(Status.values)
    if choice in Status.values:
        return (choice,)
    return tuple(str(s) for s in OUTSTANDING)


def difficulty_list(
    user: Any, *, statuses: tuple[str, ...] | None = None, category: str = "", unit: int | None = None
) -> QuerySet[Difficulty]:
    qs = policy.restrict(user, Difficulty.objects.all()).select_related("unit", "filed_by")
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    if category:
        qs = qs.filter(category=category)
    if unit:
        qs = qs.filter(unit_id=unit)
    return qs


def difficulty_get(user: Any, pk: Any) -> Difficulty:
    return policy.get_visible_or_404(user, Difficulty.objects.select_related("unit", "filed_by"), pk=pk)


def difficulty_history(user: Any, difficulty: Difficulty) -> QuerySet[StatusChange]:
    return policy.restrict(user, StatusChange.objects.filter(difficulty=difficulty)).select_related("actor")


@dataclass
class Cell:
    reports: int = 0
    quantity: int = 0

    def add(self, reports: int, quantity: int) -> None:
        self.reports += reports
        self.quantity += quantity


@dataclass
class Summary:
    """Counts of reports and quantities needed, per category, per unit × category and per category × status."""

    statuses: tuple[str, ...]
    by_category: dict[str, Cell] = field(default_factory=lambda: defaultdict(Cell))
    by_unit: dict[Unit, dict[str, Cell]] = field(default_factory=dict)
    by_status: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    total: Cell = field(default_factory=Cell)

    @property
    def categories(self) -> list[str]:
        """Categories in their fixed order, those with reports only."""
        return [c.value for c in Category if self.by_category.get(c.value, Cell()).reports]

    def unit_rows(self) -> list[tuple[Unit, list[Cell], Cell]]:
        rows = []
        for unit in sorted(self.by_unit, key=lambda u: u.path or u.code):
            cells = self.by_unit[unit]
            total = Cell()
            for cell in cells.values():
                total.add(cell.reports, cell.quantity)
            rows.append((unit, [cells.get(c, Cell()) for c in self.categories], total))
        return rows


def summary(user: Any, *, statuses: tuple[str, ...]) -> Summary:
    """Aggregate the visible difficulties with the given statuses: one GROUP BY (unit, category, status)."""
    groups = (
        difficulty_list(user, statuses=statuses)
        .order_by()
        .values("unit_id", "category", "status")
        .annotate(n=Count("id"), qty=Sum("quantity"))
    )
    result = Summary(statuses=statuses)
    rows = list(groups)
    units = Unit.objects.in_bulk({row["unit_id"] for row in rows})
    for row in rows:
        unit, category, n, qty = units[row["unit_id"]], row["category"], row["n"], row["qty"] or 0
        result.by_category[category].add(n, qty)
        result.by_unit.setdefault(unit, defaultdict(Cell))[category].add(n, qty)
        result.by_status[(category, row["status"])] += n
        result.total.add(n, qty)
    return result
