"""Reads of the registry. The registry of bodies is not secret: every signed-in user sees it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sohoa.core import policy

from .models import Succession, Unit


def unit_list(user: Any, *, q: str = "", kind: str = "") -> QuerySet[Unit]:
    qs = policy.restrict(user, Unit.objects.all()).select_related("parent")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(short_name__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def unit_get(user: Any, pk: Any) -> Unit:
    return policy.get_visible_or_404(user, Unit.objects.select_related("parent"), pk=pk)


def unit_successions(user: Any, unit: Unit) -> tuple[QuerySet[Succession], QuerySet[Succession]]:
    """(where it went, where it came from)."""
    base = policy.restrict(user, Succession.objects.all()).select_related("predecessor", "successor")
    return base.filter(predecessor=unit), base.filter(successor=unit)


def units_in_scope(user: Any) -> QuerySet[Unit]:
    """Units the user may file things under (own units and descendants, or the province)."""
    return policy.scope_units(user).order_by("path")


def unit_by_code(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()
