"""Fixity: stored originals and archival copies are re-hashed; a flipped byte or a missing file raises an alert."""

from __future__ import annotations

import io
import json
import os

import pytest
from django.core.management import call_command

from sohoa.core.models import AuditEvent
from sohoa.digitization import fixity, storage, tasks
from sohoa.digitization.models import DigitalCopy, FixityAlert

from .conftest import run_pipeline


@pytest.fixture
def copy(intake_of, good_png, stub_ocr) -> DigitalCopy:  # type: ignore[no-untyped-def]
    intake = run_pipeline(intake_of(good_png))
    assert intake.document is not None
    return intake.document.digital_copy


def fixity_check(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("fixity-check", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def flip_one_byte(file) -> None:  # type: ignore[no-untyped-def]
    os.chmod(file, 0o640)
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x01
    file.write_bytes(bytes(data))


@pytest.mark.django_db
def test_fixity_check_passes_on_untouched_files(copy):
    code, out, _ = fixity_check("--json")
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [{"checked": 2, "problems": 0}]
    assert not FixityAlert.objects.exists()


@pytest.mark.django_db
def test_a_flipped_byte_in_the_archival_copy_exits_1_and_raises_one_mismatch_alert(copy):
    archival = storage.path(copy.archival_path)
    flip_one_byte(archival)
    code, out, _ = fixity_check("--json")
    assert code == 1
    problem, summary = (json.loads(line) for line in out.splitlines())
    assert problem["problem"] == "mismatch" and problem["path"] == copy.archival_path
    assert problem["expected"] == copy.archival_sha256 and problem["actual"] == storage.sha256_file(archival)
    assert problem["document_id"] == str(copy.document_id)
    assert summary == {"checked": 2, "problems": 1}
    alert = FixityAlert.objects.get()
    assert (alert.problem, alert.path, alert.copy, alert.resolved) == ("mismatch", copy.archival_path, copy, False)
    assert fixity_check()[0] == 1
    assert FixityAlert.objects.count() == 1, "an open alert is not raised twice"


@pytest.mark.django_db
def test_a_deleted_original_is_reported_missing(copy):
    storage.path(copy.original_path).unlink()
    code, _, err = fixity_check()
    assert code == 1
    assert copy.original_path in err
    alert = FixityAlert.objects.get()
    assert alert.problem == "missing" and alert.path == copy.original_path and alert.actual_sha256 == ""


@pytest.mark.django_db
def test_the_nightly_task_checks_every_copy_and_leaves_an_audit_trail(copy):
    flip_one_byte(storage.path(copy.original_path))
    tasks.fixity_nightly()  # Huey's immediate mode runs the periodic task inline
    assert FixityAlert.objects.get().problem == "mismatch"
    event = AuditEvent.objects.filter(action="fixity_check").latest("pk")
    assert event.details == {"checked": 2, "problems": 1}
    report = fixity.check_all()
    assert report.checked == 2 and not report.ok
