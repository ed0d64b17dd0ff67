"""Reads of the copy register, through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sohoa.core import policy

from .models import SecretCopy


def copies_of(user: Any, document_id: int) -> QuerySet[SecretCopy]:
    """The copies of one document (the caller has checked that the user sees the document)."""
    qs = policy.restrict(user, SecretCopy.objects.filter(document_id=document_id))
    return qs.select_related("user", "unit").order_by("-number")


def can_see_register(user: Any) -> bool:
    """The province-wide register is for administrators and province-wide roles (the provincial Office)."""
    return policy.is_admin(user) or policy.is_province_wide(user)


def register(user: Any, *, purpose: str = "", level: int | None = None) -> QuerySet[SecretCopy]:
    """Every copy in the user's scope that they may see, newest first."""
    qs = policy.restrict(user, SecretCopy.objects.all())
    if purpose:
        qs = qs.filter(purpose=purpose)
    if level:
        qs = qs.filter(level=level)
    return qs.select_related("document", "user", "unit").order_by("-created_at", "-pk")
