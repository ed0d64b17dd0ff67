"""The missing-codes report per unit (page and XLSX), the API, and mentions of hidden documents."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse

from sohoa.codes import services
from sohoa.codes.models import DocumentMention
from sohoa.codes.owners import OWNERS
from sohoa.core.models import Level, Role
from tests.factories import DocumentFactory, UserFactory

DOC = OWNERS["document"]


@pytest.fixture
def documents(province, party, clerk):  # type: ignore[no-untyped-def]
    ubkt_doc = DocumentFactory(unit=province["ubkt"], notation="1-BC/UBKT")
    tu_doc = DocumentFactory(unit=province["tu"], notation="2-CV/TU")
    done_doc = DocumentFactory(unit=province["tu"], notation="3-CV/TU")
    secret = DocumentFactory(unit=province["ubkt"], notation="4-BC/UBKT", confidentiality=Level.TUYET_MAT)
    for doc, names in ((ubkt_doc, ["A", "B"]), (tu_doc, ["C"]), (secret, ["BIMAT"])):
        for name in names:
            DocumentMention.objects.create(document=doc, name=f"Nguyễn {name}")
    DocumentMention.objects.create(document=done_doc, name="Trần Thị Thu Hà", code="DV003")
    return {"ubkt": ubkt_doc, "tu": tu_doc, "done": done_doc, "secret": secret}


def test_missing_codes_report_counts_records_per_unit(client, province, documents, clerk, english):
    client.force_login(clerk)
    page = client.get(reverse("missing_codes")).content.decode()
    assert "1-BC/UBKT" in page and "2-CV/TU" in page
    assert "3-CV/TU" not in page  # its only name has a code
    assert "4-BC/UBKT" not in page and "BIMAT" not in page  # tuyệt mật: the clerk may not see it
    from sohoa.codes.selectors import missing_report

    rows = {r.unit.code: (r.records, r.mentions) for r in missing_report(clerk).rows}
    assert rows == {"H12.TU": (1, 1), "H12.UBKTTU": (1, 2)}

    response = client.get(reverse("missing_codes_xlsx"))
    assert response.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(response.content))
    sheet = book.worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["H12.UBKTTU", "Ủy ban Kiểm tra Tỉnh ủy", 1, 2] in values
    assert values[-1][2:] == [2, 3]


def test_hidden_documents_mentions_are_never_shown(client, province, documents, clerk):
    client.force_login(clerk)
    secret = documents["secret"]
    mention = DocumentMention.objects.get(document=secret)
    assert client.get(reverse("document_mentions", args=[secret.pk])).status_code == 404
    assert client.post(reverse("document_mentions", args=[secret.pk]), {"name": "X"}).status_code == 404
    assert client.post(reverse("document_mentions_accept", args=[secret.pk]), {"action": "auto"}).status_code == 404
    assert client.get(reverse("mention-detail", args=[mention.pk])).status_code == 404
    assert client.get(reverse("mention-suggestions", args=[mention.pk])).status_code == 404
    assert client.post(reverse("mention-code", args=[mention.pk]), {"code": "DV001"}).status_code == 404
    listing = client.get(reverse("mention-list")).content.decode()
    assert "BIMAT" not in listing
    bulk = client.post(
        reverse("mention-accept"),
        {"choices": [{"mention": mention.pk, "code": "DV001"}]},
        content_type="application/json",
    )
    assert bulk.status_code == 400
    mention.refresh_from_db()
    assert mention.code == ""
    # With the clearance, the same clerk sees it.
    cleared = UserFactory(units=[province["tu"]], role=Role.CLERK, clearance=Level.TUYET_MAT)
    client.force_login(cleared)
    assert client.get(reverse("document_mentions", args=[secret.pk])).status_code == 200


def test_api_adds_a_mention_checks_its_code_and_suggests(client, province, party, clerk, english):
    document = DocumentFactory(unit=province["ubkt"])
    client.force_login(clerk)
    url = reverse("mention-list")
    bad = client.post(
        url, {"document": document.pk, "name": "Nguyễn Văn Hùng", "code": "ZZ1"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == ["Unknown party member code: ZZ1."]
    created = client.post(
        url,
        {"document": document.pk, "name": "Nguyen Van Hung", "birth_date": "1982-11-20", "unit_hint": "H12.TU"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    suggestions = client.get(reverse("mention-suggestions", args=[pk])).json()
    assert suggestions[0]["code"] == "DV002"
    assert suggestions[0]["reasons"] == ["same_name", "same_birth_date", "same_organization"]
    assert suggestions[0]["ties"] == 0
    accepted = client.post(
        reverse("mention-accept"), {"choices": [{"mention": pk, "code": "DV002"}]}, content_type="application/json"
    )
    assert accepted.status_code == 200
    assert accepted.json()[0]["code_source"] == "suggestion"
    assert client.get(url, {"document": document.pk, "missing": "true"}).json() in (
        [],
        {"count": 0, "next": None, "previous": None, "results": []},
    )


def test_readers_may_not_write(client, province, party, document):
    reader = UserFactory(units=[province["tu"]], role=Role.STANDING_COMMITTEE, clearance=Level.NONE)
    m = services.mention_add(
        actor=UserFactory(units=[province["tu"]], role=Role.CLERK),
        owner=DOC,
        record=document,
        kind="person",
        name="X Y",
    )
    client.force_login(reader)
    assert client.post(reverse("document_mentions", args=[document.pk]), {"name": "Z"}).status_code == 403
    assert client.post(reverse("mention-code", args=[m.pk]), {"code": "DV001"}).status_code == 403


@pytest.mark.django_db
def test_the_page_says_when_namesakes_fit_equally_instead_of_offering_a_best_guess(
    client, province, party, clerk, document, english
):  # type: ignore[no-untyped-def]
    services.mention_add(actor=clerk, owner=OWNERS["document"], record=document, kind="person", name="Nguyen Van Hung")
    client.force_login(clerk)
    page = client.get(reverse("document_mentions", args=[document.pk])).content.decode()
    assert "2 members fit equally well" in page and "DV001" in page and "DV002" in page
