"""The Vietnamese lunar calendar (UTC+7): Tết, Giỗ Tổ Hùng Vương and leap months on known dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sohoa.workdays import lunar
from sohoa.workdays.lunar import LunarDate

TET = {
    1985: dt.date(1985, 1, 21),  # China (UTC+8) had 20 February: the Vietnamese calendar is not the Chinese one
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
}


@pytest.mark.parametrize(("year", "solar"), TET.items())
def test_tet_falls_on_the_known_day_both_ways(year, solar):  # type: ignore[no-untyped-def]
    assert lunar.new_year(year) == solar
    assert lunar.to_lunar(solar) == LunarDate(year, 1, 1)
    assert lunar.to_lunar(solar - dt.timedelta(days=1)).month == 12  # the last day of the old year


@pytest.mark.parametrize(("year", "solar"), [(2025, dt.date(2025, 4, 7)), (2026, dt.date(2026, 4, 26))])
def test_hung_kings_day_is_10_3_lunar(year, solar):  # type: ignore[no-untyped-def]
    assert lunar.to_solar(year, 3, 10) == solar
    assert lunar.to_lunar(solar) == LunarDate(year, 3, 10)


def test_leap_months_of_2023_and_2025():
    assert lunar.leap_month(2023) == 2
    assert lunar.leap_month(2025) == 6
    assert lunar.leap_month(2024) is None
    assert lunar.to_lunar(dt.date(2023, 3, 22)) == LunarDate(2023, 2, 1, leap=True)
    assert lunar.to_lunar(dt.date(2023, 3, 21)) == LunarDate(2023, 2, 30)
    assert lunar.to_solar(2023, 2, 1, leap=True) == dt.date(2023, 3, 22)
    assert lunar.to_solar(2025, 6, 1, leap=True) == dt.date(2025, 7, 25)
    assert lunar.to_solar(2025, 6, 1) == dt.date(2025, 6, 25)
    assert str(lunar.to_lunar(dt.date(2025, 7, 25))) == "01/06 (nhuận)/2025"


def test_impossible_lunar_dates_are_refused():
    with pytest.raises(ValueError, match="no leap month"):
        lunar.to_solar(2024, 2, 1, leap=True)
    with pytest.raises(ValueError, match="no leap month 3"):
        lunar.to_solar(2023, 3, 1, leap=True)
    short = next(m for m in range(1, 13) if lunar.month_length(2026, m) == 29)
    with pytest.raises(ValueError, match="has 29 days"):
        lunar.to_solar(2026, short, 30)
    with pytest.raises(ValueError):
        lunar.to_solar(2026, 13, 1)
    with pytest.raises(ValueError, match="outside"):
        lunar.to_lunar(dt.date(1700, 1, 1))


@given(st.dates(min_value=dt.date(1801, 1, 1), max_value=dt.date(2199, 11, 30)))
def test_solar_to_lunar_and_back_is_the_same_day(day):  # type: ignore[no-untyped-def]
    ld = lunar.to_lunar(day)
    assert 1 <= ld.day <= lunar.month_length(ld.year, ld.month, ld.leap)
    assert lunar.to_solar(ld.year, ld.month, ld.day, ld.leap) == day
