"""Bad input never crashes the worker and never loses the file: each ends failed (or flagged) with a clear
message, the original stays in quarantine byte for byte, and the rest of the batch carries on."""

from __future__ import annotations

import io
import struct
import uuid
import zlib

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from sohoa.digitization import storage, tasks
from sohoa.digitization.models import Intake
from sohoa.digitization.pipeline import safe_name
from sohoa.digitization.services import intake_discard, intake_retry

from .conftest import page_image, renders, save_image, save_pdf, scan_pages


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width×height white pixels, written by hand: tiny on disk, huge in memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row * 1000) for _ in range(height // 1000)) + z.compress(row * (height % 1000))
    idat += z.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture
def batch_of(intake_of, good_png, stub_ocr):  # type: ignore[no-untyped-def]
    """Ingest `data` under `name` together with a good file in one batch, through the worker's task."""

    def run(data: bytes, name: str) -> tuple[Intake, Intake]:
        batch = uuid.uuid4()
        bad = intake_of(data, name, batch=batch)
        good = intake_of(good_png, batch=batch)
        for intake in (bad, good):
            tasks.ingest(intake.pk)  # Huey's immediate mode: what a worker runs, exceptions and all
            intake.refresh_from_db()
        assert good.status == Intake.Status.DONE, "the other file of the batch must carry on"
        assert storage.path(bad.original_path).read_bytes() == data, "the original must be kept byte for byte"
        assert bad.size == len(data) and bad.finished
        return bad, good

    return run


def assert_failed(intake: Intake, msgid_part: str) -> dict[str, str]:
    assert intake.status == Intake.Status.FAILED, (intake.status, intake.error)
    assert msgid_part in intake.error, intake.error
    assert intake.document_id is None
    assert not (storage.root() / "work" / str(intake.pk)).exists()
    text = renders(intake)
    assert text["vi"] and text["en"] and "%(" not in text["en"] and "%(" not in text["vi"]
    return text


@pytest.mark.django_db
def test_a_zero_byte_file_fails_as_empty(batch_of):
    bad, _ = batch_of(b"", "empty.pdf")
    assert_failed(bad, "empty")
    assert bad.size == 0


@pytest.mark.django_db
def test_a_truncated_pdf_fails_as_damaged(batch_of, tmp_path):
    whole = save_pdf(tmp_path / "whole.pdf", scan_pages(3)).read_bytes()
    bad, _ = batch_of(whole[: len(whole) // 2], "cut.pdf")
    assert_failed(bad, "damaged")


@pytest.mark.django_db
def test_a_password_protected_pdf_fails_asking_to_remove_the_password(batch_of, tmp_path):
    plain = save_pdf(tmp_path / "plain.pdf", scan_pages(1))
    locked = tmp_path / "locked.pdf"
    with pikepdf.Pdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="a", user="b"))
    bad, _ = batch_of(locked.read_bytes(), "locked.pdf")
    assert_failed(bad, "encrypted")


@pytest.mark.django_db
@pytest.mark.parametrize("size", [(30000, 30000), (20000, 10000)], ids=["bomb", "over-limit"])
def test_a_png_decompression_bomb_fails_without_being_decoded(batch_of, size):
    # 900 Mpx trips Pillow's hard stop, 200 Mpx its warning (150 Mpx is the limit): both must fail cleanly.
    data = png_bomb(*size)
    assert len(data) < 2_000_000
    bad, _ = batch_of(data, "bomb.png")
    text = assert_failed(bad, "too large")
    assert bad.error_params == {"limit": 150}
    assert "150" in text["en"]


@pytest.mark.django_db
def test_a_jpeg_named_pdf_is_processed_as_the_jpeg_it_is(batch_of, tmp_path):
    jpeg = save_image(tmp_path / "real.jpg", page_image(["ảnh chụp"], mode="RGB"), "JPEG").read_bytes()
    bad, _ = batch_of(jpeg, "lies.pdf")
    assert bad.status == Intake.Status.DONE, (bad.error, bad.error_params)
    assert bad.mime == "image/jpeg"
    assert bad.document.digital_copy.original_mime == "image/jpeg"


@pytest.mark.django_db
def test_a_text_file_named_jpg_fails_as_unsupported(batch_of):
    bad, _ = batch_of("Đây không phải là ảnh.\n".encode() * 20, "photo.jpg")
    assert_failed(bad, "Unsupported file type")


@pytest.mark.django_db
def test_a_pdf_with_more_pages_than_allowed_fails_and_says_split_it(batch_of, limits, tmp_path):
    limits(MAX_PAGES=3)
    blank = [Image.new("1", (170, 240), 1) for _ in range(5)]
    data = save_pdf(tmp_path / "long.pdf", blank).read_bytes()
    bad, _ = batch_of(data, "long.pdf")
    text = assert_failed(bad, "Split it")
    assert bad.error_params == {"pages": 5, "limit": 3}
    assert "5" in text["en"] and "3" in text["en"]
    assert not bad.pages.exists()


@pytest.mark.django_db
def test_a_file_larger_than_the_limit_fails(batch_of, limits, tmp_path):
    limits(MAX_BYTES=1000)
    data = save_pdf(tmp_path / "big.pdf", scan_pages(1)).read_bytes()
    assert len(data) > 1000
    limits(MAX_BYTES=len(data) - 1)  # the good file in the batch is smaller
    bad, _ = batch_of(data, "big.pdf")
    assert_failed(bad, "larger than")


@pytest.mark.django_db
def test_a_page_that_cannot_be_decoded_fails_its_intake_not_the_worker(batch_of, tmp_path):
    # A PNG whose header is fine (it counts as one page) but whose pixel data is cut short.
    data = save_image(tmp_path / "p.png", page_image(["x"]), "PNG").read_bytes()
    bad, _ = batch_of(data[: len(data) * 2 // 3], "cut.png")
    text = assert_failed(bad, "damaged")
    assert bad.error_params == {"page": 1} and "1" in text["en"]


@pytest.mark.django_db
def test_a_hostile_file_name_is_sanitized_and_nothing_is_written_outside_storage(
    batch_of, isolated_storage, tmp_path_factory
):
    data = save_pdf(tmp_path_factory.mktemp("in") / "x.pdf", scan_pages(1)).read_bytes()
    outside = tmp_path_factory.getbasetemp()
    before = set(outside.rglob("*"))
    bad, _ = batch_of(data, "../../../etc/evil\x00name\x07\r\n.pdf")
    assert bad.status == Intake.Status.DONE, (bad.error, bad.error_params)
    assert "name_sanitized" in bad.flags
    assert bad.original_name == "evilname.pdf"
    assert all(ch.isprintable() for ch in bad.original_name) and "/" not in bad.original_name
    assert bad.document.digital_copy.original_name == "evilname.pdf"
    new = {p for p in set(outside.rglob("*")) - before if isolated_storage not in p.parents}
    assert new == set(), f"written outside the storage root: {new}"
    assert not list(isolated_storage.rglob("*evil*"))


@pytest.mark.parametrize(
    ("name", "expected", "changed"),
    [
        ("Công văn 12.pdf", "Công văn 12.pdf", False),
        ("../../x.pdf", "x.pdf", True),
        ("C:\\Users\\scan\\a.tif", "a.tif", True),
        ("..", "unnamed", True),
        ("\x00\x01", "unnamed", True),
        ("a\u200bb.png", "ab.png", True),  # zero-width space is a format (C) character
        ("Co\u0302ng.pdf", "Công.pdf", True),  # decomposed Vietnamese is stored composed (NFC)
    ],
)
def test_safe_name_keeps_only_a_plain_file_name(name, expected, changed):
    assert safe_name(name) == (expected, changed)


# ---- quarantine: retry and discard --------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_intake_can_be_retried_and_then_succeeds(
    intake_of, limits, tmp_path, stub_ocr, django_capture_on_commit_callbacks
):
    limits(MAX_PAGES=1)
    intake = intake_of(save_pdf(tmp_path / "two.pdf", scan_pages(2)))
    tasks.ingest(intake.pk)
    intake.refresh_from_db()
    assert intake.status == Intake.Status.FAILED
    limits(MAX_PAGES=10)  # the operator raised the limit
    with django_capture_on_commit_callbacks(execute=True):
        intake_retry(actor=None, intake=intake)
    intake.refresh_from_db()
    assert intake.status == Intake.Status.DONE, (intake.error, intake.error_params)
    assert intake.error == "" and intake.error_params == {}
    assert intake.pages.count() == 2 and intake.document.page_count == 2
    with pytest.raises(ValidationError):
        intake_retry(actor=None, intake=intake)


@pytest.mark.django_db
def test_discarding_removes_the_original_only_when_no_other_intake_holds_it(
    intake_of, django_capture_on_commit_callbacks
):
    junk = b"not a scan at all"
    first, second = intake_of(junk, "a.jpg"), intake_of(junk, "b.jpg")
    for intake in (first, second):
        tasks.ingest(intake.pk)
        intake.refresh_from_db()
        assert intake.status == Intake.Status.FAILED
    original = storage.path(first.original_path)
    with django_capture_on_commit_callbacks(execute=True):
        intake_discard(actor=None, intake=first)
    assert original.read_bytes() == junk, "the second intake still holds these bytes"
    with django_capture_on_commit_callbacks(execute=True):
        intake_discard(actor=None, intake=second)
    assert not original.exists()
    first.refresh_from_db()
    assert first.status == Intake.Status.DISCARDED
    with pytest.raises(ValidationError):
        intake_discard(actor=None, intake=first)


@pytest.mark.django_db
def test_a_done_intake_cannot_be_discarded(intake_of, good_png, stub_ocr):
    intake = intake_of(good_png)
    tasks.ingest(intake.pk)
    intake.refresh_from_db()
    assert intake.status == Intake.Status.DONE
    with pytest.raises(ValidationError):
        intake_discard(actor=None, intake=intake)
    assert storage.path(intake.original_path).exists()


def test_png_bomb_helper_writes_a_png_pillow_recognizes():
    with Image.open(io.BytesIO(png_bomb(1000, 1500))) as img:
        assert img.size == (1000, 1500) and img.mode == "1"
