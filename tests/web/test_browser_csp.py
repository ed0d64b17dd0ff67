"""The Content-Security-Policy in a real Chromium: the pages run (htmx, static scripts, charts) and the
browser reports no violation."""

from __future__ import annotations

import pytest

from sohoa.core.models import Level, Role
from tests.factories import DocumentFactory, UserFactory
from tests.web.test_browser import CHROMIUM, page  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM), reason="Chromium is not installed"),
]


@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_policy_without_violations(live_server, page, province, password, settings, tmp_path):  # noqa: F811
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    UserFactory(username="quantri", units=[province["root"]], role=Role.ADMIN, clearance=Level.NONE, is_staff=True)
    document = DocumentFactory(unit=province["ubkt"], subject="Kế hoạch chuyển đổi số")
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert "default-src 'self'" in (page.context.request.get(live_server.url + "/").headers["content-security-policy"])

    # The language switcher (its inline onchange moved to core/sohoa.js) still submits on change.
    page.select_option("select[name=language]", "en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")

    # htmx search-as-you-type on the document list.
    page.goto(live_server.url + "/documents/")
    page.fill("input[name=q]", "chuyển đổi")
    page.wait_for_selector(f"#results a[href='/documents/{document.pk}/']")

    for path in (f"/documents/{document.pk}/", "/search/?q=k", "/reports/dashboard/", "/reports/progress/",
                 "/audit/", "/plans/", "/usage/", "/api/docs/", "/admin/"):  # fmt: skip
        response = page.goto(live_server.url + path)
        assert response is not None and response.status < 400, path
        page.wait_for_load_state("networkidle")
    assert violations == []

    # And the policy is really enforced: an injected inline script is blocked and reported.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
                  " document.body.appendChild(s); }")  # fmt: skip
    page.wait_for_timeout(300)
    assert page.evaluate("window.pwned") is None
    assert violations
