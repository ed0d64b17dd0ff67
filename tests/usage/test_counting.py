"""Every view, download, share, citation, look-up and paper request is counted once, through the real views."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from sohoa.core.models import AuditEvent, Level, Role
from sohoa.usage import selectors, services
from sohoa.usage.models import UseEvent, UseKind
from tests.factories import DocumentFactory, RegisterEntryFactory

pytestmark = pytest.mark.django_db


def kinds(**filters):  # type: ignore[no-untyped-def]
    return sorted(UseEvent.objects.filter(**filters).values_list("kind", flat=True))


@pytest.fixture
def reader(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["ubkt"], role=Role.INSPECTOR)


def test_a_document_page_view_is_counted_once_per_window(client, province, reader, digitized):
    document = digitized(unit=province["ubkt"])
    client.force_login(reader)
    url = reverse("document_detail", args=[document.pk])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # a reload within the window
    assert kinds(document=document) == ["view"]
    # Half an hour later (the default window is 30 minutes) it is a new use.
    UseEvent.objects.filter(document=document).update(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
    client.get(url)
    assert kinds(document=document) == ["view", "view"]


def test_the_window_is_per_user_and_per_kind(client, province, reader, make_user, digitized):
    document = digitized(unit=province["ubkt"])
    other = make_user(province["ubkt"], role=Role.ARCHIVIST)
    services.use_record(actor=reader, kind=UseKind.VIEW, document=document)
    assert services.use_record(actor=reader, kind=UseKind.VIEW, document=document) is None
    assert services.use_record(actor=other, kind=UseKind.VIEW, document=document) is not None
    assert services.use_record(actor=reader, kind=UseKind.DOWNLOAD, document=document) is not None
    assert kinds(document=document) == ["download", "view", "view"]


def test_the_window_follows_the_setting(settings, province, reader, digitized):
    document = digitized(unit=province["ubkt"])
    settings.USAGE_DEDUP_MINUTES = 0
    services.use_record(actor=reader, kind=UseKind.VIEW, document=document)
    services.use_record(actor=reader, kind=UseKind.VIEW, document=document)
    assert UseEvent.objects.filter(document=document).count() == 2


def test_downloads_and_the_inline_view_are_counted(client, province, reader, digitized):
    document = digitized(unit=province["ubkt"])
    client.force_login(reader)
    # Reading a streamed response to its end closes its file (the test client's own close keeps the database).
    inline = client.get(reverse("archival_download", args=[document.pk]), {"inline": "1"})
    assert inline.status_code == 200 and b"".join(inline.streaming_content).startswith(b"%PDF")
    for name in ("archival_download", "original_download"):  # the second one: same kind, same window
        response = client.get(reverse(name, args=[document.pk]))
        assert response.status_code == 200 and b"".join(response.streaming_content)
    assert kinds(document=document) == ["download", "view"]


def test_share_records_the_recipient_and_is_always_counted(client, province, reader, make_user, digitized):
    document = digitized(unit=province["ubkt"])
    colleague = make_user(province["ubkt"], role=Role.ARCHIVIST)
    client.force_login(reader)
    url = reverse("usage_share", args=[document.pk])
    page = client.get(url).content.decode()
    assert f"/documents/{document.pk}/" in page and colleague.username in page  # the link to copy, the colleague
    for _ in range(2):
        response = client.post(url, {"recipient": colleague.pk, "note": "Xem giúp"})
        assert response.status_code == 302 and response["Location"] == reverse("document_detail", args=[document.pk])
    shares = UseEvent.objects.filter(document=document, kind=UseKind.SHARE)
    assert shares.count() == 2 and {s.recipient_id for s in shares} == {colleague.pk}
    assert AuditEvent.objects.filter(action="share", object_id=str(document.pk)).count() == 2


def test_share_cannot_name_someone_outside_the_scope(client, province, reader, make_user, digitized):
    document = digitized(unit=province["ubkt"])
    stranger = make_user(province["other"])
    client.force_login(reader)
    response = client.post(reverse("usage_share", args=[document.pk]), {"recipient": stranger.pk})
    assert response.status_code == 400
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert stranger.username not in client.get(reverse("usage_share", args=[document.pk])).content.decode()
    assert not UseEvent.objects.filter(kind=UseKind.SHARE).exists()


def test_a_citation_needs_where_it_was_cited(client, province, reader, digitized):
    document = digitized(unit=province["ubkt"])
    client.force_login(reader)
    url = reverse("usage_cite", args=[document.pk])
    bad = client.post(url, {"cited_in": "   ", "note": "x"})
    assert bad.status_code == 400
    assert "Trường này là bắt buộc" in bad.content.decode()
    assert not UseEvent.objects.filter(kind=UseKind.CITATION).exists()
    ok = client.post(url, {"cited_in": "Báo cáo số 12-BC/TU", "note": "mục 2"})
    assert ok.status_code == 302
    cite = UseEvent.objects.get(kind=UseKind.CITATION)
    assert cite.note == "Báo cáo số 12-BC/TU — mục 2" and cite.actor == reader


def test_bad_input_messages_are_in_english_too(client, province, reader, digitized):
    document = digitized(unit=province["ubkt"])
    client.force_login(reader)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        bad = client.post(reverse("usage_cite", args=[document.pk]), {"cited_in": ""})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    assert "Trường này" not in bad.content.decode()


def test_register_lookups_and_paper_requests_feed_the_demand(client, province, reader):
    entry = RegisterEntryFactory(unit=province["ubkt"])
    client.force_login(reader)
    client.get(reverse("register_detail", args=[entry.pk]))
    client.get(reverse("register_detail", args=[entry.pk]))  # one look-up per window
    page = client.get(reverse("register_detail", args=[entry.pk])).content.decode()
    assert reverse("usage_request", args=[entry.pk]) in page
    url = reverse("usage_request", args=[entry.pk])
    assert client.post(url, {"purpose": ""}).status_code == 400
    assert client.post(url, {"purpose": "Giải quyết đơn 15/2025"}).status_code == 302
    assert client.post(url, {"purpose": "Lần nữa"}).status_code == 302  # a request is always counted
    assert kinds(register_entry=entry) == ["lookup", "request", "request"]
    assert selectors.entry_demand([entry.pk]) == {entry.pk: 3}
    assert AuditEvent.objects.filter(action="request", object_type="archive.registerentry").count() == 2


def test_documents_and_entries_out_of_reach_are_neither_shown_nor_counted(client, province, reader, digitized):
    secret = digitized(unit=province["ubkt"], confidentiality=Level.TUYET_MAT)
    elsewhere = digitized(unit=province["ubnd"])
    secret_entry = RegisterEntryFactory(unit=province["ubkt"], confidentiality=Level.MAT)
    client.force_login(reader)
    for doc in (secret, elsewhere):
        for name in ("document_detail", "usage_share", "usage_cite", "archival_download", "original_download"):
            assert client.get(reverse(name, args=[doc.pk])).status_code == 404, name
        assert client.post(reverse("usage_cite", args=[doc.pk]), {"cited_in": "x"}).status_code == 404
    assert client.post(reverse("usage_request", args=[secret_entry.pk]), {"purpose": "x"}).status_code == 404
    assert client.get(reverse("register_detail", args=[secret_entry.pk])).status_code == 404
    assert not UseEvent.objects.exists()


def test_the_document_page_offers_share_and_cite_with_its_counts(client, province, reader, digitized):
    document = digitized(unit=province["ubkt"])
    services.use_record(actor=None, kind=UseKind.CITATION, document=document, note="x")
    client.force_login(reader)
    page = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    assert reverse("usage_share", args=[document.pk]) in page and reverse("usage_cite", args=[document.pk]) in page
    assert 'id="usage-actions"' in page


def test_a_use_needs_a_target():
    with pytest.raises(ValueError):
        services.use_record(actor=None, kind=UseKind.VIEW)


def test_paper_only_documents_are_counted_as_views_too(client, province, reader):
    """A view of a document not digitized yet is recorded (it is demand); effectiveness ignores it."""
    document = DocumentFactory(unit=province["ubkt"])
    client.force_login(reader)
    client.get(reverse("document_detail", args=[document.pk]))
    assert kinds(document=document) == ["view"]
