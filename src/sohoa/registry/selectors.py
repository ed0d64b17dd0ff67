"""Reads of the registry. The registry of bodies is not secret: every signed-in user sees it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sohoa.core import policy

from .models import PartyMember, RegistryChange, RegistrySync, Succession, SyncSource, Unit


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


# ---- syncs with the central database (only the Office's roles see them: core.policy) -------------


def sync_list(user: Any) -> QuerySet[RegistrySync]:
    return policy.restrict(user, RegistrySync.objects.all()).select_related("source").defer("rows", "diff")


def sync_get(user: Any, pk: Any) -> RegistrySync:
    return policy.get_visible_or_404(user, RegistrySync.objects.select_related("source"), pk=pk)


def sync_changes(user: Any, run: RegistrySync) -> QuerySet[RegistryChange]:
    return policy.restrict(user, RegistryChange.objects.filter(sync=run)).order_by("row", "pk")


def sync_sources(user: Any) -> QuerySet[SyncSource]:
    return policy.restrict(user, SyncSource.objects.all())


def object_history(user: Any, *, kind: str, object_id: int) -> QuerySet[RegistryChange]:
    """What every sync did to one unit or member, newest first, with who, when and which file."""
    return (
        policy.restrict(user, RegistryChange.objects.filter(kind=kind, object_id=object_id))
        .select_related("sync")
        .defer("sync__rows", "sync__diff")
    )


def member_get(user: Any, pk: Any) -> PartyMember:
    return policy.get_visible_or_404(user, PartyMember.objects.select_related("organization"), pk=pk)
