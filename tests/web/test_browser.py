"""A real Chromium (Debian's /usr/bin/chromium) driven by Playwright: log in, register a document, find it."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from sohoa.core.models import Level, Role
from tests.factories import UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed (make setup installs it)"),
]


@pytest.fixture
def page():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are
    # still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
        yield context.new_page()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_clerk_logs_in_registers_a_document_and_finds_it(live_server, page, province, password):
    UserFactory(username="lan", units=[province["ubkt"]], role=Role.CLERK, clearance=Level.MAT)

    page.goto(live_server.url + "/")
    # Vietnamese by default, even though the browser asks for English.
    assert page.locator("h1").first.inner_text() == "sohoa"
    assert page.locator("button[type=submit]").inner_text() == "Đăng nhập"
    page.fill("input[name=username]", "lan")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + "/documents/new/")
    page.fill("input[name=notation]", "77-CV/UBKTTU")
    page.fill("input[name=issued_date]", "2025-05-15")
    page.fill("input[name=issuer]", "Ủy ban Kiểm tra Tỉnh ủy Cà Mau")
    page.fill("textarea[name=subject]", "V/v kiểm tra việc số hóa hồ sơ đảng viên")
    page.select_option("select[name=unit]", label=str(province["ubkt"]))
    page.select_option("select[name=confidentiality]", str(Level.MAT.value))
    page.click("form.edit-form button[type=submit]")
    # The document's page, not /documents/new/ (a classified form first saves its draft, decision 0031).
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    assert "77-CV/UBKTTU" in page.locator("h1").inner_text()

    page.goto(live_server.url + "/documents/")
    page.fill("input[name=q]", "số hóa hồ sơ đảng viên")  # search-as-you-type replaces the results table
    page.wait_for_selector("#results a:has-text('77-CV/UBKTTU')")
    assert page.locator("#results tbody tr").count() == 1
