"""Two-factor login: enrolment, the login's code step, replay and rate limits, token login, admin reset,
re-authentication with a code."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from sohoa.core.models import AuditEvent, Level, Role
from sohoa.security import totp
from sohoa.security.models import DataKey, TOTPDevice


@pytest.fixture
def secret_user(province, make_user):  # type: ignore[no-untyped-def]
    """A tối mật user: must log in with a code."""
    return make_user(province["ubkt"], role=Role.ARCHIVIST, clearance=Level.TOI_MAT, username="toimat")


@pytest.fixture
def plain_user(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["ubkt"], role=Role.CLERK, clearance=Level.NONE, username="vanthu")


def enrolled(user) -> str:  # type: ignore[no-untyped-def]
    """Enrol `user` directly (no code spent) and return the secret."""
    device, secret = totp.totp_begin(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
    return secret


def code_at(secret: str, step_offset: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(int(time.time() // 30) + step_offset)


def password_step(client, username, password):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password})


def is_logged_in(client) -> bool:  # type: ignore[no-untyped-def]
    return "_auth_user_id" in client.session


# ---- who needs a code ----------------------------------------------------------------------------------


def test_user_without_two_factor_logs_in_with_the_password_alone(client, plain_user, password):
    response = password_step(client, "vanthu", password)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert is_logged_in(client)


def test_toi_mat_user_is_sent_to_enrolment_and_is_not_logged_in_yet(client, secret_user, password):
    response = password_step(client, "toimat", password)
    assert response["Location"] == reverse("totp_enrol")
    assert not is_logged_in(client)
    # Nothing else is reachable: the dashboard asks for the login again.
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    assert client.get(reverse("login_code"))["Location"] == reverse("totp_enrol")
    page = client.get(reverse("totp_enrol")).content.decode()
    assert "<svg" in page
    secret = TOTPDevice.objects.get(user=secret_user)
    assert secret.confirmed_at is None


def test_mat_user_is_not_forced_but_may_enrol(client, province, make_user, password):
    user = make_user(province["ubkt"], clearance=Level.MAT, username="mat")
    assert password_step(client, "mat", password)["Location"] == reverse("dashboard")
    page = client.get(reverse("totp_enrol")).content.decode()
    assert "<svg" in page
    secret = totp._secret(TOTPDevice.objects.get(user=user))
    response = client.post(reverse("totp_enrol"), {"code": code_at(secret)})
    assert response.status_code == 302
    assert totp.is_enrolled(user)
    client.logout()
    assert password_step(client, "mat", password)["Location"] == reverse("login_code")


def test_enrolment_keeps_the_secret_sealed_and_the_first_code_logs_in(client, secret_user, password):
    password_step(client, "toimat", password)
    page = client.get(reverse("totp_enrol")).content.decode()
    device = TOTPDevice.objects.get(user=secret_user)
    secret = totp._secret(device)
    assert totp.grouped(secret) in page  # shown once, for typing by hand
    assert device.secret.startswith("enc1:") and secret not in device.secret
    assert DataKey.objects.filter(owner=f"totp:{secret_user.pk}").exists()
    with override("en"):
        wrong = client.post(reverse("totp_enrol"), {"code": "000000" if code_at(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and "not correct" in wrong.content.decode()
    assert not is_logged_in(client)
    response = client.post(reverse("totp_enrol"), {"code": code_at(secret)})
    assert response["Location"] == reverse("dashboard")
    assert is_logged_in(client)
    assert totp.is_enrolled(secret_user)
    assert AuditEvent.objects.filter(action="totp_enrol", actor_id=secret_user.pk).exists()


def test_enrolled_user_must_enter_a_code_after_the_password(client, secret_user, password):
    secret = enrolled(secret_user)
    response = password_step(client, "toimat", password)
    assert response["Location"] == reverse("login_code")
    assert not is_logged_in(client)
    assert client.get(reverse("dashboard")).status_code == 302
    response = client.post(reverse("login_code"), {"code": code_at(secret)})
    assert response["Location"] == reverse("dashboard")
    assert is_logged_in(client)
    assert AuditEvent.objects.filter(action="login", actor_id=secret_user.pk).count() == 1


def test_the_code_step_keeps_the_next_page(client, secret_user, password):
    secret = enrolled(secret_user)
    client.post(reverse("login") + "?next=/documents/", {"username": "toimat", "password": password})
    response = client.post(reverse("login_code"), {"code": code_at(secret)})
    assert response["Location"] == "/documents/"


def test_wrong_password_never_reaches_the_code_step(client, secret_user):
    enrolled(secret_user)
    response = password_step(client, "toimat", "wrong-password")
    assert response.status_code == 200
    assert client.get(reverse("login_code"))["Location"] == reverse("login")


def test_code_step_without_a_password_goes_back_to_login(client):
    assert client.get(reverse("login_code"))["Location"] == reverse("login")
    assert client.get(reverse("totp_enrol"))["Location"] == reverse("login")


def test_pending_login_expires(client, secret_user, password, monkeypatch):
    secret = enrolled(secret_user)
    password_step(client, "toimat", password)
    session = client.session
    session[totp.PENDING_KEY] = {**session[totp.PENDING_KEY], "at": time.time() - totp.PENDING_SECONDS - 1}
    session.save()
    assert client.post(reverse("login_code"), {"code": code_at(secret)})["Location"] == reverse("login")
    assert not is_logged_in(client)


# ---- codes ----------------------------------------------------------------------------------------------


def test_a_code_is_accepted_only_once(client, secret_user, password):
    secret = enrolled(secret_user)
    code = code_at(secret)
    password_step(client, "toimat", password)
    assert client.post(reverse("login_code"), {"code": code}).status_code == 302
    other = Client()
    password_step(other, "toimat", password)
    with override("en"):
        replay = other.post(reverse("login_code"), {"code": code})
    assert replay.status_code == 200
    assert "already been used" in replay.content.decode()
    assert "_auth_user_id" not in other.session


def test_codes_of_the_neighbouring_steps_are_accepted_and_older_ones_are_not(secret_user):
    secret = enrolled(secret_user)
    now = time.time()
    step = int(now // 30)
    totp_ = pyotp.TOTP(secret)
    assert totp.check_code(secret_user, totp_.generate_otp(step - 2), at=now) == totp.CodeResult.WRONG
    assert totp.check_code(secret_user, totp_.generate_otp(step + 2), at=now) == totp.CodeResult.WRONG
    assert totp.check_code(secret_user, totp_.generate_otp(step - 1), at=now) == totp.CodeResult.OK
    assert totp.check_code(secret_user, totp_.generate_otp(step + 1), at=now) == totp.CodeResult.OK
    # After a later step was used, an earlier (still in the window) code is refused: no replays.
    assert totp.check_code(secret_user, totp_.generate_otp(step), at=now) == totp.CodeResult.WRONG


def test_wrong_codes_are_limited_then_even_the_right_code_is_refused(secret_user, settings):
    settings.SOHOA_TOTP_MAX_FAILURES = 3
    settings.LOCKOUT_THRESHOLD = 100  # the account lock-out is tested in core; here only the code limit
    secret = enrolled(secret_user)
    for _ in range(3):
        assert totp.check_code(secret_user, "12345x") == totp.CodeResult.WRONG
    assert totp.check_code(secret_user, code_at(secret)) == totp.CodeResult.LIMITED
    assert AuditEvent.objects.filter(action="totp_failed", actor_id=secret_user.pk).count() == 3


def test_wrong_codes_count_towards_the_account_lock_out(client, secret_user, password, settings):
    settings.LOCKOUT_THRESHOLD = 2
    secret = enrolled(secret_user)
    password_step(client, "toimat", password)
    for _ in range(2):
        client.post(reverse("login_code"), {"code": "99999"})
    secret_user.refresh_from_db()
    assert secret_user.locked_until is not None
    assert client.post(reverse("login_code"), {"code": code_at(secret)})["Location"] == reverse("login")


def test_limited_message_is_clear(client, secret_user, password, settings):
    settings.SOHOA_TOTP_MAX_FAILURES = 1
    secret = enrolled(secret_user)
    password_step(client, "toimat", password)
    client.post(reverse("login_code"), {"code": "99999"})
    with override("en"):
        response = client.post(reverse("login_code"), {"code": code_at(secret)})
    assert "Too many wrong codes" in response.content.decode()


# ---- token login ----------------------------------------------------------------------------------------


def token(client, **data):  # type: ignore[no-untyped-def]
    return client.post(reverse("api-token"), data, content_type="application/json")


def test_token_login_asks_the_code_of_enrolled_users(client, secret_user, password):
    secret = enrolled(secret_user)
    missing = token(client, username="toimat", password=password)
    assert missing.status_code == 400 and "otp" in missing.json()
    wrong = token(client, username="toimat", password=password, otp="000000" if code_at(secret) != "000000" else "1")
    assert wrong.status_code == 400 and "otp" in wrong.json()
    code = code_at(secret)
    right = token(client, username="toimat", password=password, otp=code)
    assert right.status_code == 200 and right.json()["token"]
    assert token(client, username="toimat", password=password, otp=code).status_code == 400  # replay


def test_token_login_refuses_a_toi_mat_user_who_has_not_enrolled(client, secret_user, password):
    response = token(client, username="toimat", password=password, otp="123456")
    assert response.status_code == 400 and "otp" in response.json()


def test_token_login_without_two_factor_needs_no_code(client, plain_user, password):
    assert token(client, username="vanthu", password=password).status_code == 200


# ---- administrator reset --------------------------------------------------------------------------------


def test_admin_reset_removes_the_authenticator_and_is_audited(client, secret_user, province, make_user, password):
    enrolled(secret_user)
    admin = make_user(province["root"], role=Role.ADMIN, is_staff=True, username="quantri")
    client.force_login(admin)
    response = client.post(
        reverse("admin:core_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [secret_user.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=secret_user).exists()
    assert not DataKey.objects.filter(owner=f"totp:{secret_user.pk}").exists()
    event = AuditEvent.objects.get(action="totp_reset")
    assert event.actor_id == admin.pk and event.object_id == str(secret_user.pk)
    # At the next login the user sets up a new authenticator.
    assert password_step(Client(), "toimat", password)["Location"] == reverse("totp_enrol")


def test_admin_login_page_sends_to_the_two_factor_login(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# ---- re-authentication ----------------------------------------------------------------------------------


def test_reauth_asks_the_code_of_enrolled_users(client, secret_user, password):
    secret = enrolled(secret_user)
    client.force_login(secret_user)
    assert 'name="code"' in client.get(reverse("reauth")).content.decode()
    assert client.post(reverse("reauth"), {"password": password, "next": "/"}).status_code == 200
    response = client.post(reverse("reauth"), {"password": password, "code": code_at(secret), "next": "/"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="reauth", actor_id=secret_user.pk).exists()


def test_reauth_without_two_factor_asks_only_the_password(client, plain_user, password):
    client.force_login(plain_user)
    assert 'name="code"' not in client.get(reverse("reauth")).content.decode()
    assert client.post(reverse("reauth"), {"password": password, "next": "/"}).status_code == 302


def test_a_signed_in_user_without_staff_rights_is_refused_by_the_admin_not_looped(client, province, make_user):  # type: ignore[no-untyped-def]
    from sohoa.core.models import Role

    client.force_login(make_user(province["tu"], role=Role.ADMIN, is_staff=False))
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get("/admin/login/?next=/admin/").status_code == 403
