"""The case pages and API: open, work through the stages to a closed record in the browser's forms and by
the API, refusals shown with what was typed kept, and the list in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sohoa.cases.models import Case, CaseDocument, Stage
from sohoa.core.models import Level
from sohoa.digitization.models import Intake

from .factories import make_case


def test_a_case_is_worked_through_the_pages_to_its_record(client, province, party, inspector, doc, english):
    client.force_login(inspector)
    response = client.post(
        reverse("case_create"),
        {
            "unit": province["ubkt"].pk,
            "title": "Giám sát chuyên đề năm 2025",
            "kind": "supervision",
            "confidentiality": 0,
            "opened_on": "2025-04-01",
            "deadline": "2025-06-30",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("case_detail", args=[case.pk])
    assert case.code == "H12.UBKTTU.2025.01-GS"
    url = reverse("case_detail", args=[case.pk])
    assert (
        client.post(reverse("case_subject_add", args=[case.pk]), {"kind": "person", "code": "DV001"}).status_code == 302
    )
    for role in ("decision", "plan"):
        d = doc(subject=f"Văn bản {role}")
        assert (
            client.post(reverse("case_document_attach", args=[case.pk]), {"document": d.pk, "role": role}).status_code
            == 302
        )
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 bien ban", content_type="application/pdf")
    response = client.post(
        reverse("case_document_upload", args=[case.pk]), {"file": upload, "role": "minutes", "confidentiality": 0}
    )
    assert response.status_code == 302
    assert Intake.objects.get().original_name == "bien-ban.pdf"

    page = client.get(url).content.decode()
    assert "Nguyễn Văn Hùng" in page and "bien-ban.pdf" in page and "Move to “Planned”" in page

    # A refused step is shown on the page with the reasons.
    response = client.post(reverse("case_advance", args=[case.pk]), {"stage": "verifying"})
    assert response.status_code == 400
    assert "A case moves one stage at a time" in response.content.decode()
    for stage in ("planned", "verifying"):
        assert client.post(reverse("case_advance", args=[case.pk]), {"stage": stage}).status_code == 302
    response = client.post(reverse("case_advance", args=[case.pk]), {"stage": "concluded", "outcome": "no_violation"})
    assert response.status_code == 400
    assert "without a conclusion document" in response.content.decode()
    conclusion = doc(subject="Kết luận giám sát")
    client.post(reverse("case_document_attach", args=[case.pk]), {"document": conclusion.pk, "role": "conclusion"})
    assert (
        client.post(
            reverse("case_advance", args=[case.pk]), {"stage": "concluded", "outcome": "no_violation"}
        ).status_code
        == 302
    )
    # The upload is not digitized yet: closing says so, and removing it lets the case close.
    response = client.post(reverse("case_close", args=[case.pk]), {"retention": "permanent"})
    assert response.status_code == 400 and "not digitized yet" in response.content.decode()
    pending = CaseDocument.objects.get(intake__isnull=False)
    assert client.post(reverse("case_document_remove", args=[case.pk]), {"item": pending.pk}).status_code == 302
    response = client.post(reverse("case_close", args=[case.pk]), {"retention": "permanent"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.record.code == "H12.UBKTTU.2025.01-GS"
    assert case.record.documents.count() == 3
    page = client.get(url).content.decode()
    assert "it can no longer be changed" in page and 'id="advance-form"' not in page and 'id="attach-form"' not in page
    response = client.post(reverse("case_document_attach", args=[case.pk]), {"document": doc().pk, "role": "other"})
    assert response.status_code == 400


def test_bad_input_keeps_what_was_typed_and_says_why(client, province, inspector, english):
    client.force_login(inspector)
    typed = {"unit": province["ubkt"].pk, "title": "Kiểm tra chi bộ", "kind": "inspection", "confidentiality": 0}
    typed |= {"opened_on": "2025-05-10", "deadline": "2025-05-01", "summary": "Nội dung đã gõ dài"}
    response = client.post(reverse("case_create"), typed)
    text = response.content.decode()
    assert response.status_code == 400
    assert "Nội dung đã gõ dài" in text and "The deadline cannot be before the case was opened." in text
    response = client.post(reverse("case_create"), typed | {"title": "  ", "deadline": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert not Case.objects.exists()
    case = make_case(province["ubkt"])
    response = client.post(reverse("case_subject_add", args=[case.pk]), {"kind": "person", "code": "KHONGCO"})
    assert response.status_code == 400 and "Unknown party member code: KHONGCO." in response.content.decode()
    response = client.post(reverse("case_document_upload", args=[case.pk]), {"role": "minutes", "confidentiality": 0})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_the_api_opens_advances_and_closes_a_case(client, province, party, inspector, doc, english):
    client.force_login(inspector)
    response = client.post(
        reverse("case-list"),
        {"unit": "H12.UBKTTU", "title": "Kiểm tra tổ chức đảng", "kind": "inspection", "confidentiality": "mat"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["code"].startswith("H12.UBKTTU.") and response.json()["confidentiality"] == "mat"
    subject = client.post(reverse("case-subjects", args=[pk]), {"code": "H12.TU.CB01", "kind": "organization"})
    assert subject.status_code == 201 and subject.json()["name"] == "Chi bộ Văn phòng Tỉnh ủy"
    for role in ("decision", "plan", "conclusion"):
        d = doc(confidentiality=Level.MAT)
        assert client.post(reverse("case-documents", args=[pk]), {"document": d.pk, "role": role}).status_code == 201
    refused = client.post(reverse("case-advance", args=[pk]), {"stage": "concluded"})
    assert refused.status_code == 400 and "one stage at a time" in str(refused.json())
    for stage in ("planned", "verifying"):
        assert client.post(reverse("case-advance", args=[pk]), {"stage": stage}).status_code == 200
    body = {"stage": "concluded", "outcome": "violation"}
    assert client.post(reverse("case-advance", args=[pk]), body).json()["outcome"] == "violation"
    closed = client.post(reverse("case-close", args=[pk]), {"retention": "20"})
    assert closed.status_code == 200 and closed.json()["stage"] == "closed"
    assert closed.json()["record"] == closed.json()["code"]
    detail = client.get(reverse("case-detail", args=[pk])).json()
    assert [d["role"] for d in detail["documents"]] == ["decision", "plan", "conclusion"]
    assert [s["stage"] for s in detail["stages"]][-1] == "closed"
    counts = client.get(reverse("case-counts"), {"unit": "H12.TU"}).json()
    assert counts["total"] == 1 and counts["by_stage"]["closed"] == 1 and counts["by_outcome"]["violation"] == 1
    assert (
        client.patch(reverse("case-detail", args=[pk]), {"title": "Khác"}, content_type="application/json").status_code
        == 400
    )


@pytest.mark.parametrize("rows", [3, 30])
def test_the_case_list_takes_a_fixed_number_of_queries(
    client, province, inspector, django_assert_max_num_queries, rows
):
    for n in range(rows):
        make_case(province["ubkt"], deadline=dt.date(2020, 1, 1) if n % 2 else None)
    client.force_login(inspector)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("case_list"), {"overdue": "on"})
    assert response.status_code == 200
    assert response.content.decode().count('class="overdue"') == min(rows // 2, 25)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("case-list")).json()["count"] == rows
