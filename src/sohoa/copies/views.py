"""The copy register pages: the copies of one document, and the province-wide register."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sohoa.archive import selectors as archive_selectors
from sohoa.core.models import Level
from sohoa.core.web import int_param, paginate

from . import selectors
from .models import SecretCopy


@login_required
def document_copies(request: HttpRequest, document_id: int) -> HttpResponse:
    document = archive_selectors.document_get(request.user, document_id)
    context = {"document": document, "page": paginate(request, selectors.copies_of(request.user, document.pk))}
    return render(request, "copies/document_copies.html", context)


@login_required
def copy_register(request: HttpRequest) -> HttpResponse:
    if not selectors.can_see_register(request.user):
        raise PermissionDenied
    purpose = request.GET.get("purpose", "")
    purpose = purpose if purpose in SecretCopy.Purpose.values else ""
    level = int_param(request, "level")
    level = level if level in (Level.MAT, Level.TOI_MAT, Level.TUYET_MAT) else None
    context = {
        "page": paginate(request, selectors.register(request.user, purpose=purpose, level=level)),
        "purposes": SecretCopy.Purpose.choices,
        "levels": [(v, label) for v, label in Level.choices if v],
        "purpose": purpose,
        "level": level,
    }
    return render(request, "copies/register.html", context)
