"""In Chromium: a unit files a difficulty, the Office rejects it with a reason and reads the summary; a
reader cites a digitized document and the usage page counts it."""

from __future__ import annotations

import os

import pytest

from sohoa.core.models import Role
from sohoa.difficulties.models import Difficulty
from sohoa.usage.models import UseEvent
from tests.factories import UserFactory
from tests.usage.conftest import digitize
from tests.web.test_browser import CHROMIUM, page  # noqa: F401 — the shared browser fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed (make setup installs it)"),
]


def login(page, base: str, username: str, password: str) -> None:  # noqa: F811
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


@pytest.mark.django_db(transaction=True)
def test_difficulty_and_usage_walkthrough(live_server, page, province, password):  # noqa: F811
    UserFactory(username="thu", units=[province["ubkt"]], role=Role.CLERK)
    UserFactory(username="vanphong", units=[province["tu"]], role=Role.PROVINCIAL_OFFICE)
    operator = UserFactory(username="vanhanh", units=[province["ubkt"]], role=Role.OPERATOR)
    document = digitize(unit=province["ubkt"], pages=3, by=operator, notation="9-BC/UBKTTU")
    base = live_server.url

    login(page, base, "thu", password)
    page.click("nav a[href='/difficulties/']")
    page.click("a[href='/difficulties/new/']")
    page.select_option("select[name=category]", "equipment")
    page.fill("input[name=quantity]", "0")
    page.fill("input[name=title]", "Thiếu máy quét A3")
    page.fill("textarea[name=description]", "Cần 2 máy quét A3 và 3 USB bảo mật.")
    page.click("form.edit-form button[type=submit]")
    assert "lớn hơn hoặc bằng" in page.locator(".errorlist").first.inner_text()  # kept, nothing saved
    assert page.input_value("input[name=title]") == "Thiếu máy quét A3"
    page.fill("input[name=quantity]", "2")
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url("**/difficulties/*/")
    assert "Thiếu máy quét A3" in page.locator("h1").inner_text()

    # The same clerk reads a digitized document and records where it was cited.
    page.goto(f"{base}/documents/{document.pk}/")
    page.click("#usage-actions a[href$='/cite/']")
    page.fill("input[name=cited_in]", "Báo cáo số 12-BC/TU")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/documents/{document.pk}/")
    assert UseEvent.objects.filter(kind="citation", document=document).count() == 1
    page.click("form[action*=logout] button")

    login(page, base, "vanphong", password)
    item = Difficulty.objects.get()
    page.goto(f"{base}/difficulties/{item.pk}/")
    page.select_option("select[name=status]", "rejected")
    page.click("form[action*=status] button[type=submit]")
    assert page.locator(".errorlist").count() >= 1  # a rejection needs its reason
    page.select_option("select[name=status]", "rejected")
    page.fill("input[name=note]", "Chưa có kinh phí năm nay")
    page.click("form[action*=status] button[type=submit]")
    page.wait_for_url(f"**/difficulties/{item.pk}/")
    assert "Chưa có kinh phí năm nay" in page.locator("#difficulty-history").inner_text()

    page.goto(f"{base}/difficulties/summary/?status=all")
    assert page.locator("#summary-total").inner_text() == "1"
    assert page.locator("figure.chart svg").count() == 1

    page.goto(f"{base}/usage/?unit={province['ubkt'].pk}")
    assert page.locator("#usage-documents").inner_text() == "1"
    assert page.locator("#usage-used").inner_text().startswith("1 (100,0")
    assert "9-BC/UBKTTU" in page.locator("#usage-top").inner_text()
