"""Reads of case files, always through the access policy (cases.* rules in core/policy.py)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sohoa.archive.models import Document
from sohoa.core import policy
from sohoa.registry.models import Unit

from .models import ROLE_ORDER, Case, CaseDocument, CaseStage, CaseSubject, DocumentRole, Outcome, Stage

#: Documents offered in the "attach an existing document" list (the newest first).
ATTACHABLE_LIMIT = 300


def _filtered(
    qs: QuerySet[Case],
    *,
    stage: str = "",
    kind: str = "",
    unit: int | None = None,
    year: int | None = None,
    overdue: bool = False,
    q: str = "",
) -> QuerySet[Case]:
    if stage:
        qs = qs.filter(stage=stage)
    if kind:
        qs = qs.filter(kind=kind)
    if unit:
        # A unit and the units under it (a provincial committee's count includes its lower committees).
        path = Unit.objects.filter(pk=unit).values_list("path", flat=True).first()
        qs = qs.filter(unit__path__startswith=path) if path else qs.none()
    if year:
        qs = qs.filter(year=year)
    if overdue:
        qs = qs.filter(deadline__lt=timezone.localdate()).exclude(stage=Stage.CLOSED)
    for word in q.split()[:10]:
        qs = qs.filter(Q(code__icontains=word) | Q(title__icontains=word))
    return qs


def case_list(user: Any, **filters: Any) -> QuerySet[Case]:
    """The case files `user` may see, filtered by stage, kind, unit (and below), year, overdue, words."""
    qs = policy.restrict(user, Case.objects.all()).select_related("unit", "record")
    return _filtered(qs, **filters)


def case_get(user: Any, pk: Any) -> Case:
    qs = Case.objects.select_related("unit", "creator_unit", "record", "created_by")
    return policy.get_visible_or_404(user, qs, pk=pk)


def case_subjects(user: Any, case: Case) -> QuerySet[CaseSubject]:
    qs = CaseSubject.objects.filter(case=case).select_related("unit_hint", "code_set_by")
    return policy.restrict(user, qs).order_by("pk")


def case_documents(user: Any, case: Case) -> list[CaseDocument]:
    """The case's documents in filing order (role, then when added); each document must also be visible
    to `user` on its own (uploads still in the pipeline have none yet)."""
    visible = policy.restrict(user, Document.objects.all()).values("pk")
    qs = policy.restrict(user, CaseDocument.objects.filter(case=case)).filter(
        Q(document__isnull=True) | Q(document__in=visible)
    )
    rows = list(qs.select_related("document", "intake", "intake__document", "added_by"))
    return sorted(rows, key=lambda d: (ROLE_ORDER.get(d.role, 99), d.added_at, d.pk))


def documents_by_role(documents: list[CaseDocument]) -> list[tuple[str, str, list[CaseDocument]]]:
    """(role, label, documents) for every role, in filing order (roles without documents too)."""
    grouped: dict[str, list[CaseDocument]] = defaultdict(list)
    for d in documents:
        grouped[d.role].append(d)
    return [(role, str(label), grouped.get(role, [])) for role, label in DocumentRole.choices]


def case_stages(user: Any, case: Case) -> QuerySet[CaseStage]:
    return policy.restrict(user, CaseStage.objects.filter(case=case)).select_related("by")


def attachable_documents(user: Any, case: Case) -> QuerySet[Document]:
    """Documents that may join the case: kept by its unit, not filed in a record, in no case yet, not
    above the case's level, and visible to `user`."""
    taken = CaseDocument.objects.filter(document__isnull=False).values("document_id")
    return (
        policy.restrict(user, Document.objects.all())
        .filter(unit_id=case.unit_id, record__isnull=True, confidentiality__lte=case.confidentiality)
        .exclude(pk__in=taken)
        .order_by("-id")
    )


def case_counts(user: Any, **filters: Any) -> dict[str, Any]:
    """How many case files `user` may see, by stage and by outcome (every choice listed, zeros too).

    Takes the filters of `case_list` (stage, kind, unit and below, year, overdue, q). For the statistics of
    the Inspection Committee: {"total": n, "by_stage": {stage: n}, "by_outcome": {outcome: n}}, where the
    outcome "" counts the cases not concluded yet."""
    qs = _filtered(policy.restrict(user, Case.objects.all()), **filters)
    by_stage = {s: 0 for s in Stage.values}
    by_outcome = {o: 0 for o in Outcome.values}
    for stage, n in qs.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"):
        by_stage[stage] = n
    for outcome, n in qs.order_by().values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"):
        by_outcome[outcome] = n
    return {"total": sum(by_stage.values()), "by_stage": by_stage, "by_outcome": by_outcome}
