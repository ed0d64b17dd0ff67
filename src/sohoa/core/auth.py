"""Login with lock-out: after LOCKOUT_THRESHOLD failures in a row an account is locked for a while."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone


def is_locked(user: Any) -> bool:
    return bool(user.locked_until and user.locked_until > timezone.now())


def register_failure(username: str) -> bool:
    """Count a failed login for an existing account; return True when this failure locks it."""
    User = get_user_model()
    # Attempts while locked do not count: the lock is already the answer, and counting them would
    # re-lock the account at its first mistake after the lock ends.
    not_locked = Q(locked_until__isnull=True) | Q(locked_until__lte=timezone.now())
    updated = User.objects.filter(not_locked, username=username).update(failed_logins=F("failed_logins") + 1)
    if not updated:
        return False
    user = User.objects.get(username=username)
    if user.failed_logins >= settings.LOCKOUT_THRESHOLD and not is_locked(user):
        user.locked_until = timezone.now() + timedelta(minutes=settings.LOCKOUT_MINUTES)
        user.failed_logins = 0
        user.save(update_fields=["locked_until", "failed_logins"])
        return True
    return False


class LockoutModelBackend(ModelBackend):
    """The model backend, refusing locked accounts even with the right password."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and is_locked(user):
            if request is not None:
                request.sohoa_locked = True  # type: ignore[attr-defined]
            return None
        return user
