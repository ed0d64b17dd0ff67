"""Browser: a scanned petition from upload to a pre-filled, classified petition with its deadline, then
forwarded, with its forwarding letter downloaded (issue 9's "done when"). Real Chromium, real Tesseract."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError

from sohoa.core.models import Level, Role
from sohoa.petitions.models import Competence, Kind, Petition, State
from tests.factories import UserFactory
from tests.web.test_browser import page  # noqa: F401  (the Chromium page fixture)

from .helpers import LETTER_LINES, letter_image

pytestmark = [pytest.mark.browser, pytest.mark.ocr, pytest.mark.usefixtures("petition_storage")]


def _retrying(step, *args):  # type: ignore[no-untyped-def]
    """The test database is SQLite in memory with a shared cache: a write from the worker thread fails at
    once ("table is locked") while the server thread reads, where a real database would wait."""
    for _ in range(200):
        try:
            return step(*args)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.05)
    raise AssertionError("the test database stayed locked")


def _login(page, url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.context.clear_cookies()
    page.goto(url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(url + "/")


@pytest.mark.django_db(transaction=True)
def test_a_scanned_petition_is_prefilled_classified_forwarded_and_its_letter_downloaded(  # noqa: PLR0915
    live_server,
    page,  # noqa: F811
    province,
    password,
    tmp_path,
    monkeypatch,
):
    from sohoa.digitization import pipeline, tasks
    from sohoa.digitization.models import Intake
    from sohoa.petitions import intake as petition_intake

    UserFactory(username="lan", units=[province["ubkt"]], role=Role.CLERK, clearance=Level.MAT)
    UserFactory(username="minh", units=[province["ubkt"]], role=Role.INSPECTOR, clearance=Level.MAT)
    finished = threading.Event()

    def worker(intake_id: int) -> None:
        """A background worker (another process in production) that runs the real pipeline."""

        def run() -> None:
            from django.db import connection

            time.sleep(1.0)  # it picks the task up after the upload request has ended
            try:
                for number in _retrying(pipeline.prepare, intake_id):
                    _retrying(pipeline.process_page, intake_id, number)
                document = _retrying(pipeline.finish, intake_id)
                # The pipeline announced the document; if the announcement lost a race with the server
                # thread on the in-memory database, deliver it again (the receiver is idempotent).
                intake = Intake.objects.get(pk=intake_id)
                _retrying(lambda: petition_intake.on_intake_finished(Intake, intake=intake, document=document))
                finished.set()
            finally:
                connection.close()

        threading.Thread(target=run, daemon=True).start()

    monkeypatch.setattr(tasks, "ingest", worker)
    scan = tmp_path / "don-to-cao.png"
    letter_image(LETTER_LINES).save(scan, "PNG", dpi=(200, 200))

    # The clerk registers the letter from its scan, typing nothing else.
    _login(page, live_server.url, "lan", password)
    page.click("#nav-petitions")
    page.click("#petition-register")
    page.set_input_files("input#letter", str(scan))
    page.select_option("select[name=unit]", label=str(province["ubkt"]))
    page.click("#petition-form button[type=submit]")
    page.wait_for_url("**/petitions/*/")
    assert page.locator("#petition-number").inner_text() == f"1/{Petition.objects.get().received_on.year}"
    assert page.locator("#ocr-pending").count() == 1
    assert finished.wait(180), "the pipeline did not finish"

    # Once read, the letter has filled in the petition: kind, sender, person concerned, summary, date.
    page.reload()
    assert "tố cáo" in page.locator("#petition-kind").inner_text().lower()
    parties = page.locator("#petition-parties").inner_text()
    assert "Thị Hoa" in parties and "Nguyễn Văn Bình" in parties
    assert "Ông Bình" in page.locator("#petition-summary").inner_text()
    assert page.locator("#petition-files a.file-view").count() == 1  # the letter in the document viewer
    assert page.locator("#ocr-pending").count() == 0 and page.locator("#ocr-failed").count() == 0
    petition = Petition.objects.get()
    assert petition.kind == Kind.DENUNCIATION and not petition.anonymous
    assert petition.letter_date is not None and petition.letter_date.isoformat() == "2026-03-12"

    # The inspector classifies it as another body's: the deadline to forward it is shown.
    _login(page, live_server.url, "minh", password)
    page.goto(f"{live_server.url}/petitions/{petition.pk}/")
    page.click("#step-classify summary")
    form = page.locator("#step-classify form")
    assert form.locator("select[name=kind]").input_value() == Kind.DENUNCIATION  # the pre-filled kind
    form.locator("select[name=conditions_met]").select_option("yes")
    form.locator("select[name=competence]").select_option(Competence.OTHER)
    form.locator("input[name=forward_to]").fill("Thanh tra tỉnh Cà Mau")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#step-forward")
    petition.refresh_from_db()
    assert petition.state == State.CLASSIFIED and petition.deadline is not None
    assert petition.deadline.strftime("%d-%m-%Y") in page.locator("#petition-deadline").inner_text()
    assert page.locator("#workflow-deadline").count() == 1

    # It forwards the petition and downloads the forwarding letter.
    page.click("#step-forward summary")
    forward = page.locator("#step-forward form")
    forward.locator("input[name=reference]").fill("15/CV-UBKTTU")
    forward.locator("button[type=submit]").click()
    page.wait_for_selector("#step-forward", state="detached")
    petition.refresh_from_db()
    assert petition.state == State.FORWARDED and petition.deadline is None
    with page.expect_download() as info:
        page.click("#letter-forwarding")
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    import docx

    text = "\n".join(p.text for p in docx.Document(str(download.path())).paragraphs)
    assert "Thanh tra tỉnh Cà Mau" in text
    assert petition.events.filter(action="letter").exists()
