"""Two-factor login with TOTP (RFC 6238): enrolment, code checks, the admin's reset, and the login's
second step.

The secret is made on the server and stored only sealed with its own data key ("totp:<user id>", wrapped
by the master key, so `sohoa key-rotate` re-wraps it with the others). A code is accepted in a 30 s window
±1 step, never twice (the last accepted step is kept), and wrong codes are limited: TOTP_MAX_FAILURES in
TOTP_FAILURE_WINDOW seconds stop the checks for that user, and every wrong code also counts towards the
account's lock-out (core.auth), like a wrong password.

Login: after the password, a user who has (or must have) TOTP is *not* logged in; the session only holds
a pending marker (user id, backend, time, where to go next). The code page — or, for a user who must have
TOTP and has none yet, the enrolment page — logs them in when the code is right.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sohoa.core import audit
from sohoa.core.auth import is_locked, register_failure

from . import envelope
from .models import DataKey, TOTPDevice

STEP = 30
PENDING_KEY = "sohoa_2fa_pending"
PENDING_SECONDS = 300
ISSUER = "sohoa"


def required_level() -> int:
    return int(getattr(settings, "SOHOA_TOTP_REQUIRED_LEVEL", 2))


def max_failures() -> int:
    return int(getattr(settings, "SOHOA_TOTP_MAX_FAILURES", 5))


def failure_window() -> int:
    return int(getattr(settings, "SOHOA_TOTP_FAILURE_WINDOW", 900))


def _owner(user: Any) -> str:
    return envelope.owner_label("totp", user.pk)


# ---- state ------------------------------------------------------------------------------------------


def requires_totp(user: Any) -> bool:
    """Users with clearance tối mật or above (SOHOA_TOTP_REQUIRED_LEVEL) must log in with a code."""
    return int(getattr(user, "clearance", 0)) >= required_level()


def is_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def needs_code(user: Any) -> bool:
    """Whether a login of this user has a second step (a code, or first the enrolment)."""
    return requires_totp(user) or is_enrolled(user)


def _secret(device: TOTPDevice) -> str:
    key = envelope.data_key(_owner(device.user))
    if key is None:
        raise envelope.Tampered("no data key for this authenticator")
    return envelope.open_text(key, device.secret)


def provisioning_uri(user: Any, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (no script, no text from the user in it)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff"))


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# ---- services ---------------------------------------------------------------------------------------


@transaction.atomic
def totp_begin(*, user: Any) -> tuple[TOTPDevice, str]:
    """The user's not-yet-confirmed authenticator and its secret, made now when there is none."""
    device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk).first()
    if device is not None and device.confirmed_at is not None:
        raise ValueError("already enrolled")
    if device is not None:
        return device, _secret(device)
    secret = pyotp.random_base32()
    key = envelope.data_key(_owner(user), create=True)
    assert key is not None
    device = TOTPDevice.objects.create(user=user, secret=envelope.seal_text(key, secret))
    return device, secret


def _limited(user: Any) -> bool:
    return int(cache.get(f"sohoa:totp-fail:{user.pk}", 0)) >= max_failures()


def _failed(user: Any, *, purpose: str) -> None:
    key = f"sohoa:totp-fail:{user.pk}"
    cache.add(key, 0, timeout=failure_window())
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=failure_window())
    locked = register_failure(user.get_username())
    audit.record("totp_failed", actor=user, obj=user, details={"purpose": purpose, "locked": locked})


class CodeResult:
    OK = "ok"
    WRONG = "wrong"
    LIMITED = "limited"


def check_code(user: Any, code: str, *, purpose: str = "login", at: float | None = None) -> str:
    """Check a code of an enrolled (or enrolling) user: "ok", "wrong", or "limited" (too many tries).

    Accepts the current 30 s step or one either side, each step once only: the accepted step is stored
    with a conditional update, so two requests with the same code cannot both pass.
    """
    device = TOTPDevice.objects.filter(user_id=user.pk).select_related("user").first()
    if device is None:
        return CodeResult.WRONG
    if _limited(user) or is_locked(user):
        return CodeResult.LIMITED
    code = "".join(ch for ch in str(code) if not ch.isspace())
    if not (code.isdigit() and len(code) == 6):
        _failed(user, purpose=purpose)
        return CodeResult.WRONG
    totp = pyotp.TOTP(_secret(device))
    now_step = int((time.time() if at is None else at) // STEP)
    for step in (now_step - 1, now_step, now_step + 1):
        if step > device.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            if TOTPDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step):
                cache.delete(f"sohoa:totp-fail:{user.pk}")
                return CodeResult.OK
    _failed(user, purpose=purpose)
    return CodeResult.WRONG


@transaction.atomic
def totp_confirm(*, user: Any, code: str) -> str:
    """Finish enrolment with a first code from the app: the authenticator counts from now on."""
    device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk).first()
    if device is None or device.confirmed_at is not None:
        return CodeResult.WRONG
    result = check_code(user, code, purpose="enrol")
    if result == CodeResult.OK:
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
        audit.record("totp_enrol", actor=user, obj=user)
    return result


@transaction.atomic
def totp_reset(*, actor: Any, user: Any) -> bool:
    """Remove a user's authenticator (lost phone): they enrol again at their next login. Audited."""
    deleted, _detail = TOTPDevice.objects.filter(user_id=user.pk).delete()
    DataKey.objects.filter(owner=_owner(user)).delete()
    cache.delete(f"sohoa:totp-fail:{user.pk}")
    audit.record("totp_reset", actor=actor, obj=user, details={"had_authenticator": bool(deleted)})
    return bool(deleted)


# ---- the login's second step ------------------------------------------------------------------------


def start_pending(request: HttpRequest, user: Any, next_url: str) -> None:
    """After a right password: remember who is half-way through the login (not logged in yet)."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "uid": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
        "at": time.time(),
        "next": next_url,
    }
    audit.record("login_password_ok", actor=user, obj=user, details={"next_step": "totp"})


def pending_user(request: HttpRequest) -> Any:
    """The user whose password was right in the last PENDING_SECONDS, or None."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    uid = pending.get("uid")
    if not isinstance(uid, int):
        return None
    user: Any = get_user_model().objects.filter(pk=uid, is_active=True).first()
    if user is None or is_locked(user):
        return None
    user.backend = pending.get("backend")
    return user


def pending_next(request: HttpRequest) -> str:
    pending = request.session.get(PENDING_KEY) or {}
    return str(pending.get("next") or settings.LOGIN_REDIRECT_URL)


def finish_login(request: HttpRequest, user: Any) -> None:
    """The code was right: log the user in now (the usual login signal writes the audit row)."""
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=user.backend)
    from .access import mark_authenticated

    mark_authenticated(request)  # a password and a code just now are a fresh proof of identity
