"""In Chromium: an operator links a scanned document to its register row with the picker, and the
dashboard counts it."""

from __future__ import annotations

import pytest

from sohoa.core.models import Role
from tests.factories import DocumentFactory, RegisterEntryFactory, UserFactory
from tests.reports.conftest import add_copy
from tests.web.test_browser import CHROMIUM, page  # noqa: F401 — the Chromium page fixture

pytestmark = [pytest.mark.browser]


@pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM), reason="Chromium is not installed")
@pytest.mark.django_db(transaction=True)
def test_operator_picks_the_row_and_the_dashboard_counts_it(live_server, page, province, password):  # noqa: F811
    ubkt = province["ubkt"]
    UserFactory(username="hoa", units=[ubkt], role=Role.OPERATOR)
    wanted = RegisterEntryFactory(unit=ubkt, year=2025, notation="41-CV/TU", subject="Về việc rà soát hồ sơ")
    RegisterEntryFactory(unit=ubkt, year=2025, notation="42-CV/TU", subject="Về việc khác")
    scan = DocumentFactory(unit=ubkt, notation="", issued_date=None, subject="scan-0041")
    add_copy(scan)

    page.goto(live_server.url + "/")
    page.fill("input[name=username]", "hoa")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.goto(f"{live_server.url}/documents/{scan.pk}/")
    page.click("#register-link a[role=button]")
    page.wait_for_url(f"**/documents/{scan.pk}/register/")
    page.fill("input[name=number]", "41-cv")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#unlinked tbody tr:has-text('rà soát')")
    assert page.locator("#unlinked tbody tr").count() == 1
    page.click("#unlinked tbody tr button[type=submit]")
    page.wait_for_url(f"**/documents/{scan.pk}/")
    assert page.locator(f"#register-link a[href='/register-entries/{wanted.pk}/']").count() == 1

    page.goto(f"{live_server.url}/reports/dashboard/?unit={ubkt.pk}&from=2025&to=2025")
    assert page.locator("#dashboard-total").inner_text() == "1 / 2 (50,0 %)"
