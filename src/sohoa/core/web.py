"""Small helpers that keep views thin: query parameters, pagination, object descriptions, edit flow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import drafts, policy

PAGE_SIZE = 25


def int_param(request: HttpRequest, name: str) -> int | None:
    """An integer query parameter; anything else (missing, text) is ignored rather than an error."""
    value = request.GET.get(name, "").strip()
    try:
        return int(value) if value else None
    except ValueError:
        return None


def paginate(request: HttpRequest, queryset: Any) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def list_template(request: HttpRequest, full: str, partial: str) -> str:
    """htmx asks for the results table only (search-as-you-type); a normal request gets the page."""
    return partial if request.headers.get("HX-Request") and request.GET.get("partial") else full


def describe(obj: models.Model, fields: list[str]) -> list[tuple[str, Any]]:
    """(label, shown value) pairs for a detail page; choices show their label, empty values a dash."""
    rows = []
    for name in fields:
        field = obj._meta.get_field(name)
        display = getattr(obj, f"get_{name}_display", None)
        value = display() if callable(display) else getattr(obj, name)
        rows.append((str(getattr(field, "verbose_name", name)).capitalize(), value if value not in (None, "") else "—"))
    return rows


def edit(
    request: HttpRequest,
    *,
    form: ModelForm,
    save: Callable[[Any], models.Model],
    template: str,
    context: dict[str, Any],
    success: Callable[[models.Model], str],
    draft: str = "",
) -> HttpResponse:
    """The shared create/edit flow: validate the form, call the service, report its refusals on the form.

    `draft` names the form for drafts (decision 0031): the template gets it (form.html renders the draft
    widget) and a successful save deletes the user's draft of it.
    """
    if not policy.can_create(request.user, form._meta.model):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.save(commit=False))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if draft:
                drafts.submitted(request, draft)
            messages.success(request, _("Saved."))
            return redirect(success(obj))
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    context = {**context, "form": form, "draft": draft}
    return render(request, template, context, status=400 if form.errors else 200)


def attach_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: each field's errors on that field, the rest (and
    a message without fields) above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
