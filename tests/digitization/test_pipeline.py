"""From a scan to a verified two-layer PDF/A: text layer, thumbnails, checksums, duplicates, formats."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pytest
from PIL import Image

from sohoa.archive.models import Confidence, Document
from sohoa.digitization import ocr, storage
from sohoa.digitization.models import DigitalCopy, Intake, Page
from sohoa.digitization.services import intake_create

from .conftest import (
    DPI,
    page_image,
    pdftotext,
    run_pipeline,
    save_image,
    save_tiff,
    scan_pages,
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fonts(pdf: pikepdf.Pdf):  # type: ignore[no-untyped-def]
    """Every font dictionary used on the pages (also inside form XObjects)."""

    def walk(resources, seen):  # type: ignore[no-untyped-def]
        if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
            return
        seen.add(resources.objgen)
        yield from (resources.get("/Font") or {}).values()
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form":
                yield from walk(xobject.get("/Resources"), seen)

    seen: set = set()
    for page in pdf.pages:
        yield from walk(page.obj.get("/Resources"), seen)


def _embedded(font) -> bool:  # type: ignore[no-untyped-def]
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are drawn by the font's own procedures
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def assert_pdfa_2b(file) -> None:  # type: ignore[no-untyped-def]
    with pikepdf.Pdf.open(file) as pdf:
        assert not pdf.is_encrypted
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "2"
        assert meta.get("pdfaid:conformance") == "B"
        intents = pdf.Root.OutputIntents
        assert len(intents) >= 1
        profile = intents[0].DestOutputProfile
        assert isinstance(profile, pikepdf.Stream) and len(profile.read_bytes()) > 100
        fonts = list(_fonts(pdf))
        assert fonts, "a text layer needs a font"
        assert all(_embedded(f) for f in fonts), "every font must be embedded"


@pytest.mark.ocr
@pytest.mark.django_db(transaction=True)
def test_a_scanned_four_page_pdf_becomes_a_document_with_a_searchable_pdfa_copy(unit, scanned_pdf):
    source = scanned_pdf(4)
    data = source.read_bytes()
    intake = intake_create(
        actor=None, file=io.BytesIO(data), name=source.name, unit=unit, source=Intake.Source.WEB, enqueue=True
    )  # on_commit → Huey (immediate in tests) runs ingest → pages → finish
    intake.refresh_from_db()
    assert intake.status == Intake.Status.DONE, (intake.error, intake.error_params)
    assert intake.pages_total == intake.pages_done == 4 and intake.percent == 100
    assert intake.mime == "application/pdf" and "born_digital" not in intake.flags

    document = intake.document
    assert document is not None and document.page_count == 4 and document.confidence == Confidence.DIGITIZED
    copy = document.digital_copy
    original, archival = storage.path(copy.original_path), storage.path(copy.archival_path)

    # the original is kept byte for byte; both checksums match the files on disk
    assert original.read_bytes() == data
    assert copy.original_sha256 == intake.sha256 == _sha(data) == storage.sha256_file(original)
    assert copy.archival_sha256 == storage.sha256_file(archival)
    assert copy.archival_size == archival.stat().st_size and copy.original_size == len(data)
    assert copy.page_count == 4 and not copy.low_dpi

    # the archival copy's text layer carries the Vietnamese words, diacritics intact
    text = pdftotext(archival)
    for words in ("KIỂM TRA", "số hóa", "Ủy ban nhân dân"):
        assert words in text, f"{words!r} not in text layer: {text[:300]!r}"
    with pikepdf.Pdf.open(archival) as pdf, pikepdf.Pdf.open(original) as scan:
        assert len(pdf.pages) == 4
        # Nothing needed correcting, so each page shows the scanner's own JPEG, embedded byte for byte
        # (not re-encoded), on a page of the scan's size.
        for ours, theirs in zip(pdf.pages, scan.pages, strict=True):
            (image,), (scanned,) = ours.get_images().values(), theirs.get_images().values()
            assert image.Filter == pikepdf.Name.DCTDecode
            assert image.read_raw_bytes() == scanned.read_raw_bytes()
            assert [round(float(v)) for v in ours.mediabox] == [round(float(v)) for v in theirs.mediabox]
    assert_pdfa_2b(archival)

    pages = list(Page.objects.filter(intake=intake).order_by("number"))
    assert [p.number for p in pages] == [1, 2, 3, 4]
    for page in pages:
        assert page.done and page.document_id == document.pk
        assert page.dpi >= 200 and page.width > 1000 and page.height > 1000
        assert "KIỂM TRA" in page.text and f"Trang {page.number}" in page.text
        assert page.confidence is not None and page.confidence > 50
        thumb = storage.path(page.thumb_path)
        with Image.open(thumb) as img:
            assert img.format == "JPEG" and max(img.size) <= 340
    assert not (storage.root() / "work" / str(intake.pk)).exists(), "the work dir is cleaned up"


@pytest.mark.django_db(transaction=True)
def test_the_same_bytes_a_second_time_are_a_duplicate_of_the_first_document(unit, scanned_pdf, stub_ocr):
    data = scanned_pdf(2).read_bytes()
    first = intake_create(actor=None, file=io.BytesIO(data), name="a.pdf", unit=unit, source="web")
    second = intake_create(actor=None, file=io.BytesIO(data), name="b.pdf", unit=unit, source="web")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Intake.Status.DONE
    assert second.status == Intake.Status.DUPLICATE
    assert second.document_id == first.document_id
    assert second.error_params == {"document": first.document_id}
    assert Document.objects.count() == 1 and DigitalCopy.objects.count() == 1
    assert second.original_path == first.original_path  # content-addressed: stored once


@pytest.mark.django_db
def test_a_file_already_in_progress_is_a_duplicate_of_that_intake_and_later_of_its_document(
    intake_of, scanned_pdf, stub_ocr
):
    data = scanned_pdf(1).read_bytes()
    first = intake_of(data, "a.pdf")
    second = intake_of(data, "b.pdf")
    second = run_pipeline(second)
    assert second.status == Intake.Status.DUPLICATE
    assert second.error_params == {"intake": first.pk} and second.document is None
    first = run_pipeline(first)
    second.refresh_from_db()
    assert first.status == Intake.Status.DONE
    assert second.document == first.document is not None, "the duplicate points at the document once it exists"


@pytest.mark.ocr
@pytest.mark.django_db
def test_a_multipage_tiff_and_a_png_are_digitized(intake_of, tmp_path):
    tiff = save_tiff(tmp_path / "scan.tif", scan_pages(2))
    png = save_image(tmp_path / "one.png", page_image(["KIỂM TRA hồ sơ", "số hóa tài liệu"]), "PNG")
    for file, pages, mime in ((tiff, 2, "image/tiff"), (png, 1, "image/png")):
        intake = run_pipeline(intake_of(file))
        assert intake.status == Intake.Status.DONE, (file.name, intake.error, intake.error_params)
        assert intake.mime == mime and intake.pages_total == pages
        copy = intake.document.digital_copy
        assert storage.path(copy.original_path).read_bytes() == file.read_bytes()
        text = pdftotext(storage.path(copy.archival_path))
        assert "KIỂM TRA" in text and "số hóa" in text, text
        assert_pdfa_2b(storage.path(copy.archival_path))
        assert all(p.dpi >= 200 and p.text for p in intake.pages.all())


@pytest.mark.django_db
def test_a_born_digital_pdf_keeps_its_text_without_ocr(intake_of, tmp_path, monkeypatch):
    from .conftest import born_digital_pdf

    def no_ocr():  # type: ignore[no-untyped-def]
        raise AssertionError("a born-digital PDF must not be OCRed")

    monkeypatch.setattr(ocr, "engine", no_ocr)
    source = born_digital_pdf(tmp_path / "report.pdf", pages=3)
    intake = run_pipeline(intake_of(source))
    assert intake.status == Intake.Status.DONE, (intake.error, intake.error_params)
    assert "born_digital" in intake.flags and intake.pages_total == 3
    assert intake.document.confidence == Confidence.BORN_DIGITAL
    pages = list(intake.pages.order_by("number"))
    assert all("archival records digitization plan" in p.text for p in pages)
    assert "page 2" in pages[1].text and all(storage.path(p.thumb_path).exists() for p in pages)
    copy = intake.document.digital_copy
    archival = storage.path(copy.archival_path)
    assert "Born digital page 3 of the report" in pdftotext(archival)
    assert copy.archival_sha256 == storage.sha256_file(archival)
    assert storage.path(copy.original_path).read_bytes() == source.read_bytes()
    assert_pdfa_2b(archival)


@pytest.mark.ocr
@pytest.mark.django_db
def test_force_ocr_reads_a_born_digital_pdf_again(intake_of, tmp_path):
    from .conftest import born_digital_pdf

    intake = run_pipeline(intake_of(born_digital_pdf(tmp_path / "report.pdf", pages=1, lines=2), force_ocr=True))
    assert intake.status == Intake.Status.DONE, (intake.error, intake.error_params)
    assert "born_digital" not in intake.flags
    assert intake.document.confidence == Confidence.DIGITIZED
    assert "digitization" in intake.pages.get().text


@pytest.mark.django_db
def test_a_scan_below_200_dpi_is_flagged_on_the_intake_and_the_copy(intake_of, tmp_path, stub_ocr):
    low = page_image(["thấp"], size=(1240, 1754))  # A4 at 150 dpi
    file = tmp_path / "low.pdf"
    low.save(file, "PDF", resolution=150)
    intake = run_pipeline(intake_of(file))
    assert intake.status == Intake.Status.DONE, (intake.error, intake.error_params)
    assert "low_dpi" in intake.flags
    assert intake.document.digital_copy.low_dpi
    assert intake.pages.get().dpi < DPI


@pytest.mark.django_db
def test_running_a_stage_again_does_no_duplicate_work(intake_of, scanned_pdf, stub_ocr):
    from sohoa.digitization import pipeline

    intake = intake_of(scanned_pdf(2))
    numbers = pipeline.prepare(intake.pk)
    assert numbers == [1, 2]
    for n in numbers:
        pipeline.process_page(intake.pk, n)
    assert pipeline.prepare(intake.pk) == []  # nothing left to do
    pipeline.process_page(intake.pk, 1)  # a page processed twice counts once
    intake.refresh_from_db()
    assert intake.pages_done == 2
    document = pipeline.finish(intake.pk)
    assert pipeline.finish(intake.pk) == document
    assert Page.objects.filter(intake=intake).count() == 2
    assert Document.objects.count() == 1 and DigitalCopy.objects.count() == 1
