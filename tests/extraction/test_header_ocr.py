"""Header fields from real Tesseract output (word boxes) of rendered scans, and `sohoa extract`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.translation import override

from sohoa.extraction.header import extract
from sohoa.extraction.reading import read_first_page

from .render import render_header, save

pytestmark = pytest.mark.ocr

STATE = {
    "left": ["ỦY BAN NHÂN DÂN", "TỈNH CÀ MAU", "Số: 15/QĐ-UBND"],
    "right": ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Cà Mau, ngày 05 tháng 3 năm 2025"],
    "centre": ["QUYẾT ĐỊNH", "Về việc ban hành Kế hoạch số hóa tài liệu"],
    "extra": ["Căn cứ Luật Tổ chức chính quyền địa phương;"],
}
PARTY = {
    "left": ["TỈNH ỦY CÀ MAU", "ỦY BAN KIỂM TRA", "*", "Số 64-CV/UBKTTU", "V/v báo cáo tiến độ số hóa"],
    "right": ["ĐẢNG CỘNG SẢN VIỆT NAM", "", "Cà Mau, ngày 17 tháng 5 năm 2024"],
    "centre": ["Kính gửi: Ban Thường vụ Tỉnh ủy"],
}


@pytest.mark.parametrize("dpi", [200, 300])
def test_a_scanned_state_decision_is_read_from_its_word_boxes(tmp_path: Path, dpi: int) -> None:
    page = read_first_page(save(render_header(**STATE, dpi=dpi), tmp_path / "qd.png", dpi))
    assert page.has_positions
    f = extract(page).fields
    assert f["family"] == "state" and f["notation"] == "15/QĐ-UBND" and f["doc_type"] == "QĐ"
    assert f["issued_date"] == "2025-03-05" and f["place"] == "Cà Mau"
    assert f["issuer"] == "ỦY BAN NHÂN DÂN TỈNH CÀ MAU"
    assert f["subject"] == "Về việc ban hành Kế hoạch số hóa tài liệu"


@pytest.mark.django_db
def test_sohoa_extract_prints_one_json_line_per_file_and_maps_the_issuer_to_a_unit(tmp_path: Path, province) -> None:
    save(render_header(**PARTY), tmp_path / "cv.png")
    (tmp_path / "note.txt").write_text("Số: 7/UBND-VP   Cà Mau, ngày 2 tháng 1 năm 2025\n", encoding="utf-8")
    (tmp_path / "junk.bin").write_bytes(b"not a document")
    out = io.StringIO()
    with override("en"):
        call_command("extract", str(tmp_path), "--json", "--jobs", "1", stdout=out, stderr=io.StringIO())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [Path(line["file"]).name for line in lines] == ["cv.png", "junk.bin", "note.txt"]
    cv, junk, note = lines
    assert cv["fields"]["notation"] == "64-CV/UBKTTU" and cv["fields"]["family"] == "party"
    assert cv["fields"]["issuer"] == "ỦY BAN KIỂM TRA" and cv["fields"]["parent_issuer"] == "TỈNH ỦY CÀ MAU"
    assert cv["fields"]["subject"] == "báo cáo tiến độ số hóa"
    assert cv["unit_code"] == "H12.UBKTTU"
    assert set(cv["confidence"]) == set(cv["fields"])
    assert junk["fields"] is None and "not supported" in junk["error"]
    assert note["fields"]["notation"] == "7/UBND-VP" and note["fields"]["issued_date"] == "2025-01-02"


def test_a_blank_page_gives_empty_fields_without_error(tmp_path: Path) -> None:
    page = read_first_page(save(render_header([], [], []), tmp_path / "blank.png"))
    result = extract(page)
    assert all(v is None for v in result.fields.values())
    assert max(result.confidence.values()) <= 0.2


@pytest.mark.django_db(transaction=True)
def test_an_ingested_scan_arrives_with_its_header_read(tmp_path: Path, province, settings) -> None:
    """The pipeline keeps the first page's word boxes and reads the header when the document is made."""
    from sohoa.digitization.models import Intake
    from sohoa.digitization.services import intake_create
    from sohoa.extraction.models import Suggestion

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "files"}},
    }
    scan = save(render_header(**PARTY), tmp_path / "cv.png")
    intake = intake_create(
        actor=None,
        file=io.BytesIO(scan.read_bytes()),
        name=scan.name,
        unit=province["ubkt"],
        source=Intake.Source.WEB,
        enqueue=True,  # Huey runs immediately in tests
    )
    intake.refresh_from_db()
    assert intake.status == Intake.Status.DONE, intake.error
    suggestion = Suggestion.objects.get(document=intake.document)
    assert suggestion.values["notation"] == "64-CV/UBKTTU" and suggestion.values["issued_date"] == "2024-05-17"
    assert suggestion.issuer_unit.code == "H12.UBKTTU" and suggestion.status == Suggestion.Status.PENDING
    assert not (tmp_path / "files" / "work" / str(intake.pk)).exists(), "the kept word boxes are cleaned up"
