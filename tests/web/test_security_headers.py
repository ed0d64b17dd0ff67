"""Issue 7 §6, web hardening: security headers, cookies, CSRF on every POST, no user HTML rendered
unescaped, upload names sanitized, search rate limit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sohoa import settings as project_settings
from sohoa.core.models import Level, Role
from sohoa.digitization.pipeline import safe_name
from tests.factories import RecordFactory, RegisterEntryFactory, UnitFactory
from tests.search.conftest import add_document
from tests.web.test_url_policy import ROUTES, _kwargs

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def admin(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["root"], role=Role.ADMIN, clearance=Level.TUYET_MAT, username="quantri")


@pytest.fixture
def as_admin(client, admin):  # type: ignore[no-untyped-def]
    client.force_login(admin)
    return client


# ---- headers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard", "search", "document_list", "audit_list", "admin:index"])
def test_html_pages_carry_the_content_security_policy(as_admin, name):
    response = as_admin.get(reverse(name))
    assert response.status_code in (200, 302)  # the admin may first ask for the second factor
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
    ):
        assert directive in csp
    assert "script-src 'self';" in csp  # no 'unsafe-inline' or 'unsafe-eval' for scripts


def test_the_login_page_has_the_policy_too(client):
    assert "default-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]


def test_no_template_has_inline_script_or_event_handler():
    import re
    from pathlib import Path

    root = Path(project_settings.BASE_DIR)
    found = []
    for path in root.rglob("templates/**/*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text) or re.search(
            r"\son[a-z]+\s*=", text
        ):
            found.append(str(path.relative_to(root)))
    assert found == []


def test_json_answers_carry_no_csp_but_the_other_headers(as_admin):
    response = as_admin.get("/api/me/")
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ],
)
def test_every_page_sends_the_security_header(as_admin, header, value):
    assert as_admin.get(reverse("dashboard"))[header] == value


def test_permissions_policy_switches_off_device_features(as_admin):
    policy = as_admin.get(reverse("dashboard"))["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "usb=()"):
        assert feature in policy


def test_session_and_csrf_cookies(client, admin, password):
    page = client.get(reverse("login"))
    csrf = page.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"
    response = client.post(reverse("login"), {"username": admin.username, "password": password})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert not session["secure"]  # plain HTTP by default: a secure cookie would never come back


def test_no_hsts_without_tls(as_admin):
    assert "Strict-Transport-Security" not in as_admin.get(reverse("dashboard"), secure=True)


def test_hsts_and_secure_cookies_behind_tls(as_admin, settings):
    found = project_settings.https_settings({"SOHOA_HTTPS": "1"})
    assert found["SESSION_COOKIE_SECURE"] and found["CSRF_COOKIE_SECURE"]
    assert found["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert "SECURE_PROXY_SSL_HEADER" not in found  # X-Forwarded-Proto is trusted only behind a proxy
    for key, value in found.items():
        setattr(settings, key, value)
    response = as_admin.get(reverse("dashboard"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_proxy_its_forwarded_proto_counts(settings):
    found = project_settings.https_settings({"SOHOA_HTTPS": "1", "SOHOA_BEHIND_PROXY": "1"})
    assert found["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert project_settings.https_settings({}) == {}
    assert project_settings.https_settings({"SOHOA_BEHIND_PROXY": "1"}) == {}


# ---- CSRF on every POST -----------------------------------------------------------------------------
# Every URL pattern, POSTed by a signed-in (session) user without a CSRF token, is refused before any
# view runs. Exempt by design: the API's token login (no session, the credentials are the proof).
CSRF_EXEMPT = {"api-token"}
POSTABLE = [r for r in ROUTES if r.name and r.name not in CSRF_EXEMPT]


@pytest.mark.parametrize("route", POSTABLE, ids=[r.name for r in POSTABLE])
def test_a_post_without_csrf_token_is_refused(admin, route):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post(reverse(route.name, kwargs=_kwargs(route, None)), {"x": "1"})
    assert response.status_code == 403, (route.name, response.status_code)
    if route.name != "api-docs":  # a DRF view that renders its errors with the 403 page
        assert b"CSRF" in response.content


def test_the_api_accepts_token_auth_without_csrf(province, make_user, password):
    user = make_user(province["ubkt"])  # no clearance: no second factor asked
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/token/", {"username": user.username, "password": password})
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    me = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200


# ---- no user HTML rendered unescaped ------------------------------------------------------------------


@pytest.fixture
def hostile(province, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    unit = UnitFactory(code="H12.XSS", name=f"Ban {XSS}", parent=province["tu"])
    record = RecordFactory(unit=unit, title=f"Hồ sơ {XSS}", notes=XSS)
    document = add_document(
        unit=unit, record=record, subject=f"Kế hoạch {XSS}", notes=XSS, pages=[f"Trang một kế hoạch {XSS}"]
    )
    entry = RegisterEntryFactory(unit=unit, subject=f"Công văn {XSS}")
    return {"unit": unit, "record": record, "document": document, "entry": entry}


def _pages(hostile):  # type: ignore[no-untyped-def]
    return [
        (reverse("dashboard"), {}),
        (reverse("document_list"), {}),
        (reverse("document_detail", args=[hostile["document"].pk]), {}),
        (reverse("search"), {"q": "kế hoạch"}),
        (reverse("search"), {"q": "script"}),
        (reverse("search"), {"q": XSS}),
        (reverse("record_list"), {}),
        (reverse("record_detail", args=[hostile["record"].pk]), {}),
        (reverse("register_list", args=["incoming"]), {}),
        (reverse("register_detail", args=[hostile["entry"].pk]), {}),
        (reverse("unit_list"), {}),
        (reverse("unit_detail", args=[hostile["unit"].pk]), {}),
        (reverse("report_progress"), {}),
        (reverse("report_progress"), {"unit": hostile["unit"].pk}),
        (reverse("report_dashboard"), {}),
        (reverse("usage_effectiveness"), {}),
        (reverse("audit_list"), {}),
    ]


def test_user_text_is_always_escaped(as_admin, hostile):
    as_admin.get(reverse("document_detail", args=[hostile["document"].pk]))  # an audit row naming it
    seen_escaped = 0
    for url, params in _pages(hostile):
        response = as_admin.get(url, params)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert XSS not in html, f"{url} {params} renders user text unescaped"
        assert "<script>alert" not in html
        seen_escaped += ESCAPED in html
    assert seen_escaped >= 10  # the text was there, escaped, on most pages


# ---- upload names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/passwd",
        "..\\..\\windows\\system32\\x.pdf",
        "/abs/path/x.pdf",
        "a\x00b.pdf",
        "tab\tnew\nline\r.pdf",
        "\x1b[31mred.pdf",
        "\u202egpj.exe",  # right-to-left override
        "." * 300,
        "x" * 5000 + ".pdf",
        "Công văn " * 100 + ".pdf",
    ],
)
def test_upload_names_are_sanitized(name):
    cleaned, changed = safe_name(name)
    assert changed
    assert cleaned and len(cleaned) <= 200
    assert "/" not in cleaned and "\\" not in cleaned and not cleaned.startswith(".")
    assert all(ch.isprintable() for ch in cleaned)
    assert "\x00" not in cleaned and "\u202e" not in cleaned


# ---- search rate limit --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/search/", "/api/search/"])
def test_search_is_rate_limited_per_user(as_admin, settings, url):
    settings.SEARCH_RATE_PER_MINUTE = 3
    for _ in range(3):
        assert as_admin.get(url, {"q": "kế hoạch"}).status_code == 200
    refused = as_admin.get(url, {"q": "kế hoạch"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Quá nhiều lượt tìm kiếm" in refused.content.decode() or "Too many searches" in refused.content.decode()


def test_the_limit_is_per_user(client, as_admin, settings, province, make_user):
    settings.SEARCH_RATE_PER_MINUTE = 1
    assert as_admin.get("/search/").status_code == 200
    assert as_admin.get("/search/").status_code == 429
    client.force_login(make_user(province["ubkt"]))
    assert client.get("/search/").status_code == 200
