"""Shorter idle sessions for users with a clearance: SOHOA_CLASSIFIED_SESSION_MINUTES without a request
ends the session (others keep SESSION_COOKIE_AGE, renewed on every request by Django)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sohoa.core import audit

LAST_SEEN_KEY = "sohoa_last_seen"


def idle_limit(user: object) -> int | None:
    """Seconds of idleness after which this user's session ends here, or None (Django's own expiry)."""
    if int(getattr(user, "clearance", 0)) >= 1:
        return int(settings.SOHOA_CLASSIFIED_SESSION_MINUTES) * 60
    return None


class ClassifiedSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        limit = idle_limit(user) if user is not None and user.is_authenticated else None
        if limit is not None:
            now = time.time()
            last = request.session.get(LAST_SEEN_KEY)
            if isinstance(last, int | float) and now - last > limit:
                audit.record("session_expired", actor=user, obj=user, details={"idle_seconds": int(now - last)})
                logout(request)
                messages.info(request, _("You were logged out after a period without activity."))
                response = redirect_to_login(request.get_full_path())
                if request.headers.get("HX-Request"):
                    response["HX-Redirect"] = response["Location"]
                return response
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
