"""The throughput chart: pages per day, one stacked bar segment per operator (pygal SVG, no scripts)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .selectors import Throughput

MAX_OPERATORS = 8  # more would be an unreadable rainbow; the rest is one "others" segment


def throughput_svg(data: Throughput) -> str:
    import pygal  # type: ignore[import-untyped]
    from pygal.style import Style  # type: ignore[import-untyped]

    style = Style(background="transparent", plot_background="transparent", font_family="DejaVu Sans, sans-serif")
    chart = pygal.StackedBar(
        js=[],
        disable_xml_declaration=True,
        style=style,
        width=760,
        height=320,
        legend_at_bottom=True,
        x_label_rotation=45,
        show_minor_x_labels=False,
        title=_("Pages digitized per day"),
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
    # pygal always adds a <script> with its tooltip config; the page runs no chart JavaScript.
    return re.sub(r"<script\b.*?</script>", "", str(chart.render(is_unicode=True)), flags=re.S)
