"""Reads of reorganizations, through the access policy; and who keeps a dissolved unit's paper now."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from sohoa.core import policy

from .models import Reorganization, ReorganizationUnit, TransferItem

#: Successions chained further than this are a cycle in the data, not history.
MAX_CHAIN = 20


def reorganization_list(user: Any, *, status: str = "", kind: str = "") -> QuerySet[Reorganization]:
    queryset = policy.restrict(user, Reorganization.objects.select_related("unit"))
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-effective_date", "-pk")


def with_parties(queryset: QuerySet[Reorganization]) -> QuerySet[Reorganization]:
    """The units taking part, in their order, fetched with the reorganizations (one query for a page)."""
    parties = ReorganizationUnit.objects.select_related("unit").order_by("role", "position")
    return queryset.select_related("created_by", "executed_by").prefetch_related(Prefetch("parties", parties))


def item_counts(reorganization_ids: list[int]) -> dict[int, dict[str, int]]:
    """Reorganization id → {item kind: number of items}, for a page of visible reorganizations."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in reorganization_ids}
    rows = (
        TransferItem.objects.filter(reorganization_id__in=reorganization_ids)
        .values_list("reorganization_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for reorg_id, kind, n in rows:
        counts[reorg_id][kind] = n
    return counts


def reorganization_get(user: Any, pk: Any) -> Reorganization:
    """One reorganization the user may see, or 404 (missing or outside the scope alike)."""
    return policy.get_visible_or_404(user, Reorganization.objects.select_related("unit"), pk=pk)


def reorganization_detail(user: Any, pk: Any) -> Reorganization:
    """Like reorganization_get, with the units taking part fetched in order (the API's serializer)."""
    return policy.get_visible_or_404(user, with_parties(Reorganization.objects.select_related("unit")), pk=pk)


def item_get(user: Any, pk: Any) -> TransferItem:
    """One item of a reorganization the user may see, or 404."""
    queryset = TransferItem.objects.select_related("reorganization", "from_unit", "to_unit")
    return policy.get_visible_or_404(user, queryset, pk=pk)


def items(reorganization: Reorganization, *, kind: str = "", unassigned: bool | None = None) -> QuerySet[TransferItem]:
    queryset = reorganization.items.select_related("from_unit", "to_unit").order_by("pk")
    if kind:
        queryset = queryset.filter(kind=kind)
    if unassigned is not None:
        queryset = queryset.filter(to_unit__isnull=unassigned)
    return queryset


def items_by_kind(reorganization: Reorganization) -> dict[str, list[TransferItem]]:
    grouped: dict[str, list[TransferItem]] = defaultdict(list)
    for item in items(reorganization):
        grouped[item.kind].append(item)
    return dict(grouped)


def custodian_map() -> dict[int, int]:
    """Dissolved unit id → the unit that keeps its paper now, following executed reorganizations (a unit
    merged twice ends with the last successor). A split's registers and counts go to its first successor:
    counters are kept per register, not per record."""
    first: dict[int, int] = {}
    rows = (
        ReorganizationUnit.objects.filter(reorganization__status=Reorganization.Status.EXECUTED)
        .values_list("reorganization_id", "unit_id", "role", "position")
        .order_by("reorganization_id", "role", "position")
    )
    successor: dict[int, int] = {}
    dissolved: dict[int, list[int]] = defaultdict(list)
    for reorg_id, unit_id, role, _position in rows:
        if role == ReorganizationUnit.Role.SUCCESSOR:
            successor.setdefault(reorg_id, unit_id)
        else:
            dissolved[reorg_id].append(unit_id)
    for reorg_id, units in dissolved.items():
        for unit_id in units:
            if reorg_id in successor:
                first[unit_id] = successor[reorg_id]
    result: dict[int, int] = {}
    for unit_id in first:
        target, hops = first[unit_id], 0
        while target in first and hops < MAX_CHAIN:
            target, hops = first[target], hops + 1
        result[unit_id] = target
    return result
