"""The search page in a real Chromium: results appear as you type, the URL follows, the keyboard opens a hit."""

from __future__ import annotations

import os
import re

import pytest

from sohoa.core.models import Level, Role
from tests.factories import UserFactory
from tests.search.conftest import add_document
from tests.web.test_browser import CHROMIUM, page  # noqa: F401  (the shared Chromium page fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed (make setup installs it)"),
]


@pytest.mark.django_db(transaction=True)
def test_results_appear_as_you_type_and_the_keyboard_opens_one(live_server, page, province, password):  # noqa: F811
    UserFactory(username="lan", units=[province["ubkt"]], role=Role.CLERK, clearance=Level.NONE)
    wanted = add_document(
        unit=province["ubkt"], subject="Kế hoạch chuyển đổi số công tác lưu trữ", notation="12-KH/UBKTTU",
        pages=["Mở đầu", "Chuyển đổi số hồ sơ đảng viên"],
    )  # fmt: skip
    add_document(unit=province["ubkt"], subject="Báo cáo tổng kết năm")
    add_document(unit=province["ubkt"], confidentiality=Level.MAT, subject="Chuyển đổi số (mật)")

    page.goto(live_server.url + "/")
    page.fill("input[name=username]", "lan")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.click("#nav-search")
    page.wait_for_url(live_server.url + "/search/")
    page.evaluate("window.__samePage = true; document.activeElement.blur()")
    page.keyboard.press("/")  # "/" puts the cursor in the search box
    assert page.evaluate("document.activeElement.id") == "q"

    page.keyboard.type("chuyển đổi s", delay=40)  # no Enter
    page.wait_for_selector("#search-results .hit-link:has-text('Kế hoạch chuyển đổi số')")
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'chuyển đổi s'")
    assert page.evaluate("window.__samePage") is True  # htmx swapped the results, no page load
    assert page.locator("#search-results .hit").count() == 1  # the classified one is not shown to this clerk
    assert page.locator("#search-results .hit-page").inner_text().startswith("Trang 2")

    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.className") == "hit-link"
    assert page.locator(".hit.selected").count() == 1
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/documents/{wanted.pk}/\?from=search$"))  # logged as opened from search
    assert "12-KH/UBKTTU" in page.locator("h1").inner_text()

    # The URL it left behind is a bookmark: opened afresh, it shows the same results.
    page.go_back()
    page.wait_for_selector("#search-results .hit-link:has-text('Kế hoạch chuyển đổi số')")
    assert page.input_value("#q") == "chuyển đổi s"
