"""The archive REST API: every row through the access policy, every write through a service."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sohoa.archive.models import Direction, Document, Record, RegisterEntry
from sohoa.core.models import AuditEvent, Level, Role
from tests.factories import (
    DocumentFactory,
    FondsFactory,
    LocationFactory,
    RecordFactory,
    RegisterEntryFactory,
)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def clerk(province, make_user):  # type: ignore[no-untyped-def]
    """A clerk of the Tỉnh ủy (scope: TU and UBKT) cleared for mật."""
    return make_user(province["tu"], role=Role.CLERK, clearance=Level.MAT)


def _ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# ---- documents: reads ----------------------------------------------------------------------------


def test_document_list_works_with_token_auth(api, province, clerk):  # type: ignore[no-untyped-def]
    doc = DocumentFactory(unit=province["tu"])
    token = Token.objects.create(user=clerk)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert _ids(api.get("/api/documents/")) == {doc.pk}


def test_document_list_hides_documents_above_clearance_and_outside_scope(api, province, clerk):  # type: ignore[no-untyped-def]
    visible = DocumentFactory(unit=province["tu"], confidentiality=Level.MAT)
    below = DocumentFactory(unit=province["ubkt"])
    DocumentFactory(unit=province["tu"], confidentiality=Level.TOI_MAT)  # above clearance
    DocumentFactory(unit=province["ubnd"])  # other branch of the province
    DocumentFactory(unit=province["other"])  # other province
    api.force_authenticate(clerk)
    assert _ids(api.get("/api/documents/")) == {visible.pk, below.pk}


def test_document_retrieve_of_invisible_is_404(api, province, clerk):  # type: ignore[no-untyped-def]
    secret = DocumentFactory(unit=province["tu"], confidentiality=Level.TUYET_MAT)
    foreign = DocumentFactory(unit=province["other"])
    api.force_authenticate(clerk)
    assert api.get(f"/api/documents/{secret.pk}/").status_code == 404
    assert api.get(f"/api/documents/{foreign.pk}/").status_code == 404
    assert api.get("/api/documents/999999/").status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


def test_document_retrieve_writes_a_view_audit_row(api, province, clerk):  # type: ignore[no-untyped-def]
    doc = DocumentFactory(unit=province["tu"], confidentiality=Level.MAT)
    api.force_authenticate(clerk)
    data = api.get(f"/api/documents/{doc.pk}/").json()
    assert data["confidentiality"] == "mat"
    assert data["unit"] == "H12.TU"
    assert data["creator_unit"] == "H12.TU"
    row = AuditEvent.objects.get(action="view")
    assert (row.object_type, row.object_id, row.actor_id) == ("archive.document", str(doc.pk), clerk.pk)
    assert row.details == {"via": "api", "level": 1}  # a classified read carries its level


def test_document_list_filters(api, province, clerk):  # type: ignore[no-untyped-def]
    record = RecordFactory(unit=province["tu"])
    in_record = DocumentFactory(unit=province["tu"], record=record, issued_date=dt.date(2023, 1, 5))
    secret = DocumentFactory(
        unit=province["tu"], confidentiality=Level.MAT, doc_type="NQ", subject="Nghị quyết về chuyển đổi số"
    )
    api.force_authenticate(clerk)
    assert _ids(api.get("/api/documents/", {"record": record.pk})) == {in_record.pk}
    assert _ids(api.get("/api/documents/", {"year": 2023})) == {in_record.pk}
    assert _ids(api.get("/api/documents/", {"confidentiality": "mat"})) == {secret.pk}
    assert _ids(api.get("/api/documents/", {"confidentiality": "none"})) == {in_record.pk}
    assert _ids(api.get("/api/documents/", {"doc_type": "NQ"})) == {secret.pk}
    assert _ids(api.get("/api/documents/", {"q": "chuyển đổi"})) == {secret.pk}
    assert _ids(api.get("/api/documents/", {"unit": province["ubkt"].pk})) == set()


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"unit": "H12"},
        {"confidentiality": "secret"},
        {"doc_type": "XYZ"},
        {"record": "-1"},
        {"year": "99999"},
    ],
)
def test_document_list_bad_filter_is_400_naming_the_parameter(api, province, clerk, params):  # type: ignore[no-untyped-def]
    api.force_authenticate(clerk)
    response = api.get("/api/documents/", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_document_list_has_no_n_plus_1(api, province, clerk, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    record = RecordFactory(unit=province["tu"])
    location = LocationFactory(unit=province["tu"])
    for i in range(20):
        DocumentFactory(
            unit=province["ubkt"] if i % 2 else province["tu"],
            record=record,
            location=location,
            issuer_unit=province["tu"],
            created_by=clerk,
        )
    api.force_authenticate(clerk)
    # the scope's unit paths, the count, the page: the same for 1 or 50 rows
    with django_assert_max_num_queries(3):
        response = api.get("/api/documents/")
    assert len(response.json()["results"]) == 20


# ---- documents: writes ---------------------------------------------------------------------------


def _new_document(**extra):  # type: ignore[no-untyped-def]
    return {
        "notation": "15-NQ/TU",
        "doc_type": "NQ",
        "issued_date": "2024-05-02",
        "issuer": "Tỉnh ủy Cà Mau",
        "subject": "Nghị quyết về công tác lưu trữ",
        "unit": "H12.TU",
        "confidentiality": "mat",
        **extra,
    }


def test_create_document_through_the_service_with_audit_row(api, province, clerk):  # type: ignore[no-untyped-def]
    api.force_authenticate(clerk)
    response = api.post("/api/documents/", _new_document(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    doc = Document.objects.get(pk=data["id"])
    assert (doc.number, doc.symbol) == ("15", "NQ/TU")  # derived by the service
    assert doc.confidentiality == Level.MAT and data["confidentiality"] == "mat"
    assert doc.creator_unit == province["tu"] and doc.created_by == clerk
    assert data["created_by"] == clerk.username
    assert "allow_duplicate" not in data
    row = AuditEvent.objects.get(action="create", object_type="archive.document")
    assert row.object_id == str(doc.pk) and row.actor_id == clerk.pk


def test_create_document_takes_the_records_unit_when_none_given(api, province, clerk):  # type: ignore[no-untyped-def]
    record = RecordFactory(unit=province["ubkt"])
    api.force_authenticate(clerk)
    body = _new_document(record=record.pk, order_in_record=1)
    del body["unit"]
    response = api.post("/api/documents/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["unit"] == "H12.UBKTTU"
    assert response.json()["identifier"] == f"{record.code}.1"


def test_create_document_without_unit_or_record_is_400(api, province, clerk):  # type: ignore[no-untyped-def]
    api.force_authenticate(clerk)
    body = _new_document()
    del body["unit"]
    response = api.post("/api/documents/", body, format="json")
    assert response.status_code == 400
    assert "unit" in response.json()


def test_duplicate_document_is_400_then_allowed_when_confirmed(api, province, clerk):  # type: ignore[no-untyped-def]
    DocumentFactory(unit=province["tu"], notation="15-NQ/TU", issuer="Tỉnh ủy Cà Mau")
    api.force_authenticate(clerk)
    refused = api.post("/api/documents/", _new_document(), format="json")
    assert refused.status_code == 400
    assert "notation" in refused.json()
    assert Document.objects.count() == 1

    allowed = api.post("/api/documents/", _new_document(allow_duplicate=True), format="json")
    assert allowed.status_code == 201, allowed.content
    assert Document.objects.count() == 2
    row = AuditEvent.objects.get(action="create", object_type="archive.document")
    assert row.details["duplicate_confirmed"] == 1


def test_duplicate_of_a_hidden_document_is_still_refused_without_leaking_it(api, province, clerk):  # type: ignore[no-untyped-def]
    DocumentFactory(unit=province["other"], notation="15-NQ/TU", issuer="Tỉnh ủy Cà Mau")
    api.force_authenticate(clerk)
    refused = api.post("/api/documents/", _new_document(), format="json")
    assert refused.status_code == 400
    assert "H99" not in str(refused.json())


def test_create_document_in_unit_outside_scope_is_400(api, province, clerk):  # type: ignore[no-untyped-def]
    api.force_authenticate(clerk)
    response = api.post("/api/documents/", _new_document(unit="H12.UBND"), format="json")
    assert response.status_code == 400
    assert "unit" in response.json()
    assert not Document.objects.exists()


def test_create_document_above_clearance_is_400(api, province, clerk):  # type: ignore[no-untyped-def]
    api.force_authenticate(clerk)
    response = api.post("/api/documents/", _new_document(confidentiality="tuyet_mat"), format="json")
    assert response.status_code == 400
    assert "confidentiality" in response.json()


def test_create_document_with_unknown_unit_code_or_level_is_400(api, province, clerk):  # type: ignore[no-untyped-def]
    api.force_authenticate(clerk)
    response = api.post("/api/documents/", _new_document(unit="NOPE", confidentiality="secret"), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"unit", "confidentiality"}


def test_create_document_in_hidden_record_is_400_like_a_missing_one(api, province, clerk):  # type: ignore[no-untyped-def]
    hidden = RecordFactory(unit=province["other"])
    api.force_authenticate(clerk)
    hidden_resp = api.post("/api/documents/", _new_document(record=hidden.pk), format="json")
    missing_resp = api.post("/api/documents/", _new_document(record=999999), format="json")
    assert hidden_resp.status_code == missing_resp.status_code == 400
    assert hidden_resp.json()["record"] == [m.replace("999999", str(hidden.pk)) for m in missing_resp.json()["record"]]


def test_role_that_may_not_write_gets_403(api, province, make_user):  # type: ignore[no-untyped-def]
    inspector = make_user(province["tu"], role=Role.INSPECTOR, clearance=Level.MAT)
    api.force_authenticate(inspector)
    assert api.post("/api/documents/", _new_document(), format="json").status_code == 403


def test_update_document_keeps_provenance_and_audits_changes(api, province, make_user):  # type: ignore[no-untyped-def]
    archivist = make_user(province["tu"], role=Role.ARCHIVIST, clearance=Level.MAT)
    doc = DocumentFactory(unit=province["tu"], subject="Cũ")
    api.force_authenticate(archivist)
    response = api.patch(
        f"/api/documents/{doc.pk}/", {"subject": "Mới", "unit": "H12.UBKTTU", "creator_unit": "H12.UBND"}, format="json"
    )
    assert response.status_code == 200, response.content
    doc.refresh_from_db()
    assert doc.subject == "Mới"
    assert doc.unit == province["ubkt"]
    assert doc.creator_unit == province["tu"]  # read-only: provenance
    row = AuditEvent.objects.get(action="update")
    assert row.details["changes"]["subject"] == ["Cũ", "Mới"]


def test_update_of_invisible_document_is_404(api, province, clerk):  # type: ignore[no-untyped-def]
    secret = DocumentFactory(unit=province["tu"], confidentiality=Level.TOI_MAT)
    api.force_authenticate(clerk)
    assert api.patch(f"/api/documents/{secret.pk}/", {"subject": "x"}, format="json").status_code == 404


def test_documents_cannot_be_deleted(api, province, clerk):  # type: ignore[no-untyped-def]
    doc = DocumentFactory(unit=province["tu"])
    api.force_authenticate(clerk)
    assert api.delete(f"/api/documents/{doc.pk}/").status_code == 405
    assert Document.objects.filter(pk=doc.pk).exists()


# ---- records, fonds, registers, locations -------------------------------------------------------


def test_record_list_and_retrieve_follow_the_policy(api, province, clerk):  # type: ignore[no-untyped-def]
    mine = RecordFactory(unit=province["tu"])
    secret = RecordFactory(unit=province["tu"], confidentiality=Level.TOI_MAT)
    api.force_authenticate(clerk)
    assert _ids(api.get("/api/records/")) == {mine.pk}
    assert api.get(f"/api/records/{secret.pk}/").status_code == 404
    assert api.get(f"/api/records/{mine.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="view", object_type="archive.record").count() == 1


def test_create_record_through_the_api(api, province, clerk):  # type: ignore[no-untyped-def]
    fonds = FondsFactory(unit=province["tu"])
    api.force_authenticate(clerk)
    body = {
        "code": "H12.2025.01-HS",
        "number": "01-HS",
        "title": "Hồ sơ hội nghị",
        "year": 2025,
        "unit": "H12.TU",
        "fonds": fonds.pk,
        "confidentiality": "none",
    }
    response = api.post("/api/records/", body, format="json")
    assert response.status_code == 201, response.content
    record = Record.objects.get(code="H12.2025.01-HS")
    assert record.creator_unit == province["tu"]
    assert response.json()["creator_unit"] == "H12.TU"
    bad_year = api.get("/api/records/", {"year": "twenty"})
    assert bad_year.status_code == 400


def test_record_creator_unit_is_set_once_then_never_changes(api, province, make_user):  # type: ignore[no-untyped-def]
    archivist = make_user(province["root"], role=Role.ARCHIVIST)
    api.force_authenticate(archivist)
    body = {
        "code": "H12.2025.02",
        "number": "02",
        "title": "Hồ sơ tiếp nhận",
        "year": 2025,
        "unit": "H12",
        "creator_unit": "H12.UBKTTU",
    }
    created = api.post("/api/records/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["creator_unit"] == "H12.UBKTTU"
    changed = api.patch(f"/api/records/{created.json()['id']}/", {"creator_unit": "H12.UBND"}, format="json")
    assert changed.status_code == 400
    assert "creator_unit" in changed.json()


def test_fonds_list_and_create(api, province, clerk):  # type: ignore[no-untyped-def]
    mine = FondsFactory(unit=province["ubkt"])
    FondsFactory(unit=province["other"])
    api.force_authenticate(clerk)
    assert _ids(api.get("/api/fonds/")) == {mine.pk}
    response = api.post("/api/fonds/", {"code": "P-TU", "name": "Phông Tỉnh ủy", "unit": "H12.TU"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["creator_unit"] == "H12.TU"
    dup_code = api.post("/api/fonds/", {"code": "P-TU", "name": "Again", "unit": "H12.TU"}, format="json")
    assert dup_code.status_code == 400
    assert api.get(f"/api/fonds/{mine.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="view", object_type="archive.fonds").count() == 1


def test_register_entries_filter_by_direction(api, province, clerk):  # type: ignore[no-untyped-def]
    incoming = RegisterEntryFactory(unit=province["tu"], direction=Direction.INCOMING)
    outgoing = RegisterEntryFactory(unit=province["tu"], direction=Direction.OUTGOING)
    RegisterEntryFactory(unit=province["ubnd"], direction=Direction.INCOMING)
    api.force_authenticate(clerk)
    assert _ids(api.get("/api/register-entries/")) == {incoming.pk, outgoing.pk}
    assert _ids(api.get("/api/register-entries/", {"direction": "incoming"})) == {incoming.pk}
    assert _ids(api.get("/api/register-entries/", {"direction": "outgoing"})) == {outgoing.pk}
    assert api.get("/api/register-entries/", {"direction": "sideways"}).status_code == 400


def test_register_entry_create_numbers_the_entry_and_retrieve_is_audited(api, province, clerk):  # type: ignore[no-untyped-def]
    RegisterEntryFactory(unit=province["tu"], direction=Direction.INCOMING, year=2025, entry_number=7)
    api.force_authenticate(clerk)
    body = {
        "unit": "H12.TU",
        "direction": "incoming",
        "year": 2025,
        "notation": "12/UBND-VP",
        "subject": "V/v báo cáo",
        "arrival_date": "2025-03-04",
    }
    response = api.post("/api/register-entries/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["entry_number"] == 8
    entry = RegisterEntry.objects.get(pk=response.json()["id"])
    assert api.get(f"/api/register-entries/{entry.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="view", object_type="archive.registerentry").count() == 1


def test_register_entry_cannot_link_a_hidden_document(api, province, clerk):  # type: ignore[no-untyped-def]
    hidden = DocumentFactory(unit=province["tu"], confidentiality=Level.TUYET_MAT)
    api.force_authenticate(clerk)
    body = {"unit": "H12.TU", "direction": "incoming", "year": 2025, "subject": "x", "document": hidden.pk}
    response = api.post("/api/register-entries/", body, format="json")
    assert response.status_code == 400
    assert "document" in response.json()


def test_locations_follow_scope_and_are_created_through_the_service(api, province, clerk):  # type: ignore[no-untyped-def]
    mine = LocationFactory(unit=province["tu"])
    hidden = LocationFactory(unit=province["ubnd"])
    api.force_authenticate(clerk)
    assert _ids(api.get("/api/locations/")) == {mine.pk}
    assert api.get(f"/api/locations/{hidden.pk}/").status_code == 404
    created = api.post("/api/locations/", {"unit": "H12.TU", "storage": "Kho 2", "shelf": "A"}, format="json")
    assert created.status_code == 201, created.content
    outside = api.post("/api/locations/", {"unit": "H12.UBND", "storage": "Kho 3"}, format="json")
    assert outside.status_code == 400


def test_model_constraint_errors_from_the_service_are_400_non_field_errors(api, province, clerk):  # type: ignore[no-untyped-def]
    record = RecordFactory(unit=province["tu"])
    DocumentFactory(unit=province["tu"], record=record, order_in_record=1)
    api.force_authenticate(clerk)
    response = api.post("/api/documents/", _new_document(record=record.pk, order_in_record=1), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]  # Django's "__all__", renamed for DRF clients


def test_browsable_api_renders_for_a_signed_in_user(api, province, clerk):  # type: ignore[no-untyped-def]
    doc = DocumentFactory(unit=province["tu"])
    api.force_authenticate(clerk)
    for url in ("/api/", "/api/documents/", f"/api/documents/{doc.pk}/", "/api/register-entries/"):
        response = api.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
