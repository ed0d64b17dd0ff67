"""Register pages and API of petitions: list filters and search, registration with files, detail, edit."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sohoa.core.models import Level, Role
from sohoa.petitions import intake
from sohoa.petitions.models import Kind, Petition, State
from tests.factories import UserFactory

from .helpers import letter_png, stub_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("petition_storage")]


@pytest.fixture
def clerk(province):  # type: ignore[no-untyped-def]
    return UserFactory(units=[province["ubkt"]], role=Role.CLERK, clearance=Level.MAT)


@pytest.fixture
def as_clerk(client, clerk):  # type: ignore[no-untyped-def]
    client.force_login(clerk)
    return client


def _petition(clerk, province, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("unit", province["ubkt"])
    kw.setdefault("received_on", dt.date(2026, 3, 16))
    kw.setdefault("summary", "Tố cáo cán bộ xã")
    return intake.petition_register(actor=clerk, **kw)


def test_the_list_filters_by_state_kind_overdue_unit_and_text(as_clerk, clerk, province, django_assert_max_num_queries):
    ubnd_clerk = UserFactory(units=[province["root"]], role=Role.CLERK)
    today = timezone.localdate()
    a = _petition(clerk, province, kind=Kind.DENUNCIATION, summary="Ông Bình cấp đất sai", received_on=today)
    b = _petition(clerk, province, kind=Kind.COMPLAINT, summary="Khiếu nại thu hồi đất", received_on=today)
    c = _petition(ubnd_clerk, province, unit=province["ubnd"], summary="Kiến nghị sửa đường", received_on=today)
    Petition.objects.filter(pk=b.pk).update(deadline=dt.date(2020, 1, 1))
    intake.petition_update(
        actor=clerk, petition=a, values={}, parties=[(None, intake.PartyInput(role="sender", name="Trần Thị Hoa"))]
    )

    def numbers(**params):  # type: ignore[no-untyped-def]
        body = as_clerk.get(reverse("petition_list"), params).content.decode()
        return {p.pk for p in (a, b, c) if reverse("petition_detail", args=[p.pk]) in body}

    with django_assert_max_num_queries(12):
        assert numbers() == {a.pk, b.pk}  # the UBND petition is outside the clerk's scope
    assert numbers(kind=Kind.COMPLAINT) == {b.pk}
    assert numbers(overdue="on") == {b.pk}
    assert numbers(state=State.CLASSIFIED) == set()
    assert numbers(q="cấp đất") == {a.pk}
    assert numbers(q="Trần Thị Hoa") == {a.pk}  # a party's name
    assert numbers(q=b.number) >= {b.pk}
    assert numbers(unit=province["ubkt"].pk) == {a.pk, b.pk}
    response = as_clerk.get(reverse("petition_list"), {"state": "bogus"})
    assert response.status_code == 400


def test_registering_from_the_form_with_a_scan_and_attachments(
    as_clerk, province, stub_ocr, django_capture_on_commit_callbacks
):
    stub_ocr.text = stub_text()
    data = {
        "unit": province["ubkt"].pk,
        "received_on": "2026-03-16",
        "channel": "post",
        "confidentiality": Level.NONE,
        "letter": SimpleUploadedFile("don.png", letter_png(["form"]), "image/png"),
        "attachments": [
            SimpleUploadedFile("bien-lai.png", letter_png(["bien lai"]), "image/png"),
            SimpleUploadedFile("hong.pdf", b"%PDF-1.4 garbage", "application/pdf"),
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = as_clerk.post(reverse("petition_register"), data)

    petition = Petition.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("petition_detail", args=[petition.pk])
    page = as_clerk.get(response["Location"]).content.decode()
    assert "1/2026" in page and "Trần Thị Hoa" in page and "Nguyễn Văn Bình" in page
    assert 'id="ocr-failed"' in page and "hong.pdf" in page
    assert reverse("document_detail", args=[petition.files.get(role="letter").document_id]) in page
    assert petition.kind == Kind.DENUNCIATION


def test_a_form_with_nothing_to_register_says_why_and_keeps_what_was_typed(as_clerk, province, english):
    response = as_clerk.post(
        reverse("petition_register"),
        {
            "unit": province["ubkt"].pk,
            "received_on": "2026-03-16",
            "channel": "post",
            "confidentiality": 0,
            "sender_name": "Lê Văn Tám",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Attach the scanned letter, or write what it says." in page
    assert 'value="Lê Văn Tám"' in page
    assert not Petition.objects.exists()


def test_a_received_date_in_the_future_is_refused_on_the_form(as_clerk, province, english):
    response = as_clerk.post(
        reverse("petition_register"),
        {
            "unit": province["ubkt"].pk,
            "received_on": "2099-01-01",
            "channel": "post",
            "confidentiality": 0,
            "summary": "x",
        },
    )

    assert response.status_code == 400 and "cannot be received in the future" in response.content.decode()


def test_the_edit_page_changes_fields_and_parties(as_clerk, clerk, province):
    petition = _petition(clerk, province, parties=[intake.PartyInput(role="sender", name="Lê Văn Tám")])
    party = petition.parties.get()
    assert as_clerk.get(reverse("petition_edit", args=[petition.pk])).status_code == 200

    response = as_clerk.post(
        reverse("petition_edit", args=[petition.pk]),
        {
            "received_on": "2026-03-16",
            "channel": "in_person",
            "summary": "Đã sửa",
            "content": "",
            "kind": Kind.DENUNCIATION,
            "party-TOTAL_FORMS": "2",
            "party-INITIAL_FORMS": "1",
            "party-MIN_NUM_FORMS": "0",
            "party-MAX_NUM_FORMS": "50",
            "party-0-id": party.pk,
            "party-0-role": "sender",
            "party-0-kind": "person",
            "party-0-name": "Lê Văn Tám",
            "party-0-address": "ấp 2",
            "party-1-role": "concerned",
            "party-1-kind": "person",
            "party-1-name": "Nguyễn Văn Bình",
            "party-1-position": "Chủ tịch xã",
        },
    )

    assert response.status_code == 302
    petition.refresh_from_db()
    assert (petition.summary, petition.channel, petition.kind) == ("Đã sửa", "in_person", Kind.DENUNCIATION)
    assert sorted(petition.parties.values_list("name", "address", "position")) == [
        ("Lê Văn Tám", "ấp 2", ""),
        ("Nguyễn Văn Bình", "", "Chủ tịch xã"),
    ]


def test_someone_without_the_right_cannot_register_or_edit(client, clerk, province):
    petition = _petition(clerk, province)
    client.force_login(UserFactory(units=[province["ubkt"]], role=Role.OPERATOR, clearance=Level.MAT))

    assert client.get(reverse("petition_register")).status_code == 403
    assert client.get(reverse("petition_edit", args=[petition.pk])).status_code == 403
    assert client.get(reverse("petition_detail", args=[petition.pk])).status_code == 200  # reading is allowed


def test_the_api_registers_without_files_and_with_a_scan(
    client, clerk, province, stub_ocr, django_capture_on_commit_callbacks
):
    client.force_login(clerk)
    created = client.post(
        reverse("petition-list"),
        {
            "unit": province["ubkt"].code,
            "received_on": "2026-03-16",
            "summary": "Gửi qua cổng thông tin",
            "channel": "online",
            "parties": [{"role": "concerned", "name": "Nguyễn Văn Bình", "position": "Chủ tịch xã"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == "1/2026" and body["parties"][0]["name"] == "Nguyễn Văn Bình"
    assert body["deadline"] == "2026-03-25"

    stub_ocr.text = stub_text()
    with django_capture_on_commit_callbacks(execute=True):
        scanned = client.post(
            reverse("petition-list"),
            {"unit": province["ubkt"].code, "letter": io.BytesIO(letter_png(["api"])), "received_on": "2026-03-16"},
        )
    assert scanned.status_code == 201, scanned.content
    detail = client.get(reverse("petition-detail", args=[scanned.json()["id"]])).json()
    assert detail["kind"] == Kind.DENUNCIATION and detail["files"][0]["status"] == "done"
    assert {p["name"] for p in detail["parties"]} == {"Trần Thị Hoa", "Nguyễn Văn Bình"}

    bad = client.post(reverse("petition-list"), {"unit": province["ubkt"].code}, content_type="application/json")
    assert bad.status_code == 400 and "summary" in bad.json()
    listed = client.get(reverse("petition-list"), {"kind": Kind.DENUNCIATION}).json()
    assert [p["id"] for p in listed["results"]] == [scanned.json()["id"]]


def test_the_registration_and_edit_forms_keep_drafts_of_what_is_typed(as_clerk, clerk, province):
    """Nothing typed is lost when the session expires mid-form: both forms opt in to drafts (0031)."""
    petition = _petition(clerk, province)

    assert 'data-draft="petition@' in as_clerk.get(reverse("petition_register")).content.decode()
    assert 'data-draft="petition_edit@' in as_clerk.get(reverse("petition_edit", args=[petition.pk])).content.decode()


def test_the_page_of_a_new_petition_points_to_the_earlier_one_it_repeats(as_clerk, make_petition, english):  # type: ignore[no-untyped-def]
    letter = (
        "Tôi là Nguyễn Văn Bình, trú tại ấp Tân Phong, xã Tân Thành. Tôi tố cáo ông Trần Văn Cường, chủ tịch "
        "xã, đã nhận tiền của các hộ dân khi làm thủ tục cấp giấy chứng nhận quyền sử dụng đất năm 2025 và "
        "không trả lại dù dân đã nhiều lần đề nghị. Đề nghị Ủy ban Kiểm tra xem xét, xử lý nghiêm."
    )
    earlier = make_petition(content=letter, number="3/2026", received_on=dt.date(2026, 1, 5))
    again = make_petition(content=letter.replace("nhiều lần", "nhieu lan"), number="9/2026")
    page = as_clerk.get(reverse("petition_detail", args=[again.pk])).content.decode()
    assert 'id="possible-repeats"' in page and reverse("petition_detail", args=[earlier.pk]) in page
    # The earlier one has nothing before it.
    assert 'id="possible-repeats"' not in as_clerk.get(reverse("petition_detail", args=[earlier.pk])).content.decode()
