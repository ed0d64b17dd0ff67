"""Statistics of petitions and case files for the Inspection Committee, and their exports.

Counts only what the user may see (the access policy, through `selectors.petitions_visible` and
`sohoa.cases.selectors.case_counts`): petitions received in a period by kind, channel, state and
receiving unit, each with how many of them are overdue (deadline passed, not closed); case files by
stage and outcome. One grouped query for the petitions, whatever the number of units.
Exports (XLSX, CSV, JSON) follow the other reports: fixed Vietnamese sheet names, translatable headers,
bold frozen header row; an export is audited (`stats_export`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.core import audit, charts
from sohoa.registry.models import Unit

from . import selectors
from .models import CLOSED_STATES, Channel, Kind, State

SHEET_SUMMARY = "Tổng hợp"
SHEET_KIND = "Theo loại đơn"
SHEET_CHANNEL = "Theo nguồn tiếp nhận"
SHEET_STATE = "Theo trạng thái"
SHEET_UNIT = "Theo đơn vị"
SHEET_CASES = "Vụ việc"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
FORMATS = tuple(CONTENT_TYPES)


@dataclass
class Row:
    """One line of a table: a kind, channel, state, stage or outcome, with its counts."""

    key: str
    label: str
    count: int = 0
    overdue: int = 0


@dataclass
class UnitRow:
    unit_id: int
    code: str
    name: str
    count: int = 0
    open: int = 0
    overdue: int = 0
    closed: int = 0
    path: str = ""


@dataclass
class Stats:
    received_from: dt.date | None
    received_to: dt.date | None
    unit: Unit | None
    today: dt.date
    total: int = 0
    open: int = 0
    overdue: int = 0
    closed: int = 0
    by_kind: list[Row] = field(default_factory=list)
    by_channel: list[Row] = field(default_factory=list)
    by_state: list[Row] = field(default_factory=list)
    by_unit: list[UnitRow] = field(default_factory=list)
    #: Case files: None when the cases app does not answer (not installed).
    cases_total: int | None = None
    cases_by_stage: list[Row] = field(default_factory=list)
    cases_by_outcome: list[Row] = field(default_factory=list)
    #: The year the case counts are limited to (the period's, when it lies within one year), else None.
    cases_year: int | None = None

    def period(self) -> str:
        start = f"{self.received_from:%d/%m/%Y}" if self.received_from else "…"
        end = f"{self.received_to:%d/%m/%Y}" if self.received_to else "…"
        return f"{start} – {end}"

    def tables(self) -> list[tuple[str, str, list[Row]]]:
        """(sheet name, section code, rows) of the one-dimensional tables, in page order."""
        return [
            (SHEET_KIND, "kind", self.by_kind),
            (SHEET_CHANNEL, "channel", self.by_channel),
            (SHEET_STATE, "state", self.by_state),
        ]

    def as_json(self) -> dict[str, Any]:
        def rows(items: list[Row]) -> list[dict[str, Any]]:
            return [{"key": r.key, "label": r.label, "count": r.count, "overdue": r.overdue} for r in items]

        return {
            "received_from": self.received_from.isoformat() if self.received_from else None,
            "received_to": self.received_to.isoformat() if self.received_to else None,
            "unit": self.unit.code if self.unit else None,
            "today": self.today.isoformat(),
            "total": self.total,
            "open": self.open,
            "overdue": self.overdue,
            "closed": self.closed,
            "by_kind": rows(self.by_kind),
            "by_channel": rows(self.by_channel),
            "by_state": rows(self.by_state),
            "by_unit": [
                {"code": u.code, "name": u.name, "count": u.count, "open": u.open, "overdue": u.overdue}
                | {"closed": u.closed}
                for u in self.by_unit
            ],
            "cases": None
            if self.cases_total is None
            else {
                "total": self.cases_total,
                "year": self.cases_year,
                "by_stage": rows(self.cases_by_stage),
                "by_outcome": rows(self.cases_by_outcome),
            },
        }


def _kind_label(key: str) -> str:
    return str(Kind(key).label) if key in Kind.values else _("Not classified yet")


def _rows(choices: Any, counts: dict[str, list[int]], label: Any = None) -> list[Row]:
    """Every choice (zeros too) and then any stored value no choice names."""
    keys = [*choices.values, *sorted(k for k in counts if k not in choices.values)]
    return [
        Row(k, label(k) if label else str(choices(k).label) if k in choices.values else k, *counts.get(k, [0, 0]))
        for k in keys
    ]


def _add(table: dict[str, list[int]], key: str, n: int, late: int) -> None:
    cell = table.setdefault(key, [0, 0])
    cell[0] += n
    cell[1] += late


def petition_stats(
    user: Any,
    *,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    unit: Unit | None = None,
    today: dt.date | None = None,
    with_cases: bool = True,
) -> Stats:
    """The statistics of the petitions `user` may see, received in the period (both ends included), of
    `unit` and the units under it when given."""
    today = today or timezone.localdate()
    qs = selectors.petitions_visible(user).order_by()
    if received_from:
        qs = qs.filter(received_on__gte=received_from)
    if received_to:
        qs = qs.filter(received_on__lte=received_to)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path) if unit.path else qs.filter(unit=unit)
    late_q = Q(deadline__lt=today) & ~Q(state__in=CLOSED_STATES)
    groups = qs.values_list("unit_id", "kind", "channel", "state").annotate(
        n=Count("pk"), late=Count("pk", filter=late_q)
    )
    stats = Stats(received_from, received_to, unit, today)
    kinds: dict[str, list[int]] = {}
    channels: dict[str, list[int]] = {}
    states: dict[str, list[int]] = {}
    units: dict[int, UnitRow] = {}
    per_unit: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # count, open, overdue, closed
    for unit_id, kind, channel, state, n, late in groups:
        closed = state in CLOSED_STATES
        stats.total += n
        stats.overdue += late
        stats.closed += n if closed else 0
        _add(kinds, kind, n, late)
        _add(channels, channel, n, late)
        _add(states, state, n, late)
        cell = per_unit[unit_id]
        cell[0] += n
        cell[1] += 0 if closed else n
        cell[2] += late
        cell[3] += n if closed else 0
    stats.open = stats.total - stats.closed
    stats.by_kind = _rows(Kind, kinds, _kind_label)
    stats.by_channel = _rows(Channel, channels)
    stats.by_state = _rows(State, states)
    for pk, code, name, path in Unit.objects.filter(pk__in=list(per_unit)).values_list("pk", "code", "name", "path"):
        count, open_, late, done = per_unit[pk]
        units[pk] = UnitRow(pk, code, name, count, open_, late, done, path)
    stats.by_unit = sorted(units.values(), key=lambda u: u.path)
    if with_cases:
        _cases(stats, user)
    return stats


def _cases(stats: Stats, user: Any) -> None:
    """Case files by stage and outcome through the cases app's own (policy-filtered) counter."""
    try:
        from sohoa.cases.models import Outcome, Stage
        from sohoa.cases.selectors import case_counts
    except ImportError:  # pragma: no cover — the cases app is part of the product; keep the page if not
        return
    filters: dict[str, Any] = {}
    if stats.unit is not None:
        filters["unit"] = stats.unit.pk
    start, end = stats.received_from, stats.received_to
    if start and end and start.year == end.year:
        filters["year"] = stats.cases_year = start.year
    counts = case_counts(user, **filters)
    stats.cases_total = int(counts["total"])
    stats.cases_by_stage = [
        Row(k, str(Stage(k).label) if k in Stage.values else k, n) for k, n in counts["by_stage"].items()
    ]
    stats.cases_by_outcome = [
        Row(k, str(Outcome(k).label) if k in Outcome.values else k, n) for k, n in counts["by_outcome"].items()
    ]


