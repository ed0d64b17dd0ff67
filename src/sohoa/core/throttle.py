"""Requests per user per minute, counted in Django's cache (issue 7 §6: rate limits on search).

A fixed one-minute window: simple, and enough to stop a script from walking the index. With
SOHOA_REDIS_URL the count is shared by every web process; otherwise each process counts on its own
(LocMemCache), so N processes allow up to N times the limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

WINDOW = 60


def allow(scope: str, who: str, limit: int) -> bool:
    """Count one request of `who` in `scope`; False once the limit for this minute is passed."""
    window = int(time.time() // WINDOW)
    key = f"sohoa:rate:{scope}:{who}:{window}"
    cache.add(key, 0, timeout=WINDOW + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW + 5)
        count = 1
    return count <= limit


def _who(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return f"ip{request.META.get('REMOTE_ADDR', '')}"


def too_many_message() -> str:
    return _("Too many searches in one minute (at most %(n)d). Wait a moment and try again.") % {
        "n": settings.SEARCH_RATE_PER_MINUTE
    }


def search_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The search page: past the limit, a 429 page saying why (and a Retry-After)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not allow("search", _who(request), settings.SEARCH_RATE_PER_MINUTE):
            response = render(request, "429.html", {"message": too_many_message()}, status=429)
            response["Retry-After"] = str(WINDOW)
            return response
        return view(request, *args, **kwargs)

    return wrapper


class SearchThrottle(BaseThrottle):
    """The same per-user search limit for the API (DRF answers 429 with a Retry-After)."""

    def allow_request(self, request: Any, view: Any) -> bool:
        return allow("search", _who(request), settings.SEARCH_RATE_PER_MINUTE)

    def wait(self) -> float:
        return float(WINDOW - int(time.time()) % WINDOW)
