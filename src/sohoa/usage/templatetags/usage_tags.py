"""Template helpers of the usage app: the share/cite/request buttons on detail pages and number formats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from sohoa.archive.models import Document, RegisterEntry
from sohoa.reports.formatting import integer
from sohoa.reports.formatting import pct as pct_text

from .. import selectors

register = template.Library()


@register.inclusion_tag("usage/_actions.html", takes_context=True)
def usage_actions(context: Any, obj: Any) -> dict[str, Any]:
    """Buttons for the counted acts on a document or register entry page; nothing for other objects."""
    user = context["request"].user
    if isinstance(obj, Document):
        return {"document": obj, "counts": selectors.use_counts(user, obj)}
    if isinstance(obj, RegisterEntry):
        return {"entry": obj}
    return {}


@register.filter
def num(value: Any) -> str:
    """A count or an amount grouped by thousands in the active language; a dash for nothing."""
    if value is None or value == "":
        return "—"
    return integer(int(Decimal(str(value)).to_integral_value()))


@register.filter
def pct(value: Any) -> str:
    return pct_text(None if value is None else float(value))
