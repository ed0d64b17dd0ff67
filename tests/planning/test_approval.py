"""Approval: only a leader of the plan's unit or a unit above it (or an admin); audited; shown."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from sohoa.core.models import AuditEvent, Role
from sohoa.planning import services
from sohoa.planning.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(plan, archivist):  # type: ignore[no-untyped-def]
    return services.plan_transition(actor=archivist, plan=plan, action="submit")


def test_a_leader_of_the_plans_unit_approves_and_it_is_audited(submitted, leader):
    plan = services.plan_transition(actor=leader, plan=submitted, action="approve")
    assert plan.status == Plan.Status.APPROVED
    assert plan.approved_by == leader and plan.approved_at is not None
    event = AuditEvent.objects.get(action="approve", object_id=str(plan.pk))
    assert event.actor_id == leader.pk


def test_a_leader_of_a_unit_above_the_plans_unit_may_approve(province, archivist, leader):
    sub = services.plan_save(actor=archivist, plan=Plan(name="UBKT", unit=province["ubkt"], deadline="2026-12-31"))
    services.plan_transition(actor=archivist, plan=sub, action="submit")
    assert services.plan_transition(actor=leader, plan=sub, action="approve").status == Plan.Status.APPROVED


def test_a_clerk_cannot_approve(submitted, make_user, province):
    clerk = make_user(province["root"], role=Role.CLERK)
    with pytest.raises(PermissionDenied):
        services.plan_transition(actor=clerk, plan=submitted, action="approve")
    assert Plan.objects.get(pk=submitted.pk).status == Plan.Status.SUBMITTED


def test_a_leader_of_a_unit_below_cannot_approve(submitted, make_user, province):
    below = make_user(province["ubkt"], role=Role.UNIT_LEADER)
    with pytest.raises(PermissionDenied):
        services.plan_transition(actor=below, plan=submitted, action="approve")


def test_approval_needs_a_submitted_plan(plan, leader):
    with pytest.raises(ValidationError):
        services.plan_transition(actor=leader, plan=plan, action="approve")
    with pytest.raises(ValidationError):
        services.plan_transition(actor=leader, plan=plan, action="launch")


def test_through_the_web_a_clerk_is_refused_with_a_message(client, submitted, make_user, province):
    client.force_login(make_user(province["root"], role=Role.CLERK))
    response = client.post(reverse("plan_transition", args=[submitted.pk]), {"action": "approve"})
    assert response.status_code == 403
    assert 'role="alert"' in response.content.decode()
    assert Plan.objects.get(pk=submitted.pk).status == Plan.Status.SUBMITTED


def test_through_the_web_a_leader_of_another_unit_gets_404(client, submitted, make_user, province):
    client.force_login(make_user(province["other"], role=Role.UNIT_LEADER))
    assert client.post(reverse("plan_transition", args=[submitted.pk]), {"action": "approve"}).status_code == 404
    assert client.get(reverse("plan_detail", args=[submitted.pk])).status_code == 404
    assert Plan.objects.get(pk=submitted.pk).status == Plan.Status.SUBMITTED


def test_through_the_web_the_leader_approves_and_the_page_shows_who_and_when(client, submitted, leader):
    client.force_login(leader)
    page = client.get(reverse("plan_detail", args=[submitted.pk])).content.decode()
    assert 'id="approve-plan"' in page
    response = client.post(reverse("plan_transition", args=[submitted.pk]), {"action": "approve"}, follow=True)
    html = response.content.decode()
    assert 'id="plan-approval"' in html and leader.display_name in html
    assert 'id="approve-plan"' not in html
