"""Form drafts in a real Chromium (issue 9, decision 0031): the session expires mid-form and nothing typed
is lost; a classified form keeps its values on the page only; logging out clears the browser's copies."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError

from sohoa.archive.models import Document
from sohoa.core.models import Draft, Level, Role
from tests.factories import UserFactory
from tests.web.test_browser import CHROMIUM, page  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM), reason="Chromium is not installed"),
]

KEY = "document@/documents/new/"


def _watch_csp(page) -> list[str]:  # type: ignore[no-untyped-def]  # noqa: F811
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return violations


def _log_in(page, url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("article.login button[type=submit]")
    page.wait_for_url(url)


def _copies(page) -> dict[str, dict]:  # type: ignore[no-untyped-def,type-arg]  # noqa: F811
    """The drafts kept in the browser's localStorage, by their storage name."""
    raw = page.evaluate(
        "() => Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('sohoa:draft:'))"
        ".map(k => [k, localStorage.getItem(k)]))"
    )
    return {k: json.loads(v) for k, v in raw.items()}


def _expire_sessions() -> None:
    """What an expired or ended session looks like to the server: no session row any more. (On the
    shared in-memory SQLite database the live server's thread may still hold the table for a moment
    after its last answer: wait for it rather than fail.)"""
    for attempt in range(50):
        try:
            Session.objects.all().delete()
            return
        except OperationalError:
            if attempt == 49:
                raise
            time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_nothing_typed_is_lost_when_the_session_expires_mid_form(live_server, page, province, password):  # noqa: F811
    user = UserFactory(username="lan", units=[province["ubkt"]], role=Role.CLERK, clearance=Level.MAT)
    violations = _watch_csp(page)
    form_url = live_server.url + "/documents/new/"
    page.goto(form_url)
    _log_in(page, form_url, "lan", password)
    assert page.locator("[data-draft-files]").is_hidden()  # no file input on this form

    # Start filling the form: the draft reaches the server (debounced, and when a field is left).
    page.fill("input[name=notation]", "77-CV/UBKTTU")
    page.fill("input[name=issuer]", "Ủy ban Kiểm tra Tỉnh ủy Cà Mau")
    page.select_option("select[name=unit]", label=str(province["ubkt"]))
    page.click("textarea[name=subject]")
    page.keyboard.type("V/v kiểm tra việc số hóa")
    page.click("input[name=keywords]")
    page.wait_for_function("() => document.querySelector('[data-draft-status]').textContent.trim() !== ''")
    assert Draft.objects.filter(user=user, key=KEY).exists()

    # The session ends on the server while the clerk keeps typing.
    _expire_sessions()
    page.click("textarea[name=subject]")
    page.keyboard.press("End")
    page.keyboard.type(" hồ sơ đảng viên")
    page.fill("input[name=issued_date]", "2025-05-15")
    page.fill("input[name=keywords]", "số hóa; đảng viên")
    notice = page.locator("[data-draft-expired]")
    notice.wait_for(state="visible")
    assert "?next=/documents/new/" in (notice.locator("a").get_attribute("href") or "")
    page.wait_for_function(  # every keystroke after the expiry is in the browser's copy at once
        "k => (JSON.parse(localStorage.getItem(k) || '{}').data || {}).keywords?.[0] === 'số hóa; đảng viên'",
        arg=f"sohoa:draft:{user.pk}:{KEY}",
    )
    copy = _copies(page)[f"sohoa:draft:{user.pk}:{KEY}"]
    assert copy["data"]["subject"] == ["V/v kiểm tra việc số hóa hồ sơ đảng viên"]

    # Submitting sends the clerk to the login page; after logging in the form is back, filled in.
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=/documents/new/$"))
    _log_in(page, form_url, "lan", password)
    page.locator("[data-draft-restored]").wait_for(state="visible")
    assert page.input_value("input[name=notation]") == "77-CV/UBKTTU"
    assert page.input_value("input[name=issuer]") == "Ủy ban Kiểm tra Tỉnh ủy Cà Mau"
    assert page.input_value("textarea[name=subject]") == "V/v kiểm tra việc số hóa hồ sơ đảng viên"
    assert page.input_value("input[name=issued_date]") == "2025-05-15"
    assert page.input_value("input[name=keywords]") == "số hóa; đảng viên"
    assert page.input_value("select[name=unit]") == str(province["ubkt"].pk)
    # The restored values went to the server again, and the browser's copy was dropped.
    page.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('sohoa:draft:'))")

    # Now the submit succeeds, and the draft is gone everywhere.
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    document = Document.objects.get()
    assert document.notation == "77-CV/UBKTTU"
    assert document.subject == "V/v kiểm tra việc số hóa hồ sơ đảng viên"
    assert str(document.issued_date) == "2025-05-15"
    assert not Draft.objects.exists()
    assert _copies(page) == {}
    page.goto(form_url)
    assert page.input_value("input[name=notation]") == ""  # a fresh form: nothing restored
    assert page.locator("[data-draft-restored]").is_hidden()
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_a_classified_form_keeps_its_values_on_the_page_only(live_server, page, province, password, settings):  # noqa: F811
    settings.SOHOA_TOTP_REQUIRED_LEVEL = 9  # this test is about drafts, not the second factor
    user = UserFactory(username="hoa", units=[province["ubkt"]], role=Role.CLERK, clearance=Level.TOI_MAT)
    violations = _watch_csp(page)
    form_url = live_server.url + "/documents/new/"
    page.goto(form_url)
    _log_in(page, form_url, "hoa", password)

    page.select_option("select[name=confidentiality]", str(Level.MAT.value))
    page.fill("input[name=notation]", "05-BC/UBKTTU")
    page.select_option("select[name=unit]", label=str(province["ubkt"]))
    page.fill("textarea[name=subject]", "Báo cáo mật")
    page.click("input[name=issuer]")
    page.wait_for_function("() => document.querySelector('[data-draft-status]').textContent.trim() !== ''")
    assert Draft.objects.get(user=user).level == Level.MAT

    _expire_sessions()
    page.fill("input[name=issuer]", "Ủy ban Kiểm tra")
    page.click("textarea[name=subject]")
    page.locator("[data-draft-expired-classified]").wait_for(state="visible")
    assert _copies(page) == {}  # never in the browser's storage

    # The submit is held back instead of losing the values to the login page.
    page.click("form.edit-form button[type=submit]")
    page.wait_for_timeout(500)
    assert page.url == form_url and not Document.objects.exists()

    # Logging in again in another tab, then coming back: the page saves again and submits.
    other = page.context.new_page()
    other.goto(live_server.url + "/accounts/login/")
    _log_in(other, live_server.url + "/", "hoa", password)
    other.close()
    page.bring_to_front()
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    page.locator("[data-draft-expired-classified]").wait_for(state="hidden")
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    document = Document.objects.get()
    assert (document.issuer, document.confidentiality) == ("Ủy ban Kiểm tra", Level.MAT)
    assert not Draft.objects.exists()
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_logging_out_clears_the_users_browser_copies(live_server, page, province, password):  # noqa: F811
    user = UserFactory(username="mai", units=[province["ubkt"]], role=Role.CLERK, clearance=Level.NONE)
    page.goto(live_server.url + "/documents/new/")
    _log_in(page, live_server.url + "/documents/new/", "mai", password)
    page.fill("input[name=notation]", "12-TB/UBKTTU")
    _expire_sessions()
    page.fill("textarea[name=subject]", "Thông báo")
    page.locator("[data-draft-expired]").wait_for(state="visible")
    assert list(_copies(page)) == [f"sohoa:draft:{user.pk}:{KEY}"]
    page.evaluate(
        "() => localStorage.setItem('sohoa:draft:99999:x@/y/', JSON.stringify({savedAt: Date.now(), data: {}}))"
    )

    page.goto(live_server.url + "/accounts/login/?next=/")
    _log_in(page, live_server.url + "/", "mai", password)
    page.click("form[data-drafts-logout] button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))

    assert list(_copies(page)) == ["sohoa:draft:99999:x@/y/"]  # another user's copy is not this logout's


@pytest.mark.django_db(transaction=True)
def test_a_submit_waits_for_a_draft_save_on_its_way(live_server, page, province, password):  # noqa: F811
    """A save that reached the server after the submit would bring the deleted draft back."""
    UserFactory(username="binh", units=[province["ubkt"]], role=Role.CLERK, clearance=Level.NONE)
    form_url = live_server.url + "/documents/new/"
    page.goto(form_url)
    _log_in(page, form_url, "binh", password)
    held: list = []  # type: ignore[type-arg]
    page.route("**/drafts/", lambda route: held.append(route))  # the save is on its way, not yet answered

    page.fill("input[name=notation]", "31-TB/UBKTTU")
    page.select_option("select[name=unit]", label=str(province["ubkt"]))
    page.fill("textarea[name=subject]", "Thông báo kết luận")
    page.click("input[name=issuer]")  # leaving the subject saves at once
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "no draft save was sent"
    page.click("form.edit-form button[type=submit]")
    page.wait_for_timeout(500)
    assert page.url == form_url and not Document.objects.exists()  # the submit waits for the save

    held[0].continue_()
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    page.wait_for_timeout(500)
    assert Document.objects.get().notation == "31-TB/UBKTTU"
    assert not Draft.objects.exists()
