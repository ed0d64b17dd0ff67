"""Check and accept what the extractor read: one page per document, and the accuracy meter."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sohoa.core import audit, policy
from sohoa.core.web import attach_errors

from . import selectors, services
from .forms import SuggestionForm
from .header import FIELDS


def _level(confidence: float) -> str:
    """How a field is highlighted: high (no need to check), medium, low (check it)."""
    return "high" if confidence >= 0.9 else "medium" if confidence >= 0.6 else "low"


@login_required
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = selectors.suggestion_get(request.user, pk)
    document = suggestion.document
    writable = policy.can_edit(request.user, document)
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        form = SuggestionForm(request.POST)
        if form.is_valid():
            try:
                services.suggestion_accept(
                    actor=request.user,
                    suggestion=suggestion,
                    values=form.values(),
                    allow_duplicate=form.cleaned_data["confirm_duplicate"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("The document's details were saved."))
                return redirect("document_detail", pk=document.pk)
    else:
        audit.record_access(request, document, "extraction")  # the OCR'd fields of a classified document
        form = SuggestionForm(initial=SuggestionForm.initial_from(selectors.suggestion_values(suggestion)))
    rows = [
        (form[name], suggestion.confidence.get(name, 0.0), _level(suggestion.confidence.get(name, 0.0)))
        for name in FIELDS
    ]
    return render(
        request,
        "extraction/suggestion.html",
        {
            "suggestion": suggestion,
            "document": document,
            "form": form,
            "rows": rows,
            "writable": writable and suggestion.status == suggestion.Status.PENDING,
            "duplicates": selectors.suggestion_duplicates(suggestion),
        },
    )


@login_required
@require_POST
def suggestion_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = selectors.suggestion_get(request.user, pk)
    if not policy.can_edit(request.user, suggestion.document):
        raise PermissionDenied
    services.suggestion_dismiss(actor=request.user, suggestion=suggestion)
    messages.info(request, _("The suggested details were dismissed."))
    return redirect("document_detail", pk=suggestion.document_id)


@login_required
def accuracy(request: HttpRequest) -> HttpResponse:
    if not policy.is_admin(request.user):
        raise PermissionDenied
    return render(request, "extraction/accuracy.html", {"rows": selectors.accuracy()})
