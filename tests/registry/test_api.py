"""The registry REST API: units are readable by every signed-in user, written only by the roles allowed."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sohoa.core.models import AuditEvent, Role
from sohoa.registry.models import Unit


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_every_signed_in_user_reads_all_units(api, province, make_user):  # type: ignore[no-untyped-def]
    api.force_authenticate(make_user(province["ubkt"], role=Role.INSPECTOR))
    response = api.get("/api/units/")
    assert response.status_code == 200
    codes = {u["code"] for u in response.json()["results"]}
    assert codes == {"H12", "H12.TU", "H12.UBKTTU", "H12.UBND", "H99"}
    ubkt = api.get(f"/api/units/{province['ubkt'].pk}/").json()
    assert ubkt["parent"] == "H12.TU"
    assert ubkt["depth"] == 2


def test_unit_list_filters_and_rejects_bad_kind(api, province, make_user):  # type: ignore[no-untyped-def]
    api.force_authenticate(make_user(province["tu"]))
    found = api.get("/api/units/", {"q": "Kiểm tra"}).json()["results"]
    assert [u["code"] for u in found] == ["H12.UBKTTU"]
    assert api.get("/api/units/", {"kind": "nonsense"}).status_code == 400


def test_unit_list_has_no_n_plus_1(api, province, make_user, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    from tests.factories import UnitFactory

    for _ in range(20):
        UnitFactory(parent=province["tu"])
    api.force_authenticate(make_user(province["tu"]))
    with django_assert_max_num_queries(2):
        assert api.get("/api/units/").status_code == 200


@pytest.mark.parametrize("role", [Role.CLERK, Role.ARCHIVIST, Role.INSPECTOR, Role.UNIT_LEADER])
def test_roles_without_registry_rights_cannot_create_units(api, province, make_user, role):  # type: ignore[no-untyped-def]
    api.force_authenticate(make_user(province["tu"], role=role))
    response = api.post("/api/units/", {"code": "H12.NEW", "name": "Mới", "parent": "H12"}, format="json")
    assert response.status_code == 403
    assert not Unit.objects.filter(code="H12.NEW").exists()


def test_provincial_office_creates_a_unit_through_the_service(api, province, make_user):  # type: ignore[no-untyped-def]
    user = make_user(province["root"], role=Role.PROVINCIAL_OFFICE)
    api.force_authenticate(user)
    body = {"code": "H12.SNV", "name": "Sở Nội vụ", "kind": "department", "parent": "H12.UBND"}
    response = api.post("/api/units/", body, format="json")
    assert response.status_code == 201, response.content
    unit = Unit.objects.get(code="H12.SNV")
    assert unit.path == f"{province['ubnd'].path}{unit.pk}/"
    row = AuditEvent.objects.get(action="create", object_type="registry.unit", object_id=str(unit.pk))
    assert row.actor_id == user.pk


def test_unit_write_errors_are_400(api, province, make_user):  # type: ignore[no-untyped-def]
    api.force_authenticate(make_user(province["root"], role=Role.ADMIN))
    bad_code = api.post("/api/units/", {"code": "bad code!", "name": "x"}, format="json")
    assert bad_code.status_code == 400 and "code" in bad_code.json()
    taken = api.post("/api/units/", {"code": "H12.TU", "name": "x"}, format="json")
    assert taken.status_code == 400 and "code" in taken.json()
    unknown_parent = api.post("/api/units/", {"code": "X1", "name": "x", "parent": "NOPE"}, format="json")
    assert unknown_parent.status_code == 400 and "parent" in unknown_parent.json()
    under_itself = api.patch(f"/api/units/{province['tu'].pk}/", {"parent": "H12.UBKTTU"}, format="json")
    assert under_itself.status_code == 400 and "parent" in under_itself.json()
    bad_range = api.post(
        "/api/units/", {"code": "X2", "name": "x", "valid_from": "2025-01-01", "valid_to": "2024-01-01"}, format="json"
    )
    assert bad_range.status_code == 400


def test_moving_a_unit_updates_the_tree(api, province, make_user):  # type: ignore[no-untyped-def]
    api.force_authenticate(make_user(province["root"], role=Role.ADMIN))
    response = api.patch(f"/api/units/{province['ubkt'].pk}/", {"parent": "H12.UBND"}, format="json")
    assert response.status_code == 200, response.content
    province["ubkt"].refresh_from_db()
    assert province["ubkt"].path.startswith(province["ubnd"].path)


def test_units_cannot_be_deleted(api, province, make_user):  # type: ignore[no-untyped-def]
    api.force_authenticate(make_user(province["root"], role=Role.ADMIN))
    assert api.delete(f"/api/units/{province['other'].pk}/").status_code == 405
    assert Unit.objects.filter(pk=province["other"].pk).exists()
