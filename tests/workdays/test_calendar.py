"""The working-day calendar: Labour Code defaults, weekend compensation, the Office's rows replacing the
defaults of their year, and deadline arithmetic counted from the day after (Civil Code art. 147)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sohoa.workdays import calendar, services
from sohoa.workdays.models import Holiday
from tests.factories import UserFactory

D = dt.date


def _off(year: int) -> list[dt.date]:
    return [d.date for d in calendar.holidays(year) if d.is_off]


@pytest.mark.django_db
def test_defaults_2025():
    assert _off(2025) == [
        D(2025, 1, 1),
        D(2025, 1, 28),  # 29 Chạp, the last day of Giáp Thìn
        D(2025, 1, 29),
        D(2025, 1, 30),
        D(2025, 1, 31),
        D(2025, 2, 1),  # mùng 4 on a Saturday …
        D(2025, 2, 3),  # … made up on Monday
        D(2025, 4, 7),  # Giỗ Tổ 10/3
        D(2025, 4, 30),
        D(2025, 5, 1),
        D(2025, 9, 1),
        D(2025, 9, 2),
    ]
    assert all(d.source == calendar.DEFAULT for d in calendar.holidays(2025))
    assert not calendar.is_configured(2025)


@pytest.mark.django_db
def test_defaults_2026_make_up_hung_kings_day_on_sunday():
    assert _off(2026) == [
        D(2026, 1, 1),
        *[D(2026, 2, d) for d in range(16, 21)],  # Mon–Fri: 29 Chạp Ất Tỵ to mùng 4 Bính Ngọ
        D(2026, 4, 26),  # Giỗ Tổ on a Sunday …
        D(2026, 4, 27),  # … made up on Monday
        D(2026, 4, 30),
        D(2026, 5, 1),
        D(2026, 9, 1),
        D(2026, 9, 2),
    ]
    names = {d.date: d.name for d in calendar.holidays(2026)}
    assert names[D(2026, 2, 17)] == "Tết Nguyên đán (mùng 1)"
    assert names[D(2026, 4, 27)].startswith("Nghỉ bù")


@pytest.mark.django_db
def test_defaults_2027_tet_on_a_weekend_gives_two_compensatory_days():
    off = _off(2027)
    assert [d for d in off if d.month == 2] == [D(2027, 2, d) for d in (5, 6, 7, 8, 9, 10, 11)]
    assert D(2027, 5, 3) in off  # 1/5 on a Saturday
    assert D(2027, 4, 16) in off  # Giỗ Tổ
    assert not calendar.is_working_day(D(2027, 2, 11))
    assert calendar.is_working_day(D(2027, 2, 12))


@pytest.mark.django_db
def test_compensation_skips_a_following_holiday():
    """30/4/2028 is a Sunday; 1/5 is itself a holiday, so the day off moves to 2/5."""
    off = _off(2028)
    assert D(2028, 5, 2) in off and D(2028, 1, 3) in off and D(2028, 9, 4) in off


@pytest.mark.django_db
def test_configured_rows_replace_the_defaults_of_their_year_only():
    Holiday.objects.create(date=D(2026, 2, 13), name="Tết (theo thông báo)")
    Holiday.objects.create(date=D(2026, 2, 28), name="Làm bù", kind=Holiday.Kind.MAKE_UP)
    assert calendar.is_configured(2026)
    assert [(d.date, d.kind, d.source) for d in calendar.holidays(2026)] == [
        (D(2026, 2, 13), "off", "configured"),
        (D(2026, 2, 28), "work", "configured"),
    ]
    assert calendar.is_working_day(D(2026, 2, 17))  # the default Tết no longer applies in 2026
    assert not calendar.is_working_day(D(2026, 2, 13))
    assert calendar.is_working_day(D(2026, 2, 28))  # a Saturday worked
    assert not calendar.is_working_day(D(2027, 2, 8))  # 2027 keeps its defaults


@pytest.mark.django_db
def test_the_calendar_sees_every_change_of_the_rows():
    day = D(2026, 9, 3)
    assert calendar.is_working_day(day)
    with CaptureQueriesContext(connection) as queries:
        calendar.is_working_day(day)
    assert len(queries) == 1  # the year is cached; only the change marker is read
    row = Holiday.objects.create(date=day, name="Nghỉ thêm")
    assert not calendar.is_working_day(day)
    row.kind, row.date = Holiday.Kind.MAKE_UP, D(2026, 9, 5)
    row.save()
    assert calendar.is_working_day(day) and calendar.is_working_day(D(2026, 9, 5))
    row.delete()
    assert calendar.is_working_day(day)
    assert not calendar.is_working_day(D(2026, 9, 5))
    assert not calendar.is_working_day(D(2026, 2, 17))  # back to the defaults


@pytest.mark.django_db
def test_seven_working_days_over_tet_2026():
    """Received Thursday 12/2/2026: Fri 13/2 is day 1, Tết and two weekends pass, day 7 is Mon 2/3."""
    assert calendar.add_working_days(D(2026, 2, 12), 7) == D(2026, 3, 2)
    assert calendar.add_working_days(D(2026, 2, 12), 1) == D(2026, 2, 13)
    assert calendar.add_working_days(D(2026, 2, 12), 2) == D(2026, 2, 23)
    assert calendar.working_days_between(D(2026, 2, 12), D(2026, 3, 2)) == 7


@pytest.mark.django_db
def test_counting_starts_the_day_after_and_skips_weekends():
    friday, saturday = D(2026, 3, 6), D(2026, 3, 7)
    assert calendar.add_working_days(friday, 0) == friday
    assert calendar.add_working_days(friday, 1) == D(2026, 3, 9)
    assert calendar.add_working_days(saturday, 1) == D(2026, 3, 9)  # received on a Saturday
    assert calendar.add_working_days(friday, 5) == D(2026, 3, 13)
    assert calendar.add_working_days(friday, 10) == D(2026, 3, 20)
    with pytest.raises(ValueError):
        calendar.add_working_days(friday, -1)


@pytest.mark.django_db
def test_a_make_up_saturday_counts_as_a_working_day():
    """2025 as announced: Saturday 26/4 worked, Friday 2/5 off (the 30/4–1/5 bridge)."""
    office = UserFactory(role="provincial_office")
    services.holiday_create(actor=office, date=D(2025, 4, 26), name="Làm bù cho 2/5", kind="work")
    services.holiday_create(actor=office, date=D(2025, 5, 2), name="Nghỉ (hoán đổi 26/4)")
    assert calendar.add_working_days(D(2025, 4, 25), 1) == D(2025, 4, 26)
    assert calendar.add_working_days(D(2025, 4, 29), 1) == D(2025, 5, 5)
    assert calendar.working_days_between(D(2025, 4, 24), D(2025, 5, 5)) == 5  # 25, 26, 28, 29 and 5/5
    assert not calendar.is_working_day(D(2025, 1, 29))  # the copied defaults still hold Tết


@pytest.mark.django_db
def test_working_days_between_is_the_inverse_of_add_working_days():
    Holiday.objects.create(date=D(2027, 1, 9), name="Làm bù", kind="work")  # configures 2027
    start = D(2026, 12, 20)
    for n in range(0, 60):
        end = calendar.add_working_days(start, n)
        assert calendar.working_days_between(start, end) == n
        assert calendar.working_days_between(end, start) == -n
    assert calendar.working_days_between(start, start) == 0
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 22)) == 0  # Tết and weekends only


@pytest.mark.django_db
def test_calendar_days_end_on_the_next_working_day_when_the_last_is_off():
    assert calendar.add_days(D(2026, 1, 18), 30) == D(2026, 2, 23)  # 17/2 is mùng 1 → Monday after Tết
    assert calendar.add_days(D(2026, 1, 18), 30, roll_forward=False) == D(2026, 2, 17)
    assert calendar.add_days(D(2026, 3, 2), 30) == D(2026, 4, 1)  # a Wednesday: unchanged


@pytest.mark.django_db
def test_working_days_of_a_year():
    # 2026: 261 weekdays, 11 of the 12 default days off fall on weekdays (26/4 is a Sunday).
    assert calendar.working_days_in(2026) == 261 - 11


@pytest.mark.django_db
def test_years_outside_the_lunar_range_are_refused():
    with pytest.raises(ValueError, match="outside"):
        calendar.holidays(1700)
    with pytest.raises(ValueError, match="outside"):
        calendar.is_working_day(D(2300, 1, 2))
