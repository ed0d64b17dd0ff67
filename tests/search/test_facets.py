"""Facets count what the user may see under the current query, and each facet value filters."""

from __future__ import annotations

import datetime as dt

import pytest

from sohoa.core.models import Level, Role
from sohoa.search import selectors
from sohoa.search.selectors import Filters
from tests.factories import DigitalCopyFactory
from tests.search.conftest import add_document, ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(province):  # type: ignore[no-untyped-def]
    made = {
        "cv2020": add_document(unit=province["tu"], doc_type="CV", issued_date=dt.date(2020, 3, 1),
                               subject="Công văn về chuyển đổi số", pages=["nội dung chuyển đổi số"]),
        "qd2021": add_document(unit=province["ubkt"], doc_type="QD", issued_date=dt.date(2021, 6, 1),
                               subject="Quyết định chuyển đổi số"),
        "bc2021": add_document(unit=province["ubnd"], doc_type="BC", issued_date=dt.date(2021, 9, 9),
                               subject="Báo cáo chuyển đổi số", confidentiality=Level.MAT, language="en"),
        "other": add_document(unit=province["other"], doc_type="CV", subject="Chuyển đổi số tỉnh khác"),
    }  # fmt: skip
    DigitalCopyFactory(document=made["qd2021"])
    from sohoa.search import services

    services.index_documents([made["qd2021"].pk])
    return made


@pytest.fixture
def office(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["root"], role=Role.PROVINCIAL_OFFICE, clearance=Level.MAT)


def test_counts_per_facet(office, docs):  # type: ignore[no-untyped-def]
    page = selectors.search(office, "chuyển đổi số")
    assert page.total == 3
    f = {name: dict(buckets) for name, buckets in page.facets.items()}
    assert f["doctype"] == {"CV": 1, "QD": 1, "BC": 1}
    assert f["year"] == {2020: 1, 2021: 2}
    assert f["level"] == {0: 2, 1: 1}
    assert f["status"] == {"digitizing": 1, "digitized": 1, "registered": 1}
    assert f["has_text"] == {1: 1, 0: 2}
    assert f["lang"] == {"vi": 2, "en": 1}
    assert f["unit_id"] == {docs["cv2020"].unit_id: 1, docs["qd2021"].unit_id: 1, docs["bc2021"].unit_id: 1}


def test_each_filter_narrows(office, docs, province):  # type: ignore[no-untyped-def]
    def found(**kw):  # type: ignore[no-untyped-def]
        return set(ids(office, "chuyển đổi số", filters=Filters(**kw)))

    assert found(unit=province["tu"].pk) == {docs["cv2020"].pk, docs["qd2021"].pk}  # the subtree
    assert found(doctype="QD") == {docs["qd2021"].pk}
    assert found(year_from=2021) == {docs["qd2021"].pk, docs["bc2021"].pk}
    assert found(year_to=2020) == {docs["cv2020"].pk}
    assert found(date_from=dt.date(2021, 7, 1), date_to=dt.date(2021, 12, 31)) == {docs["bc2021"].pk}
    assert found(level=1) == {docs["bc2021"].pk}
    assert found(status="digitized") == {docs["qd2021"].pk}
    assert found(has_text=True) == {docs["cv2020"].pk}
    assert found(lang="en") == {docs["bc2021"].pk}
    assert found(unit=province["other"].pk) == set()  # out of scope: the filter cannot reveal it


def test_sort_by_date(office, docs):  # type: ignore[no-untyped-def]
    newest = ids(office, "chuyển đổi số", sort="newest")
    assert newest == [docs["bc2021"].pk, docs["qd2021"].pk, docs["cv2020"].pk]
    assert ids(office, "chuyển đổi số", sort="oldest") == newest[::-1]


def test_units_by_creating_unit_or_by_custodian(office, province, client, english):  # type: ignore[no-untyped-def]
    """After a merger the custodian changes and the creating unit (provenance) does not: search reads
    units either way, and a creating unit outside the user's scope still names the documents they see."""
    moved = add_document(unit=province["ubnd"], creator_unit=province["other"], subject="Hồ sơ sáp nhập địa giới")
    kept = add_document(unit=province["ubnd"], subject="Hồ sơ địa giới hành chính")
    assert set(ids(office, "địa giới", filters=Filters(unit=province["ubnd"].pk))) == {moved.pk, kept.pk}
    assert ids(office, "địa giới", filters=Filters(unit=province["other"].pk, by="creator")) == [moved.pk]
    assert ids(office, "địa giới", filters=Filters(unit=province["ubnd"].pk, by="creator")) == [kept.pk]
    facets = selectors.search(office, "địa giới", Filters(by="creator")).facets
    assert dict(facets["creator_id"]) == {province["other"].pk: 1, province["ubnd"].pk: 1}

    client.force_login(office)
    page = client.get("/search/", {"q": "địa giới", "by": "creator", "unit": province["other"].pk}).content.decode()
    assert "Hồ sơ sáp nhập" in page and "Hồ sơ địa giới hành chính" not in page
    assert 'aria-current="true">By creating unit' in page and province["other"].name in page
    # By custodian the same unit id is outside the office's scope: refused, as any unknown unit.
    api = client.get("/api/search/", {"q": "địa giới", "unit": province["other"].pk})
    assert api.status_code == 400 and api.json() == {"unit": ["Unknown unit."]}
    api = client.get("/api/search/", {"q": "địa giới", "by": "creator", "unit": province["other"].pk}).json()
    assert [r["document_id"] for r in api["results"]] == [moved.pk]


def test_a_petitions_papers_are_found_by_its_number_and_filtered_by_it(office, province, client, english):  # type: ignore[no-untyped-def]
    """The index holds each document's petition and case links (issue 6): the register number finds the
    letter, ?petition= narrows to its papers, and a petition the user may not see is refused as unknown."""
    from sohoa.core.models import Level
    from sohoa.petitions.models import Petition, PetitionFile
    from sohoa.search import services

    letter = add_document(unit=province["ubkt"], subject="Đơn tố cáo cán bộ xã", pages=["nội dung đơn tố cáo"])
    other = add_document(unit=province["ubkt"], subject="Đơn kiến nghị khác", pages=["nội dung đơn kiến nghị"])
    petition = Petition.objects.create(unit=province["ubkt"], number="15/2026", received_on=dt.date(2026, 2, 12))
    PetitionFile.objects.create(petition=petition, role="letter", name="don.pdf", document=letter)
    services.index_documents([letter.pk])  # what the signal queues after the commit
    assert ids(office, "15/2026") == [letter.pk]
    assert ids(office, "đơn", filters=Filters(petition=petition.pk)) == [letter.pk]
    assert other.pk in ids(office, "đơn")

    client.force_login(office)
    assert client.get("/api/search/", {"q": "đơn", "petition": petition.pk}).json()["total"] == 1
    secret = Petition.objects.create(
        unit=province["ubkt"], received_on=dt.date(2026, 2, 12), confidentiality=Level.TUYET_MAT
    )
    refused = client.get("/api/search/", {"q": "đơn", "petition": secret.pk})
    assert refused.status_code == 400 and refused.json() == {"petition": ["Unknown petition or case file."]}
