"""Party cells of the test province, members in them (two namesakes), and a clerk who sees them."""

from __future__ import annotations

import datetime as dt

import pytest

from sohoa.codes import selectors
from sohoa.core.models import Role
from sohoa.registry.models import MemberStatus, PartyMember, UnitKind
from tests.factories import DocumentFactory, UnitFactory


@pytest.fixture(autouse=True)
def _fresh_index():  # type: ignore[no-untyped-def]
    """The member index lives per process; each test's registry is its own."""
    selectors.member_index_invalidate()
    yield
    selectors.member_index_invalidate()


@pytest.fixture
def party(province):  # type: ignore[no-untyped-def]
    tu = province["tu"]
    cell_a = UnitFactory(code="H12.TU.CB01", name="Chi bộ Văn phòng Tỉnh ủy", kind=UnitKind.PARTY_CELL, parent=tu)
    cell_b = UnitFactory(code="H12.TU.CB02", name="Chi bộ Ban Tổ chức", kind=UnitKind.PARTY_CELL, parent=tu)
    far = UnitFactory(code="H99.CB01", name="Chi bộ tỉnh khác", kind=UnitKind.PARTY_CELL, parent=province["other"])

    def member(code, name, born, cell, **kw):  # type: ignore[no-untyped-def]
        m = PartyMember(code=code, full_name=name, birth_date=born, organization=cell, **kw)
        m.save()
        return m

    members = {
        "hung_a": member("DV001", "Nguyễn Văn Hùng", dt.date(1970, 5, 1), cell_a),
        "hung_b": member("DV002", "Nguyễn Văn Hùng", dt.date(1982, 11, 20), cell_b),
        "ha": member("DV003", "Trần Thị Thu Hà", dt.date(1965, 2, 3), cell_a),
        "dung": member("DV004", "Phạm Quốc Dũng", dt.date(1978, 8, 9), cell_b),
        "tuan": member("DV005", "Lê Minh Tuấn", dt.date(1950, 1, 1), cell_b, status=MemberStatus.DECEASED),
        "far": member("DV900", "Võ Thành Long", dt.date(1960, 3, 3), far),
    }
    return {"cell_a": cell_a, "cell_b": cell_b, "far": far, **members}


@pytest.fixture
def clerk(province, make_user):  # type: ignore[no-untyped-def]
    """A clerk of the provincial Party committee: its cells and the Inspection Committee are in scope."""
    return make_user(province["tu"], role=Role.CLERK)


@pytest.fixture
def document(province):  # type: ignore[no-untyped-def]
    return DocumentFactory(unit=province["ubkt"])
