"""Reads of the audit log (administrators only, through the policy) and of one's own form drafts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from . import drafts, policy
from .models import AuditEvent, Draft


def audit_list(user: Any, *, action: str = "", actor: str = "", object_type: str = "") -> QuerySet[AuditEvent]:
    qs = policy.restrict(user, AuditEvent.objects.all())
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_username=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs


def draft_get(user: Any, key: str) -> Draft | None:
    """The user's own draft of the form `key` (nobody else's, whatever their role), or None."""
    return policy.restrict(user, Draft.objects.filter(key=key)).first()


def draft_values(user: Any, key: str) -> tuple[Draft, dict[str, Any]] | None:
    """The user's draft of `key` and its opened values; None when there is none or it cannot be read."""
    draft = draft_get(user, key)
    if draft is None:
        return None
    values = drafts.open_sealed(draft.user_id, draft.key, draft.sealed, draft.kid)
    return None if values is None else (draft, values)
