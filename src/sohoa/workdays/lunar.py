"""The Vietnamese lunisolar calendar (âm lịch): solar ↔ lunar dates, for Tết and the Hùng Kings' day.

Months begin on the day of the astronomical new moon and month 11 holds the winter solstice; a year
with 13 months repeats (as a leap month) the first month that holds no major solar term. This is the
algorithm commonly used for the Vietnamese calendar (Hồ Ngọc Đức, "Âm lịch Việt Nam"), with new moons
after Meeus and solar longitudes to about 0.01°. Everything is reckoned at UTC+7 — the official
calendar since 1968 — and not at China's UTC+8: a new moon near midnight falls on different days, so
Tết 1985 was 21 January in Vietnam and 20 January in China. Pure arithmetic, no database.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

#: Hours east of Greenwich of the Vietnamese calendar.
TIME_ZONE = 7.0
#: Years the approximations are good for (the new-moon series drifts outside, and nobody needs them).
MIN_YEAR, MAX_YEAR = 1800, 2199
#: Julian day number = proleptic Gregorian ordinal + this.
_JDN_OFFSET = 1721425
_SYNODIC_MONTH = 29.530588853
#: Julian day number of the new moon of 1900-01-01 (k = 0 of the series below).
_EPOCH = 2415021.076998695


@dataclass(frozen=True, order=True)
class LunarDate:
    """A day of the lunar calendar; `leap` marks the repeated (nhuận) month."""

    year: int
    month: int
    day: int
    leap: bool = False

    def __str__(self) -> str:
        return f"{self.day:02d}/{self.month:02d}{' (nhuận)' if self.leap else ''}/{self.year}"


def _jdn(d: dt.date) -> int:
    return d.toordinal() + _JDN_OFFSET


def _date(jdn: int) -> dt.date:
    return dt.date.fromordinal(jdn - _JDN_OFFSET)


def _new_moon(k: int) -> float:
    """Julian date (UT) of the k-th new moon after 1900-01-01 (Meeus, Astronomical Algorithms, ch. 49)."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # Sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # Moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # Moon's argument of latitude
    c1 = (
        (0.1734 - 0.000393 * t) * math.sin(m * dr)
        + 0.0021 * math.sin(2 * m * dr)
        - 0.4068 * math.sin(mpr * dr)
        + 0.0161 * math.sin(2 * mpr * dr)
        - 0.0004 * math.sin(3 * mpr * dr)
        + 0.0104 * math.sin(2 * f * dr)
        - 0.0051 * math.sin((m + mpr) * dr)
        - 0.0074 * math.sin((m - mpr) * dr)
        + 0.0004 * math.sin((2 * f + m) * dr)
        - 0.0004 * math.sin((2 * f - m) * dr)
        - 0.0006 * math.sin((2 * f + mpr) * dr)
        + 0.0010 * math.sin((2 * f - mpr) * dr)
        + 0.0005 * math.sin((2 * mpr + m) * dr)
    )
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta_t


@lru_cache(maxsize=4096)
def _new_moon_day(k: int) -> int:
    """Julian day number of the local (UTC+7) civil day holding the k-th new moon."""
    return math.floor(_new_moon(k) + 0.5 + TIME_ZONE / 24)


