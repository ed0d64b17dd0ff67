"""Numbers and dates as the report's reader writes them (vi: 5.914 / 9.396 (62,9 %); en: 5,914 / 9,396 (62.9 %))."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.formats import get_format

from sohoa.registry.models import Unit

from .selectors import Count

_PLACE_PREFIXES = ("Tỉnh ủy ", "Tỉnh uỷ ", "Thành ủy ", "Thành uỷ ", "Đảng bộ tỉnh ", "Tỉnh ", "Thành phố ")


def integer(value: int) -> str:
    """Grouped by thousands with the active language's separator (Django's vi format does not group)."""
    text = f"{value:,}"
    return text.replace(",", str(get_format("THOUSAND_SEPARATOR")))


def pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", str(get_format("DECIMAL_SEPARATOR")))


def fraction(count: Count) -> str:
    """“5.914 / 9.396 (62,9 %)”."""
    return f"{integer(count.digitized)} / {integer(count.total)} ({pct(count.percent)} %)"


def vietnamese_date(day: dt.date) -> str:
    """“ngày 05 tháng 01 năm 2020”: leading zero for days below 10 and for months 1 and 2 (Decree 30)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_name(unit: Unit) -> str:
    """The place on the date line: SOHOA_REPORT_PLACE, else the province's name without “Tỉnh …”."""
    configured = getattr(settings, "REPORT_PLACE", "")
    if configured:
        return str(configured)
    root_id = unit.path.strip("/").split("/")[0] if unit.path else unit.pk
    name = Unit.objects.filter(pk=root_id).values_list("name", flat=True).first() or unit.name
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name
