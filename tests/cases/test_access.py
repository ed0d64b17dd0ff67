"""Who sees a case file: clearance ≥ the case's level, its handling unit in scope, a reader's role, or a
grant on the record it was closed into. Everyone else sees nothing: list, detail, actions, API, counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sohoa.cases import selectors
from sohoa.cases.models import CaseDocument, CaseSubject, Stage
from sohoa.core.models import Level, Role
from tests.factories import DocumentFactory, GrantFactory, RecordFactory, UserFactory

from .factories import make_case

MARKER = "VUVIECBIMAT"


@pytest.fixture
def secret_case(province):  # type: ignore[no-untyped-def]
    case = make_case(province["ubkt"], title=f"{MARKER} kiểm tra", confidentiality=Level.TOI_MAT, number="07-VV")
    CaseSubject.objects.create(case=case, name=f"{MARKER} đảng viên")
    document = DocumentFactory(unit=province["ubkt"], confidentiality=Level.TOI_MAT, subject=f"{MARKER} kết luận")
    CaseDocument.objects.create(case=case, document=document, role="conclusion")
    return case


def _pages(client, case):  # type: ignore[no-untyped-def]
    """(answer, its text) for every way of reading or counting the case."""
    gets = [
        reverse("case_list"),
        reverse("case_detail", args=[case.pk]),
        reverse("case_edit", args=[case.pk]),
        reverse("case-list"),
        reverse("case-detail", args=[case.pk]),
        reverse("case-counts"),
        reverse("missing_codes"),
    ]
    posts = [
        reverse(name, args=[case.pk])
        for name in ("case_advance", "case_close", "case_subject_add", "case_document_attach", "case-advance")
    ]
    return [(client.get(u), u) for u in gets] + [(client.post(u, {"stage": "planned"}), u) for u in posts]


@pytest.mark.parametrize(
    "who",
    ["low_clearance_inspector", "other_province_inspector", "clerk_with_clearance", "anonymous"],
)
def test_those_without_the_right_see_nothing_of_the_case(client, province, secret_case, who):  # type: ignore[no-untyped-def]
    users = {
        "low_clearance_inspector": UserFactory(units=[province["ubkt"]], role=Role.INSPECTOR, clearance=Level.MAT),
        "other_province_inspector": UserFactory(
            units=[province["other"]], role=Role.INSPECTOR, clearance=Level.TUYET_MAT
        ),
        # Within scope and clearance, but case files are not a records clerk's to read.
        "clerk_with_clearance": UserFactory(units=[province["ubkt"]], role=Role.CLERK, clearance=Level.TUYET_MAT),
    }
    if who != "anonymous":
        client.force_login(users[who])
    for response, url in _pages(client, secret_case):
        text = response.content.decode(errors="replace")
        assert MARKER not in text, url
        if who == "anonymous":
            assert response.status_code in (302, 401, 403), url
        elif "/cases/" in url and str(secret_case.pk) in url:
            assert response.status_code == 404, (url, response.status_code)
    if who != "anonymous":
        user = users[who]
        assert not selectors.case_list(user).exists()
        assert selectors.case_counts(user)["total"] == 0
        assert client.get(reverse("case-list")).json()["count"] == 0


def test_those_allowed_see_it_and_a_grant_on_its_record_opens_a_closed_case(client, province, secret_case):
    reader = UserFactory(units=[province["root"]], role=Role.STANDING_COMMITTEE, clearance=Level.TUYET_MAT)
    client.force_login(reader)
    assert MARKER in client.get(reverse("case_list")).content.decode()
    page = client.get(reverse("case_detail", args=[secret_case.pk])).content.decode()
    assert f"{MARKER} đảng viên" in page and f"{MARKER} kết luận" in page
    detail = client.get(reverse("case-detail", args=[secret_case.pk])).json()
    assert detail["confidentiality"] == "toi_mat" and len(detail["subjects"]) == 1 and len(detail["documents"]) == 1
    # A reader may not act on it.
    assert client.post(reverse("case_advance", args=[secret_case.pk]), {"stage": "planned"}).status_code == 403

    record = RecordFactory(unit=province["ubkt"], confidentiality=Level.TOI_MAT, code="H12.UBKTTU.2025.07-VV")
    secret_case.record, secret_case.stage = record, Stage.CLOSED
    secret_case.save()
    outsider = UserFactory(units=[province["other"]], role=Role.INSPECTOR, clearance=Level.NONE)
    client.force_login(outsider)
    assert client.get(reverse("case_detail", args=[secret_case.pk])).status_code == 404
    GrantFactory(user=outsider, record=record, unit=province["ubkt"])
    assert client.get(reverse("case_detail", args=[secret_case.pk])).status_code == 200
    assert [c.pk for c in selectors.case_list(outsider)] == [secret_case.pk]
