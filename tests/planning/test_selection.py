"""A plan's selection: criteria, exclusions with reasons, re-running, and the frozen selection of an
approved plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from sohoa.core.models import AuditEvent, Level
from sohoa.planning import services
from sohoa.planning.models import Candidate, Exclusion, Plan
from tests.factories import RegisterEntryFactory

from .factories import digitize

pytestmark = pytest.mark.django_db


def _entries(plan: Plan) -> set[int]:
    return set(Candidate.objects.filter(plan=plan).values_list("entry_id", flat=True))


def _ids(entries, *names):  # type: ignore[no-untyped-def]
    return {entries[n].pk for n in names}


def test_the_whole_subtree_and_period_is_selected_and_nothing_outside(plan, entries, archivist):
    result = services.plan_materialize(actor=archivist, plan=plan)
    assert _entries(plan) == _ids(entries, "k21", "k22", "k23", "k24", "k23out", "k23mat", "n23a", "n23b")
    assert result.selected == result.created == 8
    assert result.removed == result.excluded == 0


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"series": ["outgoing"]}, {"k23out"}),
        ({"year_from": 2023, "year_to": 2023}, {"k23", "k23out", "k23mat", "n23a", "n23b"}),
        ({"doc_types": ["QĐ"]}, {"k22", "k24"}),
        ({"levels": [Level.MAT]}, {"k23mat"}),
        ({"date_from": dt.date(2022, 1, 1), "date_to": dt.date(2023, 12, 31)}, {"k22", "k23", "k23out", "k23mat"}),
        # Series without register lines (inspection files, petitions…) give no candidates.
        ({"series": ["petitions"]}, set()),
    ],
)
def test_each_criterion_narrows_the_selection(plan, entries, archivist, criteria, expected):
    for field, value in criteria.items():
        setattr(plan, field, value)
    if "date_from" in criteria:  # the factory's document date is 2025-03-03 for the others
        for name in ("k23out", "k23mat", "n23a", "n23b"):
            entries[name].doc_date = dt.date(2023, 5, 5) if name.startswith("k") else dt.date(2025, 1, 1)
            entries[name].save()
    services.plan_save(actor=archivist, plan=plan)
    services.plan_materialize(actor=archivist, plan=plan)
    assert _entries(plan) == _ids(entries, *expected)


def test_chosen_units_limit_the_selection_to_their_subtrees(plan, entries, archivist, province):
    services.plan_save(actor=archivist, plan=plan, units=[province["tu"]])  # TU holds UBKT
    services.plan_materialize(actor=archivist, plan=plan)
    assert _entries(plan) == _ids(entries, "k21", "k22", "k23", "k24", "k23out", "k23mat")


def test_units_outside_the_planning_unit_are_refused(plan, archivist, province):
    plan.unit = province["tu"]
    with pytest.raises(ValidationError) as exc:
        services.plan_save(actor=archivist, plan=plan, units=[province["ubnd"]])
    assert "H12.UBND" in str(exc.value.message_dict["units"])


def test_exclusions_keep_the_row_with_its_reason(plan, entries, archivist, province):
    services.plan_materialize(actor=archivist, plan=plan)
    services.exclusion_add(
        actor=archivist, plan=plan, kind="entry", entry=entries["k21"], reason="Bản sao, đã có bản gốc"
    )
    services.exclusion_add(actor=archivist, plan=plan, kind="year", value="2022", reason="Đã số hóa năm 2023")
    services.exclusion_add(actor=archivist, plan=plan, kind="doc_type", value="tb", reason="Thông báo ít giá trị")
    services.exclusion_add(actor=archivist, plan=plan, kind="unit", value="h12.ubkttu", reason="Đơn vị tự làm")
    result = services.plan_materialize(actor=archivist, plan=plan)
    excluded = dict(Candidate.objects.filter(plan=plan, status="excluded").values_list("entry_id", "excluded_reason"))
    assert excluded[entries["k21"].pk] == "Bản sao, đã có bản gốc"
    assert excluded[entries["k22"].pk] == "Đã số hóa năm 2023"
    assert excluded[entries["n23b"].pk] == "Thông báo ít giá trị"
    assert excluded[entries["k24"].pk] == "Đơn vị tự làm"  # a unit covers its subtree
    assert set(excluded) == _ids(entries, "k21", "k22", "k23", "k24", "k23out", "k23mat", "n23b")
    assert result.excluded == 7
    waiting = Candidate.objects.filter(plan=plan, status="waiting").values_list("entry_id", flat=True)
    assert set(waiting) == _ids(entries, "n23a")
    values = set(Exclusion.objects.filter(plan=plan).values_list("kind", "value"))
    assert ("doc_type", "TB") in values and ("unit", "H12.UBKTTU") in values  # stored in canonical form


def test_running_the_selection_again_changes_nothing(plan, entries, archivist):
    services.plan_materialize(actor=archivist, plan=plan, today=dt.date(2025, 6, 1))
    before = list(Candidate.objects.filter(plan=plan).order_by("entry_id").values("pk", "entry_id", "score", "status"))
    again = services.plan_materialize(actor=archivist, plan=plan, today=dt.date(2025, 6, 1))
    after = list(Candidate.objects.filter(plan=plan).order_by("entry_id").values("pk", "entry_id", "score", "status"))
    assert before == after
    assert (again.created, again.changed, again.removed) == (0, 0, 0)
    assert AuditEvent.objects.filter(action="materialize", object_id=str(plan.pk)).count() == 2


def test_a_rerun_adds_new_paper_marks_digitized_and_drops_what_no_longer_matches(plan, entries, archivist, province):
    services.plan_materialize(actor=archivist, plan=plan)
    fresh = RegisterEntryFactory(unit=province["ubkt"], year=2024)
    digitize(entries["k23"])
    plan.year_from = 2022
    services.plan_save(actor=archivist, plan=plan)
    result = services.plan_materialize(actor=archivist, plan=plan)
    assert (result.created, result.removed) == (1, 1)
    assert fresh.pk in _entries(plan) and entries["k21"].pk not in _entries(plan)
    assert Candidate.objects.get(plan=plan, entry=entries["k23"]).status == "digitized"


def test_an_approved_plans_selection_cannot_change(approved, archivist, province, entries):
    approved.year_from = 2020
    with pytest.raises(ValidationError) as exc:
        services.plan_save(actor=archivist, plan=approved)
    assert exc.value.messages == [
        _("This plan is approved: its selection can no longer be changed. Create a new plan for other documents.")
    ]
    assert Plan.objects.get(pk=approved.pk).year_from == 2021
    with pytest.raises(ValidationError):
        services.exclusion_add(actor=archivist, plan=approved, kind="year", value="2021", reason="muộn")
    # Its name and deadline may still change (and are audited).
    fresh = Plan.objects.get(pk=approved.pk)
    fresh.deadline = dt.date(2026, 9, 30)
    services.plan_save(actor=archivist, plan=fresh)
    assert Plan.objects.get(pk=approved.pk).deadline == dt.date(2026, 9, 30)


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        ("year", "năm ngoái", "value"),
        ("doc_type", "XYZ", "value"),
        ("series", "khác", "value"),
        ("unit", "H99", "value"),  # another province
        ("level", "7", "value"),
        ("entry", "", "entry"),
    ],
)
def test_bad_exclusions_say_what_is_wrong_and_add_nothing(plan, archivist, entries, kind, value, field):
    with pytest.raises(ValidationError) as exc:
        services.exclusion_add(actor=archivist, plan=plan, kind=kind, value=value, reason="lý do")
    assert field in exc.value.message_dict
    assert not Exclusion.objects.exists()


def test_an_exclusion_needs_a_reason(plan, archivist):
    with pytest.raises(ValidationError) as exc:
        services.exclusion_add(actor=archivist, plan=plan, kind="year", value="2021", reason="  ")
    assert "reason" in exc.value.message_dict


def test_resending_the_same_choices_in_another_order_is_not_a_change(plan, archivist, leader):
    plan.doc_types, plan.series = ["QĐ", "CV"], ["outgoing", "incoming"]
    services.plan_save(actor=archivist, plan=plan)
    services.plan_transition(actor=archivist, plan=plan, action="submit")
    services.plan_transition(actor=leader, plan=plan, action="approve")
    again = Plan.objects.get(pk=plan.pk)
    again.doc_types, again.series, again.name = ["CV", "QĐ"], ["incoming", "outgoing"], "Tên mới"
    assert services.plan_save(actor=archivist, plan=again).name == "Tên mới"


def test_a_plan_without_candidates_says_so(client, plan, leader):
    client.force_login(leader)
    html = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert _("No candidates yet: select them first.") in html


@pytest.mark.parametrize("value", ["mat", "MAT", "1"])
def test_a_level_is_excluded_by_its_code_or_number(plan, archivist, value):
    exclusion = services.exclusion_add(actor=archivist, plan=plan, kind="level", value=value, reason="Chờ giải mật")
    assert exclusion.value == "1"


def test_the_plan_form_offers_criteria_not_single_entries():
    from sohoa.planning.forms import ExclusionForm

    assert "entry" not in dict(ExclusionForm().fields["kind"].widget.choices)
    assert ExclusionForm({"kind": "entry", "entry": 5, "reason": "bản sao"}).is_valid()  # the row's own button
