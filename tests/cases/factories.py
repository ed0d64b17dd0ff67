"""Builders for case file tests, and the hidden case the URL policy walker checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sohoa.cases.models import Case, CaseDocument, CaseStage, CaseSubject, Stage
from sohoa.core.models import Level
from tests.factories import DocumentFactory


def make_case(unit: Any, *, title: str = "Kiểm tra đảng viên", number: str = "", **kwargs: Any) -> Case:
    """A case row as case_open makes it (no audit, no checks): for lists and access tests."""
    opened_on = kwargs.pop("opened_on", dt.date(2025, 3, 10))
    number = number or f"{Case.objects.count() + 1:02d}-KT"
    case = Case.objects.create(
        unit=unit,
        creator_unit=kwargs.pop("creator_unit", unit),
        title=title,
        number=number,
        year=opened_on.year,
        code=f"{unit.code}.{opened_on.year}.{number}",
        opened_on=opened_on,
        **kwargs,
    )
    CaseStage.objects.create(case=case, stage=Stage.OPENED)
    return case


def hidden_case(province: dict[str, Any], marker: str, document: Any = None) -> dict[str, Any]:
    """A tuyệt mật case in the UBKT clerk's own unit naming `marker`, with a subject and a document (the
    walker's hidden document, or a new one naming `marker`)."""
    case = make_case(province["ubkt"], title=f"{marker} vụ việc", confidentiality=Level.TUYET_MAT, number="99-VV")
    CaseSubject.objects.create(case=case, name=f"{marker} đảng viên")
    if document is None:
        document = DocumentFactory(unit=province["ubkt"], confidentiality=Level.TUYET_MAT, subject=f"{marker} kết luận")
    CaseDocument.objects.create(case=case, document=document, role="conclusion")
    return {"case": case}
