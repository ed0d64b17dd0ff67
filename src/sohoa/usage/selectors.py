"""Reads: how often documents and paper entries were used, and whether digitizing them paid off.

Scope: counts follow the progress report's rule (decision 0013) — they are cut to the user's units, not
reduced by confidentiality (a number reveals nothing of a secret paper); lists of documents (the most used)
go through the full access policy, so a user never sees a document they could not open.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, QuerySet, Subquery

from sohoa.archive.models import Document
from sohoa.core import policy
from sohoa.digitization.models import DigitalCopy, Intake
from sohoa.registry.models import Unit

from .models import UseEvent, UseKind

#: Kinds that count as demand for a paper document not yet digitized.
DEMAND_KINDS = (UseKind.LOOKUP, UseKind.REQUEST)
#: Kinds that count as a use of a digitized document.
DOCUMENT_USE_KINDS = (UseKind.VIEW, UseKind.DOWNLOAD, UseKind.SHARE, UseKind.CITATION)
DEFAULT_MONTHS = 12
TOP_DOCUMENTS = 10


def entry_demand(entry_ids: Iterable[int], *, since: dt.datetime | None = None) -> dict[int, int]:
    """register entry id → number of look-ups and paper requests (entries without any are absent)."""
    rows = UseEvent.objects.filter(register_entry_id__in=list(entry_ids), kind__in=DEMAND_KINDS)
    if since is not None:
        rows = rows.filter(at__gte=since)
    return dict(rows.values("register_entry_id").annotate(n=Count("id")).values_list("register_entry_id", "n"))


def document_uses(document_ids: Iterable[int], *, since: dt.datetime | None = None) -> dict[int, int]:
    """document id → number of uses of any kind (documents without any are absent)."""
    rows = UseEvent.objects.filter(document_id__in=list(document_ids))
    if since is not None:
        rows = rows.filter(at__gte=since)
    return dict(rows.values("document_id").annotate(n=Count("id")).values_list("document_id", "n"))


def use_counts(user: Any, document: Document) -> dict[str, int]:
    """kind → number of uses of one document the user already sees (for its detail page)."""
    rows = policy.restrict(user, UseEvent.objects.filter(document=document)).values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}


# ---- effectiveness -----------------------------------------------------------------------------------


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """`moment` plus whole calendar months, the day clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def counted_uses(qs: QuerySet[UseEvent] | None = None) -> QuerySet[UseEvent]:
    """Uses of digitized documents that show the scan was worth making: the four document kinds, after the
    copy was made, and not by whoever handed the file in for digitization (checking one's own scan is QC,
    not use)."""
    qs = UseEvent.objects.all() if qs is None else qs
    by_digitizer = Intake.objects.filter(document_id=OuterRef("document_id"), created_by_id=OuterRef("actor_id"))
    return qs.filter(
        kind__in=DOCUMENT_USE_KINDS,
        document__isnull=False,
        at__gte=F("document__digital_copy__created_at"),
    ).filter(~Exists(by_digitizer))


