"""Audit logins and logouts, count failures for lock-out (reactions inside the core app only)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit, ratelimit
from .auth import register_failure
from .middleware import client_ip
from .services import login_succeeded


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    login_succeeded(user=user, via="web")


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record("logout", actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    locked_now = register_failure(username)
    if request is not None:
        ratelimit.ip_failed(client_ip(request))
    audit.record("login_failed", object_type="core.user", object_repr=username, details={"locked": locked_now})
