"""Inline SVG charts for every app: pygal, drawn the same way everywhere, with no script in them.

pygal adds a <script> with its tooltip configuration (and would load JavaScript from the Internet);
the pages run no chart JavaScript, and a chart must print and work offline as it is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString, mark_safe

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def chart(kind: str, *, title: str, colours: Sequence[str] = (), **options: Any) -> Any:
    """A pygal chart of `kind` ("Line", "StackedBar", "HorizontalBar" …) 760 px wide, legend below."""
    import pygal  # type: ignore[import-untyped]
    from pygal.style import Style  # type: ignore[import-untyped]

    style = Style(
        background="transparent",
        plot_background="transparent",
        font_family="DejaVu Sans, sans-serif",
        **({"colors": tuple(colours)} if colours else {}),
    )
    settings = {"width": 760, "height": 320, "legend_at_bottom": True, **options}
    return getattr(pygal, kind)(js=[], disable_xml_declaration=True, style=style, title=title, **settings)


def svg(drawn: Any) -> SafeString:
    """The chart as inline SVG markup, without its script, safe to put in a page as it is (pygal
    escapes every label and value it draws)."""
    return mark_safe(_SCRIPT.sub("", str(drawn.render(is_unicode=True))))  # noqa: S308
