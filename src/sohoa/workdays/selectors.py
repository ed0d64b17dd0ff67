"""Reads of the calendar for the pages: one year as the calendar applies it, and one configured day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sohoa.core import policy

from . import calendar
from .models import Holiday


@dataclass(frozen=True)
class YearView:
    year: int
    days: list[calendar.Day]
    configured: bool
    working_days: int


def year_view(user: Any, year: int) -> YearView:
    """The effective days of `year` (the calendar is public to every signed-in user: rule workdays.holiday)."""
    return YearView(
        year=year,
        days=calendar.holidays(year),
        configured=calendar.is_configured(year),
        working_days=calendar.working_days_in(year),
    )


def holiday_get(user: Any, pk: Any) -> Holiday:
    """One configured day, or 404."""
    return policy.get_visible_or_404(user, Holiday.objects.all(), pk=pk)


def this_year() -> int:
    return timezone.localdate().year