# ---- chart --------------------------------------------------------------------------------------------


def svg(stats: Stats) -> str:
    """Petitions by state, with the overdue ones beside (pygal SVG, no scripts)."""
    rows = [r for r in stats.by_state if r.count]
    chart = charts.chart(
        "HorizontalBar",
        title=_("Petitions by state"),
        colours=("#1565c0", "#c62828"),
        height=140 + 40 * max(len(rows), 1),
        print_values=True,
    )
    chart.x_labels = [r.label for r in rows]
    chart.add(_("Petitions"), [r.count for r in rows])
    chart.add(_("Overdue"), [r.overdue or None for r in rows])
    return charts.svg(chart)


# ---- exports ------------------------------------------------------------------------------------------


def _headers() -> list[str]:
    return [_("Code"), _("Name"), _("Petitions"), _("Overdue")]


def render_xlsx(stats: Stats) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    summary = book.active
    summary.title = SHEET_SUMMARY
    summary.append([_("Item"), _("Value")])
    summary.append([_("Received from"), stats.received_from])
    summary.append([_("Received to"), stats.received_to])
    summary.append([_("Unit"), f"{stats.unit.code} — {stats.unit.name}" if stats.unit else _("All units in scope")])
    summary.append([_("Counted on"), stats.today])
    summary.append([_("Petitions"), stats.total])
    summary.append([_("Open"), stats.open])
    summary.append([_("Overdue"), stats.overdue])
    summary.append([_("Closed"), stats.closed])
    sheets = [summary]
    for name, _code, rows in stats.tables():
        sheet = book.create_sheet(name)
        sheet.append(_headers())
        for r in rows:
            sheet.append([r.key, r.label, r.count, r.overdue])
        sheet.append(["total", _("Total"), stats.total, stats.overdue])
        sheets.append(sheet)
    by_unit = book.create_sheet(SHEET_UNIT)
    by_unit.append([_("Unit code"), _("Unit"), _("Petitions"), _("Open"), _("Overdue"), _("Closed")])
    for u in stats.by_unit:
        by_unit.append([u.code, u.name, u.count, u.open, u.overdue, u.closed])
    by_unit.append(["total", _("Total"), stats.total, stats.open, stats.overdue, stats.closed])
    sheets.append(by_unit)
    if stats.cases_total is not None:
        cases = book.create_sheet(SHEET_CASES)
        cases.append([_("Table"), _("Code"), _("Name"), _("Case files")])
        for r in stats.cases_by_stage:
            cases.append([_("By stage"), r.key, r.label, r.count])
        for r in stats.cases_by_outcome:
            cases.append([_("By outcome"), r.key, r.label, r.count])
        cases.append(["", "total", _("Total"), stats.cases_total])
        sheets.append(cases)
    for ws in sheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        ws.column_dimensions["A"].width = 22
        ws.column_dimensions["B"].width = 44
        for letter in "CDEF":
            ws.column_dimensions[letter].width = 14
    for row in summary.iter_rows(min_row=2, max_row=5, min_col=2, max_col=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_csv(stats: Stats) -> bytes:
    """One flat table: section, code, name, count, overdue (UTF-8 with BOM: Excel then reads the accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "code", "name", "count", "overdue"])
    writer.writerow(["total", "total", _("Petitions"), stats.total, stats.overdue])
    for _name, code, rows in stats.tables():
        for r in rows:
            writer.writerow([code, r.key, r.label, r.count, r.overdue])
    for u in stats.by_unit:
        writer.writerow(["unit", u.code, u.name, u.count, u.overdue])
    if stats.cases_total is not None:
        for r in stats.cases_by_stage:
            writer.writerow(["case_stage", r.key, r.label, r.count, ""])
        for r in stats.cases_by_outcome:
            writer.writerow(["case_outcome", r.key, r.label, r.count, ""])
    return out.getvalue().encode("utf-8-sig")


def render_json(stats: Stats) -> bytes:
    return json.dumps(stats.as_json(), ensure_ascii=False).encode()


RENDERERS = {"xlsx": render_xlsx, "csv": render_csv, "json": render_json}


@dataclass
class Export:
    content: bytes
    content_type: str
    filename: str


def stats_export(*, actor: Any, stats: Stats, fmt: str) -> Export:
    """Render the statistics in one format and write the audit row ("export") for it."""
    if fmt not in RENDERERS:
        raise ValidationError(_("Unknown format “%(fmt)s”: use %(all)s") % {"fmt": fmt, "all": ", ".join(FORMATS)})
    content = RENDERERS[fmt](stats)
    audit.record(
        "export",
        actor=actor,
        object_type="petitions.stats",
        object_id=str(stats.unit.pk) if stats.unit else "",
        object_repr=f"{stats.unit.code if stats.unit else '*'} {stats.period()}",
        details={
            "format": fmt,
            "from": stats.received_from.isoformat() if stats.received_from else None,
            "to": stats.received_to.isoformat() if stats.received_to else None,
            "total": stats.total,
            "overdue": stats.overdue,
        },
    )
    stamp = f"{stats.received_from or ''}_{stats.received_to or stats.today}".strip("_")
    return Export(content, CONTENT_TYPES[fmt], f"thong-ke-don-thu_{stamp}.{fmt}")
