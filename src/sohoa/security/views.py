"""Re-authentication before classified files are handed out."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from sohoa.core import audit

from .access import mark_authenticated
from .forms import ReauthForm


@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    form = ReauthForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        mark_authenticated(request)
        audit.record("reauth", actor=request.user)
        return redirect(target)
    return render(request, "security/reauth.html", {"form": form, "next": target})
