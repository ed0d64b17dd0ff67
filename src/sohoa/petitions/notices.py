"""In-app notices about petitions: a deadline near or past, a petition assigned to you.

Who is told: the person handling the petition; while nobody is, the inspectors and leaders of its unit,
each only if they may see the petition (clearance). Each notice is written once per user, petition, kind
and deadline, so the daily task and the transitions may call these again without duplicates; an extended
deadline is a new deadline, so it is noticed again when it comes near.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from sohoa.core import policy
from sohoa.core.models import Role

from . import deadlines
from .models import CLOSED_STATES, Notification, Petition

#: Who is told about a petition nobody handles yet.
_UNIT_ROLES = (Role.INSPECTOR, Role.UNIT_LEADER)


def recipients(petition: Petition) -> list[Any]:
    """The assignee, or else the unit's inspectors and leaders; only those who may see the petition."""
    if petition.assignee_id:
        people: Iterable[Any] = [petition.assignee] if petition.assignee else []
    else:
        people = get_user_model().objects.filter(units=petition.unit_id, role__in=_UNIT_ROLES, is_active=True)
    return [
        u for u in people if u.is_active and u.clearance >= petition.confidentiality and policy.can_see(u, petition)
    ]


def _kind(petition: Petition, today: dt.date) -> str | None:
    if petition.deadline is None or petition.state in CLOSED_STATES:
        return None
    if petition.deadline < today:
        return Notification.Kind.OVERDUE
    if petition.deadline <= today + dt.timedelta(days=deadlines.DUE_SOON_DAYS):
        return Notification.Kind.DUE_SOON
    return None


def notify_petition(petition_id: int, *, today: dt.date | None = None) -> int:
    """Notices for one petition whose deadline is near or past; returns how many were new."""
    petition = Petition.objects.select_related("assignee", "unit").filter(pk=petition_id).first()
    if petition is None:
        return 0
    kind = _kind(petition, today or timezone.localdate())
    if kind is None:
        return 0
    return _write(petition, kind, petition.deadline, recipients(petition))


def notify_assigned(petition_id: int, user_id: int) -> int:
    petition = Petition.objects.select_related("assignee", "unit").filter(pk=petition_id).first()
    if petition is None or petition.assignee_id != user_id:
        return 0
    new = _write(petition, Notification.Kind.ASSIGNED, timezone.localdate(), recipients(petition))
    notify_petition(petition_id)
    return new


def notify_deadlines(*, today: dt.date | None = None) -> int:
    """The daily run: notices for every open petition due within a few days or overdue."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=deadlines.DUE_SOON_DAYS)
    rows = (
        Petition.objects.exclude(state__in=CLOSED_STATES)
        .filter(deadline__isnull=False, deadline__lte=horizon)
        .select_related("assignee", "unit")
        .order_by("pk")
    )
    new = 0
    for petition in rows.iterator(chunk_size=500):
        kind = _kind(petition, today)
        if kind is not None:
            new += _write(petition, kind, petition.deadline, recipients(petition))
    return new


def _write(petition: Petition, kind: str, deadline: dt.date | None, users: list[Any]) -> int:
    if not users:
        return 0
    existing = set(
        Notification.objects.filter(petition=petition, kind=kind, deadline=deadline, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    rows = [
        Notification(user=u, petition=petition, kind=kind, deadline=deadline) for u in users if u.pk not in existing
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them when `ids` is None); returns how many."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
