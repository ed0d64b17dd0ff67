"""Kill the worker mid-document: on restart it finishes, with no duplicate pages or documents and no partial
files left visible. Real processes, a real SQLite file and the embedded SqliteHuey queue — not the pytest DB."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pytest

from sohoa.digitization.storage import sha256_file

from .conftest import SOHOA, Instance, pdftotext, save_pdf, scan_pages

PAGES = 6


@contextmanager
def consumer(instance: Instance, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`sohoa run_huey` with two worker processes, in its own process group so it can be killed whole."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(SOHOA), "run_huey", "--workers", "2", "--worker-type", "process"],
            env=instance.env,
            cwd=instance.base,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc
    finally:
        kill_group(proc)


def kill_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def wait_for(
    condition: Callable[[], bool], timeout: float, what: str, proc: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; consumer log:\n{log.read_text(errors='replace')[-4000:]}")


@pytest.mark.ocr
def test_killing_the_worker_mid_document_loses_nothing_and_duplicates_nothing(instance, tmp_path):
    source = save_pdf(tmp_path / "ho_so_kiem_tra.pdf", scan_pages(PAGES))
    (queued,) = [
        json.loads(x) for x in instance.run("ingest", str(source), "--unit", "T01", "--json").stdout.splitlines()
    ]
    assert queued["status"] == "queued"
    ((intake_id,),) = instance.query("select id from digitization_intake")

    def pages_done() -> int:
        rows = instance.query("select count(*) from digitization_page where intake_id = ? and done = 1", (intake_id,))
        return int(rows[0][0])

    def status() -> str:
        return str(instance.query("select status from digitization_intake where id = ?", (intake_id,))[0][0])

    def archival_files() -> list[Path]:
        return list((instance.files / "archival").rglob("*.pdf")) if (instance.files / "archival").exists() else []

    log = tmp_path / "consumer.log"
    with consumer(instance, log) as first:
        wait_for(lambda: pages_done() >= 1, 90, "the first page", first, log)
        kill_group(first)  # SIGKILL the consumer and its workers (and their Tesseracts) mid-document
    done_at_kill = pages_done()
    assert 1 <= done_at_kill < PAGES, f"the kill came too late to test anything ({done_at_kill} pages done)"
    assert status() != "done"
    assert archival_files() == [], "no archival copy may exist before every page is done"
    assert instance.query("select count(*) from archive_document") == [(0,)]

    with consumer(instance, log) as second:
        wait_for(lambda: status() in ("done", "failed"), 120, "the intake to finish", second, log)
        assert status() == "done", instance.query("select error, error_params from digitization_intake")
        time.sleep(0.5)  # let the other worker drop any duplicate task it had begun
        kill_group(second, signal.SIGINT)

    assert instance.query("select count(*) from archive_document") == [(1,)]
    assert instance.query("select count(*) from digitization_digitalcopy") == [(1,)]
    rows = instance.query("select number, done, length(text) from digitization_page where intake_id = ?", (intake_id,))
    assert sorted(r[0] for r in rows) == list(range(1, PAGES + 1)) and all(r[1] == 1 and r[2] > 0 for r in rows)
    assert instance.query("select pages_total, pages_done from digitization_intake") == [(PAGES, PAGES)]

    ((archival_rel, archival_sha, original_rel, original_sha),) = instance.query(
        "select archival_path, archival_sha256, original_path, original_sha256 from digitization_digitalcopy"
    )
    archival = instance.files / str(archival_rel)
    assert archival_files() == [archival]
    with pikepdf.Pdf.open(archival) as pdf:
        assert len(pdf.pages) == PAGES
    assert sha256_file(archival) == archival_sha
    assert (instance.files / str(original_rel)).read_bytes() == source.read_bytes()
    assert sha256_file(source) == original_sha
    text = pdftotext(archival)
    assert all(f"Trang {n}" in text for n in range(1, PAGES + 1)), text
    assert not list(instance.files.rglob(".part-*")), "no partial file may be left"
    assert not (instance.files / "work" / str(intake_id)).exists(), "the work dir is removed"
    thumbs = list((instance.files / "thumbs" / str(intake_id)).iterdir())
    assert sorted(t.name for t in thumbs) == [f"{n:05d}.jpg" for n in range(1, PAGES + 1)]


@pytest.mark.django_db
def test_a_thumbnail_write_cut_short_by_a_kill_is_swept_when_the_intake_finishes(intake_of, scanned_pdf, stub_ocr):
    from sohoa.digitization import pipeline, storage

    intake = intake_of(scanned_pdf(2))
    numbers = pipeline.prepare(intake.pk)
    pipeline.process_page(intake.pk, numbers[0])
    leftover = storage.root() / "thumbs" / str(intake.pk) / ".part-killed"
    leftover.write_bytes(b"\xff\xd8 half a jpeg")  # what SIGKILL during storage.atomic_write leaves
    pipeline.process_page(intake.pk, numbers[1])
    assert pipeline.finish(intake.pk) is not None
    assert not leftover.exists()
    assert sorted(p.name for p in leftover.parent.iterdir()) == ["00001.jpg", "00002.jpg"]
