"""Priority scores: each factor's points and its reason in words; overrides by hand with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from sohoa.core.models import AuditEvent, Role
from sohoa.planning import scoring, services
from sohoa.planning.models import Candidate
from sohoa.usage.models import UseEvent, UseKind

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 1)


def _use(entry, kind, days_ago):  # type: ignore[no-untyped-def]
    UseEvent.objects.create(
        kind=kind, at=timezone.now() - dt.timedelta(days=days_ago), unit=entry.unit, register_entry=entry
    )


def _candidate(plan, entry) -> Candidate:  # type: ignore[no-untyped-def]
    return Candidate.objects.get(plan=plan, entry=entry)


def _texts(candidate: Candidate) -> dict[str, str]:
    with translation.override("en"):
        return {r["factor"]: scoring.describe(r) for r in candidate.reasons}


def test_weights_are_in_one_place_and_sum_to_100():
    assert sum(scoring.WEIGHTS.values()) == 100
    assert set(scoring.WEIGHTS) == set(scoring.FACTORS)


def test_demand_counts_lookups_and_requests_of_the_last_12_months(plan, entries, archivist):
    k23 = entries["k23"]
    for days in (3, 40, 100):
        _use(k23, UseKind.REQUEST, days)
    _use(k23, UseKind.LOOKUP, 200)
    _use(k23, UseKind.LOOKUP, 500)  # older than 12 months: not counted
    services.plan_materialize(actor=archivist, plan=plan, today=TODAY)
    c = _candidate(plan, k23)
    demand = next(r for r in c.reasons if r["factor"] == "demand")
    assert demand["points"] == pytest.approx(40 * 4 / 5)
    assert _texts(c)["demand"] == "looked up or requested 4 times in 12 months"


def test_recency_ranks_newer_documents_higher_or_older_when_the_plan_says(plan, entries, archivist):
    services.plan_materialize(actor=archivist, plan=plan, today=TODAY)
    assert _candidate(plan, entries["k24"]).score == 15  # 2024 is the newest year of 2021–2024
    assert _candidate(plan, entries["k21"]).score == 0  # the oldest: no recency points, no reason
    assert _candidate(plan, entries["k21"]).reasons == []
    assert _texts(_candidate(plan, entries["k24"]))["recency"] == "document of 2024 (newer documents first)"
    assert _candidate(plan, entries["k22"]).score == pytest.approx(5.0)  # one third of the span
    plan.recency = "older"
    services.plan_save(actor=archivist, plan=plan)
    services.plan_materialize(actor=archivist, plan=plan, today=TODAY)
    assert _candidate(plan, entries["k21"]).score == 15
    assert _texts(_candidate(plan, entries["k21"]))["recency"] == "document of 2021 (older documents first)"


def test_the_petitions_factor_gives_nothing_until_the_petitions_app_exists(plan, entries, archivist):
    services.plan_materialize(actor=archivist, plan=plan, today=TODAY)
    assert all(r["factor"] != "petitions" for c in Candidate.objects.filter(plan=plan) for r in c.reasons)


def test_fragility_and_a_near_legal_due_date_add_points_with_reasons(plan, entries, archivist, make_user, province):
    operator = make_user(province["root"], role=Role.OPERATOR)
    services.plan_materialize(actor=archivist, plan=plan, today=TODAY)
    c = services.candidate_update(
        actor=operator,
        candidate=_candidate(plan, entries["k21"]),
        fragile=True,
        condition="giấy giòn, mực phai",
        legal_due=TODAY + dt.timedelta(days=20),
        today=TODAY,
    )
    assert c.score == 15 + 10  # fragility full weight, due within 30 days: deadline full weight
    texts = _texts(c)
    assert texts["fragility"] == "fragile paper: giấy giòn, mực phai"
    assert texts["deadline"] == "legal due date 2025-06-21 (in 20 days)"
    # The operator's facts survive a re-run of the selection.
    services.plan_materialize(actor=archivist, plan=plan, today=TODAY)
    assert _candidate(plan, entries["k21"]).score == 25


def test_a_due_date_far_away_gives_part_of_the_weight():
    ctx = scoring.Context(today=TODAY, recency="none")
    halfway = TODAY + dt.timedelta(days=(scoring.DEADLINE_NEAR_DAYS + scoring.DEADLINE_FAR_DAYS) // 2)
    score, _ = scoring.score(scoring.Inputs(entry_id=1, year=2020, legal_due=halfway), ctx)
    assert score == pytest.approx(5.0, abs=0.1)
    far, reasons = scoring.score(scoring.Inputs(entry_id=1, year=2020, legal_due=TODAY + dt.timedelta(days=400)), ctx)
    assert far == 0 and reasons == []


def test_an_override_needs_a_reason_and_sorts_the_list(plan, entries, leader, archivist):
    services.plan_materialize(actor=archivist, plan=plan, today=TODAY)
    low = _candidate(plan, entries["k21"])
    with pytest.raises(ValidationError) as exc:
        services.candidate_update(actor=leader, candidate=low, fragile=False, override_score=90)
    assert "override_reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.candidate_update(actor=leader, candidate=low, fragile=False, override_score=120, override_reason="x")
    c = services.candidate_update(
        actor=leader, candidate=low, fragile=False, override_score=90, override_reason="Thanh tra tỉnh yêu cầu gấp"
    )
    assert (c.score, c.override_score, c.effective_score, c.override_by) == (0, 90, 90, leader)
    first = Candidate.objects.filter(plan=plan).order_by("-effective_score", "id").first()
    assert first is not None and first.pk == low.pk
    event = AuditEvent.objects.get(action="override", object_id=str(low.pk))
    assert event.details["reason"] == "Thanh tra tỉnh yêu cầu gấp"
    # Clearing it goes back to the computed score.
    c = services.candidate_update(actor=leader, candidate=c, fragile=False, override_score=None)
    assert (c.override_score, c.effective_score, c.override_reason) == (None, 0, "")


def test_a_clerk_may_not_override(plan, entries, archivist, make_user, province):
    services.plan_materialize(actor=archivist, plan=plan, today=TODAY)
    clerk = make_user(province["root"], role=Role.CLERK)
    with pytest.raises(PermissionDenied):
        services.candidate_update(
            actor=clerk,
            candidate=_candidate(plan, entries["k21"]),
            fragile=False,
            override_score=50,
            override_reason="x",
        )
