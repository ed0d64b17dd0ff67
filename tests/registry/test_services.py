"""Writes to the registry: tree paths, moves, validation, successions, and the unit selectors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from sohoa.core import audit
from sohoa.core.models import AuditEvent
from sohoa.registry import selectors
from sohoa.registry.models import Succession, Unit
from sohoa.registry.services import succession_set, unit_save
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


# ---- paths -------------------------------------------------------------------------------------------


def test_unit_save_computes_the_path_of_a_root():
    root = unit_save(actor=None, unit=Unit(code="H12", name="Tỉnh Cà Mau"))
    assert root.path == f"/{root.pk}/"
    assert fresh(root).path == root.path
    assert root.depth == 0


def test_unit_save_computes_the_path_below_the_parent(province):
    assert province["ubkt"].path == f"/{province['root'].pk}/{province['tu'].pk}/{province['ubkt'].pk}/"
    assert fresh(province["ubkt"]).path == province["ubkt"].path
    assert province["ubkt"].depth == 2


def test_moving_a_unit_updates_the_paths_of_all_its_descendants(province):
    leaf = UnitFactory(parent=province["ubkt"])
    tu = province["tu"]
    tu.parent = province["ubnd"]
    unit_save(actor=None, unit=tu)
    ubnd = fresh(province["ubnd"])
    assert fresh(tu).path == f"{ubnd.path}{tu.pk}/"
    assert fresh(province["ubkt"]).path == f"{ubnd.path}{tu.pk}/{province['ubkt'].pk}/"
    assert fresh(leaf).path == f"{fresh(province['ubkt']).path}{leaf.pk}/"
    # Nothing else moved.
    assert fresh(province["ubnd"]).path == f"/{province['root'].pk}/{ubnd.pk}/"
    assert fresh(province["other"]).path == f"/{province['other'].pk}/"


def test_moving_a_unit_to_the_top_makes_it_a_root(province):
    tu = province["tu"]
    tu.parent = None
    unit_save(actor=None, unit=tu)
    assert fresh(tu).path == f"/{tu.pk}/"
    assert fresh(province["ubkt"]).path == f"/{tu.pk}/{province['ubkt'].pk}/"


def test_moving_into_another_province_changes_the_scope_of_its_subtree(province):
    tu = province["tu"]
    tu.parent = province["other"]
    unit_save(actor=None, unit=tu)
    under_other = Unit.objects.filter(path__startswith=fresh(province["other"]).path)
    assert set(under_other.values_list("code", flat=True)) == {"H99", "H12.TU", "H12.UBKTTU"}


def test_paths_are_right_even_when_the_caller_holds_stale_objects(province):
    """Objects loaded before another move must not write their old paths back."""
    stale_ubkt = fresh(province["ubkt"])
    leaf = UnitFactory(parent=stale_ubkt)
    tu = fresh(province["tu"])
    tu.parent = province["ubnd"]
    unit_save(actor=None, unit=tu)  # stale_ubkt.path is now out of date

    child = unit_save(actor=None, unit=Unit(code="NEW", name="Mới", parent=stale_ubkt))
    assert fresh(child).path == f"{fresh(province['ubkt']).path}{child.pk}/"

    stale_ubkt.parent = province["root"]
    unit_save(actor=None, unit=stale_ubkt)
    ubkt = fresh(province["ubkt"])
    assert ubkt.path == f"/{province['root'].pk}/{ubkt.pk}/"
    assert fresh(leaf).path == f"{ubkt.path}{leaf.pk}/"
    assert fresh(child).path == f"{ubkt.path}{child.pk}/"


def test_saving_without_a_move_keeps_paths(province):
    before = dict(Unit.objects.values_list("code", "path"))
    tu = province["tu"]
    tu.name = "Tỉnh ủy Cà Mau (đổi tên)"
    unit_save(actor=None, unit=tu)
    assert dict(Unit.objects.values_list("code", "path")) == before


# ---- validation ---------------------------------------------------------------------------------------


def test_placing_a_unit_under_its_own_descendant_is_refused(province):
    root = province["root"]
    root.parent = province["ubkt"]
    with pytest.raises(ValidationError) as exc:
        unit_save(actor=None, unit=root)
    assert "parent" in exc.value.message_dict
    assert fresh(root).parent is None


def test_placing_a_unit_under_itself_is_refused(province):
    tu = province["tu"]
    tu.parent = tu
    with pytest.raises(ValidationError):
        unit_save(actor=None, unit=tu)


def test_placing_a_unit_under_a_stale_copy_of_its_descendant_is_refused(province):
    stale_ubkt = fresh(province["ubkt"])
    tu = fresh(province["tu"])
    tu.parent = province["ubnd"]
    unit_save(actor=None, unit=tu)
    root = fresh(province["root"])
    root.parent = stale_ubkt
    with pytest.raises(ValidationError):
        unit_save(actor=None, unit=root)


@pytest.mark.parametrize("code", ["", "bad code", "-H12", "H12/TU", "Đ12", "x" * 33])
def test_invalid_code_is_refused(code):
    with pytest.raises(ValidationError) as exc:
        unit_save(actor=None, unit=Unit(code=code, name="Đơn vị"))
    assert "code" in exc.value.message_dict
    assert not Unit.objects.exists()


@pytest.mark.parametrize("code", ["H12", "h12", "H12.UBKTTU", "000.00.31.H12", "A_b-1", "x" * 32])
def test_valid_codes_are_accepted(code):
    assert unit_save(actor=None, unit=Unit(code=code, name="Đơn vị")).pk


def test_duplicate_code_is_refused(province):
    with pytest.raises(ValidationError) as exc:
        unit_save(actor=None, unit=Unit(code="H12.TU", name="Trùng"))
    assert "code" in exc.value.message_dict


def test_empty_name_is_refused():
    with pytest.raises(ValidationError) as exc:
        unit_save(actor=None, unit=Unit(code="A", name=""))
    assert "name" in exc.value.message_dict


def test_unknown_kind_is_refused():
    with pytest.raises(ValidationError) as exc:
        unit_save(actor=None, unit=Unit(code="A", name="A", kind="ministry"))
    assert "kind" in exc.value.message_dict


def test_valid_to_before_valid_from_is_refused():
    with pytest.raises(ValidationError):
        unit_save(
            actor=None, unit=Unit(code="A", name="A", valid_from=dt.date(2025, 7, 1), valid_to=dt.date(2025, 6, 30))
        )


def test_is_active_on_follows_validity_dates():
    unit = Unit(code="A", name="A", valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2025, 6, 30))
    assert not unit.is_active_on(dt.date(2019, 12, 31))
    assert unit.is_active_on(dt.date(2020, 1, 1))
    assert unit.is_active_on(dt.date(2025, 6, 30))
    assert not unit.is_active_on(dt.date(2025, 7, 1))


# ---- audit ---------------------------------------------------------------------------------------------


def test_unit_save_writes_create_then_update_audit_rows(province):
    user = UserFactory(units=[province["root"]], role="admin")
    unit = unit_save(actor=user, unit=Unit(code="NEW", name="Mới"))
    unit.name = "Mới hơn"
    unit_save(actor=user, unit=unit)
    actions = list(
        AuditEvent.objects.filter(object_type="registry.unit", object_id=str(unit.pk))
        .order_by("seq")
        .values_list("action", "actor_username")
    )
    assert actions == [("create", user.username), ("update", user.username)]
    assert audit.verify().ok


def test_refused_unit_save_writes_no_audit_row(province):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        unit_save(actor=None, unit=Unit(code="bad code", name="x"))
    assert AuditEvent.objects.count() == before


# ---- successions ------------------------------------------------------------------------------------


def test_one_successor_is_a_merge(province):
    links = succession_set(
        actor=None,
        predecessor=province["other"],
        successors=[province["root"]],
        effective_date=dt.date(2025, 7, 1),
        decision="NQ 202/2025/QH15",
    )
    assert [(s.successor, s.kind, s.decision) for s in links] == [
        (province["root"], Succession.Kind.MERGE, "NQ 202/2025/QH15")
    ]


def test_several_successors_are_a_split(province):
    links = succession_set(
        actor=None, predecessor=province["other"], successors=[province["tu"], province["ubnd"]], effective_date=None
    )
    assert {s.kind for s in links} == {Succession.Kind.SPLIT}
    assert Succession.objects.filter(predecessor=province["other"]).count() == 2


def test_setting_successors_again_replaces_the_old_ones(province):
    succession_set(
        actor=None, predecessor=province["other"], successors=[province["tu"], province["ubnd"]], effective_date=None
    )
    succession_set(actor=None, predecessor=province["other"], successors=[province["root"]], effective_date=None)
    links = Succession.objects.filter(predecessor=province["other"])
    assert [(s.successor, s.kind) for s in links] == [(province["root"], Succession.Kind.MERGE)]


def test_unit_cannot_succeed_itself(province):
    with pytest.raises(ValidationError):
        succession_set(actor=None, predecessor=province["other"], successors=[province["other"]], effective_date=None)
    assert not Succession.objects.exists()


def test_succession_is_audited(province):
    succession_set(
        actor=None, predecessor=province["other"], successors=[province["root"]], effective_date=dt.date(2025, 7, 1)
    )
    event = AuditEvent.objects.filter(action="succession").get()
    assert event.details == {"successors": ["H12"], "effective_date": "2025-07-01"}


# ---- selectors ---------------------------------------------------------------------------------------


def test_unit_list_shows_every_unit_to_a_signed_in_user_and_filters(province):
    user = UserFactory(units=[province["ubkt"]])
    assert selectors.unit_list(user).count() == Unit.objects.count()
    assert list(selectors.unit_list(user, q="ubkttu")) == [province["ubkt"]]
    assert selectors.unit_list(user, kind="party_cell").count() == 0


def test_unit_get_is_404_for_an_inactive_user(province):
    user = UserFactory(units=[province["ubkt"]], is_active=False)
    with pytest.raises(Http404):
        selectors.unit_get(user, province["ubkt"].pk)


def test_units_in_scope_are_the_users_subtree(province):
    user = UserFactory(units=[province["tu"]])
    assert list(selectors.units_in_scope(user)) == [province["tu"], province["ubkt"]]


def test_unit_successions_returns_both_directions(province):
    succession_set(actor=None, predecessor=province["other"], successors=[province["root"]], effective_date=None)
    user = UserFactory(units=[province["ubkt"]])
    went, came = selectors.unit_successions(user, province["root"])
    assert list(went) == []
    assert [s.predecessor for s in came] == [province["other"]]


def test_unit_by_code(province):
    assert selectors.unit_by_code("H12.TU") == province["tu"]
    assert selectors.unit_by_code("NOPE") is None


class TestUnitWriteScope:
    def test_provincial_office_edits_units_of_its_own_province(self, province, make_user):
        from sohoa.core.models import Role

        office = make_user(province["tu"], role=Role.PROVINCIAL_OFFICE)
        unit = province["ubnd"]
        unit.name = "Ủy ban nhân dân tỉnh Cà Mau (mới)"
        unit_save(actor=office, unit=unit)
        created = unit_save(actor=office, unit=Unit(code="H12.NEW", name="Ban mới", parent=province["tu"]))
        assert created.path.startswith(province["tu"].path)

    def test_provincial_office_cannot_touch_another_province_or_create_a_root(self, province, make_user):
        from sohoa.core.models import Role

        office = make_user(province["tu"], role=Role.PROVINCIAL_OFFICE)
        other = province["other"]
        other.name = "changed"
        with pytest.raises(ValidationError):
            unit_save(actor=office, unit=other)
        with pytest.raises(ValidationError):
            unit_save(actor=office, unit=Unit(code="ROOT2", name="Tỉnh mới"))
        with pytest.raises(ValidationError):
            unit_save(actor=office, unit=Unit(code="H99.X", name="x", parent=province["other"]))

    def test_clerk_may_not_change_units(self, province, make_user):
        from django.core.exceptions import PermissionDenied

        clerk = make_user(province["ubkt"])
        with pytest.raises(PermissionDenied):
            unit_save(actor=clerk, unit=Unit(code="H12.Y", name="y", parent=province["ubkt"]))

    def test_admin_creates_a_new_province(self, province, make_user):
        from sohoa.core.models import Role

        admin = make_user(province["root"], role=Role.ADMIN)
        assert unit_save(actor=admin, unit=Unit(code="H13", name="Tỉnh mới")).parent is None
