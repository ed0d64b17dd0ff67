"""The recognized text of a page, read through the one accessor (a classified page's text is sealed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sohoa.core import audit

from . import secrecy, selectors


@login_required
def page_text(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.page_get(request.user, pk)  # 404 for a page the user may not see
    target = page.document or page.intake
    audit.record_access(request, target, "page_text", page=page.number)
    response = render(request, "digitization/page_text.html", {"page": page, "text": secrecy.page_text(page)})
    response["Cache-Control"] = "private, no-store"
    return response
