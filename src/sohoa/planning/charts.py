"""The burn-down of a plan as an inline SVG (pygal), drawn like the progress chart of the reports app:
no scripts, no links to the Internet, printable as it is."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sohoa.core import charts

from .forecast import Forecast

REMAINING_COLOUR = "#1565c0"
IDEAL_COLOUR = "#b0bec5"
#: At most this many points on the x axis; longer plans are sampled (the last day is always kept).
MAX_POINTS = 60


def burndown_svg(fc: Forecast) -> str:
    points = fc.burndown
    if len(points) > MAX_POINTS:
        step = -(-len(points) // MAX_POINTS)
        points = points[::step] if points[::step][-1] == points[-1] else [*points[::step], points[-1]]
    chart = charts.chart(
        "Line",
        title=_("Burn-down: documents remaining"),
        colours=(REMAINING_COLOUR, IDEAL_COLOUR),
        show_dots=len(points) <= 31,
        x_label_rotation=30,
        show_minor_x_labels=False,
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
    return charts.svg(chart)
