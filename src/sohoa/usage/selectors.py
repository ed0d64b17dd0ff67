"""Reads: how often documents and paper entries were used (one GROUP BY each)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count

from .models import UseEvent, UseKind

#: Kinds that count as demand for a paper document not yet digitized.
DEMAND_KINDS = (UseKind.LOOKUP, UseKind.REQUEST)


def entry_demand(entry_ids: Iterable[int], *, since: datetime | None = None) -> dict[int, int]:
    """register entry id → number of look-ups and paper requests (entries without any are absent)."""
    rows = UseEvent.objects.filter(register_entry_id__in=list(entry_ids), kind__in=DEMAND_KINDS)
    if since is not None:
        rows = rows.filter(at__gte=since)
    return dict(rows.values("register_entry_id").annotate(n=Count("id")).values_list("register_entry_id", "n"))


def document_uses(document_ids: Iterable[int], *, since: datetime | None = None) -> dict[int, int]:
    """document id → number of uses of any kind (documents without any are absent)."""
    rows = UseEvent.objects.filter(document_id__in=list(document_ids))
    if since is not None:
        rows = rows.filter(at__gte=since)
    return dict(rows.values("document_id").annotate(n=Count("id")).values_list("document_id", "n"))
