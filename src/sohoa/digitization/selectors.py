"""Reads of the digitization app, through the access policy."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from sohoa.core import policy

from .models import DigitalCopy, Intake, Page, PageReplacement, PageReview


def intake_list(user: Any, *, batch: uuid.UUID | None = None, status: str = "") -> QuerySet[Intake]:
    qs = policy.restrict(user, Intake.objects.all()).select_related("unit", "document", "record")
    if batch:
        qs = qs.filter(batch=batch)
    if status:
        qs = qs.filter(status=status)
    return qs


def intake_get(user: Any, pk: Any) -> Intake:
    return policy.get_visible_or_404(user, Intake.objects.select_related("unit", "document", "record"), pk=pk)


def intake_pages(user: Any, intake: Intake) -> QuerySet[Page]:
    return policy.restrict(user, Page.objects.filter(intake=intake)).order_by("number")


def page_get(user: Any, pk: Any) -> Page:
    return policy.get_visible_or_404(user, Page.objects.select_related("intake", "document"), pk=pk)


def qc_rejects(user: Any, document_ids: Iterable[int]) -> list[Page]:
    """Pages of these documents that QC sent back and that the user may see, each with `reject` set to
    its latest rejecting review (the reason shown on a batch; two queries)."""
    pages = list(
        policy.restrict(user, Page.objects.filter(document_id__in=list(document_ids), qc_status=Page.QcStatus.REJECTED))
        .select_related("document")
        .order_by("document_id", "number")
    )
    latest: dict[int, PageReview] = {}
    for review in PageReview.objects.filter(page__in=pages, decision=PageReview.Decision.REJECT).order_by("-at", "-id"):
        latest.setdefault(review.page_id, review)
    for page in pages:
        page.reject = latest.get(page.pk)  # type: ignore[attr-defined]
    return pages


def copy_for_document(user: Any, document_id: Any) -> DigitalCopy:
    qs = DigitalCopy.objects.select_related("document", "document__record")
    return policy.get_visible_or_404(user, qs, document_id=document_id)


def classified_copy_visible(user: Any, document_id: Any) -> bool:
    """Whether the user may see this document's digital copy and the document is classified (mật or above)."""
    qs = DigitalCopy.objects.filter(document_id=document_id, document__confidentiality__gte=1)
    return policy.restrict(user, qs).exists()


def page_level(page: Page) -> int:
    """The confidentiality a page's image carries: its intake's, or its document's when that is higher."""
    levels = [page.intake.confidentiality]
    if page.document_id:
        levels.append(page.document.confidentiality)  # type: ignore[union-attr]
    return int(max(levels))


def copy_or_none(user: Any, document_id: Any) -> DigitalCopy | None:
    return policy.restrict(user, DigitalCopy.objects.filter(document_id=document_id)).first()


def document_pages(user: Any, document_id: Any) -> QuerySet[Page]:
    return policy.restrict(user, Page.objects.filter(document_id=document_id)).order_by("number")


# ---- quality control --------------------------------------------------------------------------------


def _with_rescans(qs: QuerySet[Page]) -> QuerySet[Page]:
    """Pages with `rescanning` (a rescan is queued) and `last_rescans` (newest first, for its error)."""
    queued = PageReplacement.objects.filter(page=OuterRef("pk"), status=PageReplacement.Status.QUEUED)
    return qs.annotate(rescanning=Exists(queued)).prefetch_related(
        Prefetch("replacements", queryset=PageReplacement.objects.order_by("-id"), to_attr="last_rescans")
    )


def qc_pages(user: Any, intake: Intake) -> QuerySet[Page]:
    """The pages of one intake for the QC screen, with who decided."""
    qs = policy.restrict(user, Page.objects.filter(intake=intake)).select_related("qc_by").order_by("number")
    return _with_rescans(qs)


def rework_list(user: Any, *, unit_id: int | None = None, operator_id: int | None = None) -> QuerySet[Page]:
    """Pages sent back by QC, oldest decision first: per unit (its subtree) and/or per operator."""
    qs = policy.restrict(user, Page.objects.filter(qc_status=Page.QcStatus.REJECTED))
    if unit_id is not None:
        from sohoa.registry.models import Unit

        unit = Unit.objects.filter(pk=unit_id).only("path").first()
        qs = qs.filter(intake__unit__path__startswith=unit.path) if unit and unit.path else qs.none()
    if operator_id is not None:
        qs = qs.filter(intake__created_by_id=operator_id)
    qs = qs.select_related("intake", "intake__unit", "intake__created_by", "qc_by", "document")
    return _with_rescans(qs).order_by("qc_at", "pk")


