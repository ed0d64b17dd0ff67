"""Units file difficulties for themselves; the provincial Office answers them and aggregates them."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from sohoa.core.models import AuditEvent, Role
from sohoa.difficulties import selectors, services
from sohoa.difficulties.models import Category, Difficulty, Status, StatusChange

pytestmark = pytest.mark.django_db


def form(unit, **over):  # type: ignore[no-untyped-def]
    data = {
        "unit": unit.pk,
        "category": "equipment",
        "quantity": 2,
        "title": "Thiếu máy quét",
        "description": "Cần 2 máy quét A3 và USB bảo mật để sao chép tài liệu mật.",
    }
    return {**data, **over}


def file(user, unit, category="equipment", quantity=1, title="x"):  # type: ignore[no-untyped-def]
    return services.difficulty_file(
        actor=user, difficulty=Difficulty(unit=unit, category=category, quantity=quantity, title=title, description="d")
    )


@pytest.fixture
def office(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["tu"], role=Role.PROVINCIAL_OFFICE)


def test_a_clerk_files_for_their_own_unit(client, province, make_user):
    clerk = make_user(province["ubkt"])
    client.force_login(clerk)
    assert client.get(reverse("difficulty_create")).status_code == 200
    response = client.post(reverse("difficulty_create"), form(province["ubkt"]))
    difficulty = Difficulty.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("difficulty_detail", args=[difficulty.pk])
    assert (difficulty.status, difficulty.filed_by, difficulty.quantity) == (Status.OPEN, clerk, 2)
    assert list(difficulty.history.values_list("old_status", "new_status")) == [("", "open")]
    assert AuditEvent.objects.filter(action="create", object_type="difficulties.difficulty").count() == 1
    page = client.get(reverse("difficulty_detail", args=[difficulty.pk])).content.decode()
    assert "Thiếu máy quét" in page and "Đổi trạng thái" not in page and 'action="/difficulties/' not in page


def test_a_unit_cannot_file_for_another(client, province, make_user):
    client.force_login(make_user(province["ubkt"]))
    response = client.post(reverse("difficulty_create"), form(province["tu"]))  # the parent: not their own
    assert response.status_code == 400 and "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    leader = make_user(province["tu"], role=Role.UNIT_LEADER)
    with pytest.raises(ValidationError):
        file(leader, province["ubkt"])  # a leader of the parent sees the child, but files for the parent only
    assert not Difficulty.objects.exists()


def test_bad_input_is_reported_and_nothing_is_saved(client, province, make_user):
    client.force_login(make_user(province["ubkt"]))
    response = client.post(
        reverse("difficulty_create"), form(province["ubkt"], quantity=0, description="", category="scanner")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Trường này là bắt buộc." in html and "Hãy chọn một lựa chọn hợp lệ" in html
    assert "Đảm bảo giá trị này lớn hơn hoặc bằng với 1" in html
    assert "Thiếu máy quét" in html  # what was typed is kept in the form
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        english = client.post(reverse("difficulty_create"), form(province["ubkt"], quantity="many")).content.decode()
    assert "Enter a whole number." in english
    assert not Difficulty.objects.exists()


def test_readers_may_not_file(client, province, make_user):
    reader = make_user(province["root"], role=Role.STANDING_COMMITTEE)
    client.force_login(reader)
    assert client.get(reverse("difficulty_create")).status_code == 403
    with pytest.raises(PermissionDenied):
        file(reader, province["root"])


def test_the_office_answers_with_a_history(client, province, make_user, office):
    clerk = make_user(province["ubkt"])
    difficulty = file(clerk, province["ubkt"])
    client.force_login(clerk)
    assert client.post(reverse("difficulty_status", args=[difficulty.pk]), {"status": "resolved"}).status_code == 403
    client.force_login(office)
    url = reverse("difficulty_status", args=[difficulty.pk])
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        refused = client.post(url, {"status": "rejected", "note": "  "})
    assert refused.status_code == 400 and "Say why the proposal is rejected." in refused.content.decode()
    del client.cookies["django_language"]
    assert client.post(url, {"status": "in_progress", "note": "Đã trình Thường trực"}).status_code == 302
    assert client.post(url, {"status": "in_progress"}).status_code == 400  # same status again
    assert client.post(url, {"status": "done"}).status_code == 400  # not a status
    assert client.post(url, {"status": "rejected", "note": "Không có kinh phí"}).status_code == 302
    difficulty.refresh_from_db()
    assert difficulty.status == Status.REJECTED
    steps = list(StatusChange.objects.filter(difficulty=difficulty).values_list("old_status", "new_status", "note"))
    assert steps == [
        ("", "open", ""),
        ("open", "in_progress", "Đã trình Thường trực"),
        ("in_progress", "rejected", "Không có kinh phí"),
    ]
    client.force_login(clerk)  # the unit reads the answer
    assert "Không có kinh phí" in client.get(reverse("difficulty_detail", args=[difficulty.pk])).content.decode()


def test_visibility_follows_the_unit_tree(client, province, make_user, office):
    ubkt_item = file(make_user(province["ubkt"]), province["ubkt"], title="UBKT-thieu-nguoi")
    ubnd_item = file(make_user(province["ubnd"]), province["ubnd"], title="UBND-mat-mang")
    leader = make_user(province["tu"], role=Role.UNIT_LEADER)
    ubnd_clerk = make_user(province["ubnd"])
    assert set(selectors.difficulty_list(leader, statuses=None)) == {ubkt_item}  # TU's subtree
    assert set(selectors.difficulty_list(office, statuses=None)) == {ubkt_item, ubnd_item}  # the province
    assert set(selectors.difficulty_list(make_user(province["other"]), statuses=None)) == set()
    client.force_login(ubnd_clerk)
    assert client.get(reverse("difficulty_detail", args=[ubkt_item.pk])).status_code == 404
    listing = client.get(reverse("difficulty_list")).content.decode()
    assert "UBND-mat-mang" in listing and "UBKT-thieu-nguoi" not in listing
    summary = client.get(reverse("difficulty_summary")).content.decode()
    assert "H12.UBND" in summary and "H12.UBKTTU" not in summary


@pytest.fixture
def filed(province, make_user, office):  # type: ignore[no-untyped-def]
    ubkt, ubnd = make_user(province["ubkt"]), make_user(province["ubnd"])
    file(ubkt, province["ubkt"], "equipment", 2)
    file(ubkt, province["ubkt"], "equipment", 3)
    file(ubkt, province["ubkt"], "personnel", 1)
    file(ubnd, province["ubnd"], "equipment", 5)
    done = file(ubnd, province["ubnd"], "software", 1)
    services.difficulty_set_status(actor=office, difficulty=done, status="resolved")
    return office


def test_the_summary_aggregates_by_category_and_unit(province, filed):
    outstanding = selectors.summary(filed, statuses=selectors.statuses_for(""))
    assert outstanding.categories == ["personnel", "equipment"]
    assert (outstanding.by_category["equipment"].reports, outstanding.by_category["equipment"].quantity) == (3, 10)
    assert (outstanding.total.reports, outstanding.total.quantity) == (4, 11)
    rows = {
        u.code: ([(c.reports, c.quantity) for c in cells], (t.reports, t.quantity))
        for u, cells, t in outstanding.unit_rows()
    }
    assert rows == {"H12.UBKTTU": ([(1, 1), (2, 5)], (3, 6)), "H12.UBND": ([(0, 0), (1, 5)], (1, 5))}
    everything = selectors.summary(filed, statuses=selectors.statuses_for("all"))
    assert everything.total.reports == 5 and "software" in everything.categories


def test_the_summary_page_has_the_table_and_the_chart(client, filed):
    client.force_login(filed)
    html = client.get(reverse("difficulty_summary")).content.decode()
    assert 'id="summary-total">4<' in html
    chart = html[html.index('<figure class="chart">') : html.index("</figure>")]
    assert "<svg" in chart and "<script" not in chart and str(Category.EQUIPMENT.label) in chart
    assert reverse("difficulty_summary") in client.get(reverse("difficulty_list")).content.decode()
    bad = client.get(reverse("difficulty_summary"), {"status": "nonsense"})
    assert bad.status_code == 400 and 'id="summary-total">4<' in bad.content.decode()  # the default, and a message


def test_the_xlsx_export_reads_back_and_is_audited(client, filed):
    client.force_login(filed)
    response = client.get(reverse("difficulty_summary_xlsx"), {"status": "all"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Theo lĩnh vực", "Theo đơn vị", "Danh sách"]
    by_category = {r[0]: r[2:] for r in book["Theo lĩnh vực"].iter_rows(min_row=2, values_only=True)}
    assert by_category == {"personnel": (1, 1), "equipment": (3, 10), "software": (1, 1), "total": (5, 12)}
    by_unit = {r[0]: r[-2:] for r in book["Theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert by_unit == {"H12.UBKTTU": (3, 6), "H12.UBND": (2, 6)}
    assert book["Danh sách"].max_row == 6
    assert AuditEvent.objects.filter(action="export", object_type="difficulties.summary").count() == 1


def test_the_menu_has_usage_and_difficulties(client, province, make_user):
    client.force_login(make_user(province["ubkt"]))
    html = client.get(reverse("dashboard")).content.decode()
    assert reverse("difficulty_list") in html and reverse("usage_effectiveness") in html


def test_list_and_summary_queries_do_not_grow_with_the_rows(client, province, make_user, office):
    clerk = make_user(province["ubkt"])
    client.force_login(office)

    def count(name: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        return len(queries)

    file(clerk, province["ubkt"])
    few = {name: count(name) for name in ("difficulty_list", "difficulty_summary")}
    for n in range(12):
        file(clerk, province["ubkt"], category=Category.values[n % 6], quantity=n + 1)
    assert {name: count(name) for name in ("difficulty_list", "difficulty_summary")} == few
