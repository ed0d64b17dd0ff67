"""Re-authentication before classified files are handed out; two-factor login (code step, enrolment)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from sohoa.core import audit

from . import totp
from .access import mark_authenticated
from .forms import CodeForm, ReauthForm


@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    form = ReauthForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        mark_authenticated(request)
        audit.record("reauth", actor=request.user, details={"totp": "code" in form.fields})
        return redirect(target)
    return render(request, "security/reauth.html", {"form": form, "next": target})


def login_code(request: HttpRequest) -> HttpResponse:
    """Second step of the login: the code from the authenticator app (the user is not logged in yet)."""
    user = totp.pending_user(request)
    if user is None:
        return redirect("login")
    if not totp.is_enrolled(user):
        return redirect("totp_enrol")
    form = CodeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        target = totp.pending_next(request)
        totp.finish_login(request, user)
        return redirect(target)
    return render(request, "security/login_code.html", {"form": form})


def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: voluntarily when logged in, or — for a user who must have one —
    right after the password, before anything else (they are not logged in until the first code works)."""
    pending = None if request.user.is_authenticated else totp.pending_user(request)
    user = request.user if request.user.is_authenticated else pending
    if user is None:
        return redirect("login")
    if totp.is_enrolled(user):
        if pending is not None:
            return redirect("login_code")
        return render(request, "security/totp_enrol.html", {"enrolled": True, "required": totp.requires_totp(user)})
    device, secret = totp.totp_begin(user=user)
    form = CodeForm(request.POST or None, user=user, enrol=True)
    if request.method == "POST" and form.is_valid():
        messages.success(request, _("Two-factor login is on. From now on you will be asked for a code."))
        if pending is not None:
            target = totp.pending_next(request)
            totp.finish_login(request, pending)
            return redirect(target)
        return redirect("dashboard")
    uri = totp.provisioning_uri(user, secret)
    context = {
        "form": form,
        "enrolled": False,
        "required": totp.requires_totp(user),
        "pending": pending is not None,
        "qr_svg": totp.qr_svg(uri),
        "secret": totp.grouped(secret),
    }
    return render(request, "security/totp_enrol.html", context)
