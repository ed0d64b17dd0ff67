"""The effectiveness arithmetic (used within N months, pages never used, cost per used page), the scope and
the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from sohoa.core.models import Level, Role
from sohoa.usage import selectors
from sohoa.usage.selectors import add_months, effectiveness
from tests.usage.conftest import use, utc

pytestmark = pytest.mark.django_db
NOW = utc(2026, 6, 1)


@pytest.fixture
def scenario(province, make_user, digitized):  # type: ignore[no-untyped-def]
    """Five documents of UBKT (28 pages) and one of UBND, digitized by an operator, used by a reader."""
    operator = make_user(province["ubkt"], role=Role.OPERATOR)
    reader = make_user(province["ubkt"], role=Role.INSPECTOR)
    ubkt = province["ubkt"]
    docs = {
        # used 5 months after digitization → used within 12 months
        "a": digitized(unit=ubkt, pages=10, at=utc(2025, 1, 10), by=operator),
        # first used 14 months after → not within 12 months, but used (its pages are not "never used")
        "b": digitized(unit=ubkt, pages=4, at=utc(2025, 1, 10), by=operator),
        # never used, window over
        "c": digitized(unit=ubkt, pages=6, at=utc(2025, 2, 1), by=operator),
        # never used, digitized a month ago: its window is still open
        "d": digitized(unit=ubkt, pages=5, at=utc(2026, 5, 1), by=operator),
        # only the operator who scanned it looked at it (QC, not use); and a view before it was digitized
        "e": digitized(unit=ubkt, pages=3, at=utc(2025, 3, 1), by=operator),
        "ubnd": digitized(unit=province["ubnd"], pages=7, at=utc(2025, 3, 1), by=operator),
    }
    use(docs["a"], reader, utc(2025, 6, 10))
    use(docs["a"], reader, utc(2025, 7, 10), kind="citation")
    use(docs["b"], reader, utc(2026, 3, 10), kind="download")
    use(docs["e"], operator, utc(2025, 3, 2))
    use(docs["e"], reader, utc(2025, 2, 1))  # before the copy existed: a use of the paper's record, not the scan
    use(docs["ubnd"], reader, utc(2025, 4, 1), kind="share")
    return {"docs": docs, "reader": reader, "operator": operator}


def test_used_within_n_months_unused_pages_and_cost_per_used_page(province, scenario):
    result = effectiveness(None, unit=province["ubkt"], months=12, cost_per_page=Decimal(2000), now=NOW)
    assert result.totals.as_dict(Decimal(2000)) == {
        "documents": 5,
        "used": 1,
        "used_percent": 20.0,
        "waiting": 1,
        "pages": 28,
        "used_pages": 10,
        "unused_pages": 6 + 5 + 3,
        "cost": 56000.0,
        "cost_per_used_page": 5600.0,
    }


def test_a_longer_window_counts_the_later_use(province, scenario):
    totals = effectiveness(None, unit=province["ubkt"], months=18, cost_per_page=Decimal(2000), now=NOW).totals
    assert (totals.used, totals.used_pages) == (2, 14)
    assert totals.cost_per_used_page(Decimal(2000)) == Decimal(4000)  # 28 × 2000 / 14


def test_without_a_cost_there_is_no_cost_per_used_page(province, scenario):
    totals = effectiveness(None, unit=province["ubkt"], now=NOW).totals.as_dict(None)
    assert totals["cost"] is None and totals["cost_per_used_page"] is None


def test_rolled_up_per_child_unit_and_restricted_to_a_plans_documents(province, scenario):
    result = effectiveness(None, unit=province["root"], months=12, now=NOW)
    rows = {r.unit.code: (r.tally.documents, r.tally.used) for r in result.children}
    assert rows == {"H12.TU": (5, 1), "H12.UBND": (1, 1)}
    assert result.totals.documents == 6
    docs = scenario["docs"]
    plan = effectiveness(None, document_ids=[docs["a"].pk, docs["c"].pk], months=12, now=NOW)
    assert (plan.totals.documents, plan.totals.used, plan.totals.pages, plan.totals.unused_pages) == (2, 1, 16, 6)


def test_the_period_is_the_digitization_date(province, scenario):
    result = effectiveness(None, unit=province["ubkt"], digitized_from=dt.date(2026, 1, 1), now=NOW)
    assert result.totals.documents == 1  # only "d"
    result = effectiveness(None, unit=province["ubkt"], digitized_to=dt.date(2025, 1, 31), now=NOW)
    assert result.totals.documents == 2  # "a" and "b"


def test_top_documents_only_lists_what_the_user_may_open(province, scenario, make_user, digitized):
    secret = digitized(unit=province["ubkt"], pages=2, at=utc(2025, 5, 1), confidentiality=Level.TUYET_MAT)
    for day in range(1, 6):
        use(secret, scenario["reader"], utc(2025, 5, 1 + day))
    office = make_user(province["tu"], role=Role.PROVINCIAL_OFFICE, clearance=Level.NONE)
    result = effectiveness(office, unit=province["root"], now=NOW)
    assert result.totals.documents == 7  # counted (a number reveals nothing) ...
    top = [doc for doc, _n in result.top]
    assert secret not in top and scenario["docs"]["a"] in top  # ... but never named
    cleared = make_user(province["tu"], role=Role.PROVINCIAL_OFFICE, clearance=Level.TUYET_MAT)
    assert effectiveness(cleared, unit=province["root"], now=NOW).top[0] == (secret, 5)


def test_a_unit_user_counts_only_their_scope(province, scenario, make_user):
    ubnd_clerk = make_user(province["ubnd"])
    assert effectiveness(ubnd_clerk, unit=None, now=NOW).totals.documents == 1
    # Asking for the root counts only the part of the tree in the user's scope.
    assert effectiveness(ubnd_clerk, unit=province["root"], now=NOW).totals.documents == 1
    outsider = make_user(province["other"])
    assert effectiveness(outsider, unit=None, now=NOW).totals.documents == 0


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(utc(2024, 1, 31), 1) == utc(2024, 2, 29)
    assert add_months(utc(2025, 1, 31), 1) == utc(2025, 2, 28)
    assert add_months(utc(2025, 11, 15), 14) == utc(2027, 1, 15)


def test_the_page_shows_the_numbers_and_refuses_units_out_of_scope(client, province, scenario, make_user):
    leader = make_user(province["tu"], role=Role.UNIT_LEADER)
    client.force_login(leader)
    page = client.get(reverse("usage_effectiveness"), {"months": 18, "cost": "2000"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="usage-documents">5<' in html  # TU's subtree: UBKT's five documents, not UBND's
    assert "4.000" in html  # cost per used page, Vietnamese thousands separator
    assert str(scenario["docs"]["a"]) in html and reverse("usage_effectiveness") in html
    for unit in (province["root"], province["ubnd"], province["other"]):
        assert client.get(reverse("usage_effectiveness"), {"unit": unit.pk}).status_code == 404
        assert client.get(reverse("usage_effectiveness_json"), {"unit": unit.pk}).status_code == 404
    data = client.get(reverse("usage_effectiveness_json"), {"unit": province["ubkt"].pk, "months": 18}).json()
    assert data["unit"] == "H12.UBKTTU" and data["totals"]["used"] == 2


def test_bad_input_is_reported_and_nothing_is_computed(client, province, make_user):
    client.force_login(make_user(province["ubkt"]))
    response = client.get(reverse("usage_effectiveness"), {"months": "0", "cost": "-5", "from": "2026", "to": "2020"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Đảm bảo giá trị này lớn hơn hoặc bằng với 1" in html and 'id="usage-table"' not in html
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        data = client.get(reverse("usage_effectiveness_json"), {"months": "abc"}).json()
    assert data["errors"] == ["Enter a whole number."]


def test_the_cost_setting_is_the_default(client, province, scenario, settings):
    settings.DIGITIZATION_COST_PER_PAGE = "1500"
    client.force_login(scenario["reader"])
    data = client.get(reverse("usage_effectiveness_json"), {"months": 18}).json()
    assert data["cost_per_page"] == 1500.0 and data["totals"]["cost"] == 28 * 1500


def test_the_selector_answers_in_a_fixed_number_of_queries(province, scenario, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        effectiveness(scenario["reader"], unit=province["ubkt"], now=NOW)
    assert selectors.document_uses([scenario["docs"]["a"].pk]) == {scenario["docs"]["a"].pk: 2}


def test_the_page_queries_do_not_grow_with_the_documents(client, province, scenario, digitized):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(scenario["reader"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("usage_effectiveness")).status_code == 200
        return len(queries)

    before = count()
    for n in range(10):
        doc = digitized(unit=province["ubkt"], pages=2, at=utc(2025, 4, 1))
        use(doc, scenario["reader"], utc(2025, 4, 2 + n))
    assert count() == before
