"""Reads of the audit log (administrators only, through the policy)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from . import policy
from .models import AuditEvent


def audit_list(user: Any, *, action: str = "", actor: str = "", object_type: str = "") -> QuerySet[AuditEvent]:
    qs = policy.restrict(user, AuditEvent.objects.all())
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_username=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs
