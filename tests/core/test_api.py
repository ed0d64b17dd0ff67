"""The core REST API: token login (with lock-out and audit), the current user, the audit log, the schema."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sohoa.core import audit
from sohoa.core.models import AuditEvent, Level, Role


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_token_login_returns_a_token_that_authenticates(api, province, make_user, password):  # type: ignore[no-untyped-def]
    user = make_user(province["tu"], clearance=Level.MAT)
    response = api.post("/api/token/", {"username": user.username, "password": password}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=user).key == token

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["username"] == user.username


def test_token_login_writes_an_audit_row_via_api(api, province, make_user, password):  # type: ignore[no-untyped-def]
    user = make_user(province["tu"])
    api.post("/api/token/", {"username": user.username, "password": password}, format="json")
    row = AuditEvent.objects.filter(action="login").get()
    assert row.actor_id == user.pk
    assert row.details == {"via": "api"}


def test_token_login_with_wrong_password_is_400_and_counted(api, province, make_user):  # type: ignore[no-untyped-def]
    user = make_user(province["tu"])
    response = api.post("/api/token/", {"username": user.username, "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    user.refresh_from_db()
    assert user.failed_logins == 1
    assert AuditEvent.objects.filter(action="login_failed").exists()
    assert not Token.objects.filter(user=user).exists()


def test_token_login_respects_lock_out(api, province, make_user, password, settings):  # type: ignore[no-untyped-def]
    settings.LOCKOUT_THRESHOLD = 3
    user = make_user(province["tu"])
    for _ in range(3):
        api.post("/api/token/", {"username": user.username, "password": "wrong"}, format="json")
    response = api.post("/api/token/", {"username": user.username, "password": password}, format="json")
    assert response.status_code == 400
    assert "locked" in str(response.json()).lower() or "khóa" in str(response.json()).lower()
    assert not Token.objects.filter(user=user).exists()


def test_successful_token_login_resets_the_failure_count(api, province, make_user, password):  # type: ignore[no-untyped-def]
    user = make_user(province["tu"])
    api.post("/api/token/", {"username": user.username, "password": "wrong"}, format="json")
    api.post("/api/token/", {"username": user.username, "password": password}, format="json")
    user.refresh_from_db()
    assert user.failed_logins == 0
    assert user.last_login is not None


def test_token_login_without_fields_is_400(api, db):  # type: ignore[no-untyped-def]
    response = api.post("/api/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/me/",
        "/api/documents/",
        "/api/units/",
        "/api/audit-events/",
        "/api/records/",
        "/api/fonds/",
        "/api/register-entries/",
        "/api/locations/",
    ],
)
def test_anonymous_is_refused(api, db, url):  # type: ignore[no-untyped-def]
    assert api.get(url).status_code in (401, 403)


def test_bad_token_is_401(api, db):  # type: ignore[no-untyped-def]
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/me/").status_code == 401


def test_me_shows_role_clearance_code_and_unit_codes(api, province, make_user):  # type: ignore[no-untyped-def]
    user = make_user(province["ubkt"], role=Role.ARCHIVIST, clearance=Level.TOI_MAT)
    api.force_authenticate(user)
    data = api.get("/api/me/").json()
    assert data["role"] == "archivist"
    assert data["clearance"] == "toi_mat"
    assert data["units"] == ["H12.UBKTTU"]
    assert data["is_admin"] is False


def test_audit_events_are_refused_to_non_admins(api, province, make_user):  # type: ignore[no-untyped-def]
    user = make_user(province["tu"], role=Role.PROVINCIAL_OFFICE, clearance=Level.TUYET_MAT)
    event = audit.record("test", actor=user)
    api.force_authenticate(user)
    assert api.get("/api/audit-events/").status_code == 403
    assert api.get(f"/api/audit-events/{event.pk}/").status_code in (403, 404)


def test_audit_events_are_listed_for_admins_newest_first(api, province, make_user):  # type: ignore[no-untyped-def]
    admin = make_user(province["root"], role=Role.ADMIN)
    audit.record("first", actor=admin)
    last = audit.record("second", actor=admin)
    api.force_authenticate(admin)
    response = api.get("/api/audit-events/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["action"] == "second"
    assert api.get(f"/api/audit-events/{last.pk}/").json()["hash"] == last.hash
    filtered = api.get("/api/audit-events/", {"action": "first"}).json()
    assert [r["action"] for r in filtered["results"]] == ["first"]


def test_audit_events_are_read_only(api, province, make_user):  # type: ignore[no-untyped-def]
    admin = make_user(province["root"], role=Role.ADMIN)
    event = audit.record("x", actor=admin)
    api.force_authenticate(admin)
    assert api.post("/api/audit-events/", {"action": "forged"}, format="json").status_code == 405
    assert api.delete(f"/api/audit-events/{event.pk}/").status_code == 405
    assert api.patch(f"/api/audit-events/{event.pk}/", {"action": "forged"}, format="json").status_code == 405


def test_schema_endpoint_serves_openapi(api, db):  # type: ignore[no-untyped-def]
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "openapi" in schema
    assert "/api/documents/" in schema["paths"]
    assert schema["components"]["schemas"]["Level"]["enum"] == ["none", "mat", "toi_mat", "tuyet_mat"]


def test_schema_generates_without_warnings(db):  # type: ignore[no-untyped-def]
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular reported warnings or errors (run `sohoa spectacular --validate`)"


def test_docs_page_is_served(api, db):  # type: ignore[no-untyped-def]
    assert api.get(reverse("api-docs")).status_code == 200
