"""Party cells and members of the test province, inspectors who handle case files, and documents."""

from __future__ import annotations

import datetime as dt

import pytest

from sohoa.codes import selectors as codes_selectors
from sohoa.core.models import Level, Role
from sohoa.registry.models import PartyMember, UnitKind
from tests.factories import DocumentFactory, UnitFactory


@pytest.fixture(autouse=True)
def _fresh_index():  # type: ignore[no-untyped-def]
    """The member index lives per process; each test's registry is its own."""
    codes_selectors.member_index_invalidate()
    yield
    codes_selectors.member_index_invalidate()


@pytest.fixture
def party(province):  # type: ignore[no-untyped-def]
    cell = UnitFactory(
        code="H12.TU.CB01", name="Chi bộ Văn phòng Tỉnh ủy", kind=UnitKind.PARTY_CELL, parent=province["tu"]
    )
    hung = PartyMember(code="DV001", full_name="Nguyễn Văn Hùng", birth_date=dt.date(1970, 5, 1), organization=cell)
    hung.save()
    ha = PartyMember(code="DV003", full_name="Trần Thị Thu Hà", birth_date=dt.date(1965, 2, 3), organization=cell)
    ha.save()
    return {"cell": cell, "hung": hung, "ha": ha}


@pytest.fixture
def inspector(province, make_user):  # type: ignore[no-untyped-def]
    """An inspector of the provincial committee: the Inspection Committee and the party cells are in scope
    (the members a case concerns must be, for their codes to be checked)."""
    return make_user(province["tu"], role=Role.INSPECTOR, clearance=Level.MAT)


@pytest.fixture
def doc(province):  # type: ignore[no-untyped-def]
    """A document kept by the Inspection Committee, not filed in a record."""

    def make(**kwargs):  # type: ignore[no-untyped-def]
        return DocumentFactory(unit=province["ubkt"], **kwargs)

    return make
