"""The one access policy: clearance × level, unit scope, province-wide roles, grants, admin-only models."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sohoa.archive.models import Document, Record, RegisterEntry
from sohoa.core import audit, policy
from sohoa.core.models import AuditEvent, Level, Role, User
from sohoa.registry.models import Unit
from tests.factories import (
    DocumentFactory,
    FondsFactory,
    GrantFactory,
    RecordFactory,
    RegisterEntryFactory,
    UnitFactory,
    UserFactory,
)

LEVELS = list(Level)


def visible_docs(user):  # type: ignore[no-untyped-def]
    return set(policy.restrict(user, Document.objects.all()).values_list("pk", flat=True))


@pytest.fixture
def docs(province):  # type: ignore[no-untyped-def]
    """One unclassified document in every unit of the fixture tree."""
    return {key: DocumentFactory(unit=unit) for key, unit in province.items()}


# ---- clearance × level ------------------------------------------------------------------------------


@pytest.mark.parametrize("clearance", LEVELS, ids=[lv.name for lv in LEVELS])
@pytest.mark.parametrize("level", LEVELS, ids=[lv.name for lv in LEVELS])
def test_user_sees_a_document_only_when_its_level_is_at_most_their_clearance(province, make_user, clearance, level):
    user = make_user(province["ubkt"], clearance=clearance)
    doc = DocumentFactory(unit=province["ubkt"], confidentiality=level)
    assert policy.can_see(user, doc) is (level <= clearance)
    assert (doc.pk in visible_docs(user)) is (level <= clearance)


@pytest.mark.parametrize("clearance", LEVELS, ids=[lv.name for lv in LEVELS])
def test_clearance_also_limits_records_and_register_entries(province, make_user, clearance):
    user = make_user(province["ubkt"], clearance=clearance)
    records = [RecordFactory(unit=province["ubkt"], confidentiality=lv) for lv in LEVELS]
    entries = [RegisterEntryFactory(unit=province["ubkt"], confidentiality=lv) for lv in LEVELS]
    seen_records = set(policy.restrict(user, Record.objects.all()))
    seen_entries = set(policy.restrict(user, RegisterEntry.objects.all()))
    assert seen_records == {r for r in records if r.confidentiality <= clearance}
    assert seen_entries == {e for e in entries if e.confidentiality <= clearance}


def test_province_wide_role_is_still_bound_by_clearance(province, make_user):
    user = make_user(province["root"], role=Role.STANDING_COMMITTEE, clearance=Level.MAT)
    secret = DocumentFactory(unit=province["tu"], confidentiality=Level.TOI_MAT)
    assert not policy.can_see(user, secret)


# ---- unit scope ---------------------------------------------------------------------------------------


def test_user_sees_own_unit_and_its_descendants(province, make_user, docs):
    user = make_user(province["tu"])
    assert visible_docs(user) == {docs["tu"].pk, docs["ubkt"].pk}


def test_user_does_not_see_parent_sibling_or_other_province(province, make_user, docs):
    user = make_user(province["ubkt"])
    assert visible_docs(user) == {docs["ubkt"].pk}
    for hidden in ("root", "tu", "ubnd", "other"):
        assert not policy.can_see(user, docs[hidden])


def test_user_in_several_units_sees_the_union_of_their_scopes(province, docs):
    user = UserFactory(units=[province["ubkt"], province["ubnd"]])
    assert visible_docs(user) == {docs["ubkt"].pk, docs["ubnd"].pk}


def test_user_without_units_sees_no_scoped_objects(province, docs):
    user = UserFactory(units=[], clearance=Level.TUYET_MAT)
    assert visible_docs(user) == set()
    assert policy.scope_units(user).count() == 0


def test_scope_follows_deep_descendants(province, make_user):
    leaf = UnitFactory(parent=UnitFactory(parent=province["ubkt"]))
    doc = DocumentFactory(unit=leaf)
    assert policy.can_see(make_user(province["tu"]), doc)
    assert not policy.can_see(make_user(province["ubnd"]), doc)


def test_unit_in_scope_matches_scope_units(province, make_user):
    user = make_user(province["tu"])
    assert policy.unit_in_scope(user, province["ubkt"])
    assert policy.unit_in_scope(user, province["tu"])
    assert not policy.unit_in_scope(user, province["root"])
    assert not policy.unit_in_scope(user, province["ubnd"])


def test_scope_is_by_custodian_unit_not_creator_unit(province, make_user):
    doc = DocumentFactory(unit=province["ubnd"], creator_unit=province["ubkt"])
    assert not policy.can_see(make_user(province["ubkt"]), doc)
    assert policy.can_see(make_user(province["ubnd"]), doc)


@pytest.mark.parametrize("role", sorted(policy.PROVINCE_ROLES))
def test_province_wide_role_sees_whole_province_but_not_another(province, make_user, docs, role):
    user = make_user(province["ubkt"], role=role)
    expected = {docs[k].pk for k in ("root", "tu", "ubkt", "ubnd")}
    assert visible_docs(user) == expected


@pytest.mark.parametrize("role", sorted(set(Role.values) - policy.PROVINCE_ROLES))
def test_other_roles_see_only_their_subtree(province, make_user, docs, role):
    user = make_user(province["tu"], role=role)
    assert visible_docs(user) == {docs["tu"].pk, docs["ubkt"].pk}


def test_superuser_counts_as_administrator(province, docs):
    user = UserFactory(units=[province["ubkt"]], role=Role.CLERK, is_superuser=True)
    assert policy.is_admin(user)
    assert visible_docs(user) == {docs[k].pk for k in ("root", "tu", "ubkt", "ubnd")}


def test_fonds_and_locations_are_scoped_by_unit(province, make_user):
    from sohoa.archive.models import Fonds

    mine = FondsFactory(unit=province["ubkt"])
    FondsFactory(unit=province["ubnd"])
    assert list(policy.restrict(make_user(province["ubkt"]), Fonds.objects.all())) == [mine]


def test_registry_units_are_visible_to_every_signed_in_user(province, make_user):
    user = make_user(province["ubkt"])
    assert policy.restrict(user, Unit.objects.all()).count() == Unit.objects.count()


# ---- need-to-know grants -------------------------------------------------------------------------------


def test_valid_document_grant_shows_document_despite_clearance_and_scope(province, make_user):
    user = make_user(province["ubkt"], clearance=Level.NONE)
    doc = DocumentFactory(unit=province["other"], confidentiality=Level.TUYET_MAT)
    assert not policy.can_see(user, doc)
    GrantFactory(user=user, document=doc)
    assert policy.can_see(user, doc)
    assert policy.get_visible_or_404(user, Document.objects.all(), pk=doc.pk) == doc


def test_record_grant_covers_the_record_and_all_its_documents(province, make_user):
    user = make_user(province["ubkt"])
    record = RecordFactory(unit=province["other"], confidentiality=Level.MAT)
    inside = [DocumentFactory(unit=province["other"], record=record, confidentiality=lv) for lv in LEVELS]
    outside = DocumentFactory(unit=province["other"])
    GrantFactory(user=user, record=record)
    assert policy.can_see(user, record)
    assert visible_docs(user) == {d.pk for d in inside}
    assert not policy.can_see(user, outside)


def test_expired_grant_shows_nothing(province, make_user):
    user = make_user(province["ubkt"])
    doc = DocumentFactory(unit=province["other"])
    record = RecordFactory(unit=province["other"])
    in_record = DocumentFactory(unit=province["other"], record=record)
    past = timezone.now() - dt.timedelta(seconds=1)
    GrantFactory(user=user, document=doc, valid_until=past)
    GrantFactory(user=user, record=record, valid_until=past)
    assert visible_docs(user) == set()
    assert not policy.can_see(user, record)
    assert not policy.can_see(user, in_record)


def test_grant_to_another_user_does_not_help(province, make_user):
    user, colleague = make_user(province["ubkt"]), make_user(province["ubkt"])
    doc = DocumentFactory(unit=province["other"])
    GrantFactory(user=colleague, document=doc)
    assert not policy.can_see(user, doc)
    assert policy.can_see(colleague, doc)


def test_grants_do_not_open_register_entries(province, make_user):
    """Register entries have no grant path: only scope and clearance apply."""
    user = make_user(province["ubkt"])
    doc = DocumentFactory(unit=province["other"])
    entry = RegisterEntryFactory(unit=province["other"], document=doc)
    GrantFactory(user=user, document=doc)
    assert not policy.can_see(user, entry)


# ---- inactive and anonymous -------------------------------------------------------------------------


def test_inactive_user_sees_nothing(province, docs):
    user = UserFactory(units=[province["root"]], role=Role.ADMIN, clearance=Level.TUYET_MAT, is_active=False)
    GrantFactory(user=user, document=docs["other"])
    assert visible_docs(user) == set()
    assert policy.restrict(user, Unit.objects.all()).count() == 0
    assert policy.restrict(user, AuditEvent.objects.all()).count() == 0


def test_anonymous_user_sees_nothing(province, docs):
    anonymous = AnonymousUser()
    assert visible_docs(anonymous) == set()
    assert policy.restrict(anonymous, Unit.objects.all()).count() == 0
    assert not policy.can_create(anonymous, Document)


# ---- admin-only models ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_audit_events_and_users_are_visible_only_to_administrators(province, make_user, role):
    audit.record("test")
    user = make_user(province["root"], role=role, clearance=Level.TUYET_MAT)
    admin = role == Role.ADMIN
    assert policy.restrict(user, AuditEvent.objects.all()).exists() is admin
    assert policy.restrict(user, User.objects.all()).exists() is admin
    if admin:
        assert policy.restrict(user, User.objects.all()).count() == User.objects.count()


def test_nobody_may_write_audit_events(province, make_user):
    admin = make_user(province["root"], role=Role.ADMIN)
    assert not policy.can_create(admin, AuditEvent)


# ---- write rights ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CLERK, True),
        (Role.ARCHIVIST, True),
        (Role.OPERATOR, True),
        (Role.ADMIN, True),
        (Role.INSPECTOR, False),
        (Role.UNIT_LEADER, False),
        (Role.PROVINCIAL_OFFICE, False),
        (Role.STANDING_COMMITTEE, False),
    ],
)
def test_only_archive_roles_may_write_documents(province, make_user, role, allowed):
    assert policy.can_create(make_user(province["ubkt"], role=role), Document) is allowed


def test_only_admin_and_provincial_office_may_write_units(province, make_user):
    writers = {r for r in Role.values if policy.can_create(make_user(province["root"], role=r), Unit)}
    assert writers == {Role.ADMIN, Role.PROVINCIAL_OFFICE}


def test_can_edit_needs_both_the_right_and_visibility(province, make_user):
    clerk = make_user(province["ubkt"], role=Role.CLERK)
    leader = make_user(province["ubkt"], role=Role.UNIT_LEADER)
    mine = DocumentFactory(unit=province["ubkt"])
    theirs = DocumentFactory(unit=province["ubnd"])
    assert policy.can_edit(clerk, mine)
    assert not policy.can_edit(clerk, theirs)
    assert not policy.can_edit(leader, mine)


def test_level_allowed_compares_with_clearance(province, make_user):
    user = make_user(province["ubkt"], clearance=Level.MAT)
    assert policy.level_allowed(user, Level.NONE)
    assert policy.level_allowed(user, Level.MAT)
    assert not policy.level_allowed(user, Level.TOI_MAT)


# ---- get_visible_or_404 and rule_for --------------------------------------------------------------


def test_get_visible_or_404_returns_a_visible_object(province, make_user, docs):
    user = make_user(province["ubkt"])
    assert policy.get_visible_or_404(user, Document.objects.all(), pk=docs["ubkt"].pk) == docs["ubkt"]


def test_get_visible_or_404_raises_404_for_hidden_object(province, make_user, docs):
    user = make_user(province["ubkt"])
    with pytest.raises(Http404):
        policy.get_visible_or_404(user, Document.objects.all(), pk=docs["ubnd"].pk)


def test_get_visible_or_404_raises_404_for_missing_object(province, make_user):
    user = make_user(province["ubkt"])
    with pytest.raises(Http404):
        policy.get_visible_or_404(user, Document.objects.all(), pk=987654)


def test_get_visible_or_404_raises_404_for_malformed_key(province, make_user):
    user = make_user(province["ubkt"])
    with pytest.raises(Http404):
        policy.get_visible_or_404(user, Document.objects.all(), pk="not-a-number")


def test_rule_for_model_without_rule_fails_loudly(province, make_user):
    with pytest.raises(LookupError, match="auth.group"):
        policy.rule_for(Group)
    with pytest.raises(LookupError):
        policy.restrict(make_user(province["root"], role=Role.ADMIN), Group.objects.all())


# ---- property: restrict() equals a plain re-implementation of the rule ------------------------------

TREE = {  # key → parent key: two provinces, branches of different depth
    "p1": None,
    "p1a": "p1",
    "p1a1": "p1a",
    "p1a1x": "p1a1",
    "p1b": "p1",
    "p2": None,
    "p2a": "p2",
}
UNIT_KEYS = sorted(TREE)


def _root(key: str) -> str:
    while TREE[key] is not None:
        key = TREE[key]  # type: ignore[assignment]
    return key


def _is_under(key: str, ancestor: str) -> bool:
    node: str | None = key
    while node is not None:
        if node == ancestor:
            return True
        node = TREE[node]
    return False


def _expected_visible(user_spec, doc_specs, grant_specs) -> set[int]:  # type: ignore[no-untyped-def]
    """The rule in words: active, and (level ≤ clearance and unit in scope) or a valid grant."""
    role, clearance, unit_key, superuser, active = user_spec
    if not active:
        return set()
    province_wide = superuser or role in {"provincial_office", "standing_committee", "admin"}
    result = set()
    for i, (doc_unit, level, record_no) in enumerate(doc_specs):
        in_scope = _root(doc_unit) == _root(unit_key) if province_wide else _is_under(doc_unit, unit_key)
        granted = any(
            valid
            and (
                (kind == "doc" and target == i) or (kind == "record" and record_no is not None and target == record_no)
            )
            for kind, target, valid in grant_specs
        )
        if (in_scope and level <= clearance) or granted:
            result.add(i)
    return result


@pytest.fixture
def tree(db):  # type: ignore[no-untyped-def]
    units: dict[str, Unit] = {}
    for key in ["p1", "p1a", "p1a1", "p1a1x", "p1b", "p2", "p2a"]:  # parents first
        units[key] = UnitFactory(code=key.upper(), parent=units.get(TREE[key] or ""))
    return units


user_specs = st.tuples(
    st.sampled_from(Role.values),
    st.sampled_from([int(lv) for lv in LEVELS]),
    st.sampled_from(UNIT_KEYS),
    st.sampled_from([False, False, False, True]),  # superuser, sometimes
    st.sampled_from([True, True, True, False]),  # mostly active
)
doc_specs = st.lists(
    st.tuples(
        st.sampled_from(UNIT_KEYS), st.sampled_from([int(lv) for lv in LEVELS]), st.one_of(st.none(), st.integers(0, 2))
    ),
    min_size=0,
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user_spec=user_specs, documents=doc_specs, data=st.data())
def test_restrict_equals_a_plain_python_reimplementation_of_the_rule(tree, user_spec, documents, data):
    grant = st.tuples(st.just("record"), st.integers(0, 2), st.booleans())
    if documents:
        grant |= st.tuples(st.just("doc"), st.integers(0, len(documents) - 1), st.booleans())
    grant_specs = data.draw(st.lists(grant, max_size=3))
    with transaction.atomic():
        role, clearance, unit_key, superuser, active = user_spec
        user = UserFactory(
            units=[tree[unit_key]], role=role, clearance=clearance, is_superuser=superuser, is_active=active
        )
        records = [RecordFactory(unit=tree["p2a"]) for _ in range(3)]
        created = [
            DocumentFactory(unit=tree[u], confidentiality=level, record=records[r] if r is not None else None)
            for u, level, r in documents
        ]
        now = timezone.now()
        for kind, target, valid in grant_specs:
            until = now + dt.timedelta(days=1) if valid else now - dt.timedelta(days=1)
            if kind == "doc":
                GrantFactory(user=user, document=created[target], valid_until=until)
            else:
                GrantFactory(user=user, record=records[target], valid_until=until)
        # A stranger's valid grants on everything must change nothing for this user.
        stranger = UserFactory(units=[tree["p2"]])
        for doc in created:
            GrantFactory(user=stranger, document=doc)

        got = set(
            policy.restrict(user, Document.objects.filter(pk__in=[d.pk for d in created])).values_list("pk", flat=True)
        )
        expected = {created[i].pk for i in _expected_visible(user_spec, documents, grant_specs)}
        transaction.set_rollback(True)
    assert got == expected
