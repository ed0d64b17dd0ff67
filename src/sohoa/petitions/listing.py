"""Reads of the register pages (list, detail, edit), on top of `selectors.petitions_visible`: the list's
filters and search, and a petition's files (with their digitization state) and parties."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sohoa.core import policy

from .models import CLOSED_STATES, Petition, PetitionFile, PetitionParty
from .selectors import petitions_visible


def petition_list(
    user: Any,
    *,
    state: str = "",
    kind: str = "",
    overdue: bool = False,
    unit: Any = None,
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[Petition]:
    """The petitions `user` sees, narrowed by the list's filters; `q` searches the register number, the
    summary, the letter's text and the names of its parties."""
    qs = petitions_visible(user)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue:
        qs = qs.exclude(state__in=CLOSED_STATES).filter(deadline__lt=today or timezone.localdate())
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    q = " ".join((q or "").split())[:200]
    if q:
        named = PetitionParty.objects.filter(petition=OuterRef("pk"), name__icontains=q)
        qs = qs.filter(Q(number__icontains=q) | Q(summary__icontains=q) | Q(content__icontains=q) | Exists(named))
    return qs.order_by("-received_on", "-pk")


def petition_files(user: Any, petition: Petition) -> QuerySet[PetitionFile]:
    """The letter first, then the attachments, each with its intake and document."""
    qs = PetitionFile.objects.filter(petition=petition).select_related("intake", "document")
    return policy.restrict(user, qs).order_by("-role", "pk")  # "letter" > "attachment"


def petition_parties(user: Any, petition: Petition) -> QuerySet[PetitionParty]:
    qs = PetitionParty.objects.filter(petition=petition).select_related("member", "organization", "unit_hint")
    return policy.restrict(user, qs).order_by("-role", "pk")  # senders first