def qc_counts(document_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Pages per QC state for each document, e.g. {12: {"pending": 0, "accepted": 3, "rejected": 1}}:
    for callers that decide whether a batch is quality-checked (one query; the caller has already
    checked that the user may see those documents)."""
    out = {int(d): {state: 0 for state in Page.QcStatus.values} for d in document_ids}
    rows = Page.objects.filter(document_id__in=list(out)).values("document_id", "qc_status").annotate(n=Count("id"))
    for row in rows.order_by():
        out[row["document_id"]][row["qc_status"]] = row["n"]
    return out


# ---- throughput -------------------------------------------------------------------------------------


@dataclass
class OperatorRow:
    user_id: int
    name: str
    by_day: dict[dt.date, int] = field(default_factory=dict)
    pages: int = 0
    rescans: int = 0

    @property
    def per_day(self) -> float:
        """Mean pages on the days this operator digitized anything (days off do not dilute it)."""
        days = sum(1 for n in self.by_day.values() if n)
        return round(self.pages / days, 1) if days else 0.0


@dataclass
class Throughput:
    date_from: dt.date
    date_to: dt.date
    days: list[dt.date]
    operators: list[OperatorRow]
    by_day: dict[dt.date, int]
    pages: int
    rescans: int

    @property
    def per_day(self) -> float:
        active = sum(1 for n in self.by_day.values() if n)
        return round(self.pages / active, 1) if active else 0.0


def _scoped(user: Any, qs: QuerySet[Any], unit_field: str) -> QuerySet[Any]:
    """Counts are scoped by unit only, like the progress report (decision 0013): a number of pages of
    secret documents reveals nothing of them."""
    return qs.filter(**{f"{unit_field}__in": policy.scope_units(user).values("pk")})


def throughput(
    user: Any, *, date_from: dt.date, date_to: dt.date, operators: Iterable[int] | None = None
) -> Throughput:
    """Pages digitized per day per operator (the user who handed the file in) in [date_from, date_to],
    counted by the day each page was processed, for documents that reached their archival copy; page
    rescans are counted apart (rework, not new pages). `operators` limits it to those users (a team)."""
    from sohoa.core.models import User

    # A range on the column itself (not __date), so the done_at index serves it; days are local days.
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    pages = _scoped(user, Page.objects.all(), "intake__unit").filter(
        done_at__gte=start,
        done_at__lt=end,
        intake__status=Intake.Status.DONE,
        intake__created_by__isnull=False,
    )
    rescans = _scoped(user, PageReplacement.objects.all(), "page__intake__unit").filter(
        status=PageReplacement.Status.DONE,
        done_at__gte=start,
        done_at__lt=end,
        created_by__isnull=False,
    )
    if operators is not None:
        ids = list(operators)
        pages = pages.filter(intake__created_by_id__in=ids)
        rescans = rescans.filter(created_by_id__in=ids)
    rows: dict[int, OperatorRow] = {}
    counts = (
        pages.annotate(day=TruncDate("done_at")).values("intake__created_by", "day").annotate(n=Count("id")).order_by()
    )
    for item in counts:
        row = rows.setdefault(item["intake__created_by"], OperatorRow(item["intake__created_by"], ""))
        row.by_day[item["day"]] = row.by_day.get(item["day"], 0) + item["n"]
        row.pages += item["n"]
    for item in rescans.values("created_by").annotate(n=Count("id")).order_by():
        rows.setdefault(item["created_by"], OperatorRow(item["created_by"], "")).rescans = item["n"]
    for u in User.objects.filter(pk__in=rows).only("username", "first_name", "last_name"):
        rows[u.pk].name = u.display_name
    days = [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    by_day = {d: sum(r.by_day.get(d, 0) for r in rows.values()) for d in days}
    ordered = sorted(rows.values(), key=lambda r: (-r.pages, r.name))
    return Throughput(
        date_from=date_from,
        date_to=date_to,
        days=days,
        operators=ordered,
        by_day=by_day,
        pages=sum(r.pages for r in ordered),
        rescans=sum(r.rescans for r in ordered),
    )


def _planning_model(name: str) -> Any:
    """A model of the planning app when it is installed (teams are optional here), else None."""
    try:
        return apps.get_model("planning", name)
    except LookupError:
        return None


def teams(user: Any) -> list[Any]:
    """Teams the user may pick for a team roll-up (none when the planning app is not installed)."""
    team = _planning_model("Team")
    if team is None:
        return []
    try:
        return list(policy.restrict(user, team.objects.all()))
    except LookupError:  # no access rule for teams yet: offer none rather than all
        return []


def team_members(user: Any, team_id: int) -> list[int] | None:
    """User ids of a team the user may see; None when there is no such team (or no planning app)."""
    member = _planning_model("TeamMember")
    if member is None or not any(t.pk == team_id for t in teams(user)):
        return None
    return list(member.objects.filter(team_id=team_id).values_list("user_id", flat=True))


def team_throughput(user: Any, *, team_id: int, date_from: dt.date, date_to: dt.date) -> Throughput | None:
    """The roll-up of one team: the operators' throughput limited to its members."""
    members = team_members(user, team_id)
    if members is None:
        return None
    return throughput(user, date_from=date_from, date_to=date_to, operators=members)


@dataclass
class TeamRow:
    team: Any
    members: int
    pages: int
    rescans: int


def team_rollup(user: Any, data: Throughput) -> list[TeamRow]:
    """Per visible team, the sum of its members' rows in `data` (one query for the memberships; the
    page counts are the operators' already counted)."""
    member = _planning_model("TeamMember")
    visible = teams(user)
    if member is None or not visible:
        return []
    by_user = {row.user_id: row for row in data.operators}
    members: dict[int, set[int]] = {}
    for team_id, user_id in member.objects.filter(team__in=visible).values_list("team_id", "user_id"):
        members.setdefault(team_id, set()).add(user_id)
    rows = []
    for team in visible:
        ids = members.get(team.pk, set())
        counted = [by_user[i] for i in ids if i in by_user]
        rows.append(TeamRow(team, len(ids), sum(r.pages for r in counted), sum(r.rescans for r in counted)))
    return rows
