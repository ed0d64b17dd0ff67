"""Planning pages: forms, bad input messages that lose nothing, the list's query count, reasons shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sohoa.core.models import Role
from sohoa.planning import services
from sohoa.planning.models import Candidate, Exclusion, Plan, Team
from sohoa.usage.models import UseEvent, UseKind

from .factories import make_plan

pytestmark = pytest.mark.django_db


def _plan_data(province, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "name": "Số hóa văn bản đến 2023",
        "unit": province["root"].pk,
        "year_from": "2023",
        "year_to": "2023",
        "series": ["incoming"],
        "recency": "newer",
        "deadline": "2026-06-30",
    }
    data.update(overrides)
    return data


def test_creating_a_plan_through_the_form(client, archivist, province, entries):
    client.force_login(archivist)
    response = client.post(reverse("plan_create"), _plan_data(province, doc_types=["CV"], levels=["0"]))
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("plan_detail", args=[plan.pk])
    assert (plan.series, plan.doc_types, plan.levels, plan.status) == (["incoming"], ["CV"], [0], "draft")
    assert plan.created_by == archivist
    client.post(reverse("plan_materialize", args=[plan.pk]))
    assert set(Candidate.objects.values_list("entry_id", flat=True)) == {entries["k23"].pk, entries["n23a"].pk}


def test_bad_plan_input_is_explained_and_nothing_is_saved(client, archivist, province):
    client.force_login(archivist)
    response = client.post(
        reverse("plan_create"), _plan_data(province, name="", year_from="2024", year_to="2020", deadline="ngày mai")
    )
    assert response.status_code == 400
    html = response.content.decode()
    with translation.override("vi"):
        assert "Trường này là bắt buộc." in html  # Django's own Vietnamese message
    assert 'value="ngày mai"' in html  # what was typed is kept
    assert not Plan.objects.exists()
    response = client.post(reverse("plan_create"), _plan_data(province, year_from="2024", year_to="2020"))
    assert response.status_code == 400
    assert _("The last year must not be before the first.") in response.content.decode()


def test_a_plan_for_a_unit_outside_the_scope_cannot_be_chosen(client, make_user, province):
    client.force_login(make_user(province["ubkt"], role=Role.ARCHIVIST))
    response = client.post(reverse("plan_create"), _plan_data(province))  # root is above UBKT
    assert response.status_code == 400 and not Plan.objects.exists()


def test_a_clerk_may_not_open_the_plan_form(client, make_user, province):
    client.force_login(make_user(province["root"], role=Role.CLERK))
    assert client.get(reverse("plan_create")).status_code == 403


def test_the_plan_page_shows_scores_with_their_reasons(client, plan, entries, archivist, leader):
    for _i in range(2):
        UseEvent.objects.create(
            kind=UseKind.REQUEST, at=timezone.now(), unit=entries["k22"].unit, register_entry=entries["k22"]
        )
    services.plan_materialize(actor=archivist, plan=plan)
    client.force_login(leader)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert "looked up or requested 2 times in 12 months" in html
    assert "document of 2024 (newer documents first)" in html
    rows = html[html.index('id="candidates"') :]
    assert rows.index(f'id="c{Candidate.objects.get(entry=entries["k22"]).pk}"') < rows.index(
        f'id="c{Candidate.objects.get(entry=entries["k21"]).pk}"'
    )


def test_candidates_above_the_users_clearance_are_not_listed(client, plan, entries, archivist, make_user, province):
    services.plan_materialize(actor=archivist, plan=plan)
    client.force_login(make_user(province["root"], role=Role.UNIT_LEADER, clearance=0))
    html = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert entries["k23mat"].subject not in html and entries["k23"].subject in html
    mat = Candidate.objects.get(entry=entries["k23mat"])
    assert client.get(reverse("candidate_edit", args=[mat.pk])).status_code == 404


def test_the_override_form_keeps_the_input_and_explains(client, plan, entries, archivist, leader):
    services.plan_materialize(actor=archivist, plan=plan)
    c = Candidate.objects.get(entry=entries["k21"])
    client.force_login(leader)
    url = reverse("candidate_edit", args=[c.pk])
    response = client.post(url, {"override_score": "80", "override_reason": ""})
    assert response.status_code == 400
    assert _("Say why you set the score by hand.") in response.content.decode()
    assert 'value="80"' in response.content.decode()
    assert Candidate.objects.get(pk=c.pk).override_score is None
    response = client.post(url, {"override_score": "80", "override_reason": "Phục vụ thanh tra", "fragile": "on"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.override_score, c.effective_score, c.fragile) == (80, 80, True)


def test_bad_exclusions_through_the_web_give_a_message(client, plan, archivist):
    client.force_login(archivist)
    response = client.post(
        reverse("plan_exclude", args=[plan.pk]), {"kind": "year", "value": "hai nghìn", "reason": "x"}, follow=True
    )
    assert _("Enter a year such as 2021.") in response.content.decode()
    response = client.post(reverse("plan_exclude", args=[plan.pk]), {"kind": "year", "value": "2021"}, follow=True)
    assert 'class="flash error"' in response.content.decode()
    assert not Exclusion.objects.exists()
    client.post(reverse("plan_exclude", args=[plan.pk]), {"kind": "year", "value": "2021", "reason": "Đã làm"})
    assert Exclusion.objects.get().reason == "Đã làm"
    html = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert "Đã làm" in html


def test_the_plan_list_takes_a_fixed_number_of_queries(client, province, leader, django_assert_max_num_queries):
    for n in range(8):
        make_plan(province["ubkt"] if n % 2 else province["ubnd"], name=f"Kế hoạch {n}", approved_by=leader)
    client.force_login(leader)
    with django_assert_max_num_queries(9):  # 8 + a leader's unread petition notices in the menu
        response = client.get(reverse("plan_list"))
    html = response.content.decode()
    # Each plan listed once (the page's own Vietnamese labels also contain "Kế hoạch ").
    assert [html.count(f"Kế hoạch {n}") for n in range(8)] == [1] * 8


def test_the_plan_list_shows_only_plans_in_scope(client, province, make_user):
    make_plan(province["ubkt"], name="Kế hoạch UBKT")
    make_plan(province["ubnd"], name="Kế hoạch UBND")
    client.force_login(make_user(province["ubkt"], role=Role.UNIT_LEADER))
    html = client.get(reverse("plan_list")).content.decode()
    assert "Kế hoạch UBKT" in html and "Kế hoạch UBND" not in html


def test_teams_are_made_and_filled_through_the_web(client, archivist, province, make_user):
    operator = make_user(province["ubkt"], role=Role.OPERATOR, first_name="Lan")
    client.force_login(archivist)
    response = client.post(reverse("team_create"), {"name": "Tổ số hóa UBKT", "unit": province["ubkt"].pk})
    team = Team.objects.get()
    assert response["Location"] == reverse("team_detail", args=[team.pk])
    client.post(reverse("team_detail", args=[team.pk]), {"user": operator.pk, "role": "qc"})
    assert list(team.members.values_list("user_id", "role")) == [(operator.pk, "qc")]
    assert client.post(reverse("team_detail", args=[team.pk]), {"user": operator.pk, "role": "x"}).status_code == 400
    assert "Tổ số hóa UBKT" in client.get(reverse("team_list")).content.decode()


def test_the_batch_form_explains_what_is_missing(client, approved, archivist, province):
    team = Team.objects.create(name="Tổ 1", unit=province["root"])
    client.force_login(archivist)
    url = reverse("batch_create", args=[approved.pk])
    response = client.post(url, {"team": team.pk, "due_date": "", "size": "0"})
    assert response.status_code == 400
    data = {"team": team.pk, "due_date": (dt.date.today() + dt.timedelta(days=7)).isoformat(), "size": "2"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert Candidate.objects.filter(plan=approved, status="in_batch").count() == 2


def test_filtering_candidates_by_status_returns_only_the_table_to_htmx(client, plan, entries, archivist):
    services.plan_materialize(actor=archivist, plan=plan)
    services.exclusion_add(actor=archivist, plan=plan, kind="year", value="2021", reason="Đã làm")
    services.plan_materialize(actor=archivist, plan=plan)
    client.force_login(archivist)
    response = client.get(
        reverse("plan_detail", args=[plan.pk]), {"partial": "1", "status": "excluded"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="candidate-results">') and "<html" not in html
    assert html.count('<tr id="c') == 1 and entries["k21"].subject in html
