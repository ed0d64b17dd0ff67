"""`sohoa ingest`: files and folders, --wait, one JSON line per input file, clear errors for bad arguments."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pikepdf
import pytest
from django.core.management import CommandError, call_command

from sohoa.archive.models import Document
from sohoa.digitization import storage
from sohoa.digitization.models import Intake

from .conftest import page_image, pdftotext, save_image, save_pdf, scan_pages

KEYS = {"path", "document_id", "status", "pages", "sha256", "archival_path", "error"}


def ingest(*paths, **options) -> list[dict]:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    options = {"wait": True, "json": True, "jobs": 1, "stdout": out, "stderr": io.StringIO(), **options}
    call_command("ingest", *map(str, paths), **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture
def inbox(tmp_path):  # type: ignore[no-untyped-def]
    """A scanner's folder: a 2-page PDF, a PNG in a subfolder, a text file posing as a photo, a hidden file."""
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    save_pdf(folder / "a.pdf", scan_pages(2))
    save_image(folder / "sub" / "b.png", page_image(["Quyết định số 7"]), "PNG")
    (folder / "c.jpg").write_text("không phải ảnh", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return folder


@pytest.mark.django_db
def test_ingest_wait_json_prints_one_line_per_file_of_a_folder(inbox, unit, stub_ocr):
    lines = ingest(inbox, unit=unit.code)
    assert [line["path"] for line in lines] == [str(inbox / "a.pdf"), str(inbox / "c.jpg"), str(inbox / "sub/b.png")]
    assert all(set(line) == KEYS for line in lines)
    pdf, junk, png = lines

    for line, pages in ((pdf, 2), (png, 1)):
        assert line["status"] == "done" and line["error"] is None and line["pages"] == pages
        assert line["sha256"] == hashlib.sha256(Path(line["path"]).read_bytes()).hexdigest()
        document = Document.objects.get(pk=line["document_id"])
        assert document.digital_copy.archival_path == line["archival_path"]
        with pikepdf.Pdf.open(storage.path(line["archival_path"])) as archival:
            assert len(archival.pages) == pages

    assert junk["status"] == "failed" and junk["document_id"] is None and junk["archival_path"] is None
    assert isinstance(junk["error"], str) and junk["error"] and junk["sha256"]
    assert "Unsupported file type" in Intake.objects.get(original_name="c.jpg").error
    assert Intake.objects.filter(batch=Intake.objects.first().batch).count() == 3, "one batch for one command"
    assert set(Intake.objects.values_list("source", flat=True)) == {Intake.Source.CLI}


@pytest.mark.django_db
def test_ingest_error_messages_follow_the_language(inbox, unit, stub_ocr):
    from django.utils.translation import override

    with override("en"):
        (line,) = ingest(inbox / "c.jpg", unit=unit.code)
    assert line["error"].startswith("Unsupported file type")


@pytest.mark.django_db
def test_ingesting_the_same_file_again_reports_a_duplicate_of_the_first_document(inbox, unit, stub_ocr):
    (first,) = ingest(inbox / "a.pdf", unit=unit.code)
    (again,) = ingest(inbox / "a.pdf", unit=unit.code)
    assert again["status"] == "duplicate" and again["document_id"] == first["document_id"]
    assert again["sha256"] == first["sha256"] and again["error"]
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_two_copies_of_one_file_in_a_folder_give_one_document_and_a_duplicate_pointing_to_it(tmp_path, unit, stub_ocr):
    folder = tmp_path / "twice"
    folder.mkdir()
    save_pdf(folder / "a.pdf", scan_pages(1))
    (folder / "b.pdf").write_bytes((folder / "a.pdf").read_bytes())
    first, copy = ingest(folder, unit=unit.code)
    assert first["status"] == "done" and copy["status"] == "duplicate"
    assert copy["document_id"] == first["document_id"] is not None
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_a_confidential_document_has_no_archival_path_in_the_json(inbox, unit, stub_ocr):
    (line,) = ingest(inbox / "sub" / "b.png", unit=unit.code, confidentiality="mat")
    assert line["status"] == "done" and line["document_id"] is not None
    assert line["archival_path"] is None
    assert Document.objects.get(pk=line["document_id"]).confidentiality == 1


@pytest.mark.django_db
def test_ingest_into_a_record_files_the_document_there(inbox, unit, stub_ocr):
    from tests.factories import RecordFactory

    record = RecordFactory(unit=unit, creator_unit=unit)
    (line,) = ingest(inbox / "sub" / "b.png", unit=unit.code, record=record.code)
    assert Document.objects.get(pk=line["document_id"]).record == record


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"unit": "NO-SUCH-UNIT"}, "NO-SUCH-UNIT"),
        ({"record": "NO-SUCH-RECORD"}, "NO-SUCH-RECORD"),
        ({"confidentiality": "top"}, "top"),
    ],
)
def test_bad_arguments_raise_a_command_error_and_store_nothing(inbox, unit, options, message):
    with pytest.raises(CommandError, match=message):
        ingest(inbox, **{"unit": unit.code, **options})
    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_a_missing_path_is_a_command_error(tmp_path, unit):
    with pytest.raises(CommandError, match="nowhere"):
        ingest(tmp_path / "nowhere.pdf", unit=unit.code)


@pytest.mark.django_db
def test_without_wait_files_are_queued_for_the_worker(inbox, unit):
    # Not a transactional test: on_commit never fires, so the intake stays queued, as for a real worker.
    (line,) = ingest(inbox / "a.pdf", unit=unit.code, wait=False)
    assert line["status"] == "queued" and line["document_id"] is None
    assert Intake.objects.get().status == Intake.Status.QUEUED


@pytest.mark.ocr
def test_the_sohoa_script_ingests_on_all_cores_and_keeps_stdout_to_json(instance, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    save_pdf(folder / "bien_ban.pdf", scan_pages(3))
    save_image(folder / "to_trinh.png", page_image(["KIỂM TRA", "số hóa tài liệu"]), "PNG")
    proc = instance.run("ingest", str(folder), "--unit", "T01", "--wait", "--json")  # default --jobs: every core
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 2 and all(set(line) == KEYS for line in lines)
    assert [line["status"] for line in lines] == ["done", "done"], lines
    assert [line["pages"] for line in lines] == [3, 1]
    for line in lines:
        archival = instance.files / line["archival_path"]
        text = pdftotext(archival)
        assert "KIỂM TRA" in text and "số hóa" in text, text
    assert instance.query("select count(*), sum(done) from digitization_page") == [(4, 4)]
    assert instance.query("select count(*) from digitization_digitalcopy") == [(2,)]
    assert not list(instance.files.rglob(".part-*"))
    assert not any((instance.files / "work").iterdir()) if (instance.files / "work").exists() else True
