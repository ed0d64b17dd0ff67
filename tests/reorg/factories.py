"""Builders for reorganization tests: two provinces with paper, files, a plan and users; and the hidden
reorganization the URL policy walker checks."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sohoa.archive.models import Document
from sohoa.core.models import Level, Role
from sohoa.registry.models import UnitKind
from sohoa.reorg.models import Reorganization, ReorganizationUnit, TransferItem
from tests.factories import (
    DigitalCopyFactory,
    DocumentFactory,
    FondsFactory,
    RecordFactory,
    RegisterEntryFactory,
    UnitFactory,
    UserFactory,
)
from tests.planning.factories import make_plan

EFFECTIVE = dt.date(2025, 7, 1)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def digitized_document(**kwargs: Any) -> Document:
    document = DocumentFactory(**kwargs)
    DigitalCopyFactory(
        document=document, archival_sha256=sha(f"archival-{document.pk}"), original_sha256=sha(f"orig-{document.pk}")
    )
    return document


def province_with_paper(code: str, name: str, *, records: int, docs_per_record: int, entries: int) -> dict[str, Any]:
    """A province committee with a fonds of records (documents digitized but the last of each record),
    one loose paper document, a sub-unit with its own record, register entries and a plan."""
    root = UnitFactory(code=code, name=name, kind=UnitKind.PARTY_COMMITTEE, valid_from=dt.date(2020, 1, 1))
    child = UnitFactory(code=f"{code}.UBKT", name=f"Ủy ban Kiểm tra {name}", parent=root)
    fonds = FondsFactory(unit=root, code=f"P-{code}", name=f"Phông {name}")
    made = []
    for r in range(records):
        record = RecordFactory(unit=root, fonds=fonds, code=f"{code}.2024.{r:02d}")
        for d in range(docs_per_record):
            kwargs = {"unit": root, "record": record, "order_in_record": d + 1}
            made.append(digitized_document(**kwargs) if d < docs_per_record - 1 else DocumentFactory(**kwargs))
        made_record = record
    loose = DocumentFactory(unit=root, subject=f"Văn bản rời của {name}")
    child_record = RecordFactory(unit=child, code=f"{code}.UBKT.2024.01")
    child_doc = DocumentFactory(unit=child, record=child_record, order_in_record=1)
    for n in range(entries):
        entry = RegisterEntryFactory(unit=root, year=2024, entry_number=n + 1)
        if n == 0:  # one of them digitized: linked to a document with a copy
            entry.document = made[0]
            entry.save(update_fields=["document"])
    RegisterEntryFactory(unit=child, year=2023, entry_number=1)
    plan = make_plan(root, name=f"Kế hoạch số hóa {name}")
    return {
        "root": root,
        "child": child,
        "fonds": fonds,
        "documents": [*made, loose],
        "last_record": made_record,
        "child_record": child_record,
        "child_doc": child_doc,
        "plan": plan,
    }


def hidden_reorganization(province: dict[str, Any], marker: str) -> dict[str, Any]:
    """A reorganization of another province (outside a UBKT clerk's scope), one item naming `marker`."""
    other = province["other"]
    dissolved = UnitFactory(code="H99.OLD", name="Đơn vị cũ", parent=other)
    reorganization = Reorganization.objects.create(
        unit=other,
        effective_date=dt.date(2025, 7, 1),
        decision_number=f"{marker}/QĐ",
        decision_date=dt.date(2025, 6, 1),
        decision_issuer=marker,
        status=Reorganization.Status.EXECUTED,
        minutes_docx="reorg/none.docx",
        minutes_pdf="reorg/none.pdf",
    )
    ReorganizationUnit.objects.create(reorganization=reorganization, unit=dissolved, role="dissolved")
    ReorganizationUnit.objects.create(reorganization=reorganization, unit=other, role="successor")
    item = TransferItem.objects.create(
        reorganization=reorganization, kind="record", object_id=1, label=f"{marker} hồ sơ", from_unit=dissolved
    )
    return {"reorganization": reorganization, "transferitem": item}


def office(*units: Any) -> Any:
    return UserFactory(units=list(units), role=Role.PROVINCIAL_OFFICE, clearance=Level.TUYET_MAT)
