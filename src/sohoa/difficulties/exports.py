"""The aggregate for the Standing Committee: an SVG chart for the page and an XLSX workbook.

Same conventions as `sohoa.reports.exports`: fixed Vietnamese sheet names (the Office's templates expect
them), translatable headers, bold header row, frozen first row.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sohoa.core import charts

from .models import Category, Difficulty, Status
from .selectors import Summary

SHEET_BY_CATEGORY = "Theo lĩnh vực"
SHEET_BY_UNIT = "Theo đơn vị"
SHEET_LIST = "Danh sách"
STATUS_COLOURS = {"open": "#c62828", "in_progress": "#ef6c00", "resolved": "#2e7d32", "rejected": "#757575"}


def _category(value: str) -> str:
    return str(Category(value).label)


def svg(summary: Summary) -> str:
    """Reports per category, stacked by status; no scripts (pygal's tooltips would load JavaScript)."""
    statuses = [s for s in Status if s.value in summary.statuses]
    categories = summary.categories
    chart = charts.chart(
        "HorizontalStackedBar",
        title=_("Difficulties and proposals by category"),
        colours=[STATUS_COLOURS[s.value] for s in statuses],
        height=140 + 50 * max(len(categories), 1),
        print_values=True,
    )
    chart.x_labels = [_category(c) for c in categories]
    for status in statuses:
        chart.add(str(status.label), [summary.by_status.get((c, status.value), 0) or None for c in categories])
    return charts.svg(chart)


def render_xlsx(summary: Summary, items: list[Difficulty]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    by_category = book.active
    by_category.title = SHEET_BY_CATEGORY
    by_category.append(
        [_("Category code"), _("Category"), pgettext("difficulty count", "Reports"), _("Quantity needed")]
    )
    for code in summary.categories:
        cell = summary.by_category[code]
        by_category.append([code, _category(code), cell.reports, cell.quantity])
    by_category.append(["total", _("All categories"), summary.total.reports, summary.total.quantity])

    by_unit = book.create_sheet(SHEET_BY_UNIT)
    header: list[Any] = [_("Unit code"), _("Unit")]
    for code in summary.categories:
        header += [f"{_category(code)} — " + _("reports"), f"{_category(code)} — " + _("quantity")]
    by_unit.append([*header, pgettext("difficulty count", "Reports"), _("Quantity needed")])
    for unit, cells, total in summary.unit_rows():
        row: list[Any] = [unit.code, unit.name]
        for cell in cells:
            row += [cell.reports, cell.quantity]
        by_unit.append([*row, total.reports, total.quantity])

    listing = book.create_sheet(SHEET_LIST)
    listing.append(
        [_("Unit code"), _("Unit"), _("Category"), _("Quantity needed"), _("Title"), _("Description and proposal")]
        + [_("Status"), _("Filed at"), _("Filed by")]
    )
    for d in items:
        listing.append(
            [d.unit.code, d.unit.name, _category(d.category), d.quantity, d.title, d.description]
            + [
                str(Status(d.status).label),
                d.created_at.strftime("%Y-%m-%d"),
                d.filed_by.username if d.filed_by else "",
            ]
        )
    for ws in (by_category, by_unit, listing):
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
    for letter, width in zip("ABCD", (16, 40, 12, 16), strict=True):
        by_category.column_dimensions[letter].width = width
    by_unit.column_dimensions["A"].width, by_unit.column_dimensions["B"].width = 16, 36
    for letter, width in zip("ABCDEFGHI", (16, 30, 26, 12, 36, 60, 14, 12, 16), strict=True):
        listing.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
