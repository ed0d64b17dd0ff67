"""Forecast arithmetic (by hand) and the plan's burn-down from the digital copies' dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sohoa.planning.forecast import Outlook, forecast
from sohoa.planning.models import Candidate, Plan
from sohoa.planning.selectors import plan_forecast

from .factories import digitize

TODAY = dt.date(2025, 6, 30)


def _days_ago(*days: int) -> list[dt.date]:
    return [TODAY - dt.timedelta(days=d) for d in days]


def test_throughput_forecast_and_outlook_by_hand():
    # 10 documents; 4 digitized, 3 of them in the last 14 days → 3/14 per day; 6 left → 28 days.
    fc = forecast(total=10, done_dates=_days_ago(1, 1, 5, 20), today=TODAY, deadline=dt.date(2025, 8, 31), window=14)
    assert (fc.done, fc.remaining) == (4, 6)
    assert fc.throughput == pytest.approx(3 / 14)
    assert fc.finish == TODAY + dt.timedelta(days=28)
    assert fc.outlook == Outlook.ON_TRACK and fc.days_late == 0


def test_a_forecast_after_the_deadline_is_at_risk_and_says_how_late():
    fc = forecast(total=10, done_dates=_days_ago(1, 1, 5, 20), today=TODAY, deadline=dt.date(2025, 7, 20), window=14)
    assert fc.outlook == Outlook.AT_RISK and fc.days_late == 8  # 28 July vs 20 July


def test_no_recent_work_means_no_finish_date_and_at_risk():
    fc = forecast(total=5, done_dates=_days_ago(30), today=TODAY, deadline=dt.date(2026, 1, 1), window=14)
    assert fc.finish is None and fc.throughput == 0 and fc.outlook == Outlook.AT_RISK


def test_everything_done_is_done_on_the_last_day():
    fc = forecast(total=2, done_dates=_days_ago(3, 2), today=TODAY, deadline=dt.date(2025, 1, 1))
    assert fc.outlook == Outlook.DONE and fc.finish == TODAY - dt.timedelta(days=2) and fc.remaining == 0


def test_the_burndown_counts_down_day_by_day_from_the_start():
    fc = forecast(total=4, done_dates=_days_ago(2, 2, 0), today=TODAY, deadline=None, start=TODAY - dt.timedelta(3))
    assert fc.burndown == [
        (TODAY - dt.timedelta(3), 4),
        (TODAY - dt.timedelta(2), 2),
        (TODAY - dt.timedelta(1), 2),
        (TODAY, 1),
    ]


@pytest.mark.django_db
def test_the_plan_forecast_reads_digital_copies_and_flags_units_at_risk(approved, entries, province):
    now = timezone.now()
    for name, days in (("k21", 1), ("k22", 2), ("k23", 3)):
        digitize(entries[name], at=now - dt.timedelta(days=days))
    Plan.objects.filter(pk=approved.pk).update(deadline=timezone.localdate() + dt.timedelta(days=30))
    approved.refresh_from_db()
    outlook = plan_forecast(approved, window=14)
    assert (outlook.overall.total, outlook.overall.done) == (8, 3)
    by_unit = {row.unit.code: row.forecast for row in outlook.units}
    assert (by_unit["H12.UBKTTU"].total, by_unit["H12.UBKTTU"].done) == (6, 3)
    assert by_unit["H12.UBKTTU"].outlook == Outlook.ON_TRACK  # 3 left at 3/14 a day: 14 days
    assert by_unit["H12.UBND"].outlook == Outlook.AT_RISK  # nothing digitized there
    assert outlook.units[0].unit.code == "H12.UBND"  # units at risk first
    # Excluded candidates do not count.
    Candidate.objects.filter(plan=approved, entry=entries["n23b"]).update(status="excluded")
    assert plan_forecast(approved).overall.total == 7


@pytest.mark.django_db
def test_the_plan_page_shows_the_forecast_and_a_script_free_burndown(client, approved, entries, leader):
    digitize(entries["k21"], at=timezone.now() - dt.timedelta(days=1))
    client.force_login(leader)
    html = client.get(reverse("plan_detail", args=[approved.pk])).content.decode()
    chart = html[html.index('<figure class="chart">') : html.index("</figure>")]
    assert "<svg" in chart and "<script" not in chart
    assert 'id="forecast" class="outlook-' in html
    assert 'class="at-risk"' in html  # UBND has nothing digitized
