"""Case files of a dissolved unit pass to its successor in a reorganization (reorg kind "case")."""

from __future__ import annotations

import datetime as dt

from sohoa.cases import selectors
from sohoa.cases.models import Case, Stage
from sohoa.core.models import Level, Role
from sohoa.registry.models import UnitKind
from sohoa.reorg import services as reorg
from sohoa.reorg.models import TransferItem
from tests.factories import RecordFactory, UnitFactory, UserFactory

from .factories import make_case


def test_open_cases_of_a_dissolved_unit_pass_to_the_successor(province):
    old = UnitFactory(code="BL.UBKT", name="Ủy ban Kiểm tra Tỉnh ủy Bạc Liêu", kind=UnitKind.INSPECTION_COMMITTEE)
    new = UnitFactory(code="CM.UBKT", name="Ủy ban Kiểm tra Tỉnh ủy Cà Mau", kind=UnitKind.INSPECTION_COMMITTEE)
    open_case = make_case(old, title="Kiểm tra dấu hiệu vi phạm", stage=Stage.VERIFYING, number="04-VV")
    secret = make_case(old, title="NOIDUNGMAT", confidentiality=Level.TOI_MAT, number="05-VV")
    record = RecordFactory(unit=old, code="BL.UBKT.2024.02-KT")
    closed = make_case(old, stage=Stage.CLOSED, record=record, number="02-KT", opened_on=dt.date(2024, 2, 1))
    office = UserFactory(units=[old, new], role=Role.PROVINCIAL_OFFICE, clearance=Level.TUYET_MAT)
    inspector = UserFactory(units=[new], role=Role.INSPECTOR, clearance=Level.TUYET_MAT)
    assert not selectors.case_list(inspector).exists()

    reorganization = reorg.reorganization_create(
        actor=office,
        kind="merge",
        dissolved=[old],
        successors=[new],
        effective_date=dt.date(2025, 7, 1),
        decision_number="1234-QĐ/TW",
        decision_date=dt.date(2025, 6, 12),
        decision_issuer="Ban Chấp hành Trung ương",
    )
    reorg.reorganization_propose(actor=office, reorganization=reorganization)
    items = TransferItem.objects.filter(reorganization=reorganization, kind="case")
    assert set(items.values_list("object_id", flat=True)) == {open_case.pk, secret.pk, closed.pk}
    assert not items.filter(label__contains="NOIDUNGMAT").exists()  # a classified title is not copied
    assert items.get(object_id=closed.pk).parent.object_id == record.pk  # a closed case follows its record
    assert set(items.values_list("to_unit", flat=True)) == {new.pk}

    reorg.reorganization_execute(actor=office, reorganization=reorganization)
    for case in (open_case, secret, closed):
        case.refresh_from_db()
        assert case.unit == new and case.creator_unit == old  # provenance stays: the code does not change
    assert open_case.code == "BL.UBKT.2025.04-VV" and open_case.stage == Stage.VERIFYING
    assert set(selectors.case_list(inspector).values_list("pk", flat=True)) == {open_case.pk, secret.pk, closed.pk}
    assert Case.objects.filter(unit=old).count() == 0
