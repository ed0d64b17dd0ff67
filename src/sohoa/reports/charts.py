"""The progress chart: SVG (pygal) for the web page, PNG (Pillow) for DOCX and PDF.

Both draw the same thing — per series, the paper total and the digitized part. The PNG is drawn with
Pillow rather than converted from the SVG, because conversion (cairosvg) needs the native cairo library.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sohoa.core import charts

from .formatting import fraction
from .models import Series
from .selectors import Count, Progress

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
TOTAL_COLOUR = "#b0bec5"
DONE_COLOUR = "#1565c0"


def _label(series: str) -> str:
    return str(Series(series).label)


def svg(progress: Progress) -> str:
    """An inline SVG without scripts (pygal's tooltips load JavaScript from the Internet otherwise)."""
    chart = charts.chart(
        "HorizontalBar",
        title=_("Digitization progress"),
        colours=(TOTAL_COLOUR, DONE_COLOUR),
        height=120 + 60 * len(progress.series),
        print_values=True,
    )
    chart.x_labels = [_label(name) for name, _count in progress.series]
    chart.add(_("Total"), [count.total for _name, count in progress.series])
    chart.add(pgettext("digitization state", "Digitized"), [count.digitized for _name, count in progress.series])
    return charts.svg(chart)


def _font(size: int, bold: bool = False):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:  # no DejaVu installed: Pillow's own font still draws the numbers
        return ImageFont.load_default(size)


def png(progress: Progress, *, width: int = 1600) -> bytes:
    """Horizontal bars drawn at print resolution: grey = total, blue = digitized, with the numbers."""
    from PIL import Image, ImageDraw

    rows: list[tuple[str, Count]] = [(_label(n), c) for n, c in progress.series]
    bar_h, gap, top, label_w = 56, 40, 110, 520
    height = top + len(rows) * (bar_h + gap) + 90
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 30), _("Digitization progress"), fill="black", font=_font(40, bold=True))
    biggest = max([c.total for _l, c in rows] + [1])
    span = width - label_w - 260
    text_font, small = _font(30), _font(26)
    for i, (label, count) in enumerate(rows):
        y = top + i * (bar_h + gap)
        draw.text((40, y + 10), label, fill="black", font=text_font)
        total_w = int(span * count.total / biggest)
        done_w = int(span * count.digitized / biggest)
        draw.rectangle((label_w, y, label_w + max(total_w, 1), y + bar_h), fill=TOTAL_COLOUR)
        if done_w:
            draw.rectangle((label_w, y, label_w + done_w, y + bar_h), fill=DONE_COLOUR)
        draw.text((label_w + total_w + 16, y + 12), fraction(count), fill="black", font=small)
    legend_y = height - 60
    draw.rectangle((label_w, legend_y, label_w + 36, legend_y + 30), fill=TOTAL_COLOUR)
    draw.text((label_w + 48, legend_y), _("Total"), fill="black", font=small)
    draw.rectangle((label_w + 300, legend_y, label_w + 336, legend_y + 30), fill=DONE_COLOUR)
    draw.text((label_w + 348, legend_y), pgettext("digitization state", "Digitized"), fill="black", font=small)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def units_svg(rows: list[tuple[str, Count]], *, title: str) -> str:
    """Percent digitized per unit as horizontal bars on a 0–100 scale.

    Drawn directly (a few rects per unit) rather than with pygal: with a province's units pygal took
    longer than the whole count (benchmarks/progress_bench.py); the output is the same kind of inline,
    script-free SVG, labels escaped.
    """
    from django.utils.html import escape

    from .formatting import pct

    row_h, top, label_w, bar_w = 24, 40, 220, 440
    height = top + row_h * len(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 760 {height}" width="760" '
        f'height="{height}" font-family="DejaVu Sans, sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        f'<text x="380" y="22" text-anchor="middle" font-size="16">{escape(title)}</text>',
    ]
    for i, (label, count) in enumerate(rows):
        y = top + i * row_h
        share = (count.percent or 0) / 100
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}" fill="{TOTAL_COLOUR}"/>')
        if share:
            width = max(1, round(bar_w * share))
            parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{width}" height="{row_h - 6}" fill="{DONE_COLOUR}"/>')
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 16}">{escape(pct(count.percent))} %</text>')
    parts.append("</svg>")
    return "".join(parts)
