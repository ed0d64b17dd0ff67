"""Login, dashboard, the audit log page and the form-draft endpoint."""

from __future__ import annotations

import functools
import io
import json
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sohoa.archive import selectors as archive_selectors
from sohoa.registry import selectors as registry_selectors

from . import audit, policy, selectors, services
from .forms import AuditExportForm, AuditFilterForm, LoginForm
from .web import list_template, paginate


class LoginView(auth_views.LoginView):
    """Password first; a user with (or required to have) two-factor login is not logged in yet but sent to
    the code page, or to the enrolment page when they must have it and have not set it up."""

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        from sohoa.security import totp

        user = form.get_user()
        if totp.needs_code(user):
            totp.start_pending(self.request, user, self.get_success_url())
            return redirect("login_code" if totp.is_enrolled(user) else "totp_enrol")
        return super().form_valid(form)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "counts": archive_selectors.counts(user),
        "recent": archive_selectors.document_list(user).order_by("-created_at")[:8],
        "my_units": user.units.all(),  # type: ignore[union-attr]
        "scope_size": registry_selectors.units_in_scope(user).count(),
    }
    return render(request, "core/dashboard.html", context)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not policy.is_admin(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_list(request.user, **{k: v for k, v in filters.items() if v})
    verification = audit.verify() if request.GET.get("verify") else None
    context = {
        "form": form,
        "page": paginate(request, events),
        "verification": verification,
        "export_form": AuditExportForm(),
    }
    return render(request, list_template(request, "core/audit_list.html", "core/_audit_table.html"), context)


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """A period's audit log as a signed JSON-lines file (verify with `sohoa audit-export --verify`)."""
    if not policy.is_admin(request.user):
        raise PermissionDenied
    form = AuditExportForm(request.GET)
    if not form.is_valid():
        events = selectors.audit_list(request.user)
        context = {"form": AuditFilterForm(), "page": paginate(request, events), "export_form": form}
        return render(request, "core/audit_list.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    audit.record(
        "audit_export", actor=request.user, object_type="core.auditevent", details={"from": str(start), "to": str(end)}
    )
    buffer = io.BytesIO()
    audit.export_period(start, end, buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sohoa-audit-{start:%Y%m%d}-{end:%Y%m%d}.jsonl"'
    return response


# --- form drafts (decision 0031): JSON for core/static/core/drafts.js --------------------------------


def _json_login_required(view: Any) -> Any:
    """401 with a reason, not a redirect to the login page: the script keeps the typed values and says
    why (checked before the method, so an anonymous request learns nothing else)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            message = _("Your session has expired; what you typed is kept — log in again to continue.")
            return JsonResponse({"error": message, "login_url": reverse("login")}, status=401)
        return view(request, *args, **kwargs)

    return wrapped


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict):
        raise ValidationError(_("The draft is not a list of form fields."))
    return body


@_json_login_required
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest) -> HttpResponse:
    """GET ?key=: the user's own draft of a form; POST {key, data, level}: keep it (CSRF-protected)."""
    if request.method == "GET":
        found = selectors.draft_values(request.user, request.GET.get("key", ""))
        if found is None:
            return JsonResponse({"data": None})
        row, values = found
        return JsonResponse({"data": values, "level": row.level, "updated_at": row.updated_at.isoformat()})
    try:
        body = _json_body(request)
        saved = services.draft_save(
            actor=request.user, key=body.get("key"), data=body.get("data"), level=body.get("level")
        )
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"saved": True, "updated_at": saved.updated_at.isoformat()})


@_json_login_required
@require_POST
def draft_discard(request: HttpRequest) -> HttpResponse:
    """POST {key}: delete the user's own draft of a form (the “Discard draft” button)."""
    try:
        key = _json_body(request).get("key")
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    deleted = services.draft_discard(actor=request.user, key=key) if isinstance(key, str) else False
    return JsonResponse({"discarded": deleted})
