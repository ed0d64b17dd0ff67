"""Writes to the archive: derived metadata, duplicate warning, provenance, write rights, registers, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sohoa.archive.models import Direction, Document, Fonds, Record, RegisterEntry, StorageLocation
from sohoa.archive.services import (
    document_save,
    duplicates_of,
    fonds_save,
    location_save,
    record_save,
    register_entry_save,
)
from sohoa.core import audit
from sohoa.core.models import AuditEvent, Level, Role
from tests.factories import DocumentFactory, RecordFactory

ISSUER = "Ủy ban nhân dân tỉnh Cà Mau"


@pytest.fixture
def clerk(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["ubkt"], role=Role.CLERK, clearance=Level.MAT)


def new_doc(unit, **fields) -> Document:  # type: ignore[no-untyped-def]
    values = {
        "subject": "V/v báo cáo tiến độ số hóa",
        "issuer": ISSUER,
        "issued_date": dt.date(2024, 3, 5),
        "doc_type": "CV",
        **fields,
    }
    return Document(unit=unit, **values)


def audit_rows(obj) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("seq"))


# ---- derived metadata -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notation", "number", "symbol"),
    [("64-CV/TW", "64", "CV/TW"), ("15/QĐ-UBND", "15", "QĐ-UBND"), ("30/2020/NĐ-CP", "30", "2020/NĐ-CP")],
)
def test_document_save_fills_number_and_symbol_from_notation(province, clerk, notation, number, symbol):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], notation=notation))
    doc.refresh_from_db()
    assert (doc.notation, doc.number, doc.symbol) == (notation, number, symbol)


@pytest.mark.parametrize(
    ("number", "symbol", "notation"),
    [("64", "CV/TW", "64-CV/TW"), ("15", "QĐ-UBND", "15/QĐ-UBND"), ("30", "2020/NĐ-CP", "30/2020/NĐ-CP")],
)
def test_document_save_fills_notation_from_number_and_symbol(province, clerk, number, symbol, notation):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], number=number, symbol=symbol))
    assert Document.objects.get(pk=doc.pk).notation == notation


def test_document_save_cleans_the_notation(province, clerk):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], notation="Số: 15 / QĐ-UBND"))
    assert (doc.notation, doc.number, doc.symbol) == ("15/QĐ-UBND", "15", "QĐ-UBND")


def test_document_save_keeps_number_and_symbol_typed_by_the_user(province, clerk):
    doc = document_save(
        actor=clerk, document=new_doc(province["ubkt"], notation="15/QĐ-UBND", number="15", symbol="QĐ-UBND")
    )
    assert (doc.number, doc.symbol) == ("15", "QĐ-UBND")


def test_document_without_any_number_is_accepted(province, clerk):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"]))
    assert (doc.notation, doc.number, doc.symbol, doc.identifier) == ("", "", "", None)


def test_identifier_is_record_code_dot_order(province, clerk):
    record = RecordFactory(unit=province["ubkt"], code="H12.2024.01-KT")
    doc = document_save(actor=clerk, document=new_doc(None, record=record, order_in_record=3, notation="1-CV/TU"))
    assert doc.identifier == "H12.2024.01-KT.3"
    assert doc.unit == province["ubkt"]  # custodian taken from the record
    assert doc.creator_unit == province["ubkt"]


def test_two_documents_without_identifier_are_both_accepted(province, clerk):
    document_save(actor=clerk, document=new_doc(province["ubkt"], notation="1-CV/TU", identifier=""))
    document_save(actor=clerk, document=new_doc(province["ubkt"], notation="2-CV/TU", identifier=""))
    assert Document.objects.filter(identifier=None).count() == 2


def test_same_order_twice_in_a_record_is_refused(province, clerk):
    record = RecordFactory(unit=province["ubkt"])
    document_save(actor=clerk, document=new_doc(None, record=record, order_in_record=1, notation="1-CV/TU"))
    with pytest.raises(ValidationError):
        document_save(actor=clerk, document=new_doc(None, record=record, order_in_record=1, notation="2-CV/TU"))


def test_creator_is_the_unit_and_the_actor_is_remembered(province, clerk):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], notation="1-CV/TU"))
    assert doc.creator_unit == province["ubkt"]
    assert doc.created_by == clerk


# ---- duplicates ----------------------------------------------------------------------------------


def test_duplicate_number_symbol_and_issuer_is_refused_with_code_duplicate(province, clerk):
    document_save(actor=clerk, document=new_doc(province["ubkt"], notation="15/QĐ-UBND"))
    with pytest.raises(ValidationError) as exc:
        document_save(actor=clerk, document=new_doc(province["ubkt"], notation="15/QĐ-UBND"))
    assert exc.value.error_dict["notation"][0].code == "duplicate"
    assert Document.objects.count() == 1


def test_duplicate_is_found_despite_prefix_spacing_and_issuer_case(province, clerk):
    document_save(actor=clerk, document=new_doc(province["ubkt"], notation="15/QĐ-UBND"))
    again = new_doc(province["ubkt"], notation="Số 15 / QĐ-UBND", issuer="  ủy ban nhân dân tỉnh cà mau ")
    with pytest.raises(ValidationError) as exc:
        document_save(actor=clerk, document=again)
    assert exc.value.error_dict["notation"][0].code == "duplicate"


def test_duplicate_built_from_number_and_symbol_is_found(province, clerk):
    document_save(actor=clerk, document=new_doc(province["ubkt"], notation="64-CV/TW"))
    with pytest.raises(ValidationError):
        document_save(actor=clerk, document=new_doc(province["ubkt"], number="64", symbol="CV/TW"))


def test_duplicate_in_a_unit_the_actor_cannot_see_is_still_counted(province, clerk):
    DocumentFactory(unit=province["other"], notation="15/QĐ-UBND", issuer=ISSUER, confidentiality=Level.TUYET_MAT)
    doc = new_doc(province["ubkt"], notation="15/QĐ-UBND")
    count, _visible = duplicates_of(doc)
    assert count == 1
    with pytest.raises(ValidationError):
        document_save(actor=clerk, document=doc)


def test_confirmed_duplicate_is_registered_and_the_confirmation_audited(province, clerk):
    document_save(actor=clerk, document=new_doc(province["ubkt"], notation="15/QĐ-UBND"))
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], notation="15/QĐ-UBND"), allow_duplicate=True)
    assert Document.objects.count() == 2
    assert audit_rows(doc)[-1].details["duplicate_confirmed"] == 1


def test_same_notation_from_a_different_issuer_is_not_a_duplicate(province, clerk):
    document_save(actor=clerk, document=new_doc(province["ubkt"], notation="15/QĐ-UBND"))
    other = document_save(
        actor=clerk, document=new_doc(province["ubkt"], notation="15/QĐ-UBND", issuer="Ủy ban nhân dân tỉnh Bạc Liêu")
    )
    assert other.pk
    assert "duplicate_confirmed" not in audit_rows(other)[-1].details


def test_same_issuer_unit_counts_as_duplicate_even_if_written_differently(province, clerk):
    document_save(actor=clerk, document=new_doc(province["ubkt"], notation="15/QĐ-UBND", issuer_unit=province["ubnd"]))
    again = new_doc(province["ubkt"], notation="15/QĐ-UBND", issuer="UBND tỉnh", issuer_unit=province["ubnd"])
    with pytest.raises(ValidationError):
        document_save(actor=clerk, document=again)


def test_updating_a_document_is_not_a_duplicate_of_itself(province, clerk):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], notation="15/QĐ-UBND"))
    doc.subject = "Nội dung đã sửa"
    document_save(actor=clerk, document=doc)
    assert Document.objects.get(pk=doc.pk).subject == "Nội dung đã sửa"


# ---- provenance --------------------------------------------------------------------------------


def test_creator_unit_cannot_be_changed_on_update(province, make_user):
    archivist = make_user(province["root"], role=Role.ARCHIVIST)
    doc = document_save(actor=archivist, document=new_doc(province["ubkt"], notation="1-CV/TU"))
    doc.creator_unit = province["ubnd"]
    doc.subject = "Đổi nội dung"
    document_save(actor=archivist, document=doc)
    assert Document.objects.get(pk=doc.pk).creator_unit == province["ubkt"]


def test_provenance_is_kept_when_the_custodian_unit_changes(province, make_user):
    archivist = make_user(province["root"], role=Role.ARCHIVIST)
    doc = document_save(actor=archivist, document=new_doc(province["ubkt"], notation="1-CV/TU"))
    doc.unit = province["ubnd"]  # passed to the successor unit
    doc.creator_unit = province["ubnd"]
    document_save(actor=archivist, document=doc)
    stored = Document.objects.get(pk=doc.pk)
    assert (stored.unit, stored.creator_unit) == (province["ubnd"], province["ubkt"])


def test_record_and_fonds_keep_provenance_too(province, make_user):
    archivist = make_user(province["root"], role=Role.ARCHIVIST)
    record = record_save(
        actor=archivist, record=Record(code="H12.2024.01", number="01", title="Hồ sơ", year=2024, unit=province["ubkt"])
    )
    fonds = fonds_save(actor=archivist, fonds=Fonds(code="P12", name="Phông", unit=province["ubkt"]))
    assert record.creator_unit == fonds.creator_unit == province["ubkt"]
    record.unit = record.creator_unit = province["ubnd"]
    fonds.unit = fonds.creator_unit = province["ubnd"]
    record_save(actor=archivist, record=record)
    fonds_save(actor=archivist, fonds=fonds)
    assert Record.objects.get(pk=record.pk).creator_unit == province["ubkt"]
    assert Fonds.objects.get(pk=fonds.pk).creator_unit == province["ubkt"]


# ---- write rights ------------------------------------------------------------------------------


def test_writing_outside_scope_is_refused_on_the_unit_field(province, clerk):
    with pytest.raises(ValidationError) as exc:
        document_save(actor=clerk, document=new_doc(province["ubnd"], notation="1-CV/TU"))
    assert "unit" in exc.value.message_dict
    assert not Document.objects.exists()


def test_moving_a_document_out_of_scope_is_refused(province, clerk):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], notation="1-CV/TU"))
    doc.unit = province["other"]
    with pytest.raises(ValidationError) as exc:
        document_save(actor=clerk, document=doc)
    assert "unit" in exc.value.message_dict
    assert Document.objects.get(pk=doc.pk).unit == province["ubkt"]


def test_level_above_clearance_is_refused(province, clerk):
    with pytest.raises(ValidationError) as exc:
        document_save(
            actor=clerk, document=new_doc(province["ubkt"], notation="1-CV/TU", confidentiality=Level.TOI_MAT)
        )
    assert "confidentiality" in exc.value.message_dict


def test_level_up_to_clearance_is_accepted(province, clerk):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], notation="1-CV/TU", confidentiality=Level.MAT))
    assert doc.confidentiality == Level.MAT


@pytest.mark.parametrize("role", [Role.STANDING_COMMITTEE, Role.INSPECTOR, Role.UNIT_LEADER, Role.PROVINCIAL_OFFICE])
def test_role_without_write_right_is_refused(province, make_user, role):
    reader = make_user(province["root"], role=role, clearance=Level.TUYET_MAT)
    with pytest.raises(PermissionDenied):
        document_save(actor=reader, document=new_doc(province["ubkt"], notation="1-CV/TU"))
    with pytest.raises(PermissionDenied):
        record_save(actor=reader, record=Record(code="R1", number="1", title="x", year=2024, unit=province["ubkt"]))
    assert not Document.objects.exists() and not Record.objects.exists()


def test_editing_a_document_the_actor_cannot_see_is_refused(province, clerk):
    hidden = DocumentFactory(unit=province["ubkt"], confidentiality=Level.TUYET_MAT)
    hidden.confidentiality = Level.NONE  # trying to declassify something above one's clearance
    with pytest.raises(PermissionDenied):
        document_save(actor=clerk, document=hidden)
    assert Document.objects.get(pk=hidden.pk).confidentiality == Level.TUYET_MAT


def test_operator_may_not_write_register_entries(province, make_user):
    operator = make_user(province["ubkt"], role=Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        register_entry_save(
            actor=operator,
            entry=RegisterEntry(unit=province["ubkt"], direction=Direction.INCOMING, year=2025, subject="x"),
        )


def test_refused_write_leaves_no_audit_row(province, clerk):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        document_save(actor=clerk, document=new_doc(province["ubnd"], notation="1-CV/TU"))
    assert AuditEvent.objects.count() == before


def test_invalid_document_is_refused_with_field_errors(province, clerk):
    with pytest.raises(ValidationError) as exc:
        document_save(actor=clerk, document=new_doc(province["ubkt"], subject="", doc_type="XYZ"))
    assert {"subject", "doc_type"} <= set(exc.value.message_dict)


# ---- registers ----------------------------------------------------------------------------------


def entry(unit, direction=Direction.INCOMING, year=2025, **fields) -> RegisterEntry:  # type: ignore[no-untyped-def]
    return RegisterEntry(
        unit=unit, direction=direction, year=year, subject=fields.pop("subject", "V/v nội dung"), **fields
    )


def test_register_entries_are_numbered_per_unit_direction_and_year(province, make_user):
    clerk = make_user(province["tu"], role=Role.CLERK)
    ubkt, tu = province["ubkt"], province["tu"]
    numbers = [
        register_entry_save(actor=clerk, entry=entry(ubkt)).entry_number,
        register_entry_save(actor=clerk, entry=entry(ubkt)).entry_number,
        register_entry_save(actor=clerk, entry=entry(ubkt, Direction.OUTGOING)).entry_number,
        register_entry_save(actor=clerk, entry=entry(ubkt, year=2026)).entry_number,
        register_entry_save(actor=clerk, entry=entry(tu)).entry_number,
        register_entry_save(actor=clerk, entry=entry(ubkt)).entry_number,
    ]
    assert numbers == [1, 2, 1, 1, 1, 3]


def test_register_numbering_continues_after_the_highest_number(province, clerk):
    register_entry_save(actor=clerk, entry=entry(province["ubkt"], entry_number=41))
    assert register_entry_save(actor=clerk, entry=entry(province["ubkt"])).entry_number == 42


def test_register_number_taken_twice_is_refused(province, clerk):
    register_entry_save(actor=clerk, entry=entry(province["ubkt"], entry_number=5))
    with pytest.raises(ValidationError):
        register_entry_save(actor=clerk, entry=entry(province["ubkt"], entry_number=5))


def test_register_entry_notation_is_cleaned(province, clerk):
    saved = register_entry_save(actor=clerk, entry=entry(province["ubkt"], notation="Số: 125 / UBND-VP"))
    assert saved.notation == "125/UBND-VP"


def test_register_entry_cannot_link_a_document_the_actor_cannot_see(province, clerk):
    hidden = DocumentFactory(unit=province["ubnd"])
    with pytest.raises(ValidationError) as exc:
        register_entry_save(actor=clerk, entry=entry(province["ubkt"], document=hidden))
    assert "document" in exc.value.message_dict


def test_register_entry_may_link_a_visible_document(province, clerk):
    doc = DocumentFactory(unit=province["ubkt"])
    saved = register_entry_save(actor=clerk, entry=entry(province["ubkt"], document=doc))
    assert saved.document == doc


def test_register_entry_outside_scope_is_refused(province, clerk):
    with pytest.raises(ValidationError) as exc:
        register_entry_save(actor=clerk, entry=entry(province["ubnd"]))
    assert "unit" in exc.value.message_dict


# ---- audit -----------------------------------------------------------------------------------------


def test_every_save_writes_an_audit_row_with_the_changes(province, clerk):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], notation="1-CV/TU", page_count=2))
    doc.subject = "Nội dung mới"
    doc.page_count = 5
    document_save(actor=clerk, document=doc)
    created, updated = audit_rows(doc)
    assert (created.action, created.actor_username) == ("create", clerk.username)
    assert updated.action == "update"
    assert updated.details["changes"] == {
        "subject": ["V/v báo cáo tiến độ số hóa", "Nội dung mới"],
        "page_count": [2, 5],
    }
    assert audit.verify().ok


def test_saving_without_changes_records_no_changes(province, clerk):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], notation="1-CV/TU"))
    document_save(actor=clerk, document=doc)
    assert "changes" not in audit_rows(doc)[-1].details


def test_changes_of_dates_and_units_are_audited_as_text_and_ids(province, clerk):
    doc = document_save(actor=clerk, document=new_doc(province["ubkt"], notation="1-CV/TU"))
    doc.issued_date = dt.date(2024, 12, 31)
    doc.location = location_save(actor=clerk, location=StorageLocation(unit=province["ubkt"], storage="Kho 1"))
    document_save(actor=clerk, document=doc)
    changes = audit_rows(doc)[-1].details["changes"]
    assert changes["issued_date"] == ["2024-03-05", "2024-12-31"]
    assert changes["location_id"] == [None, doc.location.pk]
    assert audit.verify().ok


@pytest.mark.parametrize("kind", ["fonds", "record", "location", "register"])
def test_other_archive_saves_are_audited(province, clerk, kind):
    unit = province["ubkt"]
    obj = {
        "fonds": lambda: fonds_save(actor=clerk, fonds=Fonds(code="P1", name="Phông", unit=unit)),
        "record": lambda: record_save(
            actor=clerk, record=Record(code="R1", number="1", title="Hồ sơ", year=2024, unit=unit)
        ),
        "location": lambda: location_save(actor=clerk, location=StorageLocation(unit=unit, storage="Kho 2")),
        "register": lambda: register_entry_save(actor=clerk, entry=entry(unit)),
    }[kind]()
    assert [e.action for e in audit_rows(obj)] == ["create"]
