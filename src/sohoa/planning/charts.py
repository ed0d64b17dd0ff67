"""The burn-down of a plan as an inline SVG (pygal), drawn like the progress chart of the reports app:
no scripts, no links to the Internet, printable as it is."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .forecast import Forecast

REMAINING_COLOUR = "#1565c0"
IDEAL_COLOUR = "#b0bec5"
#: At most this many points on the x axis; longer plans are sampled (the last day is always kept).
MAX_POINTS = 60


def burndown_svg(fc: Forecast) -> str:
    import pygal  # type: ignore[import-untyped]
    from pygal.style import Style  # type: ignore[import-untyped]

    points = fc.burndown
    if len(points) > MAX_POINTS:
        step = -(-len(points) // MAX_POINTS)
        points = points[::step] if points[::step][-1] == points[-1] else [*points[::step], points[-1]]
    style = Style(
        background="transparent",
        plot_background="transparent",
        colors=(REMAINING_COLOUR, IDEAL_COLOUR),
        font_family="DejaVu Sans, sans-serif",
    )
    chart = pygal.Line(
        js=[],
        disable_xml_declaration=True,
        style=style,
        width=760,
        height=320,
        legend_at_bottom=True,
        show_dots=len(points) <= 31,
        x_label_rotation=30,
        show_minor_x_labels=False,
        title=_("Burn-down: documents remaining"),
    )
    chart.x_labels = [d.strftime("%d/%m") for d, _n in points]
    chart.x_labels_major = chart.x_labels[:: max(len(points) // 8, 1)]
    chart.add(_("Remaining"), [n for _d, n in points])
    if fc.deadline is not None and points:
        # The straight line from the start to zero on the deadline: where the plan should be.
        first = points[0][0]
        span = max((fc.deadline - first).days, 1)
        chart.add(
            _("Needed to meet the deadline"), [max(fc.total * (1 - (d - first).days / span), 0) for d, _n in points]
        )
    return re.sub(r"<script\b.*?</script>", "", str(chart.render(is_unicode=True)), flags=re.S)
