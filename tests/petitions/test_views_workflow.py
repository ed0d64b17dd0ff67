"""The workflow's pages: action forms (plain POST and htmx), refusals shown without losing input, the
deadlines page per unit and per person, and the notices with their badge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sohoa.core.models import Level, Role
from sohoa.petitions.models import Competence, Kind, Notification, Petition, State
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(petition: Petition) -> str:
    return reverse("petition_workflow", args=[petition.pk])


def test_an_inspector_classifies_and_accepts_from_the_page(client, make_petition, inspector, english):
    petition = make_petition()
    client.force_login(inspector)
    page = client.get(reverse("petition_detail", args=[petition.pk]))
    assert page.status_code == 200
    assert 'id="petition-workflow"' in page.content.decode()
    assert 'id="step-classify"' in page.content.decode()
    response = client.post(
        _url(petition),
        {"action": "classify", "kind": Kind.DENUNCIATION, "competence": Competence.OURS, "conditions_met": "yes"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("petition_detail", args=[petition.pk])
    petition.refresh_from_db()
    assert (petition.state, petition.kind, petition.conditions_met) == (State.CLASSIFIED, Kind.DENUNCIATION, True)
    response = client.post(_url(petition), {"action": "accept", "reference": "04/QĐ-UBKT"}, follow=True)
    page = response.content.decode()
    assert "Accepted for handling." in page and 'id="petition-state">Accepted for handling<' in page
    petition.refresh_from_db()
    assert petition.state == State.ACCEPTED


def test_a_refused_step_shows_why_and_keeps_what_was_typed(client, make_petition, inspector, english):
    petition = make_petition()
    client.force_login(inspector)
    response = client.post(
        _url(petition),
        {
            "action": "classify",
            "kind": Kind.DENUNCIATION,
            "competence": Competence.OTHER,
            "conditions_met": "yes",
            "note": "Ghi chú dài của cán bộ",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Name the body the petition is to be forwarded to." in text
    assert "Ghi chú dài của cán bộ" in text
    petition.refresh_from_db()
    assert petition.state == State.RECEIVED


def test_an_extension_beyond_the_law_is_refused_on_the_form(client, make_petition, inspector, english):
    petition = make_petition(kind=Kind.DENUNCIATION)
    client.force_login(inspector)
    response = client.post(_url(petition), {"action": "extend", "reference": "7/QĐ", "days": "5"})
    assert response.status_code == 400
    assert "1 to 3 working days" in response.content.decode()
    response = client.post(_url(petition), {"action": "extend", "reference": "", "days": "2"})
    assert "decided in writing" in response.content.decode()
    assert not petition.events.filter(action="extended").exists()


def test_htmx_gets_the_section_back(client, make_petition, inspector, english):
    petition = make_petition()
    client.force_login(inspector)
    refused = client.post(_url(petition), {"action": "file", "reason": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200  # htmx swaps 2xx only: the refusal is shown in the section
    assert "Say why the petition is filed without action." in refused.content.decode()
    assert "<html" not in refused.content.decode()
    done = client.post(_url(petition), {"action": "file", "reason": "Đơn không rõ nội dung"}, HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == reverse("petition_detail", args=[petition.pk])
    assert Petition.objects.get(pk=petition.pk).state == State.FILED


def test_the_assign_form_offers_only_people_who_may_handle_it(client, make_petition, inspector, leader, province):
    petition = make_petition(confidentiality=Level.MAT)
    uncleared = UserFactory(units=[province["ubkt"]], role=Role.INSPECTOR, clearance=Level.NONE, username="khongdumat")
    clerk = UserFactory(units=[province["ubkt"]], role=Role.CLERK, username="vanthu")
    client.force_login(leader)
    text = client.get(_url(petition)).content.decode()
    assert inspector.username in text and uncleared.username not in text and clerk.username not in text
    response = client.post(_url(petition), {"action": "assign", "assignee": uncleared.pk})
    assert response.status_code == 400
    response = client.post(_url(petition), {"action": "assign", "assignee": inspector.pk})
    assert response.status_code == 302
    assert Petition.objects.get(pk=petition.pk).assignee == inspector


def test_a_repeat_is_marked_by_register_number(client, make_petition, inspector, english):
    first = make_petition(number="3/2026")
    petition = make_petition()
    client.force_login(inspector)
    response = client.post(_url(petition), {"action": "repeat", "repeat_of": "9/2026"})
    assert "No petition of this unit has the number 9/2026." in response.content.decode()
    client.post(_url(petition), {"action": "repeat", "repeat_of": "3/2026"})
    assert Petition.objects.get(pk=petition.pk).repeat_of == first


def test_who_may_not_take_steps(client, make_petition, province):
    petition = make_petition()
    clerk = UserFactory(units=[province["ubkt"]], role=Role.CLERK)
    client.force_login(clerk)
    assert client.get(_url(petition)).status_code == 200  # sees the state, offered no step
    assert client.post(_url(petition), {"action": "file", "reason": "x"}).status_code == 403
    outsider = UserFactory(units=[province["other"]], role=Role.INSPECTOR, clearance=Level.TUYET_MAT)
    client.force_login(outsider)
    assert client.get(_url(petition)).status_code == 404
    assert client.post(_url(petition), {"action": "file", "reason": "x"}).status_code == 404
    assert Petition.objects.get(pk=petition.pk).state == State.RECEIVED


def test_unknown_step_is_refused(client, make_petition, inspector, english):
    petition = make_petition()
    client.force_login(inspector)
    assert client.post(_url(petition), {"action": "erase"}).status_code == 400


def test_the_deadlines_page_per_unit_and_per_person(client, make_petition, inspector, leader, province):
    today = timezone.localdate()
    late = make_petition(summary="Đơn quá hạn", assignee=inspector)
    soon = make_petition(summary="Đơn sắp đến hạn")
    theirs = make_petition(unit=province["other"], summary="Đơn tỉnh khác")
    Petition.objects.filter(pk__in=[late.pk, theirs.pk]).update(deadline=today - dt.timedelta(days=3))
    Petition.objects.filter(pk=soon.pk).update(deadline=today + dt.timedelta(days=1))
    client.force_login(leader)
    text = client.get(reverse("petition_overdue")).content.decode()
    assert "Đơn quá hạn" in text and "Đơn sắp đến hạn" in text and "Đơn tỉnh khác" not in text
    assert province["ubkt"].name in text
    by_person = client.get(reverse("petition_overdue"), {"by": "person"}).content.decode()
    assert inspector.display_name in by_person
    mine = client.get(reverse("petition_overdue"), {"person": inspector.pk}).content.decode()
    assert "Đơn quá hạn" in mine and "Đơn sắp đến hạn" not in mine
    client.force_login(inspector)
    own = client.get(reverse("petition_overdue"), {"person": "me"}).content.decode()
    assert "Đơn quá hạn" in own and "Đơn sắp đến hạn" not in own
    other_unit = client.get(reverse("petition_overdue"), {"unit": province["other"].pk}).content.decode()
    assert "Đơn tỉnh khác" not in other_unit


def test_notices_page_badge_and_mark_read(client, make_petition, inspector):
    petition = make_petition()
    Notification.objects.create(user=inspector, petition=petition, kind="overdue", deadline=petition.deadline)
    Notification.objects.create(user=inspector, petition=petition, kind="assigned", deadline=timezone.localdate())
    client.force_login(inspector)
    page = client.get(reverse("petition_notifications")).content.decode()
    assert 'id="nav-petition-notices"' in page and ">2</mark>" in page
    one = Notification.objects.filter(user=inspector).first()
    client.post(reverse("petition_notifications"), {"id": one.pk})
    assert Notification.objects.filter(user=inspector, read_at__isnull=True).count() == 1
    client.post(reverse("petition_notifications"))
    assert not Notification.objects.filter(user=inspector, read_at__isnull=True).exists()
    assert "</mark>" not in client.get(reverse("petition_notifications")).content.decode()


def test_the_notices_list_needs_few_queries(client, make_petition, inspector, django_assert_max_num_queries):
    for _ in range(15):
        p = make_petition()
        Notification.objects.create(user=inspector, petition=p, kind="due_soon", deadline=p.deadline)
    client.force_login(inspector)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("petition_notifications")).status_code == 200


def test_the_deadlines_page_needs_few_queries(client, make_petition, leader, django_assert_max_num_queries):
    today = timezone.localdate()
    for _ in range(15):
        p = make_petition()
        Petition.objects.filter(pk=p.pk).update(deadline=today - dt.timedelta(days=1))
    client.force_login(leader)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("petition_overdue"), {"by": "person"}).status_code == 200


def test_the_overdue_page_names_no_one_outside_the_petitions_the_user_sees(client, inspector, province):  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    stranger = UserFactory(units=[province["other"]], first_name="Người", last_name="Ngoài Phạm Vi")
    client.force_login(inspector)
    page = client.get(reverse("petition_overdue"), {"person": stranger.pk}).content.decode()
    assert "Ngoài Phạm Vi" not in page and stranger.username not in page
