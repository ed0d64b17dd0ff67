"""Open petitions in a reorganization: a dissolved unit hands the petitions it is still handling to its
successor, with their deadlines (the law's time runs on). Closed petitions stay with the unit that
handled them, as its provenance, like its register (decision 0033)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from sohoa.registry.models import Unit
from sohoa.reorg import kinds

from .models import CLOSED_STATES, Petition


def _propose(unit: Unit) -> Iterable[kinds.Proposed]:
    rows = Petition.objects.filter(unit=unit).exclude(state__in=CLOSED_STATES).order_by("received_on", "pk")
    for p in rows:
        # A classified petition's summary is not copied into the proposal or the minutes: its number, level
        # and deadline are enough to hand it over.
        what = str(p.get_confidentiality_display()) if p.confidentiality else (p.summary or "")[:200]
        due = f" — hạn {p.deadline:%d/%m/%Y}" if p.deadline else ""
        yield kinds.Proposed(p.pk, f"{what}{due}".strip(" —"), code=p.number or f"#{p.pk}")


def _move(ids: list[int], source: Unit, target: Unit | None, actor: Any) -> int:
    # Only petitions still open and still kept by the dissolved unit: a stale proposal moves nothing else.
    rows = Petition.objects.filter(pk__in=ids, unit=source).exclude(state__in=CLOSED_STATES)
    return int(rows.update(unit=target))


def register() -> None:
    if "petition" not in kinds.KINDS:
        kinds.register(kinds.Kind("petition", _("Open petition"), _propose, _move))
