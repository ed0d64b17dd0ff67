"""Writes: file a difficulty, change its status. Each writes its history row and an audit row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.core import audit, policy
from sohoa.core.models import Role

from .models import Difficulty, Status, StatusChange

#: Who answers a difficulty: the provincial Office (and administrators). Units file, the Office decides.
DECIDERS = frozenset({Role.PROVINCIAL_OFFICE, Role.ADMIN})


def may_decide(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and policy.role_of(user) in DECIDERS)


def filing_units(user: Any) -> Any:
    """A unit files for itself: the user's own units (not their subtree), or the scope for the Office."""
    scope = policy.scope_units(user)
    return scope if may_decide(user) else scope.filter(pk__in=user.units.values("pk"))


def difficulty_file(*, actor: Any, difficulty: Difficulty) -> Difficulty:
    """Save a new difficulty as filed by `actor` for one of their units, with its first history row."""
    if not policy.can_create(actor, Difficulty):
        raise PermissionDenied(_("Your role may not file difficulties."))
    if not filing_units(actor).filter(pk=difficulty.unit_id).exists():
        raise ValidationError({"unit": _("A unit files its own difficulties: choose one of your units.")})
    difficulty.status = Status.OPEN
    difficulty.filed_by = actor
    difficulty.full_clean()
    with transaction.atomic():
        difficulty.save()
        StatusChange.objects.create(difficulty=difficulty, at=timezone.now(), actor=actor, new_status=Status.OPEN)
        audit.record(
            "create",
            actor=actor,
            obj=difficulty,
            details={"category": difficulty.category, "quantity": difficulty.quantity, "unit": difficulty.unit_id},
        )
    return difficulty


def difficulty_set_status(*, actor: Any, difficulty: Difficulty, status: str, note: str = "") -> StatusChange:
    """Move a difficulty to another status; a rejection must say why (the unit reads the reason)."""
    if not may_decide(actor) or not policy.can_see(actor, difficulty):
        raise PermissionDenied(_("Only the provincial Office changes the status of a difficulty."))
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status “%(value)s”.") % {"value": status}})
    if status == difficulty.status:
        raise ValidationError({"status": _("The difficulty already has this status.")})
    note = note.strip()
    if status == Status.REJECTED and not note:
        raise ValidationError({"note": _("Say why the proposal is rejected.")})
    with transaction.atomic():
        locked = Difficulty.objects.select_for_update().get(pk=difficulty.pk)
        change = StatusChange.objects.create(
            difficulty=locked, at=timezone.now(), actor=actor, old_status=locked.status, new_status=status, note=note
        )
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit.record("status", actor=actor, obj=locked, details={"from": change.old_status, "to": status, "note": note})
    difficulty.status = status
    return change


def summary_export(*, actor: Any, summary: Any, items: list[Difficulty]) -> bytes:
    """The aggregate as XLSX, audited as an export (what left the system, for whom)."""
    from . import exports

    content = exports.render_xlsx(summary, items)
    audit.record(
        "export",
        actor=actor,
        object_type="difficulties.summary",
        object_repr=", ".join(summary.statuses),
        details={"format": "xlsx", "reports": summary.total.reports, "statuses": list(summary.statuses)},
    )
    return content
