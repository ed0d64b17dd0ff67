"""Login, dashboard and the audit log page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sohoa.archive import selectors as archive_selectors
from sohoa.registry import selectors as registry_selectors

from . import audit, policy, selectors
from .forms import AuditFilterForm, LoginForm
from .web import list_template, paginate


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


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
    context = {"form": form, "page": paginate(request, events), "verification": verification}
    return render(request, list_template(request, "core/audit_list.html", "core/_audit_table.html"), context)