def ratio(part: int | Decimal, whole: int | Decimal, *, places: str = "0.1", scale: int = 100) -> Decimal | None:
    """part/whole × scale rounded half up (None when whole is 0): percent by default."""
    if not whole:
        return None
    return (Decimal(part) * scale / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class Tally:
    """Effectiveness of one set of digitized documents."""

    documents: int = 0  # digitized in the period
    used: int = 0  # used within N months of being digitized
    waiting: int = 0  # not used yet, but digitized less than N months ago (their window is still open)
    pages: int = 0
    used_pages: int = 0  # pages of the documents in `used`
    unused_pages: int = 0  # pages of documents never used at all (up to now)

    def add(self, other: Tally) -> None:
        for name in ("documents", "used", "waiting", "pages", "used_pages", "unused_pages"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def used_percent(self) -> Decimal | None:
        return ratio(self.used, self.documents)

    def cost(self, per_page: Decimal | None) -> Decimal | None:
        return None if per_page is None else per_page * self.pages

    def cost_per_used_page(self, per_page: Decimal | None) -> Decimal | None:
        """What digitizing all pages cost, spread over the pages that were used: the waste made visible."""
        if per_page is None or not self.used_pages:
            return None
        return ratio(per_page * self.pages, self.used_pages, places="1", scale=1)

    def as_dict(self, per_page: Decimal | None = None) -> dict[str, Any]:
        def num(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return {
            "documents": self.documents,
            "used": self.used,
            "used_percent": num(self.used_percent),
            "waiting": self.waiting,
            "pages": self.pages,
            "used_pages": self.used_pages,
            "unused_pages": self.unused_pages,
            "cost": num(self.cost(per_page)),
            "cost_per_used_page": num(self.cost_per_used_page(per_page)),
        }


@dataclass
class UnitTally:
    unit: Unit
    tally: Tally


@dataclass
class Effectiveness:
    unit: Unit | None
    months: int
    cost_per_page: Decimal | None
    totals: Tally
    children: list[UnitTally] = field(default_factory=list)
    top: list[tuple[Document, int]] = field(default_factory=list)
    uses_by_kind: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code if self.unit else None,
            "months": self.months,
            "cost_per_page": None if self.cost_per_page is None else float(self.cost_per_page),
            "totals": self.totals.as_dict(self.cost_per_page),
            "units": [{"unit": r.unit.code, **r.tally.as_dict(self.cost_per_page)} for r in self.children],
            "uses_by_kind": self.uses_by_kind,
        }


def _units(user: Any, unit: Unit | None) -> QuerySet[Unit]:
    """The units counted: `unit`'s subtree (or the whole scope) cut to the user's scope; None = the system."""
    if unit is not None:
        units = Unit.objects.filter(path__startswith=unit.path) if unit.path else Unit.objects.filter(pk=unit.pk)
    else:
        units = Unit.objects.all()
    if user is not None:
        units = units.filter(pk__in=policy.scope_units(user).values("pk"))
    return units


def effectiveness(
    user: Any,
    *,
    document_ids: Iterable[int] | None = None,
    unit: Unit | None = None,
    months: int = DEFAULT_MONTHS,
    digitized_from: dt.date | None = None,
    digitized_to: dt.date | None = None,
    cost_per_page: Decimal | None = None,
    now: dt.datetime | None = None,
) -> Effectiveness:
    """Was digitizing worth it? For the documents digitized (in the period, in `unit`'s subtree ∩ the user's
    scope, optionally only `document_ids` — a plan's documents): how many were used within `months` of
    being digitized, pages never used, and what each used page cost.

    One query over the digital copies with the first counted use as a subquery, one for the most used
    documents (through the full access policy), one for uses per kind; the roll-up to child units is done
    over the rows' unit paths.
    """
    now = now or dt.datetime.now(dt.UTC)
    units = _units(user, unit)
    copies = DigitalCopy.objects.filter(document__unit__in=units.values("pk"))
    if document_ids is not None:
        copies = copies.filter(document_id__in=list(document_ids))
    if digitized_from is not None:
        copies = copies.filter(created_at__date__gte=digitized_from)
    if digitized_to is not None:
        copies = copies.filter(created_at__date__lte=digitized_to)
    uses_of_copy = counted_uses(UseEvent.objects.filter(document_id=OuterRef("document_id")))
    first_use = uses_of_copy.order_by().values("document_id").annotate(first=Min("at")).values("first")
    rows = copies.annotate(first_use=Subquery(first_use)).values_list(
        "document_id", "document__unit_id", "document__unit__path", "created_at", "page_count", "first_use"
    )

    totals = Tally()
    depth = len(unit.path.strip("/").split("/")) if unit is not None and unit.path else 0
    by_child: dict[int, Tally] = defaultdict(Tally)
    for _doc_id, _unit_id, path, made, pages, first in rows:
        one = Tally(documents=1, pages=pages)
        if first is not None and first <= add_months(made, months):
            one.used, one.used_pages = 1, pages
        elif first is None:
            one.unused_pages = pages
            if now < add_months(made, months):
                one.waiting = 1
        totals.add(one)
        if unit is not None:
            parts = (path or "").strip("/").split("/")
            by_child[int(parts[depth]) if len(parts) > depth else unit.pk].add(one)

    children: list[UnitTally] = []
    if unit is not None:
        if unit.pk in by_child:
            children.append(UnitTally(unit, by_child[unit.pk]))
        for child in units.filter(parent=unit).order_by("code"):
            children.append(UnitTally(child, by_child.get(child.pk, Tally())))

    uses = counted_uses(UseEvent.objects.filter(document_id__in=copies.values("document_id")))
    by_kind = dict(uses.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    if user is not None:  # the list names documents: only those the user may open
        uses = uses.filter(document_id__in=policy.restrict(user, Document.objects.all()).values("pk"))
    ranked = dict(
        uses.order_by()
        .values("document_id")
        .annotate(n=Count("id"))
        .order_by("-n", "document_id")
        .values_list("document_id", "n")[:TOP_DOCUMENTS]
    )
    documents = Document.objects.select_related("unit").in_bulk(list(ranked))
    top = [(documents[d], n) for d, n in ranked.items() if d in documents]
    return Effectiveness(
        unit=unit,
        months=months,
        cost_per_page=cost_per_page,
        totals=totals,
        children=children,
        top=top,
        uses_by_kind=by_kind,
    )
