"""Extra steps before classified files leave the server: a recent re-authentication.

`recent_auth_required` wraps a view: when the object is classified (`is_classified(request, **kwargs)`
returns True) and the user has not proved their identity in the last REAUTH_SECONDS, they are sent to
the re-authentication page and come back afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

REAUTH_SECONDS = 300
SESSION_KEY = "sohoa_reauth_at"


def mark_authenticated(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = time.time()


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return isinstance(at, int | float) and time.time() - at <= REAUTH_SECONDS


def recent_auth_required(is_classified: Callable[..., bool]) -> Callable[[Callable[..., HttpResponseBase]], Any]:
    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if is_classified(request, *args, **kwargs) and not recently_authenticated(request):
                return redirect(reverse("reauth") + "?" + urlencode({"next": request.get_full_path()}))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
