"""Idle sessions of users with a clearance end sooner; login failures per address are limited."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

from sohoa.core.models import AuditEvent, Level, Role
from sohoa.security.middleware import LAST_SEEN_KEY


def idle(client, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Travel: the last request was `seconds` ago."""
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - seconds
    session.save()


@pytest.fixture
def classified(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["ubkt"], role=Role.ARCHIVIST, clearance=Level.MAT, username="mat")


@pytest.fixture
def unclassified(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["ubkt"], role=Role.CLERK, clearance=Level.NONE, username="thuong")


def test_classified_timeout_is_shorter_than_the_normal_session():
    assert settings.SOHOA_CLASSIFIED_SESSION_MINUTES * 60 < settings.SESSION_COOKIE_AGE


def test_classified_user_is_logged_out_after_the_idle_limit(client, classified):
    client.force_login(classified)
    assert client.get(reverse("dashboard")).status_code == 200
    idle(client, settings.SOHOA_CLASSIFIED_SESSION_MINUTES * 60 + 5)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action="session_expired", actor_id=classified.pk).exists()


def test_activity_keeps_a_classified_session_alive(client, classified):
    client.force_login(classified)
    client.get(reverse("dashboard"))
    idle(client, settings.SOHOA_CLASSIFIED_SESSION_MINUTES * 60 - 30)
    assert client.get(reverse("dashboard")).status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] < 5  # refreshed by the request


def test_unclassified_user_keeps_the_normal_idle_time(client, unclassified):
    client.force_login(unclassified)
    client.get(reverse("dashboard"))
    idle(client, settings.SOHOA_CLASSIFIED_SESSION_MINUTES * 60 + 5)
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_idle_limit_follows_the_setting(client, classified, settings):
    settings.SOHOA_CLASSIFIED_SESSION_MINUTES = 1
    client.force_login(classified)
    client.get(reverse("dashboard"))
    idle(client, 61)
    assert client.get(reverse("dashboard")).status_code == 302


def test_htmx_request_after_the_idle_limit_is_redirected_whole_page(client, classified):
    client.force_login(classified)
    client.get(reverse("dashboard"))
    idle(client, settings.SOHOA_CLASSIFIED_SESSION_MINUTES * 60 + 5)
    response = client.get(reverse("document_list"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(reverse("login"))


# ---- failed logins per address ---------------------------------------------------------------------------


def test_many_failures_from_one_address_block_it(client, unclassified, password, settings):
    settings.LOGIN_IP_THRESHOLD = 3
    for name in ("a", "b", "c"):  # different usernames: the per-account lock-out does not see this
        client.post(reverse("login"), {"username": name, "password": "wrong"})
    with override("en"):
        response = client.post(reverse("login"), {"username": "thuong", "password": password})
    assert response.status_code == 200
    assert "Too many failed logins from this computer" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_ip_blocked").count() == 1
    api = client.post(reverse("api-token"), {"username": "thuong", "password": password})
    assert api.status_code == 429


def test_another_address_is_not_blocked(client, unclassified, password, settings):
    settings.LOGIN_IP_THRESHOLD = 3
    for name in ("a", "b", "c"):
        client.post(reverse("login"), {"username": name, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post(reverse("login"), {"username": "thuong", "password": password}, REMOTE_ADDR="10.0.0.10")
    assert response.status_code == 302


def test_failures_below_the_address_threshold_do_not_block(client, unclassified, password, settings):
    settings.LOGIN_IP_THRESHOLD = 3
    for name in ("a", "b"):
        client.post(reverse("login"), {"username": name, "password": "wrong"})
    assert client.post(reverse("login"), {"username": "thuong", "password": password}).status_code == 302
