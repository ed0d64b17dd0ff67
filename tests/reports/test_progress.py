"""Progress against the paper inventory: the meeting's “5,914 / 9,396 (62.9 %)” at small scale, in every
format, with the counting rules and the access policy."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document as Docx
from openpyxl import load_workbook

from sohoa.archive.models import RegisterEntry
from sohoa.archive.services import document_save
from sohoa.core.models import AuditEvent, Role
from sohoa.reports import selectors
from sohoa.reports.formatting import vietnamese_date
from sohoa.reports.models import InventoryCount
from tests.factories import DocumentFactory, RegisterEntryFactory, UnitFactory
from tests.reports.conftest import add_copy

pytestmark = pytest.mark.django_db

TOTAL, DONE = 94, 59
PERCENT = round(100 * DONE / TOTAL, 1)  # 62.8


def numbers(text: str) -> str:
    """Cell text with the decimal comma of Vietnamese made a point, to compare with Python numbers."""
    return text.replace(",", ".").strip()


@pytest.fixture
def scenario(tmp_path, province, digitized, make_user):  # type: ignore[no-untyped-def]
    """94 incoming register rows 2020–2025 for UBKT imported from a file; 59 of them digitized — 58 linked
    directly, the last through the automatic matcher when the operator types number/symbol and date."""
    path = tmp_path / "so-den.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Số đến", "Ngày đến", "Tác giả", "Số, ký hiệu", "Ngày tháng văn bản", "Trích yếu"])
    for n in range(1, TOTAL + 1):
        year = 2020 + n % 6
        day = f"{n % 28 + 1:02d}/0{n % 9 + 1}/{year}"
        writer.writerow([n, day, "Tỉnh ủy", f"{n}-CV/TU", day, f"Công văn {n}"])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "register-import",
        str(path),
        "--unit",
        "H12.UBKTTU",
        "--direction",
        "incoming",
        "--json",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert json.loads(out.getvalue())["created"] == TOTAL
    entries = list(RegisterEntry.objects.order_by("entry_number")[:DONE])
    for entry in entries[:-1]:
        digitized(entry)
    last = entries[-1]
    scan = DocumentFactory(unit=province["ubkt"], notation="", issued_date=None, subject="scan-0059", issuer="")
    add_copy(scan)  # what the pipeline leaves: a digital copy, no number yet
    scan.notation, scan.number, scan.symbol, scan.issued_date = last.notation.lower(), "", "", last.doc_date
    document_save(actor=make_user(province["ubkt"], role=Role.OPERATOR), document=scan)
    last.refresh_from_db()
    assert last.document_id == scan.pk, "linked by the automatic matcher"
    # Outside the period and outside the unit: must not count.
    RegisterEntryFactory(unit=province["ubkt"], year=2019)
    RegisterEntryFactory(unit=province["ubnd"], year=2021)
    return province


def report(tmp_path, fmt: str, unit: str = "H12.UBKTTU") -> bytes:  # type: ignore[no-untyped-def]
    target = tmp_path / f"report.{fmt}"
    call_command(
        "report",
        "progress",
        "--unit",
        unit,
        "--from",
        "2020",
        "--to",
        "2025",
        "--format",
        fmt,
        "-o",
        str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return target.read_bytes()


def test_the_report_says_59_of_94_in_json(tmp_path, scenario):
    data = json.loads(report(tmp_path, "json"))
    assert data == {
        "unit": "H12.UBKTTU",
        "from": 2020,
        "to": 2025,
        "series": [
            {"series": "incoming", "total": TOTAL, "digitized": DONE, "percent": 62.8},
            {"series": "outgoing", "total": 0, "digitized": 0, "percent": None},
        ],
        "totals": {"total": TOTAL, "digitized": DONE, "percent": 62.8},
    }
    assert PERCENT == 62.8


def test_the_web_page_and_its_downloads_say_59_of_94(client, scenario, make_user):
    client.force_login(make_user(scenario["tu"], role=Role.PROVINCIAL_OFFICE))
    query = {"unit": scenario["ubkt"].pk, "from": 2020, "to": 2025}
    html = client.get(reverse("report_progress"), query).content.decode()
    totals = html[html.index('id="progress-totals"') :]
    assert totals[totals.index(">") + 1 :].startswith(f"{DONE} / {TOTAL} (62,8 %)")
    data = client.get(reverse("report_progress_download", args=["json"]), query).json()
    assert data["totals"] == {"total": TOTAL, "digitized": DONE, "percent": PERCENT}
    book = load_workbook(io.BytesIO(client.get(reverse("report_progress_download", args=["xlsx"]), query).content))
    assert list(book["Tiến độ"].iter_rows(min_row=2, values_only=True))[-1][2:] == (TOTAL, DONE, PERCENT)
    doc = Docx(io.BytesIO(client.get(reverse("report_progress_download", args=["docx"]), query).content))
    assert [str(TOTAL), str(DONE), "62,8"] in [[c.text for c in r.cells][1:] for r in doc.tables[1].rows]
    dashboard = client.get(reverse("report_dashboard"), query).content.decode()
    assert f"{DONE} / {TOTAL} (62,8 %)" in dashboard
    if shutil.which("pdftotext"):
        pdf = client.get(reverse("report_progress_download", args=["pdf"]), query).content
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
        assert str(TOTAL) in text and str(DONE) in text and "62,8" in text


def test_json_goes_to_stdout_without_o(scenario):
    out = io.StringIO()
    call_command(
        "report", "progress", "--unit", "H12", "--from", "2020", "--to", "2025", "--format", "json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["unit"] == "H12" and data["totals"]["total"] == TOTAL + 1  # the UBND entry of 2021 too


def test_the_docx_is_a_party_report_with_the_numbers_in_its_table(tmp_path, scenario):
    doc = Docx(io.BytesIO(report(tmp_path, "docx")))
    header = doc.tables[0]
    left = [p.text for p in header.cell(0, 0).paragraphs]
    right = [p for p in header.cell(0, 1).paragraphs if p.text]
    assert left[:3] == ["TỈNH ỦY CÀ MAU", "ỦY BAN KIỂM TRA TỈNH ỦY", "*"]
    assert header.cell(0, 0).paragraphs[1].runs[0].bold
    assert left[3].startswith("Số") and left[3].endswith("-BC/UBKTTU")
    assert right[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM" and right[0].runs[0].underline
    assert right[1].runs[0].italic and right[1].text.startswith("Cà Mau, ngày ")
    body = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in body
    rows = [[numbers(c.text) for c in row.cells] for row in doc.tables[1].rows]
    assert [str(TOTAL), str(DONE), str(PERCENT)] in [r[1:] for r in rows]
    assert doc.inline_shapes, "the chart is embedded as an image"


def test_the_xlsx_has_the_series_sheet_and_the_by_unit_sheet(tmp_path, scenario):
    book = load_workbook(io.BytesIO(report(tmp_path, "xlsx", unit="H12.TU")))
    assert book.sheetnames == ["Tiến độ", "Theo đơn vị"]
    rows = list(book["Tiến độ"].iter_rows(min_row=2, values_only=True))
    assert ("incoming", TOTAL, DONE, PERCENT) == (rows[0][0], rows[0][2], rows[0][3], rows[0][4])
    assert rows[-1][0] == "total" and rows[-1][2:] == (TOTAL, DONE, PERCENT)
    by_unit = list(book["Theo đơn vị"].iter_rows(min_row=2, values_only=True))
    assert ("H12.UBKTTU", "incoming", TOTAL, DONE, PERCENT) in [(r[0], r[2], r[4], r[5], r[6]) for r in by_unit]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_pdf_shows_the_numbers_in_vietnamese(tmp_path, scenario):
    pdf = report(tmp_path, "pdf")
    assert pdf.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "ỦY BAN KIỂM TRA TỈNH ỦY" in text
    assert str(TOTAL) in text and str(DONE) in text and str(PERCENT).replace(".", ",") in text


def test_each_cli_export_is_audited(tmp_path, scenario):
    report(tmp_path, "json")
    event = AuditEvent.objects.filter(action="export").get()
    assert event.actor_id is None and event.details["format"] == "json" and event.details["totals"]["total"] == TOTAL


def test_bad_arguments_are_one_line_errors(scenario):
    with pytest.raises(CommandError):
        call_command("report", "progress", "--unit", "NOPE", "--from", "2020", "--to", "2025")
    with pytest.raises(CommandError):
        call_command("report", "progress", "--unit", "H12", "--from", "2025", "--to", "2020")
    with pytest.raises(CommandError):
        call_command("report", "progress", "--unit", "H12", "--from", "2020", "--to", "2025", "--format", "pdf")


def test_percent_has_one_decimal_rounded_half_up():
    assert selectors.percent(5914, 9396) == 62.9
    assert selectors.percent(2700, 3176) == 85.0
    assert selectors.percent(1, 8) == 12.5 and selectors.percent(1, 16) == 6.3
    assert selectors.percent(0, 0) is None


def test_date_line_has_leading_zeros_for_days_and_months_one_and_two():
    assert vietnamese_date(dt.date(2020, 1, 5)) == "ngày 05 tháng 01 năm 2020"
    assert vietnamese_date(dt.date(2025, 2, 14)) == "ngày 14 tháng 02 năm 2025"
    assert vietnamese_date(dt.date(2025, 4, 9)) == "ngày 09 tháng 4 năm 2025"
    assert vietnamese_date(dt.date(2025, 11, 30)) == "ngày 30 tháng 11 năm 2025"


def test_inventory_counts_fill_years_and_series_without_registers(province):
    ubkt, ubnd = province["ubkt"], province["ubnd"]
    for n in range(3):
        RegisterEntryFactory(unit=ubkt, year=2021, entry_number=n + 1)
    InventoryCount.objects.create(unit=ubkt, series="incoming", year=2021, documents=500, digitized=10)  # ignored
    InventoryCount.objects.create(unit=ubkt, series="incoming", year=2022, documents=40, digitized=4)  # added
    InventoryCount.objects.create(unit=ubnd, series="petitions", year=2022, documents=7)  # another series
    InventoryCount.objects.create(unit=ubnd, series="petitions", year=2019, documents=99)  # outside the period
    result = selectors.progress(None, unit=province["root"], year_from=2020, year_to=2025)
    assert result.as_json()["series"] == [
        {"series": "incoming", "total": 43, "digitized": 4, "percent": 9.3},
        {"series": "outgoing", "total": 0, "digitized": 0, "percent": None},
        {"series": "petitions", "total": 7, "digitized": 0, "percent": 0.0},
    ]
    by_unit = {r.unit.code: r.row.totals.total for r in result.children}
    assert by_unit == {"H12.TU": 43, "H12.UBND": 7}


def test_a_unit_leader_counts_their_subtree_and_the_province_counts_all(province, make_user):
    ubkt, ubnd = province["ubkt"], province["ubnd"]
    branch = UnitFactory(code="H12.UBKTTU.P1", name="Phòng 1", parent=ubkt)
    RegisterEntryFactory(unit=ubkt, year=2022)
    RegisterEntryFactory(unit=branch, year=2022)
    RegisterEntryFactory(unit=ubnd, year=2022)
    RegisterEntryFactory(unit=province["other"], year=2022)
    leader = make_user(ubkt, role=Role.UNIT_LEADER)
    office = make_user(province["tu"], role=Role.PROVINCIAL_OFFICE)
    own = selectors.progress(leader, unit=ubkt, year_from=2022, year_to=2022)
    assert own.totals.total == 2 and [r.unit.code for r in own.children] == ["H12.UBKTTU", "H12.UBKTTU.P1"]
    # Asked about the province, a leader's numbers stay inside their scope (the page answers 404).
    assert selectors.progress(leader, unit=province["root"], year_from=2022, year_to=2022).totals.total == 2
    assert selectors.progress(office, unit=province["root"], year_from=2022, year_to=2022).totals.total == 3
    assert selectors.progress(None, unit=province["other"], year_from=2022, year_to=2022).totals.total == 1


def test_progress_takes_a_fixed_number_of_queries_whatever_the_units(province, digitized):
    for i in range(12):
        unit = UnitFactory(parent=province["tu"])
        entry = RegisterEntryFactory(unit=unit, year=2022, direction="outgoing" if i % 2 else "incoming")
        if i % 3 == 0:
            digitized(entry)
    with CaptureQueriesContext(connection) as queries:
        result = selectors.progress(None, unit=province["root"], year_from=2020, year_to=2025)
    assert result.totals.total == 12 and result.totals.digitized == 4
    assert len(queries) <= 4
