"""Reads of the digitization app, through the access policy."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from sohoa.core import policy

from .models import DigitalCopy, Intake, Page


def intake_list(user: Any, *, batch: uuid.UUID | None = None, status: str = "") -> QuerySet[Intake]:
    qs = policy.restrict(user, Intake.objects.all()).select_related("unit", "document", "record")
    if batch:
        qs = qs.filter(batch=batch)
    if status:
        qs = qs.filter(status=status)
    return qs


def intake_get(user: Any, pk: Any) -> Intake:
    return policy.get_visible_or_404(user, Intake.objects.select_related("unit", "document", "record"), pk=pk)


def intake_pages(user: Any, intake: Intake) -> QuerySet[Page]:
    return policy.restrict(user, Page.objects.filter(intake=intake)).order_by("number")


def page_get(user: Any, pk: Any) -> Page:
    return policy.get_visible_or_404(user, Page.objects.all(), pk=pk)


def copy_for_document(user: Any, document_id: Any) -> DigitalCopy:
    qs = DigitalCopy.objects.select_related("document", "document__record")
    return policy.get_visible_or_404(user, qs, document_id=document_id)


def copy_or_none(user: Any, document_id: Any) -> DigitalCopy | None:
    return policy.restrict(user, DigitalCopy.objects.filter(document_id=document_id)).first()


def document_pages(user: Any, document_id: Any) -> QuerySet[Page]:
    return policy.restrict(user, Page.objects.filter(document_id=document_id)).order_by("number")
