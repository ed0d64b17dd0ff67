"""The watched folder takes a scanner's file only once it has stopped changing, and loses nothing."""

from __future__ import annotations

import pytest

from sohoa.digitization import storage
from sohoa.digitization.models import Intake
from sohoa.digitization.watch import WatchState, scan_once


@pytest.fixture
def folder(tmp_path):  # type: ignore[no-untyped-def]
    directory = tmp_path / "scanner"
    directory.mkdir()
    return directory


@pytest.mark.django_db
def test_a_stable_file_is_taken_once_and_moved_aside(folder, province):
    (folder / "scan 001.pdf").write_bytes(b"%PDF-1.4 scanner output")
    state = WatchState()
    assert scan_once(folder, province["ubkt"], state, settle=0) == []  # first sight: not yet known stable
    (intake,) = scan_once(folder, province["ubkt"], state, settle=0)
    assert intake.source == Intake.Source.FOLDER and intake.original_name == "scan 001.pdf"
    assert storage.path(intake.original_path).read_bytes() == b"%PDF-1.4 scanner output"
    assert not (folder / "scan 001.pdf").exists()
    assert (folder / ".sohoa" / "taken" / "scan 001.pdf").exists()
    assert scan_once(folder, province["ubkt"], state, settle=0) == []


@pytest.mark.django_db
def test_a_file_still_being_written_waits(folder, province):
    file = folder / "growing.tif"
    file.write_bytes(b"II*\x00part")
    state = WatchState()
    scan_once(folder, province["ubkt"], state, settle=0)
    with open(file, "ab") as fh:
        fh.write(b" more bytes")
    assert scan_once(folder, province["ubkt"], state, settle=0) == []  # changed since last look
    assert file.exists()
    assert len(scan_once(folder, province["ubkt"], state, settle=0)) == 1


@pytest.mark.django_db
def test_temporary_and_hidden_names_are_left_alone(folder, province):
    for name in ("upload.pdf.part", ".hidden.pdf", "~$lock.pdf", "x.tmp"):
        (folder / name).write_bytes(b"%PDF-1.4")
    state = WatchState()
    scan_once(folder, province["ubkt"], state, settle=0)
    assert scan_once(folder, province["ubkt"], state, settle=0) == []


@pytest.mark.django_db
def test_settle_time_is_respected(folder, province):
    (folder / "a.pdf").write_bytes(b"%PDF-1.4")
    state = WatchState()
    scan_once(folder, province["ubkt"], state, settle=3600)
    assert scan_once(folder, province["ubkt"], state, settle=3600) == []


@pytest.mark.django_db
def test_watch_command_rejects_unknown_unit_and_folder(tmp_path, province):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="NOPE"):
        call_command("watch", str(tmp_path), unit="NOPE", once=True)
    with pytest.raises(CommandError):
        call_command("watch", str(tmp_path / "missing"), unit="H12.UBKTTU", once=True)
