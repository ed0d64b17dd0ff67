"""Legal deadlines of petitions: working days over Tết 2026 and weekends, calendar days rolled past days
off, written extensions, and deadlines that follow a change of the holiday calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sohoa.petitions import deadlines, workflow
from sohoa.petitions.deadlines import Count, Step
from sohoa.petitions.models import Competence, Kind, Petition, PetitionEvent, State

pytestmark = pytest.mark.django_db

# Tết Bính Ngọ: mùng 1 is Tuesday 17/02/2026; days off Mon 16 – Fri 20, between two weekends.
RECEIVED = dt.date(2026, 2, 12)  # a Thursday, the week before Tết


def _accepted_on(petition: Petition, day: dt.date) -> None:
    """Back-date the acceptance (the resolution's anchor) as if it had been decided on `day`."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    PetitionEvent.objects.filter(petition=petition, action="accepted").update(at=at)


def test_classification_of_a_denunciation_takes_seven_working_days_over_tet(make_petition):
    petition = make_petition(received_on=RECEIVED, kind=Kind.DENUNCIATION)
    # Fri 13/02 is the 1st working day; 16–20/02 Tết and both weekends do not count; Mon 02/03 is the 7th.
    assert petition.deadline == dt.date(2026, 3, 2)


def test_a_petition_not_yet_classified_follows_the_strictest_rule(make_petition):
    assert make_petition(received_on=RECEIVED, kind="").deadline == dt.date(2026, 3, 2)


def test_working_days_skip_weekends_outside_holidays(make_petition):
    petition = make_petition(received_on=dt.date(2026, 11, 27), kind=Kind.DENUNCIATION)  # a Friday
    # Mon 30/11 … Fri 04/12 are 1–5, Mon 07 and Tue 08/12 are 6 and 7.
    assert petition.deadline == dt.date(2026, 12, 8)


def test_complaint_is_accepted_within_ten_days_rolled_past_a_sunday(make_petition):
    petition = make_petition(received_on=RECEIVED, kind=Kind.COMPLAINT)
    # 12/02 + 10 days = Sunday 22/02: the period ends on the next working day.
    assert petition.deadline == dt.date(2026, 2, 23)


def test_forwarding_is_due_five_working_days_after_receipt(make_petition, inspector):
    petition = make_petition(received_on=RECEIVED)
    petition = workflow.classify(
        actor=inspector,
        petition=petition,
        kind=Kind.DENUNCIATION,
        competence=Competence.OTHER,
        conditions_met=True,
        forward_to="Ủy ban Kiểm tra Huyện ủy",
    )
    assert deadlines.step_of(petition) == Step.FORWARD
    assert petition.deadline == dt.date(2026, 2, 26)


def test_an_extension_of_the_classification_counts_in_working_days(make_petition, inspector):
    petition = make_petition(received_on=RECEIVED, kind=Kind.DENUNCIATION)
    petition = workflow.extend(actor=inspector, petition=petition, reference="05/QĐ-UBKT", days=3)
    assert petition.deadline == dt.date(2026, 3, 5)  # 10 working days in all
    event = petition.events.get(action="extended")
    assert (event.days, event.reference, event.deadline) == (3, "05/QĐ-UBKT", dt.date(2026, 3, 5))
    # The acceptance of a denunciation keeps the extended checking period.
    petition = workflow.classify(
        actor=inspector, petition=petition, kind=Kind.DENUNCIATION, competence=Competence.OURS, conditions_met=True
    )
    assert deadlines.step_of(petition) == Step.ACCEPT
    assert petition.deadline == dt.date(2026, 3, 5)


def test_resolution_runs_thirty_days_from_acceptance_and_extends_by_thirty(make_petition, inspector):
    petition = make_petition(received_on=dt.date(2026, 1, 12), kind=Kind.DENUNCIATION)
    petition = workflow.classify(
        actor=inspector, petition=petition, kind=Kind.DENUNCIATION, competence=Competence.OURS, conditions_met=True
    )
    petition = workflow.accept(actor=inspector, petition=petition, reference="01/QĐ-UBKT")
    _accepted_on(petition, dt.date(2026, 1, 20))
    assert deadlines.compute(petition) == dt.date(2026, 2, 23)  # 19/02 is mùng 3 Tết: rolled to Monday
    deadlines.recompute_deadlines()
    petition.refresh_from_db()
    assert petition.deadline == dt.date(2026, 2, 23)
    petition = workflow.extend(actor=inspector, petition=petition, reference="09/QĐ-UBKT", days=30)
    assert petition.deadline == dt.date(2026, 3, 25)


def test_complex_complaint_gets_up_to_forty_five_days(make_petition, inspector):
    petition = make_petition(received_on=dt.date(2026, 3, 2), kind=Kind.COMPLAINT)
    petition = workflow.classify(
        actor=inspector, petition=petition, kind=Kind.COMPLAINT, competence=Competence.OURS, conditions_met=True
    )
    petition = workflow.accept(actor=inspector, petition=petition)
    _accepted_on(petition, dt.date(2026, 3, 2))
    deadlines.recompute_deadlines()
    petition.refresh_from_db()
    assert petition.deadline == dt.date(2026, 4, 1)
    petition = workflow.extend(actor=inspector, petition=petition, reference="12/QĐ-UBKT", days=15, complex_case=True)
    assert petition.complex_case
    assert petition.deadline == dt.date(2026, 4, 16)


def test_rules_table_is_complete_for_every_step_and_kind():
    for step in Step:
        for kind in ["", *Kind.values]:
            rule = deadlines.rule_for(step, kind)
            assert rule.days > 0 and rule.count in (Count.WORKING, Count.CALENDAR) and rule.basis


def test_closed_petitions_have_no_deadline(make_petition, inspector):
    petition = make_petition(received_on=RECEIVED)
    petition = workflow.file_without_action(actor=inspector, petition=petition, reason="Đơn trùng")
    assert petition.state == State.FILED and petition.deadline is None
    assert deadlines.compute(petition) is None


def test_deadlines_follow_a_new_day_off_in_the_holiday_calendar(make_petition, django_capture_on_commit_callbacks):
    from sohoa.workdays import services as workdays_services

    petition = make_petition(received_on=RECEIVED, kind=Kind.DENUNCIATION)
    closed = make_petition(received_on=RECEIVED, state=State.FILED)
    Petition.objects.filter(pk=closed.pk).update(deadline=None)
    assert petition.deadline == dt.date(2026, 3, 2)
    with django_capture_on_commit_callbacks(execute=True):
        workdays_services.holiday_create(actor=None, date=dt.date(2026, 2, 13), name="Nghỉ thêm trước Tết")
    petition.refresh_from_db()
    assert petition.deadline == dt.date(2026, 3, 3)  # one working day fewer before Tết
    closed.refresh_from_db()
    assert closed.deadline is None
    # And back when the day is removed again.
    from sohoa.workdays.models import Holiday

    with django_capture_on_commit_callbacks(execute=True):
        workdays_services.holiday_delete(actor=None, holiday=Holiday.objects.get(date=dt.date(2026, 2, 13)))
    petition.refresh_from_db()
    assert petition.deadline == dt.date(2026, 3, 2)


def test_recompute_is_safe_to_run_again(make_petition):
    petition = make_petition(received_on=RECEIVED)
    Petition.objects.filter(pk=petition.pk).update(deadline=dt.date(2030, 1, 1))
    assert deadlines.recompute_deadlines() == 1
    assert deadlines.recompute_deadlines() == 0
    petition.refresh_from_db()
    assert petition.deadline == dt.date(2026, 3, 2)
