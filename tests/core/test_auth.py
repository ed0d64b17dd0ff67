"""Login with lock-out, login audit rows, the production password hasher and session expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from sohoa.core.auth import is_locked, register_failure
from sohoa.core.models import AuditEvent, Role

WRONG = "definitely-not-it"


@pytest.fixture
def user(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["ubkt"], role=Role.CLERK, username="vanthu")


def fail(username: str, times: int) -> None:
    for _ in range(times):
        assert authenticate(request=None, username=username, password=WRONG) is None


# ---- lock-out -------------------------------------------------------------------------------------


def test_right_password_authenticates(user, password):
    assert authenticate(request=None, username="vanthu", password=password) == user


def test_failures_below_the_threshold_do_not_lock(user, password):
    fail("vanthu", settings.LOCKOUT_THRESHOLD - 1)
    user.refresh_from_db()
    assert user.failed_logins == settings.LOCKOUT_THRESHOLD - 1
    assert not is_locked(user)
    assert authenticate(request=None, username="vanthu", password=password) == user


def test_threshold_failures_lock_the_account_even_for_the_right_password(user, password):
    fail("vanthu", settings.LOCKOUT_THRESHOLD)
    user.refresh_from_db()
    assert is_locked(user)
    expected_until = timezone.now() + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
    assert abs((user.locked_until - expected_until).total_seconds()) < 60
    assert authenticate(request=None, username="vanthu", password=password) is None


@override_settings(LOCKOUT_THRESHOLD=3, LOCKOUT_MINUTES=1)
def test_lockout_follows_the_configured_threshold(user, password):
    fail("vanthu", 3)
    user.refresh_from_db()
    assert is_locked(user)
    assert user.locked_until <= timezone.now() + dt.timedelta(minutes=1)


def test_locked_login_marks_the_request(user, password):
    fail("vanthu", settings.LOCKOUT_THRESHOLD)
    request = RequestFactory().post("/login/")
    assert authenticate(request=request, username="vanthu", password=password) is None
    assert request.sohoa_locked is True


def test_lock_expires_after_lockout_minutes(user, password):
    fail("vanthu", settings.LOCKOUT_THRESHOLD)
    user.refresh_from_db()
    # Jump past the lock: it was set LOCKOUT_MINUTES ahead, so put it just behind now.
    user.locked_until = timezone.now() - dt.timedelta(seconds=1)
    user.save(update_fields=["locked_until"])
    assert authenticate(request=None, username="vanthu", password=password) == user


def test_client_login_refused_while_locked(user, password):
    fail("vanthu", settings.LOCKOUT_THRESHOLD)
    assert Client().login(username="vanthu", password=password) is False


def test_successful_login_resets_the_failure_counter(user, password):
    fail("vanthu", settings.LOCKOUT_THRESHOLD - 1)
    assert Client().login(username="vanthu", password=password)
    user.refresh_from_db()
    assert user.failed_logins == 0
    assert user.locked_until is None
    # A fresh run of failures is needed to lock again.
    fail("vanthu", settings.LOCKOUT_THRESHOLD - 1)
    user.refresh_from_db()
    assert not is_locked(user)


def test_successful_login_after_expired_lock_clears_it(user, password):
    fail("vanthu", settings.LOCKOUT_THRESHOLD)
    user.refresh_from_db()
    user.locked_until = timezone.now() - dt.timedelta(minutes=1)
    user.save(update_fields=["locked_until"])
    assert Client().login(username="vanthu", password=password)
    user.refresh_from_db()
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_failures_of_one_account_do_not_touch_another(user, province, make_user, password):
    other = make_user(province["ubkt"], username="luutru")
    fail("vanthu", settings.LOCKOUT_THRESHOLD)
    other.refresh_from_db()
    assert other.failed_logins == 0
    assert authenticate(request=None, username="luutru", password=password) == other


def test_failure_for_unknown_username_changes_nothing(user):
    assert register_failure("nobody") is False
    fail("nobody", 2)
    user.refresh_from_db()
    assert user.failed_logins == 0


def test_inactive_user_cannot_log_in(province, make_user, password):
    make_user(province["ubkt"], username="gone", is_active=False)
    assert authenticate(request=None, username="gone", password=password) is None


# ---- audit rows ----------------------------------------------------------------------------------


def test_successful_login_writes_a_login_audit_row(user, password):
    assert Client().login(username="vanthu", password=password)
    event = AuditEvent.objects.filter(action="login").get()
    assert event.actor_id == user.pk
    assert event.actor_username == "vanthu"
    assert event.object_type == "core.user"


def test_failed_login_writes_a_login_failed_audit_row(user):
    fail("vanthu", 1)
    event = AuditEvent.objects.filter(action="login_failed").get()
    assert event.object_repr == "vanthu"
    assert event.actor_id is None
    assert event.details == {"locked": False}


def test_the_failure_that_locks_is_marked_in_the_audit_row(user):
    fail("vanthu", settings.LOCKOUT_THRESHOLD)
    locked = AuditEvent.objects.filter(action="login_failed").order_by("seq")
    assert [e.details["locked"] for e in locked] == [False] * (settings.LOCKOUT_THRESHOLD - 1) + [True]


def test_failed_login_for_unknown_user_is_audited(db):
    fail("ghost", 1)
    assert AuditEvent.objects.filter(action="login_failed", object_repr="ghost").exists()


def test_logout_writes_an_audit_row(user, password):
    client = Client()
    assert client.login(username="vanthu", password=password)
    client.logout()
    assert AuditEvent.objects.filter(action="logout", actor_id=user.pk).exists()


def test_login_audit_rows_keep_the_chain_intact(user, password):
    from sohoa.core import audit

    fail("vanthu", 2)
    Client().login(username="vanthu", password=password)
    assert audit.verify().ok


# ---- password hashing and sessions -------------------------------------------------------------------


def test_production_hasher_is_argon2():
    assert settings.PRODUCTION_PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_product_settings_module_hashes_with_argon2():
    import sohoa.settings as product

    assert product.PASSWORD_HASHERS == settings.PRODUCTION_PASSWORD_HASHERS


def test_passwords_are_stored_as_argon2_in_production():
    with override_settings(PASSWORD_HASHERS=settings.PRODUCTION_PASSWORD_HASHERS):
        assert get_hasher("default").algorithm == "argon2"
        encoded = make_password("mật-khẩu-đủ-dài")
        assert encoded.startswith("argon2$")
        assert check_password("mật-khẩu-đủ-dài", encoded)
        assert not check_password("sai", encoded)


def test_sessions_end_when_the_browser_closes():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_sessions_last_at_most_eight_hours():
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_session_cookie_is_not_readable_by_scripts():
    assert settings.SESSION_COOKIE_HTTPONLY is True
