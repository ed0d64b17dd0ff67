"""Browser: a scan uploaded from the UI arrives with its registration form pre-filled from the header,
highlighted by confidence; accepting it fills the document and links its register row."""

from __future__ import annotations

import datetime as dt

import pytest

from sohoa.archive.models import Direction, RegisterEntry
from sohoa.core.models import Level, Role
from tests.extraction.render import render_header, save
from tests.extraction.test_header_ocr import PARTY
from tests.factories import RegisterEntryFactory, UserFactory
from tests.web.test_browser import page  # noqa: F401  (the Chromium page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.ocr]


@pytest.mark.django_db(transaction=True)
def test_clerk_accepts_the_header_read_from_an_uploaded_scan(live_server, page, province, password, tmp_path):  # noqa: F811
    UserFactory(username="clerk", units=[province["ubkt"]], role=Role.CLERK, clearance=Level.NONE)
    entry = RegisterEntryFactory(
        unit=province["ubkt"],
        direction=Direction.OUTGOING,
        year=2024,
        notation="64-CV/UBKTTU",
        doc_date=dt.date(2024, 5, 17),
        subject="Báo cáo tiến độ số hóa",
        document=None,
    )
    scan = save(render_header(**PARTY), tmp_path / "scan_0001.png")

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.goto(live_server.url + "/digitization/upload/")
    page.set_input_files("input#files", str(scan))
    page.select_option("select[name=unit]", label=str(province["ubkt"]))
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url("**/digitization/?batch=*")
    page.wait_for_function("() => +document.querySelector('#intakes progress').value === 100", timeout=180000)
    page.click("#intakes a:has-text('#')")  # the new document
    page.wait_for_url("**/documents/*/")

    page.click("#suggestion-link")
    page.wait_for_url("**/extraction/")
    assert page.input_value("input[name=notation]") == "64-CV/UBKTTU"
    assert page.input_value("input[name=issued_date]") == "2024-05-17"
    assert page.input_value("input[name=issuer]") == "ỦY BAN KIỂM TRA"
    # Every field carries its confidence level; what could not be read is marked for checking.
    assert page.locator("label[data-field=notation]").get_attribute("data-level") in ("high", "medium")
    assert page.locator("label[data-field=signer][data-level=low]").count() == 1

    page.click("#accept")
    page.wait_for_url("**/documents/*/")
    assert "64-CV/UBKTTU" in page.content()
    entry.refresh_from_db()
    assert entry.document is not None and entry.document.notation == "64-CV/UBKTTU"
    assert RegisterEntry.objects.filter(document=entry.document).count() == 1
