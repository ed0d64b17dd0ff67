"""A small paper inventory in the province of tests/conftest.py and the people who plan its digitization."""

from __future__ import annotations

import datetime as dt

import pytest

from sohoa.core.models import Level, Role
from sohoa.planning import services
from sohoa.planning.models import Plan
from tests.factories import RegisterEntryFactory


@pytest.fixture
def entries(province):  # type: ignore[no-untyped-def]
    """UBKT: 2021–2024 incoming (QĐ and CV), one outgoing 2023, one MẬT; UBND: two incoming 2023."""
    ubkt, ubnd = province["ubkt"], province["ubnd"]
    rows = {
        "k21": RegisterEntryFactory(unit=ubkt, year=2021, doc_type="CV", doc_date=dt.date(2021, 3, 1)),
        "k22": RegisterEntryFactory(unit=ubkt, year=2022, doc_type="QĐ", doc_date=dt.date(2022, 6, 1)),
        "k23": RegisterEntryFactory(unit=ubkt, year=2023, doc_type="CV", doc_date=dt.date(2023, 9, 1)),
        "k24": RegisterEntryFactory(unit=ubkt, year=2024, doc_type="QĐ", doc_date=dt.date(2024, 2, 1)),
        "k23out": RegisterEntryFactory(unit=ubkt, year=2023, direction="outgoing", doc_type="BC"),
        "k23mat": RegisterEntryFactory(unit=ubkt, year=2023, doc_type="CV", confidentiality=Level.MAT),
        "n23a": RegisterEntryFactory(unit=ubnd, year=2023, doc_type="CV"),
        "n23b": RegisterEntryFactory(unit=ubnd, year=2023, doc_type="TB"),
    }
    RegisterEntryFactory(unit=province["other"], year=2023)  # another province: never selected
    return rows


@pytest.fixture
def leader(province, make_user):  # type: ignore[no-untyped-def]
    """Leader of the province root: plans for TU, UBKT and UBND are in their scope."""
    return make_user(province["root"], role=Role.UNIT_LEADER, clearance=Level.MAT)


@pytest.fixture
def archivist(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["root"], role=Role.ARCHIVIST, clearance=Level.MAT)


@pytest.fixture
def plan(province, archivist):  # type: ignore[no-untyped-def]
    """A draft plan of the whole province root, 2021–2024."""
    new = Plan(
        name="Số hóa văn bản 2021–2024",
        unit=province["root"],
        year_from=2021,
        year_to=2024,
        deadline=dt.date(2026, 6, 30),
    )
    return services.plan_save(actor=archivist, plan=new)


@pytest.fixture
def approved(plan, entries, archivist, leader):  # type: ignore[no-untyped-def]
    services.plan_materialize(actor=archivist, plan=plan)
    services.plan_transition(actor=archivist, plan=plan, action="submit")
    return services.plan_transition(actor=leader, plan=plan, action="approve")
