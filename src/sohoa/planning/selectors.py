"""Reads for planning, through the access policy, with the joins their pages need.

`selection_entries` is the exception: it is the plan's whole selection, secret papers included, because
a plan's backlog must count them (decision 0013: numbers are not reduced by confidentiality). What a
person is *shown* of the candidates goes through the policy (`plan_candidates`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sohoa.archive.models import RegisterEntry
from sohoa.core import policy
from sohoa.registry.models import Unit
from sohoa.reports.models import REGISTER_SERIES

from . import forecast as forecast_mod
from .models import Batch, BatchTransition, Candidate, Exclusion, Plan, Team, TeamMember


def selection_entries(plan: Plan) -> QuerySet[RegisterEntry]:
    """The register entries (paper documents) the plan's criteria select, before exclusions."""
    qs = RegisterEntry.objects.filter(unit__path__startswith=plan.unit.path)
    if plan.pk:
        paths = list(plan.units.values_list("path", flat=True))
        if paths:
            qs = qs.filter(reduce(or_, (Q(unit__path__startswith=p) for p in paths)))
    directions = [s for s in plan.series if s in REGISTER_SERIES] if plan.series else list(REGISTER_SERIES)
    qs = qs.filter(direction__in=directions)  # other series have no register lines: nothing to select
    if plan.year_from:
        qs = qs.filter(year__gte=plan.year_from)
    if plan.year_to:
        qs = qs.filter(year__lte=plan.year_to)
    # The document's own date, else the day it arrived.
    if plan.date_from:
        qs = qs.filter(Q(doc_date__gte=plan.date_from) | Q(doc_date__isnull=True, arrival_date__gte=plan.date_from))
    if plan.date_to:
        qs = qs.filter(Q(doc_date__lte=plan.date_to) | Q(doc_date__isnull=True, arrival_date__lte=plan.date_to))
    if plan.doc_types:
        qs = qs.filter(doc_type__in=plan.doc_types)
    if plan.levels:
        qs = qs.filter(confidentiality__in=plan.levels)
    return qs


_STATUS_COUNTS = {
    f"n_{status}": Count("candidates", filter=Q(candidates__status=status)) for status in Candidate.Status.values
}


def plan_list(user: Any, *, status: str = "") -> QuerySet[Plan]:
    """Visible plans with their candidate counts per status (one query: counts, not content)."""
    qs = (
        policy.restrict(user, Plan.objects.all())
        .select_related("unit", "approved_by")
        .annotate(**_STATUS_COUNTS)
        .order_by("-created_at", "-id")
    )
    return qs.filter(status=status) if status else qs


def plan_get(user: Any, pk: Any) -> Plan:
    return policy.get_visible_or_404(user, Plan.objects.select_related("unit", "approved_by", "created_by"), pk=pk)


def plan_counts(plan: Plan) -> dict[str, int]:
    rows = Candidate.objects.filter(plan=plan).values("status").annotate(n=Count("id")).order_by()
    counts = {s: 0 for s in Candidate.Status.values}
    counts.update({r["status"]: r["n"] for r in rows})
    counts["total"] = sum(counts.values())
    return counts


def plan_candidates(user: Any, plan: Plan, *, status: str = "") -> QuerySet[Candidate]:
    qs = (
        policy.restrict(user, Candidate.objects.filter(plan=plan))
        .select_related("entry", "entry__unit", "batch", "override_by")
        .order_by("-effective_score", "id")
    )
    return qs.filter(status=status) if status else qs


def plan_exclusions(user: Any, plan: Plan) -> list[tuple[Exclusion, bool]]:
    """Exclusions with whether the user may see the excluded entry (else only its number is shown)."""
    rows = list(Exclusion.objects.filter(plan=plan).select_related("entry", "created_by"))
    entry_ids = [e.entry_id for e in rows if e.entry_id]
    visible = set(policy.restrict(user, RegisterEntry.objects.filter(pk__in=entry_ids)).values_list("pk", flat=True))
    return [(e, e.entry_id in visible) for e in rows]


def exclusion_get(user: Any, pk: Any) -> Exclusion:
    return policy.get_visible_or_404(user, Exclusion.objects.select_related("plan", "plan__unit"), pk=pk)


