"""The progress page and its downloads: same numbers as the report, SVG inline, each download audited."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from django.utils import translation
from docx import Document as Docx
from openpyxl import load_workbook

from sohoa.core.models import AuditEvent, Role
from tests.factories import RegisterEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client, province, make_user, digitized):  # type: ignore[no-untyped-def]
    for n in range(1, 11):
        entry = RegisterEntryFactory(unit=province["ubkt"], year=2021, entry_number=n)
        if n <= 7:
            digitized(entry)
    client.force_login(make_user(province["tu"], role=Role.PROVINCIAL_OFFICE))
    return client


def test_the_page_shows_the_numbers_the_chart_and_the_download_links(office_client, province):
    query = {"unit": province["root"].pk, "from": 2020, "to": 2025}
    response = office_client.get(reverse("report_progress"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "7 / 10 (70,0 %)" in html  # Vietnamese number format by default
    chart = html[html.index('<figure class="chart">') : html.index("</figure>")]
    assert "<svg" in chart and "<script" not in chart and "http://kozea" not in chart
    for fmt in ("docx", "xlsx", "pdf", "json"):
        assert reverse("report_progress_download", args=[fmt]) + f"?unit={province['root'].pk}&amp;from=2020" in html
    assert reverse("report_progress") in html  # the menu entry


def test_english_uses_the_english_separators(office_client, province):
    office_client.cookies["django_language"] = "en"
    with translation.override("en"):
        html = office_client.get(reverse("report_progress"), {"from": 2020, "to": 2025}).content.decode()
    assert "7 / 10 (70.0 %)" in html


def test_downloads_carry_the_same_numbers_and_are_audited(office_client, province):
    query = {"unit": province["ubkt"].pk, "from": 2020, "to": 2025}
    data = office_client.get(reverse("report_progress_download", args=["json"]), query).json()
    assert data["totals"] == {"total": 10, "digitized": 7, "percent": 70.0}
    xlsx = office_client.get(reverse("report_progress_download", args=["xlsx"]), query)
    assert xlsx["Content-Disposition"].startswith("attachment;")
    rows = list(load_workbook(io.BytesIO(xlsx.content))["Tiến độ"].iter_rows(min_row=2, values_only=True))
    assert rows[0][2:] == (10, 7, 70.0)
    docx = Docx(io.BytesIO(office_client.get(reverse("report_progress_download", args=["docx"]), query).content))
    assert ["10", "7", "70,0"] in [[c.text for c in r.cells][1:] for r in docx.tables[1].rows]
    pdf = office_client.get(reverse("report_progress_download", args=["pdf"]), query)
    assert pdf.content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(action="export").order_by("seq")
    assert [e.details["format"] for e in events] == ["json", "xlsx", "docx", "pdf"]
    assert all(e.actor_id is not None and e.object_id == str(province["ubkt"].pk) for e in events)


def test_bad_periods_and_formats_are_user_errors(office_client):
    assert office_client.get(reverse("report_progress"), {"from": 2025, "to": 2020}).status_code == 400
    assert office_client.get(reverse("report_progress"), {"from": "abc"}).status_code == 400
    assert office_client.get(reverse("report_progress_download", args=["json"]), {"to": 3000}).status_code == 400
    assert office_client.get(reverse("report_progress_download", args=["exe"])).status_code == 404


def test_the_page_takes_a_fixed_number_of_queries(office_client, province, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        office_client.get(reverse("report_progress"), {"unit": province["root"].pk})


def test_json_download_is_the_cli_contract(office_client, province):
    body = office_client.get(reverse("report_progress_download", args=["json"]), {"from": 2021, "to": 2021}).content
    assert list(json.loads(body)) == ["unit", "from", "to", "series", "totals"]
