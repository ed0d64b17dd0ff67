"""Issue 8 §4–5: two provinces merge into a successor; a unit splits; the minutes say what moved."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from sohoa.archive.models import Document, Fonds, Record
from sohoa.core.models import AuditEvent, Level, Role
from sohoa.planning.models import Plan
from sohoa.registry.models import Succession, Unit, UnitKind
from sohoa.reorg import services
from sohoa.reorg.models import Reorganization, TransferItem
from sohoa.reports import selectors as reports
from tests.factories import RecordFactory, UnitFactory, UserFactory

from .factories import EFFECTIVE, digitized_document, office, province_with_paper

YEARS = {"year_from": 2020, "year_to": 2025}


def _total(unit: Unit, basis: str = reports.BASIS_CREATOR) -> int:
    return reports.progress(None, unit=unit, basis=basis, **YEARS).totals.total


def _digitized(unit: Unit, basis: str = reports.BASIS_CREATOR) -> int:
    return reports.progress(None, unit=unit, basis=basis, **YEARS).totals.digitized


@pytest.fixture
def merger(db):  # type: ignore[no-untyped-def]
    cm = province_with_paper("CM", "Tỉnh ủy Cà Mau", records=2, docs_per_record=3, entries=4)
    bl = province_with_paper("BL", "Tỉnh ủy Bạc Liêu", records=1, docs_per_record=2, entries=2)
    secret = digitized_document(unit=bl["root"], confidentiality=Level.MAT, subject="NOIDUNGMAT chỉ thị")
    successor = UnitFactory(code="CMN", name="Tỉnh ủy Cà Mau (mới)", kind=UnitKind.PARTY_COMMITTEE)
    users = {
        "office": office(successor, cm["root"], bl["root"]),
        "mapped": UserFactory(units=[cm["root"]], role=Role.CLERK),
        "unmapped": UserFactory(units=[bl["root"]], role=Role.CLERK),
        "child": UserFactory(units=[cm["child"]], role=Role.CLERK),
    }
    return {"cm": cm, "bl": bl, "secret": secret, "successor": successor, "users": users}


def _create(merger, **kwargs):  # type: ignore[no-untyped-def]
    return services.reorganization_create(
        actor=merger["users"]["office"],
        kind=kwargs.get("kind", "merge"),
        dissolved=kwargs.get("dissolved", [merger["cm"]["root"], merger["bl"]["root"]]),
        successors=kwargs.get("successors", [merger["successor"]]),
        effective_date=EFFECTIVE,
        decision_number="1234-QĐ/TW",
        decision_date=dt.date(2025, 6, 12),
        decision_issuer="Ban Chấp hành Trung ương",
    )


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


def _docx_text(content: bytes) -> tuple[str, list[list[str]]]:
    from docx import Document as Docx

    doc = Docx(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    text += "\n" + "\n".join(" | ".join(row) for row in cells)
    items = [row for row in doc.tables[1].rows[1:]] if len(doc.tables) > 1 else []
    return text, [[c.text for c in row.cells] for row in items]


def _totals(text: str) -> dict[str, int]:
    match = re.search(r"Tổng số: phông: (\d+); hồ sơ: (\d+); văn bản: (\d+); tệp số hóa: (\d+)", text)
    assert match, text[-2000:]
    return dict(zip(("fonds", "records", "documents", "files"), map(int, match.groups()), strict=True))


def test_merging_two_provinces_moves_every_record_keeps_provenance_and_reports_reconcile(
    merger, client, django_capture_on_commit_callbacks, monkeypatch
):
    cm, bl, successor, users = merger["cm"], merger["bl"], merger["successor"], merger["users"]
    old_units = [cm["root"], bl["root"], successor]
    before_creator = {u.code: _total(u) for u in old_units}
    before_digitized = sum(_digitized(u) for u in old_units)
    creators = {d.pk: d.creator_unit_id for d in Document.objects.all()}
    record_creators = {r.pk: r.creator_unit_id for r in Record.objects.all()}
    moving_docs = set(Document.objects.filter(unit__in=[cm["root"], bl["root"]]).values_list("pk", flat=True))
    moving_records = set(Record.objects.filter(unit__in=[cm["root"], bl["root"]]).values_list("pk", flat=True))

    reorganization = _create(merger)
    services.reorganization_propose(actor=users["office"], reorganization=reorganization)
    items = TransferItem.objects.filter(reorganization=reorganization)
    assert items.filter(kind="fonds").count() == 2
    assert set(items.filter(kind="record").values_list("object_id", flat=True)) == moving_records
    assert set(items.filter(kind="document").values_list("object_id", flat=True)) == moving_docs
    assert items.filter(kind="plan").count() == 2
    assert set(items.filter(kind="unit").values_list("object_id", flat=True)) == {cm["child"].pk, bl["child"].pk}
    # Users are proposed to nobody: they keep access only when the Office maps them.
    assert not items.filter(kind="user", to_unit__isnull=False).exists()
    assert not items.exclude(kind="user").filter(to_unit__isnull=True).exists()
    # A classified document's subject is not copied into the proposal.
    assert not items.filter(label__contains="NOIDUNGMAT").exists()
    services.transfer_item_assign(
        actor=users["office"], item=items.get(kind="user", object_id=users["mapped"].pk), to_unit=successor
    )
    services.transfer_item_assign(
        actor=users["office"],
        item=items.get(kind="user", object_id=users["office"].pk, from_unit=cm["root"]),
        to_unit=successor,
    )

    reindexed: list[int] = []
    monkeypatch.setattr("sohoa.search.services.index_documents", lambda ids, wait=0: reindexed.extend(ids) or len(ids))
    with django_capture_on_commit_callbacks(execute=True):
        services.reorganization_execute(actor=users["office"], reorganization=reorganization)
    reorganization.refresh_from_db()
    assert reorganization.status == Reorganization.Status.EXECUTED

    # Every record, document, fonds and plan of the dissolved units is now kept by the successor ...
    assert set(Record.objects.filter(pk__in=moving_records).values_list("unit_id", flat=True)) == {successor.pk}
    assert set(Document.objects.filter(pk__in=moving_docs).values_list("unit_id", flat=True)) == {successor.pk}
    assert set(Fonds.objects.values_list("unit_id", flat=True)) == {successor.pk}
    assert set(Plan.objects.values_list("unit_id", flat=True)) == {successor.pk}
    assert not Document.objects.filter(unit__in=[cm["root"], bl["root"]]).exists()
    # ... provenance is intact ...
    assert {d.pk: d.creator_unit_id for d in Document.objects.all()} == creators
    assert {r.pk: r.creator_unit_id for r in Record.objects.all()} == record_creators
    # ... sub-units moved with their parent, keeping their own paper; the search index followed.
    for child in (cm["child"], bl["child"]):
        child.refresh_from_db()
        assert child.parent_id == successor.pk and child.path.startswith(successor.path)
    assert Document.objects.get(pk=cm["child_doc"].pk).unit_id == cm["child"].pk
    assert moving_docs <= set(reindexed)
    # The dissolved units end on the effective date; the registry knows their successor and the decision.
    for unit in (cm["root"], bl["root"]):
        unit.refresh_from_db()
        assert unit.valid_to == EFFECTIVE
        succession = Succession.objects.get(predecessor=unit)
        assert succession.successor_id == successor.pk and succession.kind == "merge"
        assert "1234-QĐ/TW" in succession.decision and succession.effective_date == EFFECTIVE

    # The minutes: stored, and their counts are what moved.
    docx = _read(reorganization.minutes_docx)
    text, rows = _docx_text(docx)
    assert "BIÊN BẢN GIAO NHẬN TÀI LIỆU" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "1234-QĐ/TW" in text and "NOIDUNGMAT" not in text
    moved_files = Document.objects.filter(pk__in=moving_docs, digital_copy__isnull=False)
    expected = {"fonds": 2, "records": len(moving_records), "documents": len(moving_docs), "files": moved_files.count()}
    assert _totals(text) == expected
    assert len(rows) == 2 + len(moving_records) + len(moving_docs)
    for sha in moved_files.values_list("digital_copy__archival_sha256", flat=True):
        assert any(row[-1] == sha for row in rows)
    pdf = _read(reorganization.minutes_pdf)
    assert pdf.startswith(b"%PDF")
    assert shutil.which("pdftotext"), "poppler-utils is needed to read the minutes"
    pdf_text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "BIÊN BẢN GIAO NHẬN TÀI LIỆU" in pdf_text and "ĐẢNG CỘNG SẢN VIỆT NAM" in pdf_text
    assert _totals(pdf_text) == expected
    assert "NOIDUNGMAT" not in pdf_text

    # Reports: by creating unit the per-unit sums are unchanged; by custodian the successor has it all.
    after_creator = {u.code: _total(u) for u in old_units}
    assert sum(after_creator.values()) == sum(before_creator.values()) > 0
    assert _total(successor, reports.BASIS_CUSTODIAN) == sum(before_creator.values())
    assert _digitized(successor, reports.BASIS_CUSTODIAN) == before_digitized
    assert _total(cm["root"], reports.BASIS_CUSTODIAN) == 0

    # Access: only mapped users keep it; a sub-unit's user keeps their own unit.
    moved_cm = cm["documents"][0]
    moved_bl = bl["documents"][0]
    client.force_login(users["unmapped"])
    assert client.get(reverse("document_detail", args=[moved_bl.pk])).status_code == 404
    client.force_login(users["mapped"])
    assert client.get(reverse("document_detail", args=[moved_cm.pk])).status_code == 200
    assert client.get(reverse("document_detail", args=[moved_bl.pk])).status_code == 200
    client.force_login(users["child"])
    assert client.get(reverse("document_detail", args=[cm["child_doc"].pk])).status_code == 200
    assert list(users["unmapped"].units.all()) == []
    assert list(users["mapped"].units.all()) == [successor]

    # Once is enough: a second execution is refused and changes nothing.
    with pytest.raises(ValidationError):
        services.reorganization_execute(actor=users["office"], reorganization=reorganization)
    with pytest.raises(ValidationError):
        services.reorganization_propose(actor=users["office"], reorganization=reorganization)
    actions = list(
        AuditEvent.objects.filter(object_type="reorg.reorganization", object_id=str(reorganization.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["reorg_create", "reorg_propose", "reorg_adjust", "reorg_adjust", "reorg_execute"]
    execute = AuditEvent.objects.get(action="reorg_execute")
    assert execute.details["moved"]["document"] == len(moving_docs)
    assert execute.details["minutes_pdf_sha256"] == reorganization.minutes_pdf_sha256


def test_a_split_follows_the_offices_adjustments(db):  # type: ignore[no-untyped-def]
    old = UnitFactory(code="HUYEN", name="Huyện ủy Đầm Dơi", kind=UnitKind.PARTY_COMMITTEE)
    first = UnitFactory(code="XA1", name="Đảng ủy xã Đầm Dơi", kind=UnitKind.PARTY_COMMITTEE)
    second = UnitFactory(code="XA2", name="Đảng ủy xã Tạ An Khương", kind=UnitKind.PARTY_COMMITTEE)
    kept, given = RecordFactory(unit=old, code="HUYEN.01"), RecordFactory(unit=old, code="HUYEN.02")
    kept_docs = [digitized_document(unit=old, record=kept, order_in_record=i) for i in (1, 2)]
    given_docs = [digitized_document(unit=old, record=given, order_in_record=i) for i in (1, 2, 3)]
    actor = office(old, first, second)
    reorganization = services.reorganization_create(
        actor=actor,
        kind="split",
        dissolved=[old],
        successors=[first, second],
        effective_date=EFFECTIVE,
        decision_number="55-QĐ/TU",
        decision_date=dt.date(2025, 6, 20),
        decision_issuer="Tỉnh ủy Cà Mau",
    )
    services.reorganization_propose(actor=actor, reorganization=reorganization)
    item = TransferItem.objects.get(reorganization=reorganization, kind="record", object_id=given.pk)
    assert item.to_unit_id == first.pk  # the default: the first successor
    assert services.transfer_item_assign(actor=actor, item=item, to_unit=second) == 4  # the record and its documents
    with pytest.raises(ValidationError):
        services.transfer_item_assign(actor=actor, item=item, to_unit=UnitFactory())  # not a successor
    services.reorganization_execute(actor=actor, reorganization=reorganization)

    assert Record.objects.get(pk=kept.pk).unit_id == first.pk
    assert Record.objects.get(pk=given.pk).unit_id == second.pk
    assert {d.unit_id for d in Document.objects.filter(pk__in=[d.pk for d in kept_docs])} == {first.pk}
    assert {d.unit_id for d in Document.objects.filter(pk__in=[d.pk for d in given_docs])} == {second.pk}
    assert {d.creator_unit_id for d in Document.objects.all()} == {old.pk}
    assert set(Succession.objects.filter(predecessor=old).values_list("successor_id", "kind")) == {
        (first.pk, "split"),
        (second.pk, "split"),
    }
    reorganization.refresh_from_db()
    text, _rows = _docx_text(_read(reorganization.minutes_docx))
    assert "XA2 — Đảng ủy xã Tạ An Khương nhận: Tổng số: phông: 0; hồ sơ: 1; văn bản: 3; tệp số hóa: 3" in text
    assert _totals(text) == {"fonds": 0, "records": 2, "documents": 5, "files": 5}


def test_a_stale_proposal_is_refused_and_nothing_moves(merger):  # type: ignore[no-untyped-def]
    actor = merger["users"]["office"]
    reorganization = _create(merger)
    services.reorganization_propose(actor=actor, reorganization=reorganization)
    elsewhere = UnitFactory()
    Record.objects.filter(pk=merger["cm"]["last_record"].pk).update(unit=elsewhere)  # moved meanwhile
    with pytest.raises(ValidationError):
        services.reorganization_execute(actor=actor, reorganization=reorganization)
    reorganization.refresh_from_db()
    assert reorganization.status == Reorganization.Status.PROPOSED
    assert not Document.objects.filter(unit=merger["successor"]).exists()


def test_invalid_reorganizations_are_refused(merger, english):  # type: ignore[no-untyped-def]
    cm, bl, successor = merger["cm"]["root"], merger["bl"]["root"], merger["successor"]
    with pytest.raises(ValidationError, match="exactly one successor"):
        _create(merger, successors=[successor, UnitFactory()])
    with pytest.raises(ValidationError, match="dissolves one unit"):
        _create(merger, kind="split", dissolved=[cm, bl], successors=[successor, UnitFactory()])
    with pytest.raises(ValidationError, match="under the dissolved unit"):
        _create(merger, dissolved=[cm], successors=[merger["cm"]["child"]])
    clerk = merger["users"]["mapped"]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.reorganization_create(
            actor=clerk,
            kind="merge",
            dissolved=[cm],
            successors=[successor],
            effective_date=EFFECTIVE,
            decision_number="1",
            decision_date=EFFECTIVE,
            decision_issuer="x",
        )


def test_the_office_does_it_all_in_the_browser(merger, client, english):  # type: ignore[no-untyped-def]
    users, successor = merger["users"], merger["successor"]
    client.force_login(users["office"])
    assert client.get(reverse("reorg_list")).status_code == 200
    response = client.post(
        reverse("reorg_create"),
        {
            "kind": "merge",
            "dissolved": "CM, BL",
            "successors": "CMN",
            "effective_date": "2025-07-01",
            "decision_number": "1234-QĐ/TW",
            "decision_date": "2025-06-12",
            "decision_issuer": "Ban Chấp hành Trung ương",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reorganization = Reorganization.objects.get()
    assert client.post(reverse("reorg_execute", args=[reorganization.pk])).status_code == 400  # not proposed
    assert client.post(reverse("reorg_propose", args=[reorganization.pk])).status_code == 302
    item = TransferItem.objects.get(kind="user", object_id=users["mapped"].pk)
    response = client.post(
        reverse("reorg_item_assign", args=[item.pk]), {"to_unit": successor.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and f'id="item-{item.pk}"' in response.content.decode()
    item.refresh_from_db()
    assert item.to_unit_id == successor.pk
    bad = client.post(reverse("reorg_item_assign", args=[item.pk]), {"to_unit": merger["cm"]["root"].pk})
    assert bad.status_code == 400
    page = client.get(reverse("reorg_detail", args=[reorganization.pk])).content.decode()
    assert "CM.2024.00" in page
    assert client.post(reverse("reorg_execute", args=[reorganization.pk])).status_code == 302
    again = client.post(reverse("reorg_execute", args=[reorganization.pk]))
    assert again.status_code == 400 and "executed" in again.content.decode()
    docx = client.get(reverse("reorg_minutes", args=[reorganization.pk, "docx"]))
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
    pdf = client.get(reverse("reorg_minutes", args=[reorganization.pk, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", object_type="reorg.reorganization").count() == 2
    # The progress report's toggle: by current custodian the successor reports its predecessors' paper.
    response = client.get(reverse("report_progress_download", args=["json"]), {"unit": successor.pk, "by": "custodian"})
    assert response.json()["basis"] == "custodian" and response.json()["totals"]["total"] > 0
    # Someone outside the successor's scope does not see the reorganization at all.
    client.force_login(users["unmapped"])
    assert client.get(reverse("reorg_detail", args=[reorganization.pk])).status_code == 404
    assert client.get(reverse("reorg_minutes", args=[reorganization.pk, "pdf"])).status_code == 404
