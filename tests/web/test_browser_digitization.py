"""Browser: an operator uploads a scanned PDF and watches its progress update live, without reloading."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest
from django.db import OperationalError
from PIL import Image, ImageDraw, ImageFont

from sohoa.core.models import Level, Role
from tests.factories import UserFactory
from tests.web.test_browser import CHROMIUM, page  # noqa: F401  (the Chromium page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.ocr]


def _scan(path, pages=4, dpi=200):  # type: ignore[no-untyped-def]
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 40)
    images = []
    for n in range(pages):
        img = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
        ImageDraw.Draw(img).text((150, 200), f"ỦY BAN KIỂM TRA — trang {n + 1}", fill=0, font=font)
        images.append(img)
    images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)


@pytest.mark.django_db(transaction=True)
def test_operator_uploads_a_scan_and_sees_live_progress(live_server, page, province, password, tmp_path, monkeypatch):  # noqa: F811
    from sohoa.digitization import pipeline, tasks

    UserFactory(username="op", units=[province["ubkt"]], role=Role.OPERATOR, clearance=Level.NONE)
    started = threading.Event()

    def slow_worker(intake_id: int) -> None:
        """A background worker that waits for the browser to look before each page."""

        def retrying(step, *args):  # type: ignore[no-untyped-def]
            """The test database is SQLite in memory with a shared cache: a write from this thread fails
            at once ("table is locked") while the server thread reads, where a real database waits."""
            for _ in range(100):
                try:
                    return step(*args)
                except OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.05)
            raise AssertionError("the test database stayed locked")

        def run() -> None:
            # A real worker is another process that picks the task up later; starting at once, this thread
            # raced the upload request's own last writes (session) on the shared in-memory database.
            time.sleep(1.0)
            numbers = retrying(pipeline.prepare, intake_id)
            started.set()
            for number in numbers:
                time.sleep(1.5)
                retrying(pipeline.process_page, intake_id, number)
            retrying(pipeline.finish, intake_id)

        threading.Thread(target=run, daemon=True).start()

    monkeypatch.setattr(tasks, "ingest", slow_worker)
    scan = tmp_path / "cong-van-64.pdf"
    _scan(scan)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "op")
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.goto(live_server.url + "/digitization/upload/")
    page.set_input_files("input#files", str(scan))
    page.select_option("select[name=unit]", label=str(province["ubkt"]))
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url("**/digitization/?batch=*")
    url_before = page.url
    assert started.wait(30), "the worker never started"

    # The progress bar moves past 0 and then reaches 100 while the page itself is never reloaded.
    page.wait_for_function(
        "() => { const p = document.querySelector('#intakes progress'); return p && +p.value > 0 && +p.value < 100; }",
        timeout=120000,
    )
    page.wait_for_function("() => +document.querySelector('#intakes progress').value === 100", timeout=180000)
    assert page.url == url_before
    page.click("#intakes a:has-text('#')")  # the document link
    page.wait_for_url("**/documents/*/")
    assert page.locator(".thumbs img").count() == 4
    # The archival copy is a PDF/A whose text layer holds the page's Vietnamese words.
    from sohoa.digitization import storage
    from sohoa.digitization.models import Intake

    intake = Intake.objects.get()
    text = subprocess.run(
        ["pdftotext", str(storage.path(intake.document.digital_copy.archival_path)), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "KIỂM TRA" in text and "trang 4" in text
