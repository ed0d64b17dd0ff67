"""The REST API takes a multipart upload, returns its jobs, and lets the caller poll them."""

from __future__ import annotations

import subprocess

import pytest
from PIL import Image, ImageDraw, ImageFont
from rest_framework.test import APIClient

from sohoa.core.models import Level, Role
from sohoa.digitization import storage
from sohoa.digitization.models import Intake
from tests.factories import UserFactory


def _four_page_scan(path) -> None:  # type: ignore[no-untyped-def]
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 44)
    pages = []
    for n in range(4):
        img = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
        draw = ImageDraw.Draw(img)
        draw.text((160, 200), "ỦY BAN KIỂM TRA TỈNH ỦY", fill=0, font=font)
        draw.text((160, 300), f"Báo cáo tiến độ số hóa — trang {n + 1}", fill=0, font=font)
        pages.append(img)
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=200)


@pytest.fixture
def api(province):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(UserFactory(units=[province["ubkt"]], role=Role.OPERATOR, clearance=Level.MAT))
    return client


@pytest.mark.ocr
@pytest.mark.django_db(transaction=True)
def test_a_scanned_pdf_uploaded_through_the_api_becomes_a_pdfa_document(api, tmp_path):
    scan = tmp_path / "scan.pdf"
    _four_page_scan(scan)
    with open(scan, "rb") as fh:
        response = api.post("/api/intakes/", {"files": [fh], "unit": "H12.UBKTTU"}, format="multipart")
    assert response.status_code == 201, response.content
    (job,) = response.json()
    # Tests run tasks inline, so the job is already finished when polled.
    polled = api.get(f"/api/intakes/{job['id']}/").json()
    assert polled["status"] == "done" and polled["percent"] == 100
    assert polled["pages_done"] == polled["pages_total"] == 4
    intake = Intake.objects.get(pk=job["id"])
    copy = intake.document.digital_copy
    archival = storage.path(copy.archival_path)
    text = subprocess.run(["pdftotext", str(archival), "-"], capture_output=True, check=True).stdout.decode()
    assert "KIỂM TRA" in text and "số hóa" in text
    assert storage.sha256_file(archival) == copy.archival_sha256
    assert storage.sha256_file(storage.path(copy.original_path)) == copy.original_sha256 == intake.sha256
    assert all(storage.path(p.thumb_path).exists() for p in intake.pages.all())


@pytest.mark.django_db
def test_upload_outside_scope_or_above_clearance_is_refused_and_nothing_is_queued(api, province, tmp_path):
    file = tmp_path / "a.pdf"
    file.write_bytes(b"%PDF-1.4")
    with open(file, "rb") as fh:
        assert api.post("/api/intakes/", {"files": [fh], "unit": "H99"}, format="multipart").status_code == 400
    with open(file, "rb") as fh:
        response = api.post(
            "/api/intakes/", {"files": [fh], "unit": "H12.UBKTTU", "confidentiality": "tuyet_mat"}, format="multipart"
        )
    assert response.status_code == 400
    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_upload_without_files_is_a_clear_400(api):
    response = api.post("/api/intakes/", {"unit": "H12.UBKTTU"}, format="multipart")
    assert response.status_code == 400 and "files" in response.json()


@pytest.mark.django_db
def test_a_reader_role_may_not_upload(province, tmp_path):
    client = APIClient()
    client.force_authenticate(UserFactory(units=[province["root"]], role=Role.STANDING_COMMITTEE))
    file = tmp_path / "a.pdf"
    file.write_bytes(b"%PDF-1.4")
    with open(file, "rb") as fh:
        assert client.post("/api/intakes/", {"files": [fh], "unit": "H12"}, format="multipart").status_code == 403
