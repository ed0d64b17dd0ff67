"""Scans ↔ register rows: the automatic matcher (unit + folded number/symbol + date), suggestions when it
cannot choose, and the operator's picker on the document page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from sohoa.archive import services
from sohoa.archive.models import Document, RegisterEntry
from sohoa.core.models import AuditEvent, Level, Role
from sohoa.reports import selectors as report_selectors
from tests.factories import DocumentFactory, RegisterEntryFactory
from tests.reports.conftest import add_copy

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 3)


@pytest.fixture
def operator(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["ubkt"], role=Role.OPERATOR)


def scanned(unit, **kwargs) -> Document:  # type: ignore[no-untyped-def]
    """A document as the pipeline leaves it: a provisional subject, no number yet, a digital copy."""
    document = DocumentFactory(
        unit=unit, notation="", issued_date=None, subject="scan-0001", issuer="Nơi gửi", **kwargs
    )
    add_copy(document)
    return document


def typed(operator, document: Document, notation: str, day: dt.date | None) -> Document:  # type: ignore[no-untyped-def]
    """The operator types the number/symbol and date on the document form."""
    document.notation, document.number, document.symbol, document.issued_date = notation, "", "", day
    return services.document_save(actor=operator, document=document)


def test_typing_number_symbol_and_date_links_the_scan_to_its_row(province, operator):
    ubkt = province["ubkt"]
    entry = RegisterEntryFactory(unit=ubkt, notation="15/QĐ-UBND", doc_date=DAY)
    RegisterEntryFactory(unit=ubkt, notation="16/QĐ-UBND", doc_date=DAY)
    document = scanned(ubkt)
    assert report_selectors.progress(None, unit=ubkt, year_from=2025, year_to=2025).totals.digitized == 0
    # Case, a "Số:" prefix and spaces do not matter: the folded key does (Đ/đ is not ASCII).
    typed(operator, document, "Số: 15/qđ-ubnd", DAY)
    entry.refresh_from_db()
    assert entry.document_id == document.pk
    event = AuditEvent.objects.filter(action="link").get()
    assert event.actor_id == operator.pk and event.details == {"document": document.pk, "how": "form"}
    totals = report_selectors.progress(None, unit=ubkt, year_from=2025, year_to=2025).totals
    assert (totals.total, totals.digitized) == (2, 1)


def test_two_matching_rows_are_not_linked_but_suggested(province, operator):
    ubkt = province["ubkt"]
    first = RegisterEntryFactory(unit=ubkt, notation="7-CV/TU", doc_date=DAY, year=2025)
    second = RegisterEntryFactory(unit=ubkt, notation="7-CV/TU", doc_date=DAY, year=2025, direction="outgoing")
    document = typed(operator, scanned(ubkt), "7-CV/TU", DAY)
    assert not RegisterEntry.objects.filter(document__isnull=False).exists()
    result = services.register_link_auto(actor=operator, document=document)
    assert result.linked is None and {e.pk for e in result.suggestions} == {first.pk, second.pk}
    assert not AuditEvent.objects.filter(action="link").exists()


def test_a_different_date_or_unit_or_a_linked_row_is_never_matched(province, operator):
    ubkt = province["ubkt"]
    other_date = RegisterEntryFactory(unit=ubkt, notation="9-CV/TU", doc_date=DAY + dt.timedelta(days=1))
    RegisterEntryFactory(unit=province["ubnd"], notation="9-CV/TU", doc_date=DAY)  # another unit's register
    taken = RegisterEntryFactory(unit=ubkt, notation="10-CV/TU", doc_date=DAY, document=DocumentFactory(unit=ubkt))
    document = typed(operator, scanned(ubkt), "9-CV/TU", DAY)
    assert not RegisterEntry.objects.filter(document=document).exists()
    # The row with the other date is offered on the document page, not linked.
    from sohoa.archive import selectors

    assert [e.pk for e in selectors.register_suggestions(operator, document)] == [other_date.pk]
    again = typed(operator, scanned(ubkt), "10-CV/TU", DAY)
    assert not RegisterEntry.objects.filter(document=again).exists() and taken.document_id != again.pk


def test_the_matcher_takes_extracted_values_instead_of_the_typed_ones(province):
    ubkt = province["ubkt"]
    entry = RegisterEntryFactory(unit=ubkt, notation="30/2020/NĐ-CP", doc_date=dt.date(2020, 3, 5))
    document = scanned(ubkt)
    result = services.register_link_auto(
        actor=None, document=document, notation="30/2020/nđ-cp", issued_date=dt.date(2020, 3, 5), source="extraction"
    )
    assert result.linked is not None and result.linked.pk == entry.pk
    assert AuditEvent.objects.filter(action="link").get().details["how"] == "extraction"


def test_a_hidden_row_is_neither_matched_nor_linked(province, operator):
    ubkt = province["ubkt"]
    secret = RegisterEntryFactory(unit=ubkt, notation="5-CV/TU", doc_date=DAY, confidentiality=Level.MAT)
    document = typed(operator, scanned(ubkt), "5-CV/TU", DAY)
    secret.refresh_from_db()
    assert secret.document_id is None
    with pytest.raises(ValidationError):
        services.register_link(actor=operator, entry=secret, document=document)


def test_linking_refuses_another_units_row_a_taken_row_and_a_reader(province, operator, make_user):
    ubkt = province["ubkt"]
    document = scanned(ubkt)
    elsewhere = RegisterEntryFactory(unit=province["ubkt"].parent)
    with pytest.raises(ValidationError) as exc:
        services.register_link(actor=None, entry=elsewhere, document=document)
    assert translation.gettext("The register entry belongs to another unit than the document.") in " ".join(
        exc.value.messages
    )
    taken = RegisterEntryFactory(unit=ubkt, document=DocumentFactory(unit=ubkt))
    with pytest.raises(ValidationError):
        services.register_link(actor=operator, entry=taken, document=document)
    reader = make_user(ubkt, role=Role.UNIT_LEADER)
    with pytest.raises(PermissionDenied):
        services.register_link(actor=reader, entry=RegisterEntryFactory(unit=ubkt), document=document)


# ---- the picker -------------------------------------------------------------------------------------


@pytest.fixture
def picker(client, province, operator):  # type: ignore[no-untyped-def]
    client.force_login(operator)
    ubkt = province["ubkt"]
    document = scanned(ubkt)
    rows = {
        "a": RegisterEntryFactory(unit=ubkt, notation="21-CV/TU", doc_date=DAY, subject="Về công tác kiểm tra"),
        "b": RegisterEntryFactory(unit=ubkt, notation="22-BC/TU", doc_date=dt.date(2025, 4, 1), subject="Báo cáo quý"),
        "linked": RegisterEntryFactory(unit=ubkt, document=DocumentFactory(unit=ubkt), subject="Đã nối"),
        "other": RegisterEntryFactory(unit=province["ubnd"], subject="Của đơn vị khác"),
    }
    return client, document, rows


def test_the_picker_lists_unlinked_rows_of_the_unit_and_filters_them(picker):
    client, document, rows = picker
    url = reverse("document_register_link", args=[document.pk])
    html = client.get(url).content.decode()
    assert "Về công tác kiểm tra" in html and "Báo cáo quý" in html
    assert "Đã nối" not in html and "Của đơn vị khác" not in html
    by_number = client.get(url, {"number": "22-bc"}).content.decode()
    assert "Báo cáo quý" in by_number and "Về công tác kiểm tra" not in by_number
    by_date = client.get(url, {"date": "2025-03-03"}).content.decode()
    assert "Về công tác kiểm tra" in by_date and "Báo cáo quý" not in by_date
    by_subject = client.get(url, {"subject": "quý"}).content.decode()
    assert "Báo cáo quý" in by_subject and "Về công tác kiểm tra" not in by_subject


def test_a_bad_date_filter_is_explained_and_the_list_stays(picker):
    client, document, _rows = picker
    with translation.override("vi"):
        response = client.get(reverse("document_register_link", args=[document.pk]), {"date": "31/02/2025"})
    html = response.content.decode()
    assert response.status_code == 200 and 'class="errorlist' in html  # Django's own (translated) message
    assert "Về công tác kiểm tra" in html


def test_picking_a_row_links_it_and_counts_it_digitized_then_unlinking_undoes_it(picker, province):
    client, document, rows = picker
    url = reverse("document_register_link", args=[document.pk])
    response = client.post(url, {"entry": rows["a"].pk})
    assert response.status_code == 302 and response["Location"] == reverse("document_detail", args=[document.pk])
    rows["a"].refresh_from_db()
    assert rows["a"].document_id == document.pk
    assert AuditEvent.objects.filter(action="link").get().details["how"] == "manual"
    progress = report_selectors.progress(None, unit=province["ubkt"], year_from=2025, year_to=2025)
    assert progress.totals.digitized == 1
    detail = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    assert reverse("register_detail", args=[rows["a"].pk]) in detail
    client.post(url, {"entry": rows["a"].pk, "action": "unlink"})
    rows["a"].refresh_from_db()
    assert rows["a"].document_id is None and AuditEvent.objects.filter(action="unlink").exists()
    assert report_selectors.progress(None, unit=province["ubkt"], year_from=2025, year_to=2025).totals.digitized == 0


def test_picking_a_taken_row_is_a_400_with_a_vietnamese_message_and_nothing_changes(picker):
    client, document, rows = picker
    with translation.override("vi"):
        response = client.post(
            reverse("document_register_link", args=[document.pk]),
            {"entry": rows["linked"].pk},
            HTTP_ACCEPT_LANGUAGE="vi",
        )
    assert response.status_code == 400
    html = response.content.decode()
    with translation.override("vi"):
        message = translation.gettext("The register entry is already linked to another document; unlink it first.")
    assert 'class="flash error"' in html and message in html
    assert "Về công tác kiểm tra" in html  # the list is still there to pick another
    rows["linked"].refresh_from_db()
    assert rows["linked"].document_id != document.pk


def test_a_row_of_another_scope_or_garbage_is_404(picker):
    client, document, rows = picker
    url = reverse("document_register_link", args=[document.pk])
    assert client.post(url, {"entry": rows["other"].pk}).status_code == 404  # UBND is outside UBKT's scope
    assert client.post(url, {"entry": "abc"}).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_a_reader_cannot_open_the_picker(client, province, make_user):
    document = scanned(province["ubkt"])
    client.force_login(make_user(province["ubkt"], role=Role.UNIT_LEADER))
    assert client.get(reverse("document_register_link", args=[document.pk])).status_code == 403
    page = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    assert reverse("document_register_link", args=[document.pk]) not in page


def test_the_document_page_offers_suggestions_with_a_link_button(client, province, operator):
    ubkt = province["ubkt"]
    RegisterEntryFactory(unit=ubkt, notation="3-CV/TU", doc_date=DAY)
    RegisterEntryFactory(unit=ubkt, notation="3-CV/TU", doc_date=DAY, direction="outgoing")
    document = typed(operator, scanned(ubkt), "3-CV/TU", DAY)
    client.force_login(operator)
    html = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    block = html[html.index('id="link-suggestions"') :]
    assert block.count('name="entry"') == 2
