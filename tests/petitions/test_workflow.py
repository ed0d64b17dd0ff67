"""The petition workflow: every transition and the refused ones, the law's rules on anonymous and repeated
letters, overdue and due-soon lists, notifications, the access policy, and open petitions handed over
in a reorganization."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sohoa.core.models import AuditEvent, Level, Role
from sohoa.petitions import deadlines, notices, selectors, workflow
from sohoa.petitions.models import Competence, Kind, Notification, Petition, State
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2026, 2, 12)


def _classify_ours(actor, petition, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("kind", Kind.DENUNCIATION)
    kwargs.setdefault("conditions_met", True)
    return workflow.classify(actor=actor, petition=petition, competence=Competence.OURS, **kwargs)


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# ---- the happy paths ----------------------------------------------------------------------------------


def test_a_petition_goes_from_received_to_concluded_with_an_event_and_audit_row_per_step(make_petition, inspector):
    petition = make_petition()
    petition = _classify_ours(inspector, petition, note="Đủ điều kiện")
    assert (petition.state, petition.kind, petition.conditions_met) == (State.CLASSIFIED, Kind.DENUNCIATION, True)
    assert petition.deadline == dt.date(2026, 3, 2)  # accept within the 7 working days of receipt
    petition = workflow.accept(actor=inspector, petition=petition, reference="03/QĐ-UBKT")
    assert petition.state == State.ACCEPTED
    assert petition.deadline == deadlines.add(petition.events.get(action="accepted").at.date(), 30, "calendar")
    petition = workflow.start_verification(actor=inspector, petition=petition)
    assert petition.state == State.VERIFYING
    petition = workflow.conclude(actor=inspector, petition=petition, note="Tố cáo đúng một phần", reference="KL 07")
    assert (petition.state, petition.deadline) == (State.CONCLUDED, None)
    actions = list(petition.events.values_list("action", "state"))
    assert actions == [
        ("received", "received"),
        ("classified", "classified"),
        ("accepted", "accepted"),
        ("verifying", "verifying"),
        ("concluded", "concluded"),
    ]
    assert petition.events.get(action="concluded").actor == inspector
    audited = list(
        AuditEvent.objects.filter(object_id=str(petition.pk), action__startswith="petition_")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert audited == [
        "petition_classified",
        "petition_accepted",
        "petition_verifying",
        "petition_concluded",
    ]


def test_a_petition_of_another_body_is_forwarded(make_petition, inspector, province):
    petition = make_petition()
    petition = workflow.classify(
        actor=inspector,
        petition=petition,
        kind=Kind.RECOMMENDATION,
        competence=Competence.OTHER,
        conditions_met=True,
        forward_to_unit=province["ubnd"],
    )
    assert workflow.next_actions(petition)[:2] == ["classify", "forward"]
    petition = workflow.forward(actor=inspector, petition=petition, reference="15/CV-UBKT")
    assert (petition.state, petition.deadline) == (State.FORWARDED, None)
    event = petition.events.get(action="forwarded")
    assert event.reference == "15/CV-UBKT"
    assert AuditEvent.objects.get(action="petition_forwarded").details["to"] == province["ubnd"].name


def test_a_petition_not_meeting_the_conditions_is_filed_with_its_reason(make_petition, inspector):
    petition = _classify_ours(inspector, make_petition(), conditions_met=False, conditions_note="Không ký tên")
    assert "accept" not in workflow.next_actions(petition)
    petition = workflow.file_without_action(actor=inspector, petition=petition)
    assert petition.state == State.FILED
    assert petition.events.get(action="filed").note == "Không ký tên"


def test_assigning_notifies_the_person(make_petition, inspector, leader, django_capture_on_commit_callbacks):
    petition = make_petition()
    with django_capture_on_commit_callbacks(execute=True):
        petition = workflow.assign(actor=leader, petition=petition, assignee=inspector)
    assert petition.assignee == inspector
    assert Notification.objects.filter(user=inspector, petition=petition, kind="assigned").count() == 1
    assert selectors.unread_count(inspector) >= 1
    assert notices.mark_read(user=inspector) >= 1
    assert selectors.unread_count(inspector) == 0


# ---- refused transitions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("accept", State.RECEIVED),
        ("forward", State.RECEIVED),
        ("start_verification", State.RECEIVED),
        ("start_verification", State.CLASSIFIED),
        ("conclude", State.CLASSIFIED),
        ("classify", State.ACCEPTED),
        ("file_without_action", State.ACCEPTED),
        ("accept", State.CONCLUDED),
        ("forward", State.FORWARDED),
        ("extend", State.FILED),
        ("assign", State.CONCLUDED),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(make_petition, inspector, english, action, state):
    petition = make_petition(state=state, kind=Kind.DENUNCIATION, competence=Competence.OURS, conditions_met=True)
    before = (petition.state, petition.deadline, petition.events.count())
    kwargs = {
        "classify": {"kind": Kind.DENUNCIATION, "competence": Competence.OURS, "conditions_met": True},
        "conclude": {"note": "Kết luận"},
        "file_without_action": {"reason": "Lưu"},
        "extend": {"reference": "1/QĐ", "days": 1},
        "assign": {"assignee": inspector},
    }.get(action, {})
    with pytest.raises(ValidationError) as exc:
        getattr(workflow, action)(actor=inspector, petition=petition, **kwargs)
    assert _messages(exc)
    petition.refresh_from_db()
    assert (petition.state, petition.deadline, petition.events.count()) == before


def test_forwarding_needs_a_recipient(make_petition, inspector, english):
    petition = make_petition()
    with pytest.raises(ValidationError) as exc:
        workflow.classify(actor=inspector, petition=petition, kind=Kind.DENUNCIATION, competence=Competence.OTHER)
    assert "Name the body the petition is to be forwarded to." in _messages(exc)
    petition = make_petition(state=State.CLASSIFIED, kind=Kind.DENUNCIATION, competence=Competence.OTHER)
    with pytest.raises(ValidationError) as exc:
        workflow.forward(actor=inspector, petition=petition)
    assert "Name the body the petition is forwarded to." in _messages(exc)
    assert Petition.objects.get(pk=petition.pk).state == State.CLASSIFIED


def test_a_petition_that_is_ours_is_not_forwarded_and_another_bodys_is_not_accepted(make_petition, inspector, english):
    ours = _classify_ours(inspector, make_petition())
    with pytest.raises(ValidationError, match="classify it again"):
        workflow.forward(actor=inspector, petition=ours, forward_to="UBND huyện")
    theirs = workflow.classify(
        actor=inspector,
        petition=make_petition(),
        kind=Kind.COMPLAINT,
        competence=Competence.OTHER,
        conditions_met=True,
        forward_to="UBND huyện",
    )
    with pytest.raises(ValidationError, match="forward it instead"):
        workflow.accept(actor=inspector, petition=theirs)


def test_classification_needs_kind_competence_and_reasons(make_petition, inspector, english):
    petition = make_petition()
    with pytest.raises(ValidationError, match="Choose the kind"):
        workflow.classify(actor=inspector, petition=petition, kind="", competence=Competence.OURS)
    with pytest.raises(ValidationError, match="ours to handle or another"):
        workflow.classify(actor=inspector, petition=petition, kind=Kind.COMPLAINT, competence="")
    with pytest.raises(ValidationError, match="meets the conditions"):
        workflow.classify(actor=inspector, petition=petition, kind=Kind.COMPLAINT, competence=Competence.OURS)
    with pytest.raises(ValidationError, match="does not meet the conditions"):
        _classify_ours(inspector, petition, conditions_met=False)
    assert Petition.objects.get(pk=petition.pk).state == State.RECEIVED


def test_a_conclusion_must_be_written(make_petition, inspector, english):
    petition = make_petition(state=State.VERIFYING, kind=Kind.DENUNCIATION, competence=Competence.OURS)
    with pytest.raises(ValidationError, match="Write the conclusion"):
        workflow.conclude(actor=inspector, petition=petition, note="  ")


def test_filing_needs_a_reason(make_petition, inspector, english):
    with pytest.raises(ValidationError, match="Say why"):
        workflow.file_without_action(actor=inspector, petition=make_petition(), reason=" ")


def test_extensions_are_written_and_within_the_law(make_petition, inspector, english):
    petition = make_petition(kind=Kind.DENUNCIATION)
    with pytest.raises(ValidationError, match="decided in writing"):
        workflow.extend(actor=inspector, petition=petition, reference=" ", days=3)
    with pytest.raises(ValidationError, match="1 to 3 working days"):
        workflow.extend(actor=inspector, petition=petition, reference="1/QĐ", days=4)
    with pytest.raises(ValidationError, match="in days"):
        workflow.extend(actor=inspector, petition=petition, reference="1/QĐ", days="ba")  # type: ignore[arg-type]
    petition = workflow.extend(actor=inspector, petition=petition, reference="1/QĐ", days=3)
    with pytest.raises(ValidationError, match="the most the law allows"):
        workflow.extend(actor=inspector, petition=petition, reference="2/QĐ", days=1)
    assert petition.events.filter(action="extended").count() == 1
    # Forwarding has no extension at all.
    other = workflow.classify(
        actor=inspector,
        petition=make_petition(),
        kind=Kind.DENUNCIATION,
        competence=Competence.OTHER,
        conditions_met=True,
        forward_to="Công an tỉnh",
    )
    with pytest.raises(ValidationError, match="no extension"):
        workflow.extend(actor=inspector, petition=other, reference="3/QĐ", days=1)


def test_a_resolution_is_extended_twice_only_for_a_complex_case(make_petition, inspector, english):
    petition = make_petition(state=State.ACCEPTED, kind=Kind.DENUNCIATION, competence=Competence.OURS)
    with pytest.raises(ValidationError, match="1 to 30 days"):
        workflow.extend(actor=inspector, petition=petition, reference="1/QĐ", days=31)
    petition = workflow.extend(actor=inspector, petition=petition, reference="1/QĐ", days=30)
    with pytest.raises(ValidationError, match="only for a complex case"):
        workflow.extend(actor=inspector, petition=petition, reference="2/QĐ", days=30)
    petition = workflow.extend(actor=inspector, petition=petition, reference="2/QĐ", days=30, complex_case=True)
    with pytest.raises(ValidationError, match="the most the law allows"):
        workflow.extend(actor=inspector, petition=petition, reference="3/QĐ", days=30)
    assert petition.events.filter(action="extended").count() == 2


def test_a_complaint_is_extended_only_when_complex(make_petition, inspector, english):
    petition = make_petition(state=State.ACCEPTED, kind=Kind.COMPLAINT, competence=Competence.OURS)
    with pytest.raises(ValidationError, match="only for a complex case"):
        workflow.extend(actor=inspector, petition=petition, reference="1/QĐ", days=15)


# ---- anonymous letters and repeats ------------------------------------------------------------------------


def test_an_anonymous_letter_is_not_processed_as_a_denunciation_but_kept_for_inspection(
    make_petition, inspector, english
):
    petition = make_petition(anonymous=True)
    petition = workflow.classify(
        actor=inspector, petition=petition, kind=Kind.DENUNCIATION, anonymous=True, competence=Competence.OURS
    )
    assert petition.conditions_met is False
    assert "Anonymous letter" in petition.conditions_note
    assert "accept" not in workflow.next_actions(petition)
    assert "Anonymous letter" in workflow.suggestion(petition)
    with pytest.raises(ValidationError, match="not processed as a denunciation"):
        workflow.accept(actor=inspector, petition=petition)
    petition = workflow.file_without_action(actor=inspector, petition=petition, keep_for_inspection=True)
    assert (petition.state, petition.kept_for_inspection) == (State.FILED, True)
    assert AuditEvent.objects.get(action="petition_filed").details["kept_for_inspection"] is True


def test_an_anonymous_letter_cannot_be_declared_processable_or_forwarded(make_petition, inspector, english):
    petition = make_petition(anonymous=True)
    with pytest.raises(ValidationError, match="not processed as a denunciation"):
        workflow.classify(
            actor=inspector,
            petition=petition,
            kind=Kind.DENUNCIATION,
            anonymous=True,
            competence=Competence.OURS,
            conditions_met=True,
        )
    petition = workflow.classify(
        actor=inspector,
        petition=petition,
        kind=Kind.MIXED,
        anonymous=True,
        competence=Competence.OTHER,
        forward_to="Công an huyện",
    )
    with pytest.raises(ValidationError, match="not processed as a denunciation"):
        workflow.forward(actor=inspector, petition=petition)
    # Not specific: simply filed, not kept.
    petition = workflow.file_without_action(actor=inspector, petition=petition)
    assert (petition.state, petition.kept_for_inspection) == (State.FILED, False)


def test_an_anonymous_recommendation_may_be_handled(make_petition, inspector):
    petition = workflow.classify(
        actor=inspector,
        petition=make_petition(anonymous=True),
        kind=Kind.RECOMMENDATION,
        anonymous=True,
        competence=Competence.OURS,
        conditions_met=True,
    )
    assert workflow.accept(actor=inspector, petition=petition).state == State.ACCEPTED


def test_a_repeat_of_a_forwarded_petition_is_not_forwarded_again(make_petition, inspector, english):
    first = workflow.classify(
        actor=inspector,
        petition=make_petition(),
        kind=Kind.DENUNCIATION,
        competence=Competence.OTHER,
        conditions_met=True,
        forward_to="Công an tỉnh",
    )
    first = workflow.forward(actor=inspector, petition=first)
    repeat = make_petition(received_on=dt.date(2026, 3, 10))
    repeat = workflow.mark_repeat(actor=inspector, petition=repeat, repeat_of=first)
    repeat = workflow.classify(
        actor=inspector,
        petition=repeat,
        kind=Kind.DENUNCIATION,
        competence=Competence.OTHER,
        conditions_met=True,
        forward_to="Công an tỉnh",
    )
    assert "already forwarded" in workflow.suggestion(repeat)
    with pytest.raises(ValidationError, match="not forwarded again"):
        workflow.forward(actor=inspector, petition=repeat)
    # A repeat of a repeat of it is caught too.
    third = workflow.mark_repeat(actor=inspector, petition=make_petition(), repeat_of=repeat)
    third = workflow.classify(
        actor=inspector,
        petition=third,
        kind=Kind.DENUNCIATION,
        competence=Competence.OTHER,
        conditions_met=True,
        forward_to="Công an tỉnh",
    )
    with pytest.raises(ValidationError, match="not forwarded again"):
        workflow.forward(actor=inspector, petition=third)
    repeat = workflow.file_without_action(actor=inspector, petition=repeat)
    assert repeat.state == State.FILED
    # With new facts it is new content: forwarded.
    fresh = workflow.mark_repeat(actor=inspector, petition=make_petition(), repeat_of=first, new_facts=True)
    fresh = workflow.classify(
        actor=inspector,
        petition=fresh,
        kind=Kind.DENUNCIATION,
        competence=Competence.OTHER,
        conditions_met=True,
        forward_to="Công an tỉnh",
    )
    assert workflow.forward(actor=inspector, petition=fresh).state == State.FORWARDED


def test_a_repeat_without_new_facts_is_filed_without_action(make_petition, inspector, english):
    first = _classify_ours(inspector, make_petition())
    repeat = workflow.mark_repeat(actor=inspector, petition=make_petition(), repeat_of=first)
    assert repeat.events.filter(action="repeat").exists()
    repeat = _classify_ours(inspector, repeat, conditions_met=None)
    assert repeat.conditions_met is False
    assert "without new facts" in repeat.conditions_note
    with pytest.raises(ValidationError, match="without new facts"):
        workflow.accept(actor=inspector, petition=repeat)
    repeat = workflow.file_without_action(actor=inspector, petition=repeat)
    assert repeat.state == State.FILED
    assert "without new facts" in repeat.events.get(action="filed").note


def test_a_repeat_with_new_facts_is_handled(make_petition, inspector):
    first = _classify_ours(inspector, make_petition())
    repeat = workflow.mark_repeat(actor=inspector, petition=make_petition(), repeat_of=first, new_facts=True)
    repeat = _classify_ours(inspector, repeat)
    assert workflow.accept(actor=inspector, petition=repeat).state == State.ACCEPTED


def test_repeat_links_refuse_cycles_and_self(make_petition, inspector, english):
    a, b = make_petition(), make_petition()
    with pytest.raises(ValidationError, match="cannot repeat itself"):
        workflow.mark_repeat(actor=inspector, petition=a, repeat_of=a)
    workflow.mark_repeat(actor=inspector, petition=b, repeat_of=a)
    with pytest.raises(ValidationError, match="itself a repeat of this one"):
        workflow.mark_repeat(actor=inspector, petition=a, repeat_of=b)


# ---- overdue and due-soon lists, notices -------------------------------------------------------------------


@pytest.fixture
def deadline_board(province, make_petition, inspector, leader):  # type: ignore[no-untyped-def]
    today = dt.date(2026, 3, 10)
    ubkt = province["ubkt"]
    sub = UnitFactory(code="H12.UBKTHU", name="Ủy ban Kiểm tra Huyện ủy", parent=ubkt)
    late_mine = make_petition(assignee=inspector)
    Petition.objects.filter(pk=late_mine.pk).update(deadline=today - dt.timedelta(days=2))
    soon_unassigned = make_petition()
    Petition.objects.filter(pk=soon_unassigned.pk).update(deadline=today + dt.timedelta(days=1))
    late_sub = make_petition(unit=sub)
    Petition.objects.filter(pk=late_sub.pk).update(deadline=today - dt.timedelta(days=10))
    far = make_petition()
    Petition.objects.filter(pk=far.pk).update(deadline=today + dt.timedelta(days=20))
    done = make_petition(state=State.CONCLUDED)
    Petition.objects.filter(pk=done.pk).update(deadline=today - dt.timedelta(days=30))
    hidden = make_petition(unit=province["other"])
    Petition.objects.filter(pk=hidden.pk).update(deadline=today - dt.timedelta(days=5))
    secret = make_petition(confidentiality=Level.TUYET_MAT)
    Petition.objects.filter(pk=secret.pk).update(deadline=today - dt.timedelta(days=5))
    return {
        "today": today,
        "sub": sub,
        "late_mine": late_mine,
        "soon": soon_unassigned,
        "late_sub": late_sub,
        "far": far,
        "secret": secret,
    }


def test_overdue_and_due_soon_lists_per_unit_and_per_person(deadline_board, leader, inspector, province):
    b, today = deadline_board, deadline_board["today"]
    overdue = list(selectors.overdue(leader, today=today))
    assert overdue == [b["late_sub"], b["late_mine"]]  # oldest deadline first; closed, hidden, secret absent
    assert list(selectors.overdue(leader, unit=b["sub"], today=today)) == [b["late_sub"]]
    assert list(selectors.overdue(leader, assignee=inspector, today=today)) == [b["late_mine"]]
    assert list(selectors.due_soon(leader, today=today)) == [b["soon"]]
    by_unit = {r.label: (r.overdue, r.due_soon) for r in selectors.deadline_summary(leader, by="unit", today=today)}
    assert by_unit == {province["ubkt"].name: (1, 1), b["sub"].name: (1, 0)}
    by_person = {r.key: (r.overdue, r.due_soon) for r in selectors.deadline_summary(leader, by="person", today=today)}
    assert by_person == {inspector.pk: (1, 0), None: (1, 1)}


def test_deadline_notices_reach_the_assignee_or_the_units_handlers_once(deadline_board, leader, inspector, province):
    b, today = deadline_board, deadline_board["today"]
    clerk = UserFactory(units=[province["ubkt"]], role=Role.CLERK)
    uncleared = UserFactory(units=[province["ubkt"]], role=Role.INSPECTOR, clearance=Level.NONE)
    written = notices.notify_deadlines(today=today)
    assert written > 0
    assert notices.notify_deadlines(today=today) == 0  # safe to run again
    mine = set(Notification.objects.filter(user=inspector).values_list("petition_id", "kind"))
    assert (b["late_mine"].pk, "overdue") in mine
    assert (b["soon"].pk, "due_soon") in mine  # unassigned: the unit's inspectors are told
    leaders = set(Notification.objects.filter(user=leader).values_list("petition_id", "kind"))
    assert (b["late_mine"].pk, "overdue") not in leaders  # assigned: only the assignee
    assert (b["secret"].pk, "overdue") not in leaders  # top secret: nobody below that clearance
    assert not Notification.objects.filter(user=clerk).exists()
    assert not Notification.objects.filter(user=uncleared, petition=b["secret"]).exists()
    assert Notification.objects.filter(user=uncleared, petition=b["soon"]).exists()
    assert not Notification.objects.filter(petition=b["far"]).exists()
    # Notices of a petition the user may no longer see are not listed.
    assert list(selectors.notifications(inspector)) == list(Notification.objects.filter(user=inspector))


def test_the_daily_task_writes_the_notices(deadline_board):
    from sohoa.petitions.tasks import petition_deadline_notices

    petition_deadline_notices.call_local()
    assert Notification.objects.exists()


# ---- the access policy --------------------------------------------------------------------------------------


def test_another_units_petition_is_invisible_and_cannot_be_handled(make_petition, province, inspector, english):
    theirs = make_petition(unit=province["other"])
    assert theirs not in selectors.petitions_visible(inspector)
    with pytest.raises(Http404):
        selectors.petition_get(inspector, theirs.pk)
    with pytest.raises(PermissionDenied):
        _classify_ours(inspector, theirs)
    assert Petition.objects.get(pk=theirs.pk).state == State.RECEIVED


def test_a_petition_above_the_users_clearance_is_invisible(make_petition, inspector, leader):
    secret = make_petition(confidentiality=Level.TOI_MAT)  # inspector: Mật; leader: Tối mật
    with pytest.raises(Http404):
        selectors.petition_get(inspector, secret.pk)
    assert selectors.petition_get(leader, secret.pk) == secret
    assert list(selectors.petition_events(inspector, secret)) == []
    with pytest.raises(PermissionDenied):
        workflow.accept(actor=inspector, petition=secret)


def test_a_clerk_registers_but_does_not_decide(make_petition, province):
    clerk = UserFactory(units=[province["ubkt"]], role=Role.CLERK)
    petition = make_petition()
    assert selectors.petition_get(clerk, petition.pk) == petition
    with pytest.raises(PermissionDenied):
        _classify_ours(clerk, petition)


def test_assigning_to_someone_who_may_not_handle_it_is_refused(make_petition, province, leader, english):
    petition = make_petition()
    outsider = UserFactory(units=[province["other"]], role=Role.INSPECTOR)
    clerk = UserFactory(units=[province["ubkt"]], role=Role.CLERK)
    for person in (outsider, clerk):
        with pytest.raises(ValidationError, match="Choose a person"):
            workflow.assign(actor=leader, petition=petition, assignee=person)
    assert Petition.objects.get(pk=petition.pk).assignee is None


# ---- reorganization -------------------------------------------------------------------------------------------


def test_a_reorganization_hands_the_open_petitions_of_a_dissolved_unit_to_its_successor(
    make_petition, django_capture_on_commit_callbacks
):
    from sohoa.reorg import services as reorg_services
    from sohoa.reorg.models import TransferItem
    from tests.reorg.factories import office

    root = UnitFactory(code="H50", name="Tỉnh mới")
    old = UnitFactory(code="H50.UBKTHX", name="Ủy ban Kiểm tra Huyện ủy X", parent=root)
    new = UnitFactory(code="H50.UBKTKV", name="Ủy ban Kiểm tra khu vực", parent=root)
    open_one = make_petition(unit=old, summary="Đơn đang xử lý")
    secret = make_petition(unit=old, confidentiality=Level.MAT, summary="NOIDUNGMAT")
    closed = make_petition(unit=old, state=State.FILED)
    user = office(root)
    reorganization = reorg_services.reorganization_create(
        actor=user,
        kind="merge",
        dissolved=[old],
        successors=[new],
        effective_date=dt.date(2026, 7, 1),
        decision_number="10-QĐ/TU",
        decision_date=dt.date(2026, 6, 1),
        decision_issuer="Tỉnh ủy",
    )
    reorg_services.reorganization_propose(actor=user, reorganization=reorganization)
    items = TransferItem.objects.filter(reorganization=reorganization, kind="petition")
    assert set(items.values_list("object_id", flat=True)) == {open_one.pk, secret.pk}
    assert not items.filter(label__contains="NOIDUNGMAT").exists()
    with django_capture_on_commit_callbacks(execute=True):
        reorg_services.reorganization_execute(actor=user, reorganization=reorganization)
    assert set(Petition.objects.filter(pk__in=[open_one.pk, secret.pk]).values_list("unit_id", flat=True)) == {new.pk}
    assert Petition.objects.get(pk=closed.pk).unit == old
    assert Petition.objects.get(pk=open_one.pk).deadline == open_one.deadline


def test_a_sender_without_a_code_is_a_missing_code_of_its_petition(client, make_petition, leader):
    from django.urls import reverse

    from sohoa.petitions.models import PetitionParty

    petition = make_petition(number="7/2026")
    PetitionParty.objects.create(petition=petition, role="concerned", name="Nguyễn Văn Bị Tố")
    client.force_login(leader)
    response = client.get(reverse("missing_codes"))
    assert response.status_code == 200
    assert reverse("petition_detail", args=[petition.pk]) in response.content.decode()