def _sun_longitude(jd: float) -> float:
    """The Sun's apparent longitude in radians [0, 2π) at Julian date `jd` (UT)."""
    t = (jd - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    lon = (l0 + dl) * dr
    return lon - 2 * math.pi * math.floor(lon / (2 * math.pi))


def _major_term(day: int) -> int:
    """Which of the 12 major solar terms (30° sectors, 0 = vernal equinox) holds the start of local day `day`."""
    return math.floor(_sun_longitude(day - 0.5 - TIME_ZONE / 24) / math.pi * 6)


@lru_cache(maxsize=512)
def _month11(year: int) -> int:
    """Julian day number of the first day of lunar month 11 (the one with the winter solstice) in `year`."""
    off = _jdn(dt.date(year, 12, 31)) - 2415021
    k = math.floor(off / _SYNODIC_MONTH)
    day = _new_moon_day(k)
    if _major_term(day) >= 9:  # the Sun is already past 270°: the solstice month began a moon earlier
        day = _new_moon_day(k - 1)
    return day


def _leap_offset(a11: int) -> int:
    """Months after month 11 (starting at `a11`) of the first month without a major term: the leap month."""
    k = math.floor((a11 - _EPOCH) / _SYNODIC_MONTH + 0.5)
    i = 1
    arc = _major_term(_new_moon_day(k + i))
    while True:
        last = arc
        i += 1
        arc = _major_term(_new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")


def to_lunar(d: dt.date) -> LunarDate:
    """The lunar date of solar date `d`."""
    _check_year(d.year)
    day = _jdn(d)
    k = math.floor((day - _EPOCH) / _SYNODIC_MONTH)
    # The mean month is only an estimate (true new moons wander ±14 h): step to the month holding `day`.
    while _new_moon_day(k) > day:
        k -= 1
    while _new_moon_day(k + 1) <= day:
        k += 1
    month_start = _new_moon_day(k)
    a11 = b11 = _month11(d.year)
    if a11 >= month_start:
        year = d.year
        a11 = _month11(d.year - 1)
    else:
        year = d.year + 1
        b11 = _month11(d.year + 1)
    diff = math.floor((month_start - a11) / 29)
    leap = False
    month = diff + 11
    if b11 - a11 > 365:  # 13 new moons between the two solstice months: one of them is the leap month
        leap_diff = _leap_offset(a11)
        if diff >= leap_diff:
            month = diff + 10
            leap = diff == leap_diff
    if month > 12:
        month -= 12
    if month >= 11 and diff < 4:
        year -= 1
    return LunarDate(year, month, day - month_start + 1, leap)


def _month_start(year: int, month: int, leap: bool) -> int:
    """Julian day number of day 1 of lunar `month` (the leap one if `leap`) of lunar `year`."""
    if not 1 <= month <= 12:
        raise ValueError(f"lunar month {month} does not exist")
    if month < 11:
        a11, b11 = _month11(year - 1), _month11(year)
    else:
        a11, b11 = _month11(year), _month11(year + 1)
    k = math.floor(0.5 + (a11 - _EPOCH) / _SYNODIC_MONTH)
    off = (month - 11) % 12
    if b11 - a11 > 365:
        leap_off = _leap_offset(a11)
        leap_month = (leap_off - 2) % 12
        if leap and month != leap_month:
            raise ValueError(f"lunar year {year} has no leap month {month}")
        if leap or off >= leap_off:
            off += 1
    elif leap:
        raise ValueError(f"lunar year {year} has no leap month")
    return _new_moon_day(k + off)


def to_solar(year: int, month: int, day: int, leap: bool = False) -> dt.date:
    """The solar date of lunar day/month/year; ValueError when that lunar day does not exist."""
    _check_year(year)
    start = _month_start(year, month, leap)
    length = month_length(year, month, leap)
    if not 1 <= day <= length:
        raise ValueError(f"lunar month {month}/{year} has {length} days, not {day}")
    return _date(start + day - 1)


def month_length(year: int, month: int, leap: bool = False) -> int:
    """29 or 30: the days from this month's new moon to the next."""
    start = _month_start(year, month, leap)
    k = math.floor(0.5 + (start - _EPOCH) / _SYNODIC_MONTH)
    while _new_moon_day(k) <= start:
        k += 1
    return _new_moon_day(k) - start


def leap_month(year: int) -> int | None:
    """The month lunar `year` repeats, or None in a 12-month year."""
    _check_year(year)
    for month in range(1, 13):
        try:
            _month_start(year, month, True)
        except ValueError:
            continue
        return month
    return None


def new_year(year: int) -> dt.date:
    """Mùng 1 Tết of lunar `year` (the lunar year that mostly overlaps solar `year`)."""
    return to_solar(year, 1, 1)
