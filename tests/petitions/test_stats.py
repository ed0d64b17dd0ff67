"""Statistics for the Inspection Committee: petitions by kind, channel, state, unit and overdue in a period,
case files by stage and outcome, all through the access policy; XLSX, CSV and JSON exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from sohoa.core.models import AuditEvent, Level, Role
from sohoa.petitions import stats
from sohoa.petitions.models import Petition
from tests.cases.factories import make_case
from tests.factories import UnitFactory

TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def data(province):  # type: ignore[no-untyped-def]
    """UBKT: 6 petitions in 2026 (2 overdue), 1 in 2025; a lower committee's 2; another province's and a
    tối mật one that a Mật clerk must not count."""
    ubkt = province["ubkt"]
    lower = UnitFactory(code="H12.UBKT.X1", name="Ủy ban Kiểm tra Đảng ủy xã Tân Lộc", parent=ubkt)
    rows = [
        # unit, received_on, kind, channel, state, deadline
        (ubkt, dt.date(2026, 1, 5), "denunciation", "post", "received", dt.date(2026, 1, 14)),  # overdue
        (ubkt, dt.date(2026, 1, 20), "denunciation", "in_person", "verifying", dt.date(2026, 3, 1)),  # overdue
        (ubkt, dt.date(2026, 2, 2), "complaint", "post", "accepted", dt.date(2026, 4, 2)),
        (ubkt, dt.date(2026, 2, 10), "complaint", "online", "forwarded", dt.date(2026, 2, 1)),  # closed: not late
        (ubkt, dt.date(2026, 3, 1), "recommendation", "mailbox", "filed", None),
        (ubkt, dt.date(2026, 3, 10), "", "post", "received", dt.date(2026, 3, 19)),
        (ubkt, dt.date(2025, 12, 30), "mixed", "forwarded", "concluded", None),
        (lower, dt.date(2026, 2, 5), "denunciation", "post", "classified", dt.date(2026, 2, 9)),  # overdue
        (lower, dt.date(2026, 2, 6), "complaint", "post", "concluded", None),
    ]
    for unit, received, kind, channel, state, deadline in rows:
        Petition.objects.create(
            unit=unit, received_on=received, kind=kind, channel=channel, state=state, deadline=deadline
        )
    Petition.objects.create(unit=province["other"], received_on=dt.date(2026, 2, 1), kind="denunciation")
    Petition.objects.create(
        unit=ubkt, received_on=dt.date(2026, 2, 1), kind="denunciation", confidentiality=Level.TOI_MAT
    )
    make_case(ubkt, stage="verifying", opened_on=dt.date(2026, 2, 1))
    make_case(ubkt, stage="concluded", outcome="warning", opened_on=dt.date(2026, 2, 2))
    make_case(ubkt, stage="closed", outcome="no_violation", opened_on=dt.date(2025, 5, 2))
    make_case(province["other"], stage="verifying", opened_on=dt.date(2026, 2, 3))
    return {"lower": lower, **province}


@pytest.fixture
def clerk(data, make_user):  # type: ignore[no-untyped-def]
    """An inspector of UBKT cleared for Mật (case files are for the inspection staff)."""
    return make_user(data["ubkt"], role=Role.INSPECTOR, clearance=Level.MAT)


def _row(rows, key):  # type: ignore[no-untyped-def]
    return next(r for r in rows if r.key == key)


def test_counts_by_kind_channel_state_unit_and_overdue_in_a_period(data, clerk):
    result = stats.petition_stats(
        clerk, received_from=dt.date(2026, 1, 1), received_to=dt.date(2026, 12, 31), today=TODAY
    )
    assert (result.total, result.open, result.overdue, result.closed) == (8, 5, 3, 3)
    assert [(r.key, r.count, r.overdue) for r in result.by_kind] == [
        ("complaint", 3, 0),
        ("denunciation", 3, 3),
        ("recommendation", 1, 0),
        ("mixed", 0, 0),
        ("", 1, 0),
    ]
    assert (_row(result.by_channel, "post").count, _row(result.by_channel, "post").overdue) == (5, 2)
    assert _row(result.by_channel, "forwarded").count == 0
    assert [(r.key, r.count) for r in result.by_state if r.count] == [
        ("received", 2),
        ("classified", 1),
        ("forwarded", 1),
        ("accepted", 1),
        ("verifying", 1),
        ("concluded", 1),
        ("filed", 1),
    ]
    assert [(u.code, u.count, u.open, u.overdue, u.closed) for u in result.by_unit] == [
        ("H12.UBKTTU", 6, 4, 2, 2),
        ("H12.UBKT.X1", 2, 1, 1, 1),
    ]
    # Case files of the period's year, seen through the policy (another province's is not counted).
    assert result.cases_year == 2026 and result.cases_total == 2
    assert _row(result.cases_by_stage, "verifying").count == 1
    assert _row(result.cases_by_outcome, "warning").count == 1
    assert _row(result.cases_by_outcome, "").count == 1


def test_policy_other_units_and_higher_levels_are_not_counted(data, clerk, make_user):
    everything = stats.petition_stats(clerk, today=TODAY)
    assert everything.total == 9  # not the other province's, not the tối mật one
    assert everything.cases_year is None and everything.cases_total == 3
    lower_clerk = make_user(data["lower"], clearance=Level.TUYET_MAT)
    seen_by_lower = stats.petition_stats(lower_clerk, today=TODAY)
    assert seen_by_lower.total == 2 and seen_by_lower.cases_total == 0  # a records clerk reads no case files
    cleared = make_user(data["ubkt"], clearance=Level.TOI_MAT)
    assert stats.petition_stats(cleared, today=TODAY).total == 10
    only_lower = stats.petition_stats(clerk, unit=data["lower"], today=TODAY)
    assert only_lower.total == 2 and [u.code for u in only_lower.by_unit] == ["H12.UBKT.X1"]


def test_stats_page_shows_the_counts_and_a_chart(client, data, clerk):
    client.force_login(clerk)
    response = client.get(reverse("petition_stats"), {"received_from": "2026-01-01", "received_to": "2026-12-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="stats-total">8<' in html
    assert "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Ủy ban Kiểm tra Đảng ủy xã Tân Lộc" in html
    assert 'id="stats-cases-total">2<' in html
    assert client.get(reverse("petition_stats")).status_code == 200  # no period: everything


def test_bad_period_and_unit_outside_the_scope_are_refused_with_a_message(client, data, clerk, english):
    client.force_login(clerk)
    response = client.get(reverse("petition_stats"), {"received_from": "2026-05-01", "received_to": "2026-01-01"})
    assert response.status_code == 400 and "The start of the period is after its end." in response.content.decode()
    response = client.get(reverse("petition_stats"), {"received_from": "31/31/2026"})
    assert response.status_code == 400 and "Enter a valid date." in response.content.decode()
    response = client.get(reverse("petition_stats"), {"unit": data["other"].pk})
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
    download = client.get(reverse("petition_stats_download", args=["xlsx"]), {"unit": data["other"].pk})
    assert download.status_code == 400 and "Select a valid choice." in download.content.decode()
    assert client.get(reverse("petition_stats_download", args=["pdf"])).status_code == 404
    assert not AuditEvent.objects.filter(object_type="petitions.stats").exists()


def test_exports_open_and_are_audited(client, data, clerk):
    from openpyxl import load_workbook

    client.force_login(clerk)
    query = {"received_from": "2026-01-01", "received_to": "2026-12-31"}
    response = client.get(reverse("petition_stats_download", args=["xlsx"]), query)
    assert response.status_code == 200
    assert 'filename="thong-ke-don-thu_2026-01-01_2026-12-31.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Tổng hợp",
        "Theo loại đơn",
        "Theo nguồn tiếp nhận",
        "Theo trạng thái",
        "Theo đơn vị",
        "Vụ việc",
    ]
    kinds = {row[0]: row[2:] for row in book["Theo loại đơn"].iter_rows(min_row=2, values_only=True)}
    # Counted today (the page's "today"): by now every open petition of the data is past its deadline.
    assert kinds["denunciation"] == (3, 3) and kinds["total"] == (8, 5)
    units = [row for row in book["Theo đơn vị"].iter_rows(min_row=2, values_only=True)]
    assert units[0] == ("H12.UBKTTU", "Ủy ban Kiểm tra Tỉnh ủy", 6, 4, 4, 2)
    assert book["Theo đơn vị"]["A1"].font.bold and book["Theo đơn vị"].freeze_panes == "A2"
    cases = [row for row in book["Vụ việc"].iter_rows(min_row=2, values_only=True)]
    assert cases[-1][-1] == 2

    csv_response = client.get(reverse("petition_stats_download", args=["csv"]), query)
    assert csv_response.status_code == 200 and csv_response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0] == ["section", "code", "name", "count", "overdue"]
    assert ["total", "total"] == rows[1][:2] and rows[1][3:] == ["8", "5"]
    assert ["unit", "H12.UBKT.X1", "Ủy ban Kiểm tra Đảng ủy xã Tân Lộc", "2", "1"] in rows

    as_json = client.get(reverse("petition_stats_download", args=["json"]), query).json()
    assert as_json["total"] == 8 and as_json["cases"]["total"] == 2

    audits = AuditEvent.objects.filter(object_type="petitions.stats", action="export")
    assert sorted(a.details["format"] for a in audits) == ["csv", "json", "xlsx"]
    assert all(a.details["total"] == 8 and a.actor_id == clerk.pk for a in audits)
