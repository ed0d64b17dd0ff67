"""Teams and batches: the highest-priority candidates go first; a batch moves one step at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from sohoa.core.models import AuditEvent, Role
from sohoa.planning import services
from sohoa.planning.models import BATCH_ORDER, Batch, BatchTransition, Candidate, Team

from .factories import digitize

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["root"], role=Role.OPERATOR, clearance=1)


@pytest.fixture
def team(province, archivist, operator):  # type: ignore[no-untyped-def]
    t = services.team_save(actor=archivist, team=Team(name="Tổ số hóa 1", unit=province["root"]))
    services.team_member_set(actor=archivist, team=t, user=operator, role="operator")
    return t


def test_a_batch_takes_the_waiting_candidates_with_the_highest_priority(approved, team, archivist, operator, entries):
    top = Candidate.objects.get(plan=approved, entry=entries["k21"])
    services.candidate_update(actor=None, candidate=top, fragile=False, override_score=99, override_reason="gấp")
    batch = services.batch_create(
        actor=archivist, plan=approved, team=team, assignee=operator, due_date=dt.date(2025, 7, 1), size=3
    )
    held = list(batch.candidates.order_by("-effective_score"))
    assert len(held) == 3 and held[0].entry_id == entries["k21"].pk
    assert all(c.status == "in_batch" for c in held)
    assert batch.state == "planned"


def test_batches_only_for_approved_plans_and_for_team_members(plan, team, archivist, make_user, province):
    with pytest.raises(ValidationError):
        services.batch_create(actor=archivist, plan=plan, team=team, due_date=dt.date(2025, 7, 1), size=1)
    plan.status = "approved"
    plan.save()
    services.plan_materialize(actor=archivist, plan=plan)
    stranger = make_user(province["root"], role=Role.OPERATOR)
    with pytest.raises(ValidationError) as exc:
        services.batch_create(
            actor=archivist, plan=plan, team=team, assignee=stranger, due_date=dt.date(2025, 7, 1), size=1
        )
    assert "assignee" in exc.value.message_dict


def test_the_batch_moves_through_every_state_with_time_and_person(approved, team, archivist, operator, entries):
    batch = services.batch_create(
        actor=archivist, plan=approved, team=team, assignee=operator, due_date=dt.date(2025, 7, 1), size=2
    )
    for state in BATCH_ORDER[1:]:
        batch = services.batch_advance(actor=operator, batch=batch, to_state=state)
    steps = list(BatchTransition.objects.filter(batch=batch).order_by("at"))
    assert [s.to_state for s in steps] == list(BATCH_ORDER[1:])
    assert all(s.by == operator and s.at is not None for s in steps)
    assert AuditEvent.objects.filter(action="transition", object_id=str(batch.pk)).count() == 5


def test_illegal_transitions_are_refused_with_the_next_step_named(approved, team, archivist, operator):
    batch = services.batch_create(actor=archivist, plan=approved, team=team, due_date=dt.date(2025, 7, 1), size=1)
    with pytest.raises(ValidationError) as exc:
        services.batch_advance(actor=operator, batch=batch, to_state="quality_checked")
    assert exc.value.messages == [
        _("A batch that is “%(current)s” cannot become “%(target)s”; the next step is “%(next)s”.")
        % {"current": _("Planned"), "target": _("Quality checked"), "next": _("Retrieved from storage")}
    ]
    with pytest.raises(ValidationError):
        services.batch_advance(actor=operator, batch=batch, to_state="lost")
    assert Batch.objects.get(pk=batch.pk).state == "planned"
    for state in BATCH_ORDER[1:]:
        batch = services.batch_advance(actor=operator, batch=batch, to_state=state)
    with pytest.raises(ValidationError):
        services.batch_advance(actor=operator, batch=batch, to_state="returned")


def test_someone_outside_the_team_without_a_planning_role_cannot_move_it(
    approved, team, archivist, make_user, province
):
    batch = services.batch_create(actor=archivist, plan=approved, team=team, due_date=dt.date(2025, 7, 1), size=1)
    clerk = make_user(province["root"], role=Role.CLERK)
    with pytest.raises(PermissionDenied):
        services.batch_advance(actor=clerk, batch=batch, to_state="retrieved")


def test_returning_the_batch_marks_digitized_ones_and_sends_the_rest_back(approved, team, archivist, operator):
    batch = services.batch_create(actor=archivist, plan=approved, team=team, due_date=dt.date(2025, 7, 1), size=2)
    first, second = list(batch.candidates.order_by("id"))
    digitize(first.entry)
    for state in BATCH_ORDER[1:]:
        batch = services.batch_advance(actor=operator, batch=batch, to_state=state)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.batch_id) == ("digitized", batch.pk)
    assert (second.status, second.batch_id) == ("waiting", None)
    event = AuditEvent.objects.filter(action="transition", object_id=str(batch.pk)).order_by("-seq").first()
    assert event is not None and event.details["digitized"] == 1 and event.details["back_to_waiting"] == 1


def test_a_batch_only_takes_papers_the_assignee_may_see(approved, team, archivist, make_user, province, entries):
    low = make_user(province["root"], role=Role.OPERATOR, clearance=0)
    services.team_member_set(actor=archivist, team=team, user=low, role="operator")
    batch = services.batch_create(
        actor=archivist, plan=approved, team=team, assignee=low, due_date=dt.date(2025, 7, 1), size=100
    )
    assert entries["k23mat"].pk not in set(batch.candidates.values_list("entry_id", flat=True))


def test_overdue_batches_are_highlighted(client, approved, team, archivist):
    batch = services.batch_create(actor=archivist, plan=approved, team=team, due_date=dt.date(2020, 1, 1), size=1)
    client.force_login(archivist)
    plan_page = client.get(reverse("plan_detail", args=[approved.pk])).content.decode()
    assert '<tr class="overdue">' in plan_page
    batch_page = client.get(reverse("batch_detail", args=[batch.pk])).content.decode()
    assert _("overdue") in batch_page


def test_moving_a_batch_through_the_web_and_a_wrong_step_gives_a_message(client, approved, team, archivist, operator):
    batch = services.batch_create(actor=archivist, plan=approved, team=team, due_date=dt.date(2030, 1, 1), size=1)
    client.force_login(operator)
    response = client.post(reverse("batch_advance", args=[batch.pk]), {"to": "retrieved"}, follow=True)
    assert Batch.objects.get(pk=batch.pk).state == "retrieved"
    assert 'id="advance"' in response.content.decode()
    response = client.post(reverse("batch_advance", args=[batch.pk]), {"to": "indexed"}, follow=True)
    assert Batch.objects.get(pk=batch.pk).state == "retrieved"
    assert 'class="flash error"' in response.content.decode()


def test_team_members_must_work_in_the_province(team, archivist, make_user, province):
    outsider = make_user(province["other"], role=Role.OPERATOR)
    with pytest.raises(ValidationError):
        services.team_member_set(actor=archivist, team=team, user=outsider, role="qc")
    with pytest.raises(ValidationError):
        services.team_member_set(actor=archivist, team=team, user=outsider, role="boss")


def _scanned_pages(entry, states):  # type: ignore[no-untyped-def]
    """Pages of the entry's document in the given QC states (a rejected one with its review)."""
    import uuid

    from sohoa.digitization.models import Intake, Page, PageReview

    intake = Intake.objects.create(
        batch=uuid.uuid4(),
        source="web",
        original_name="scan.pdf",
        unit=entry.unit,
        status="done",
        document=entry.document,
    )
    for number, state in enumerate(states, 1):
        page = Page.objects.create(intake=intake, document=entry.document, number=number, done=True, qc_status=state)
        if state == "rejected":
            PageReview.objects.create(page=page, decision="reject", reason="skew", note="nghiêng quá")


