"""Failed logins per client address: LOGIN_IP_THRESHOLD failures within LOGIN_IP_MINUTES block that
address from the login form and the token login for LOGIN_IP_MINUTES (Django's cache).

The per-account lock-out (core.auth) stops guessing one password; this stops one machine trying many
usernames. The threshold is higher than the account's because an office's PCs often share one address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from . import audit


def _window() -> int:
    return int(settings.LOGIN_IP_MINUTES) * 60


def ip_blocked(ip: str | None) -> bool:
    return bool(ip) and cache.get(f"sohoa:login-ip-block:{ip}") is not None


def ip_failed(ip: str | None) -> None:
    """Count a failed login from `ip`; the failure that reaches the threshold blocks it (audited)."""
    if not ip:
        return
    key = f"sohoa:login-ip:{ip}"
    cache.add(key, 0, timeout=_window())
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=_window())
        count = 1
    if count >= int(settings.LOGIN_IP_THRESHOLD) and cache.add(f"sohoa:login-ip-block:{ip}", 1, timeout=_window()):
        cache.delete(key)
        audit.record("login_ip_blocked", object_type="ip", object_repr=ip, details={"failures": count})


def ip_reset(ip: str | None) -> None:
    if ip:
        cache.delete_many([f"sohoa:login-ip:{ip}", f"sohoa:login-ip-block:{ip}"])
