"""The pre-filled form: highlighted by confidence, accepted in one click, linked to its register row,
duplicates flagged, and the accuracy meter counting what clerks kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sohoa.archive.models import Direction, Document
from sohoa.core.models import Level, Role
from sohoa.extraction.header import extract
from sohoa.extraction.layout import from_text
from sohoa.extraction.models import Suggestion
from sohoa.extraction.selectors import accuracy, unit_matcher
from sohoa.extraction.services import suggestion_store
from tests.factories import DocumentFactory, RegisterEntryFactory

from .test_header_text import PARTY_CV

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanned(province) -> Document:  # type: ignore[no-untyped-def]
    """A freshly digitized document: only a provisional subject, nothing typed yet."""
    document = DocumentFactory(unit=province["ubkt"], subject="scan_0001", notation="", issuer="", issued_date=None)
    suggestion_store(document=document, extraction=extract(from_text(PARTY_CV), match_unit=unit_matcher()))
    return document


@pytest.fixture
def clerk(make_user, province):  # type: ignore[no-untyped-def]
    return make_user(province["ubkt"], role=Role.CLERK)


def test_the_form_is_prefilled_and_highlighted_by_confidence(client, clerk, scanned) -> None:  # type: ignore[no-untyped-def]
    suggestion = scanned.suggestion
    suggestion.confidence["subject"] = 0.4  # a hard-to-read subject must be marked for checking
    suggestion.save()
    client.force_login(clerk)
    html = client.get(reverse("suggestion_detail", args=[scanned.pk])).content.decode()
    assert 'value="64-CV/UBKTTU"' in html and 'value="2024-05-17"' in html
    assert 'data-field="subject" data-level="low"' in html
    assert 'data-field="notation" data-level="high"' in html or 'data-field="notation" data-level="medium"' in html
    assert suggestion.issuer_unit.code == "H12.UBKTTU"


def test_accepting_unchanged_fills_the_document_links_its_register_row_and_counts_as_accurate(
    client, clerk, scanned, province
) -> None:  # type: ignore[no-untyped-def]
    entry = RegisterEntryFactory(
        unit=province["ubkt"],
        direction=Direction.OUTGOING,
        year=2024,
        notation="64-CV/UBKTTU",
        doc_date=dt.date(2024, 5, 17),
        document=None,
    )
    client.force_login(clerk)
    page = client.get(reverse("suggestion_detail", args=[scanned.pk]))
    form = page.context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    response = client.post(reverse("suggestion_detail", args=[scanned.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    scanned.refresh_from_db()
    assert scanned.notation == "64-CV/UBKTTU" and scanned.issued_date == dt.date(2024, 5, 17)
    assert scanned.doc_type == "CV" and scanned.issuer == "ỦY BAN KIỂM TRA"
    assert scanned.issuer_unit.code == "H12.UBKTTU"
    assert scanned.subject == "báo cáo tiến độ số hóa tài liệu lưu trữ năm 2024"
    entry.refresh_from_db()
    assert entry.document_id == scanned.pk, "the register row with the same notation and date is linked"
    suggestion = Suggestion.objects.get(document=scanned)
    assert suggestion.status == Suggestion.Status.ACCEPTED and all(suggestion.outcome.values())
    notation = next(row for row in accuracy() if row.field == "notation")
    assert notation.suggested == 1 and notation.unchanged == 1 and notation.percent == 100.0


def test_a_corrected_field_is_counted_as_changed(client, clerk, scanned) -> None:  # type: ignore[no-untyped-def]
    client.force_login(clerk)
    form = client.get(reverse("suggestion_detail", args=[scanned.pk])).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data["subject"] = "báo cáo tiến độ số hóa năm 2024"
    assert client.post(reverse("suggestion_detail", args=[scanned.pk]), data).status_code == 302
    outcome = Suggestion.objects.get(document=scanned).outcome
    assert outcome["subject"] is False and outcome["notation"] is True
    subject = next(row for row in accuracy() if row.field == "subject")
    assert subject.suggested == 1 and subject.unchanged == 0 and subject.percent == 0.0


def test_a_duplicate_notation_and_issuer_is_flagged_and_needs_confirmation(client, clerk, scanned, province) -> None:  # type: ignore[no-untyped-def]
    DocumentFactory(unit=province["ubkt"], notation="64-CV/UBKTTU", issuer="ỦY BAN KIỂM TRA")
    client.force_login(clerk)
    page = client.get(reverse("suggestion_detail", args=[scanned.pk]))
    assert 'id="duplicate-flag"' in page.content.decode()
    data = {name: ("" if value is None else value) for name, value in page.context["form"].initial.items()}
    refused = client.post(reverse("suggestion_detail", args=[scanned.pk]), data)
    assert refused.status_code == 200 and refused.context["form"].errors
    scanned.refresh_from_db()
    assert scanned.notation == "", "nothing is written until the clerk confirms"
    confirmed = client.post(reverse("suggestion_detail", args=[scanned.pk]), {**data, "confirm_duplicate": "on"})
    assert confirmed.status_code == 302


def test_confidentiality_read_from_the_scan_raises_the_level_but_never_lowers_it(client, province, make_user) -> None:  # type: ignore[no-untyped-def]
    secret = DocumentFactory(unit=province["ubkt"], confidentiality=Level.MAT, notation="", issued_date=None)
    suggestion_store(document=secret, extraction=extract(from_text(PARTY_CV)))
    clerk = make_user(province["ubkt"], role=Role.CLERK, clearance=Level.MAT)
    client.force_login(clerk)
    data = {
        n: ("" if v is None else v)
        for n, v in client.get(reverse("suggestion_detail", args=[secret.pk])).context["form"].initial.items()
    }
    assert (
        client.post(reverse("suggestion_detail", args=[secret.pk]), {**data, "confidentiality": ""}).status_code == 302
    )
    secret.refresh_from_db()
    assert secret.confidentiality == Level.MAT


def test_bad_input_is_reported_and_nothing_is_written(client, clerk, scanned) -> None:  # type: ignore[no-untyped-def]
    client.force_login(clerk)
    response = client.post(
        reverse("suggestion_detail", args=[scanned.pk]), {"issued_date": "31/02/2024", "doc_type": "XYZ"}
    )
    assert response.status_code == 200 and set(response.context["form"].errors) == {"issued_date", "doc_type"}
    scanned.refresh_from_db()
    assert scanned.notation == "" and Suggestion.objects.get(document=scanned).status == Suggestion.Status.PENDING


def test_a_reader_may_look_but_not_accept_and_other_units_get_404(client, make_user, province, scanned) -> None:  # type: ignore[no-untyped-def]
    reader = make_user(province["ubkt"], role=Role.STANDING_COMMITTEE)
    client.force_login(reader)
    page = client.get(reverse("suggestion_detail", args=[scanned.pk]))
    assert page.status_code == 200 and 'id="accept"' not in page.content.decode()
    assert client.post(reverse("suggestion_detail", args=[scanned.pk]), {}).status_code == 403
    outsider = make_user(province["ubnd"], role=Role.CLERK)
    client.force_login(outsider)
    assert client.get(reverse("suggestion_detail", args=[scanned.pk])).status_code == 404


def test_a_rerun_never_undoes_the_clerks_decision(clerk, scanned) -> None:  # type: ignore[no-untyped-def]
    from sohoa.extraction.services import suggestion_dismiss

    suggestion_dismiss(actor=clerk, suggestion=scanned.suggestion)
    suggestion_store(document=scanned, extraction=extract(from_text("")))
    assert Suggestion.objects.get(document=scanned).status == Suggestion.Status.DISMISSED


def test_a_decided_suggestion_cannot_be_accepted_again(client, clerk, scanned) -> None:  # type: ignore[no-untyped-def]
    from sohoa.extraction.services import suggestion_dismiss

    suggestion_dismiss(actor=clerk, suggestion=scanned.suggestion)
    client.force_login(clerk)
    response = client.post(reverse("suggestion_detail", args=[scanned.pk]), {"notation": "1/QĐ-UBND"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    scanned.refresh_from_db()
    assert scanned.notation == ""
