"""Need-to-know grants: asked by reference, decided by a leader of the custodian unit, counted by the
policy and the search only while approved and unexpired."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from sohoa.archive import grants
from sohoa.archive.models import Grant, GrantStatus
from sohoa.core import policy
from sohoa.core.models import AuditEvent, Level, Role
from sohoa.search.query import policy_changed
from tests.factories import DocumentFactory, GrantFactory, RecordFactory

pytestmark = pytest.mark.usefixtures("english")  # the tests read the pages' English words

WORD = "quyetdinhmatbiet"


@pytest.fixture
def people(province, make_user):  # type: ignore[no-untyped-def]
    ubkt, ubnd = province["ubkt"], province["ubnd"]
    return {
        "reader": make_user(ubnd, role=Role.INSPECTOR, clearance=Level.NONE, username="thanhtra"),
        "leader": make_user(ubkt, role=Role.UNIT_LEADER, clearance=Level.TUYET_MAT, username="lanhdao"),
        "low_leader": make_user(ubkt, role=Role.UNIT_LEADER, clearance=Level.MAT, username="lanhdao2"),
        "other_leader": make_user(ubnd, role=Role.UNIT_LEADER, clearance=Level.TUYET_MAT, username="lanhdaokhac"),
        "clerk": make_user(ubkt, role=Role.CLERK, clearance=Level.TUYET_MAT, username="vanthu"),
    }


@pytest.fixture
def secret_doc(province):  # type: ignore[no-untyped-def]
    return DocumentFactory(
        unit=province["ubkt"], notation="15-QĐ/UBKTTU", confidentiality=Level.TOI_MAT, subject=f"{WORD} kỷ luật"
    )


def ask(actor, unit, reference="15-QĐ/UBKTTU", **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("valid_until", timezone.now() + dt.timedelta(days=7))
    return grants.grant_request(actor=actor, unit=unit, reference=reference, reason="Giải quyết đơn thư", **kwargs)


def detail(client, doc):  # type: ignore[no-untyped-def]
    return client.get(reverse("document_detail", args=[doc.pk])).status_code


# ---- the workflow ------------------------------------------------------------------------------------


def test_request_by_number_finds_the_document_but_opens_nothing_until_approved(client, province, people, secret_doc):
    reader = people["reader"]
    grant = ask(reader, province["ubkt"], reference=" 15-qđ/ubkttu ")
    assert grant.status == GrantStatus.REQUESTED and grant.document == secret_doc
    client.force_login(reader)
    assert detail(client, secret_doc) == 404
    grants.grant_approve(actor=people["leader"], grant=grant)
    assert detail(client, secret_doc) == 200
    grant.refresh_from_db()
    assert (grant.status, grant.approved_by) == (GrantStatus.APPROVED, people["leader"])
    assert grant.approved_at is not None


def test_a_record_code_grants_the_record_and_its_documents(province, people):
    record = RecordFactory(unit=province["ubkt"], code="H12.UBKTTU.2024.07", confidentiality=Level.TOI_MAT)
    doc = DocumentFactory(unit=province["ubkt"], record=record, confidentiality=Level.TUYET_MAT)
    grant = ask(people["reader"], province["ubkt"], reference="h12.ubkttu.2024.07")
    assert grant.record == record
    grants.grant_approve(actor=people["leader"], grant=grant)
    assert policy.can_see(people["reader"], record) and policy.can_see(people["reader"], doc)


def test_rejected_revoked_and_expired_grants_open_nothing(province, people, secret_doc):
    reader = people["reader"]
    rejected = ask(reader, province["ubkt"])
    grants.grant_reject(actor=people["leader"], grant=rejected, note="Không thuộc phạm vi")
    assert not policy.can_see(reader, secret_doc)
    revoked = ask(reader, province["ubkt"])
    grants.grant_approve(actor=people["leader"], grant=revoked)
    assert policy.can_see(reader, secret_doc)
    grants.grant_revoke(actor=people["leader"], grant=revoked, note="Đã xong việc")
    assert not policy.can_see(reader, secret_doc)
    GrantFactory(user=reader, document=secret_doc, valid_until=timezone.now() - dt.timedelta(minutes=1))
    assert not policy.can_see(reader, secret_doc)


def test_only_approved_grants_count_whatever_their_dates(province, people, secret_doc):
    for status in (GrantStatus.REQUESTED, GrantStatus.REJECTED, GrantStatus.REVOKED):
        GrantFactory(user=people["reader"], document=secret_doc, status=status)
    assert not policy.can_see(people["reader"], secret_doc)


def test_every_step_is_audited(province, people):
    DocumentFactory(unit=province["ubkt"], notation="15-QĐ/UBKTTU", confidentiality=Level.MAT)
    a = ask(people["reader"], province["ubkt"])
    grants.grant_approve(actor=people["leader"], grant=a)
    grants.grant_revoke(actor=people["leader"], grant=a)
    b = ask(people["reader"], province["ubkt"])
    grants.grant_reject(actor=people["leader"], grant=b, note="Không cần")
    actions = list(
        AuditEvent.objects.filter(object_type="archive.grant").order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["grant_request", "grant_approve", "grant_revoke", "grant_request", "grant_reject"]


# ---- who decides ---------------------------------------------------------------------------------------


def test_only_a_leader_of_the_custodian_unit_or_an_admin_decides(province, people, secret_doc, make_user):
    grant = ask(people["reader"], province["ubkt"])
    for outsider in (people["clerk"], people["other_leader"], people["reader"]):
        with pytest.raises(PermissionDenied):
            grants.grant_approve(actor=outsider, grant=grant)
    admin = make_user(province["root"], role=Role.ADMIN, clearance=Level.TUYET_MAT, username="quantri")
    grants.grant_approve(actor=admin, grant=grant)
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.APPROVED


def test_a_leader_below_the_document_level_cannot_approve(province, people, secret_doc):
    grant = ask(people["reader"], province["ubkt"])
    with pytest.raises(PermissionDenied):
        grants.grant_approve(actor=people["low_leader"], grant=grant)


def test_nobody_approves_their_own_access(province, people, secret_doc):
    grant = ask(people["leader"], province["ubkt"])
    with pytest.raises(PermissionDenied):
        grants.grant_approve(actor=people["leader"], grant=grant)


def test_a_leader_asking_for_their_staff_approves_at_once(province, people, secret_doc):
    grant = ask(people["leader"], province["ubkt"], user=people["clerk"])
    assert grant.status == GrantStatus.APPROVED and grant.requested_by == people["leader"]


def test_a_plain_user_cannot_ask_for_someone_else(province, people, secret_doc):
    with pytest.raises(PermissionDenied):
        ask(people["clerk"], province["ubkt"], user=people["reader"])


def test_request_checks_reason_and_duration(province, people):
    with pytest.raises(ValidationError):
        grants.grant_request(
            actor=people["reader"], unit=province["ubkt"], reference="1", reason=" ", valid_until=timezone.now()
        )
    with pytest.raises(ValidationError):
        ask(people["reader"], province["ubkt"], valid_until=timezone.now() + dt.timedelta(days=400))


def test_an_unmatched_request_is_kept_and_can_only_be_rejected(province, people):
    grant = ask(people["reader"], province["ubkt"], reference="999-QĐ/UBKTTU")
    assert grant.document is None and grant.record is None
    with pytest.raises(ValidationError):
        grants.grant_approve(actor=people["leader"], grant=grant)
    grants.grant_reject(actor=people["leader"], grant=grant, note="Không có văn bản này")


# ---- pages ---------------------------------------------------------------------------------------------


def test_the_answer_to_a_request_does_not_say_whether_the_document_exists(client, province, people, secret_doc):
    client.force_login(people["reader"])
    answers = []
    for reference in ("15-QĐ/UBKTTU", "999-QĐ/UBKTTU"):
        response = client.post(
            reverse("grant_request"),
            {
                "unit": province["ubkt"].code,
                "reference": reference,
                "reason": "Xác minh đơn",
                "valid_until": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            },
            follow=True,
        )
        page = response.content.decode()
        answers.append((response.redirect_chain, [str(m) for m in response.context["messages"]]))
        assert WORD not in page  # the subject is not shown to the requester
    assert answers[0] == answers[1]
    assert Grant.objects.filter(user=people["reader"], status=GrantStatus.REQUESTED).count() == 2


def test_leader_sees_and_approves_requests_on_the_review_page(client, province, people, secret_doc):
    grant = ask(people["reader"], province["ubkt"])
    client.force_login(people["leader"])
    page = client.get(reverse("grant_review")).content.decode()
    assert WORD in page and "Giải quyết đơn thư" in page
    until = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = client.post(reverse("grant_approve", args=[grant.pk]), {"valid_until": until})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED and grant.valid_until.date().isoformat() == until


def test_leader_of_another_unit_neither_sees_nor_decides(client, province, people, secret_doc):
    grant = ask(people["reader"], province["ubkt"])
    client.force_login(people["other_leader"])
    assert "Giải quyết đơn thư" not in client.get(reverse("grant_review")).content.decode()
    assert client.post(reverse("grant_approve", args=[grant.pk])).status_code == 404
    assert client.post(reverse("grant_reject", args=[grant.pk])).status_code == 404


def test_review_page_is_for_leaders(client, people):
    client.force_login(people["reader"])
    assert client.get(reverse("grant_review")).status_code == 403


def test_my_requests_list_shows_status_and_the_link_once_approved(client, province, people, secret_doc):
    grant = ask(people["reader"], province["ubkt"])
    client.force_login(people["reader"])
    with override("en"):
        page = client.get(reverse("grant_list")).content.decode()
    assert "Requested" in page and WORD not in page
    grants.grant_approve(actor=people["leader"], grant=grant)
    page = client.get(reverse("grant_list")).content.decode()
    assert reverse("document_detail", args=[secret_doc.pk]) in page


def test_leader_revokes_from_the_grant_list(client, province, people, secret_doc):
    grant = ask(people["reader"], province["ubkt"])
    grants.grant_approve(actor=people["leader"], grant=grant)
    client.force_login(people["leader"])
    assert reverse("grant_revoke", args=[grant.pk]) in client.get(reverse("grant_list")).content.decode()
    client.post(reverse("grant_revoke", args=[grant.pk]), {"note": "Hết nhu cầu"})
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.REVOKED


# ---- search --------------------------------------------------------------------------------------------


def test_search_counts_only_approved_unexpired_grants(client, province, people, secret_doc, settings, tmp_path):
    from sohoa.search import services as search_services

    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    search_services.index_documents([secret_doc.pk])
    reader = people["reader"]
    client.force_login(reader)

    def total() -> int:
        return int(client.get(reverse("api-search"), {"q": WORD}).json()["total"])

    grant = ask(reader, province["ubkt"])
    assert total() == 0
    grants.grant_approve(actor=people["leader"], grant=grant)
    assert total() == 1
    # The search keeps a user's permission filter only until the first of their grants runs out.
    Grant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() + dt.timedelta(seconds=0.5))
    policy_changed()  # what saving the grant does (update() bypasses the signals)
    assert total() == 1
    time.sleep(0.6)
    assert total() == 0
