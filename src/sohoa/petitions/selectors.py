"""Reads of petitions, always through the access policy: the petitions a user sees, one petition, its
events, the overdue and due-soon lists per unit and per person, and the user's notifications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sohoa.core import policy

from . import deadlines
from .models import CLOSED_STATES, Notification, Petition, PetitionEvent


def petitions_visible(user: Any) -> QuerySet[Petition]:
    """The petitions `user` may see (unit scope and clearance), with what a list shows."""
    return policy.restrict(user, Petition.objects.select_related("unit", "assignee", "forward_to_unit"))


def petition_get(user: Any, pk: Any) -> Petition:
    """One visible petition, or 404 (hidden and missing look the same)."""
    return policy.get_visible_or_404(user, Petition.objects.select_related("unit", "assignee", "repeat_of"), pk=pk)


def petition_events(user: Any, petition: Petition) -> QuerySet[PetitionEvent]:
    return policy.restrict(user, PetitionEvent.objects.filter(petition=petition).select_related("actor"))


def open_petitions(user: Any) -> QuerySet[Petition]:
    return petitions_visible(user).exclude(state__in=CLOSED_STATES).filter(deadline__isnull=False)


def overdue(user: Any, *, unit: Any = None, assignee: Any = None, today: dt.date | None = None) -> QuerySet[Petition]:
    """Open petitions whose deadline has passed (oldest deadline first)."""
    today = today or timezone.localdate()
    qs = open_petitions(user).filter(deadline__lt=today)
    return _narrow(qs, unit, assignee).order_by("deadline", "pk")


def due_soon(
    user: Any, *, unit: Any = None, assignee: Any = None, today: dt.date | None = None, days: int | None = None
) -> QuerySet[Petition]:
    """Open petitions due today or within the next few days."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=deadlines.DUE_SOON_DAYS if days is None else days)
    qs = open_petitions(user).filter(deadline__gte=today, deadline__lte=horizon)
    return _narrow(qs, unit, assignee).order_by("deadline", "pk")


def _narrow(qs: QuerySet[Petition], unit: Any, assignee: Any) -> QuerySet[Petition]:
    if unit is not None:
        qs = qs.filter(unit=unit)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    return qs


@dataclass(frozen=True)
class DeadlineRow:
    """One line of the overdue page: a unit or a person, with its counts."""

    key: Any
    label: str
    overdue: int
    due_soon: int


def deadline_summary(user: Any, *, by: str = "unit", today: dt.date | None = None) -> list[DeadlineRow]:
    """Overdue and due-soon counts per receiving unit (`by="unit"`) or per person handling (`by="person"`;
    unassigned petitions form one row with key None)."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=deadlines.DUE_SOON_DAYS)
    fields = ("unit_id", "unit__name") if by == "unit" else ("assignee_id", "assignee__username")
    rows = (
        open_petitions(user)
        .filter(deadline__lte=horizon)
        .values(*fields)
        .annotate(
            late=Count("pk", filter=Q(deadline__lt=today)),
            soon=Count("pk", filter=Q(deadline__gte=today)),
        )
        .order_by(fields[1])
    )
    names: dict[Any, str] = {}
    if by == "person":
        from django.contrib.auth import get_user_model

        ids = [r["assignee_id"] for r in rows if r["assignee_id"]]
        for u in get_user_model().objects.filter(pk__in=ids):
            names[u.pk] = u.get_full_name() or u.username
    result = []
    for r in rows:
        key = r[fields[0]]
        label = r[fields[1]] if by == "unit" else names.get(key, "")
        result.append(DeadlineRow(key, label or "", r["late"], r["soon"]))
    result.sort(key=lambda row: (-row.overdue, -row.due_soon, row.label))
    return result


def notifications(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notices about petitions they still may see."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = policy.restrict(user, Notification.objects.filter(user=user).select_related("petition", "petition__unit"))
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user: Any) -> int:
    return notifications(user, unread_only=True).count()
