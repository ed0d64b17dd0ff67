"""The dashboard: the province at a glance, units at risk, SVG charts, counts within the user's scope."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from sohoa.core.models import Role
from sohoa.reports import selectors
from tests.factories import RegisterEntryFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(province, digitized):  # type: ignore[no-untyped-def]
    """UBKT 8 of 10 digitized, its sub-unit P1 0 of 4, UBND 1 of 6, another province 5 of 5."""
    p1 = UnitFactory(code="H12.UBKTTU.P1", name="Phòng nghiệp vụ 1", parent=province["ubkt"])
    for unit, total, done in (
        (province["ubkt"], 10, 8),
        (p1, 4, 0),
        (province["ubnd"], 6, 1),
        (province["other"], 5, 5),
    ):
        for n in range(total):
            entry = RegisterEntryFactory(unit=unit, year=2023, entry_number=n + 1)
            if n < done:
                digitized(entry)
    return {**province, "p1": p1}


def test_units_at_risk_are_ranked_by_share_then_by_paper_left(board):
    result = selectors.dashboard(None, unit=board["root"], year_from=2020, year_to=2025)
    assert [(r.unit.code, r.count.digitized, r.count.total) for r in result.at_risk] == [
        ("H12.UBKTTU.P1", 0, 4),
        ("H12.UBND", 1, 6),
        ("H12.UBKTTU", 8, 10),
    ]
    assert (result.not_started, result.units_with_paper) == (1, 3)
    assert result.progress.totals.total == 20 and result.progress.totals.digitized == 9


def test_the_office_sees_the_province_with_bars_at_risk_and_charts(client, board, make_user):
    client.force_login(make_user(board["tu"], role=Role.PROVINCIAL_OFFICE))
    response = client.get(reverse("report_dashboard"), {"from": 2020, "to": 2025})
    assert response.status_code == 200
    html = response.content.decode()
    assert "9 / 20 (45,0 %)" in html  # the province (the top of the office's scope), Vietnamese format
    units = html[html.index('id="dashboard-units"') :]
    assert "H12.TU" in units and "8 / 14 (57,1 %)" in units and "1 / 6 (16,7 %)" in units
    assert 'value="57.1"' in units  # meter values are unlocalized
    risk = html[html.index('id="at-risk"') : html.index('id="dashboard-units"')]
    assert risk.index("H12.UBKTTU.P1") < risk.index("H12.UBND") and "H99" not in html
    charts = html.count("<svg")
    assert charts == 2 and "<script" not in html[html.index('<figure class="chart">') :]
    assert reverse("report_dashboard") in html  # the menu entry


def test_a_unit_leader_sees_only_their_subtree(client, board, make_user):
    client.force_login(make_user(board["ubkt"], role=Role.UNIT_LEADER))
    html = client.get(reverse("report_dashboard"), {"from": 2020, "to": 2025}).content.decode()
    assert "8 / 14 (57,1 %)" in html and "H12.UBND" not in html
    assert client.get(reverse("report_dashboard"), {"unit": board["root"].pk}).status_code == 404
    assert client.get(reverse("report_dashboard"), {"unit": board["other"].pk}).status_code == 404


def test_bad_periods_are_400_with_the_message_and_no_units_is_an_empty_page(client, board, make_user):
    client.force_login(make_user(board["tu"], role=Role.PROVINCIAL_OFFICE))
    response = client.get(reverse("report_dashboard"), {"from": 2025, "to": 2020})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert client.get(reverse("report_dashboard"), {"from": "x"}).status_code == 400
    client.force_login(UserFactory())  # no unit: nothing to show, but no error
    response = client.get(reverse("report_dashboard"))
    assert response.status_code == 200 and 'id="dashboard-series"' not in response.content.decode()


def test_the_dashboard_takes_a_fixed_number_of_queries(client, board, make_user, django_assert_max_num_queries):
    for _ in range(10):
        unit = UnitFactory(parent=board["ubnd"])
        RegisterEntryFactory(unit=unit, year=2023)
    client.force_login(make_user(board["tu"], role=Role.PROVINCIAL_OFFICE))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("report_dashboard"), {"from": 2020, "to": 2025}).status_code == 200


def test_the_report_command_shows_progress_on_stderr_and_keeps_stdout_json(board):
    out, err = io.StringIO(), io.StringIO()
    call_command("report", "progress", "--unit", "H12", "--from", "2020", "--to", "2025", stdout=out, stderr=err)
    assert out.getvalue().startswith("{") and "\n" not in out.getvalue().strip()
    assert "2/2" in err.getvalue()
