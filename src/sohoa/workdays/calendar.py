"""The legal working-day calendar: which days count, and deadlines in working or calendar days.

A working day is Monday–Friday (the 40-hour week of state and Party bodies, Decision 188/1999/QĐ-TTg)
that is not a day off, plus any Saturday or Sunday the Office marked as a make-up working day.
Days off come from the Office's Holiday rows for that year; a year without rows follows the Labour Code
2019 art. 112 (see `default_days`). Configured rows replace the defaults of their year as a whole,
because the government's announcement moves and adds days (decision 0029).

Counting follows the Civil Code 2015 art. 147–148 ("kể từ ngày"): the day of the event is not counted,
so `add_working_days(d, 1)` is the first working day after d; a period in calendar days that ends on a
day off ends on the next working day.

Each year is computed once per process and kept until a Holiday row changes anywhere; the change is
seen through a one-row query (row count and last `updated_at`), so other processes (the task worker)
never use a stale calendar.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Max

from . import lunar

OFF = "off"
WORK = "work"
DEFAULT = "default"
CONFIGURED = "configured"
#: Years a calendar can be computed for (the lunar conversion's range).
MIN_YEAR, MAX_YEAR = lunar.MIN_YEAR + 1, lunar.MAX_YEAR
_WEEKEND = (5, 6)  # Saturday, Sunday
_ONE = dt.timedelta(days=1)


@dataclass(frozen=True)
class Day:
    """One day that differs from the ordinary week, as the calendar applies it."""

    date: dt.date
    name: str
    kind: str  # OFF or WORK
    source: str  # DEFAULT or CONFIGURED
    note: str = ""
    pk: int | None = None  # the Holiday row, for configured days

    @property
    def is_off(self) -> bool:
        return self.kind == OFF

    @property
    def lunar(self) -> lunar.LunarDate:
        """Its lunar date, shown next to it: Tết and Giỗ Tổ are announced by the lunar calendar."""
        return lunar.to_lunar(self.date)


@dataclass(frozen=True)
class _Year:
    days: tuple[Day, ...]
    off: frozenset[dt.date]
    work: frozenset[dt.date]
    configured: bool


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")


def default_days(year: int) -> list[Day]:
    """The Labour Code 2019 art. 112 holidays of `year`, with compensatory days for those on a weekend.

    Tết's five days are the last day of the old lunar year and mùng 1–4 (the law leaves the split to
    the yearly announcement; this is the usual one). Quốc khánh's second day is 1/9 (the day before
    2/9). Names are the legal Vietnamese names: they are data, like the Office's own rows.
    """
    _check_year(year)
    tet = lunar.new_year(year)
    fixed = [
        (dt.date(year, 1, 1), "Tết Dương lịch"),
        (tet - _ONE, "Tết Nguyên đán (ngày cuối năm âm lịch)"),
        *((tet + dt.timedelta(days=i), f"Tết Nguyên đán (mùng {i + 1})") for i in range(4)),
        (lunar.to_solar(year, 3, 10), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
        (dt.date(year, 4, 30), "Ngày Chiến thắng (30/4)"),
        (dt.date(year, 5, 1), "Ngày Quốc tế Lao động (1/5)"),
        (dt.date(year, 9, 1), "Quốc khánh (ngày liền kề)"),
        (dt.date(year, 9, 2), "Quốc khánh (2/9)"),
    ]
    days = [Day(d, name, OFF, DEFAULT) for d, name in sorted(fixed)]
    taken = {d.date for d in days}
    # Labour Code art. 111(3): a holiday on a weekly rest day is made up on the next working day(s).
    for day in list(days):
        if day.date.weekday() in _WEEKEND:
            comp = day.date + _ONE
            while comp.weekday() in _WEEKEND or comp in taken:
                comp += _ONE
            taken.add(comp)
            days.append(Day(comp, f"Nghỉ bù cho {day.name} ngày {day.date:%d/%m}", OFF, DEFAULT))
    return sorted(days, key=lambda d: d.date)


def _load(year: int) -> _Year:
    from .models import Holiday

    rows = Holiday.objects.filter(date__year=year).order_by("date")
    days = [Day(r.date, r.name, r.kind, CONFIGURED, r.note, r.pk) for r in rows]
    configured = bool(days)
    if not configured:
        days = default_days(year)
    return _Year(
        days=tuple(days),
        off=frozenset(d.date for d in days if d.kind == OFF),
        work=frozenset(d.date for d in days if d.kind == WORK),
        configured=configured,
    )


class _Cache:
    """Years computed in this process, valid while the Holiday table's marker is unchanged."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.marker: tuple[object, ...] | None = None
        self.years: dict[int, _Year] = {}

    def current(self) -> _Calendar:
        from .models import Holiday

        marker = tuple(Holiday.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values())
        with self.lock:
            if marker != self.marker:
                self.marker, self.years = marker, {}
            return _Calendar(self.years)


class _Calendar:
    """One consistent view for one call: years load lazily into the shared dict of the marker."""

    def __init__(self, years: dict[int, _Year]) -> None:
        self.years = years

    def year(self, year: int) -> _Year:
        found = self.years.get(year)
        if found is None:
            _check_year(year)
            found = self.years[year] = _load(year)
        return found

    def is_working_day(self, d: dt.date) -> bool:
        y = self.year(d.year)
        if d in y.off:
            return False
        return d.weekday() not in _WEEKEND or d in y.work


_cache = _Cache()


def holidays(year: int) -> list[Day]:
    """The days of `year` that differ from the ordinary week — configured rows, or else the defaults."""
    return list(_cache.current().year(year).days)


def is_configured(year: int) -> bool:
    """Whether the Office entered `year` (its rows apply) or it follows the Labour Code defaults."""
    return _cache.current().year(year).configured


def is_working_day(d: dt.date) -> bool:
    return _cache.current().is_working_day(d)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start itself never counts, working day or not); n=0 is start.

    "Within 7 working days from receipt on d" ends at the end of add_working_days(d, 7).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    cal = _cache.current()
    d = start
    while n:
        d += _ONE
        if cal.is_working_day(d):
            n -= 1
    return d


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days after a up to and including b (negative when b is before a).

    The inverse of add_working_days: working_days_between(a, add_working_days(a, n)) == n, so "days
    left" for a deadline is working_days_between(today, deadline).
    """
    if b < a:
        return -working_days_between(b, a)
    cal = _cache.current()
    return sum(1 for d in _dates(a + _ONE, b) if cal.is_working_day(d))


def add_days(start: dt.date, n: int, *, roll_forward: bool = True) -> dt.date:
    """`start` plus n calendar days (for "30 days" periods); a period ending on a day off ends on the
    next working day (Civil Code 2015 art. 148), unless `roll_forward` is False."""
    end = start + dt.timedelta(days=n)
    if roll_forward:
        cal = _cache.current()
        while not cal.is_working_day(end):
            end += _ONE
    return end


def working_days_in(year: int) -> int:
    """How many working days `year` has (shown on the Office's page as a check)."""
    return working_days_between(dt.date(year - 1, 12, 31), dt.date(year, 12, 31))


def _dates(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    d = first
    while d <= last:
        yield d
        d += _ONE