def test_a_batch_is_quality_checked_only_when_qc_has_passed_every_page(
    client, approved, team, archivist, operator, entries
):  # type: ignore[no-untyped-def]
    batch = services.batch_create(
        actor=archivist, plan=approved, team=team, assignee=operator, due_date=dt.date(2025, 7, 1), size=2
    )
    held = list(batch.candidates.select_related("entry"))
    for candidate in held:
        digitize(candidate.entry)
        candidate.entry.refresh_from_db()
    _scanned_pages(held[0].entry, ["accepted", "rejected"])
    _scanned_pages(held[1].entry, ["pending"])
    for state in ("retrieved", "scanned"):
        batch = services.batch_advance(actor=operator, batch=batch, to_state=state)
    with pytest.raises(ValidationError) as refused:
        services.batch_advance(actor=operator, batch=batch, to_state="quality_checked")
    assert "2" in refused.value.messages[0]

    client.force_login(operator)
    html = client.get(reverse("batch_detail", args=[batch.pk])).content.decode()
    assert 'id="batch-qc"' in html and "nghiêng quá" in html
    assert str(_("Skewed page")) in html

    from sohoa.digitization.models import Page

    Page.objects.filter(document__in=[c.entry.document for c in held]).update(qc_status="accepted")
    moved = services.batch_advance(actor=operator, batch=batch, to_state="quality_checked")
    assert moved.state == "quality_checked"
