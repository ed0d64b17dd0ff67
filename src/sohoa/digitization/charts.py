"""The throughput chart: pages per day, one stacked bar segment per operator (pygal SVG, no scripts)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sohoa.core import charts

from .selectors import Throughput

MAX_OPERATORS = 8  # more would be an unreadable rainbow; the rest is one "others" segment


def throughput_svg(data: Throughput) -> str:
    chart = charts.chart(
        "StackedBar", title=_("Pages digitized per day"), x_label_rotation=45, show_minor_x_labels=False
    )
    chart.x_labels = [d.strftime("%d/%m") for d in data.days]
    # About 15 labels whatever the period: every day for a month, every week or so for a year.
    step = max(1, len(data.days) // 15)
    chart.x_labels_major = chart.x_labels[::step]
    shown, rest = data.operators[:MAX_OPERATORS], data.operators[MAX_OPERATORS:]
    for row in shown:
        chart.add(row.name, [row.by_day.get(d, 0) or None for d in data.days])
    if rest:
        chart.add(_("Others"), [sum(r.by_day.get(d, 0) for r in rest) or None for d in data.days])
    return charts.svg(chart)