def candidate_get(user: Any, pk: Any) -> Candidate:
    qs = Candidate.objects.select_related("plan", "plan__unit", "entry", "entry__unit", "override_by", "batch")
    return policy.get_visible_or_404(user, qs, pk=pk)


def plan_batches(user: Any, plan: Plan) -> QuerySet[Batch]:
    return (
        policy.restrict(user, Batch.objects.filter(plan=plan))
        .select_related("team", "assignee")
        .annotate(n_candidates=Count("candidates"))
    )


def batch_get(user: Any, pk: Any) -> Batch:
    return policy.get_visible_or_404(
        user, Batch.objects.select_related("plan", "plan__unit", "team", "assignee"), pk=pk
    )


def batch_candidates(user: Any, batch: Batch) -> QuerySet[Candidate]:
    return (
        policy.restrict(user, Candidate.objects.filter(batch=batch))
        .select_related("entry", "entry__unit")
        .order_by("-effective_score", "id")
    )


def batch_transitions(user: Any, batch: Batch) -> QuerySet[BatchTransition]:
    return policy.restrict(user, BatchTransition.objects.filter(batch=batch)).select_related("by")


def team_list(user: Any) -> QuerySet[Team]:
    qs = policy.restrict(user, Team.objects.all()).select_related("unit")
    return qs.annotate(n_members=Count("members")).order_by("name", "id")


def team_get(user: Any, pk: Any) -> Team:
    return policy.get_visible_or_404(user, Team.objects.select_related("unit"), pk=pk)


def team_members(user: Any, team: Team) -> QuerySet[TeamMember]:
    return policy.restrict(user, TeamMember.objects.filter(team=team)).select_related("user")


def member_get(user: Any, pk: Any) -> TeamMember:
    return policy.get_visible_or_404(user, TeamMember.objects.select_related("team", "user"), pk=pk)


def team_batches(user: Any, team: Team) -> QuerySet[Batch]:
    qs = policy.restrict(user, Batch.objects.filter(team=team)).select_related("plan", "team", "assignee")
    return qs.annotate(n_candidates=Count("candidates"))


# ---- forecast --------------------------------------------------------------------------------------


@dataclass
class UnitOutlook:
    unit: Unit
    forecast: forecast_mod.Forecast


@dataclass
class PlanOutlook:
    overall: forecast_mod.Forecast
    units: list[UnitOutlook]


def plan_forecast(plan: Plan, *, today: dt.date | None = None, window: int = forecast_mod.WINDOW_DAYS) -> PlanOutlook:
    """Burn-down and forecast of the plan and of each unit in it, from the digital copies' dates.

    Counts all the plan's non-excluded candidates (secret ones too: numbers, not content). Two queries.
    """
    today = today or timezone.localdate()
    active = Candidate.objects.filter(plan=plan).exclude(status=Candidate.Status.EXCLUDED)
    totals = dict(active.values("entry__unit_id").annotate(n=Count("id")).values_list("entry__unit_id", "n").order_by())
    done = active.filter(entry__document__digital_copy__isnull=False).values_list(
        "entry__unit_id", "entry__document__digital_copy__created_at"
    )
    dates: dict[int, list[dt.date]] = {u: [] for u in totals}
    for unit_id, created in done:
        dates.setdefault(unit_id, []).append(timezone.localdate(created))
    start = timezone.localdate(plan.created_at) if plan.created_at else today

    def one(total: int, days: list[dt.date]) -> forecast_mod.Forecast:
        return forecast_mod.forecast(
            total=total, done_dates=days, today=today, deadline=plan.deadline, start=start, window=window
        )

    overall = one(sum(totals.values()), [d for ds in dates.values() for d in ds])
    units = Unit.objects.in_bulk(list(totals))
    rows = [UnitOutlook(units[u], one(n, dates.get(u, []))) for u, n in totals.items() if u in units]
    rows.sort(key=lambda r: (not r.forecast.at_risk, r.unit.code))
    return PlanOutlook(overall, rows)


def batch_qc(document_ids: Iterable[int]) -> dict[str, int]:
    """Pages of a batch's documents per QC state: {"accepted": n, "pending": n, "rejected": n}."""
    from sohoa.digitization.selectors import qc_counts

    per_document = qc_counts(document_ids).values()
    return {state: sum(c.get(state, 0) for c in per_document) for state in ("accepted", "pending", "rejected")}
