"""The search page: the URL is the state, facets filter, hidden documents never show, bad input never fails."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from sohoa.core.models import Level, Role
from tests.factories import DigitalCopyFactory
from tests.search.conftest import add_document

pytestmark = pytest.mark.django_db

MARKER = "BIMATQUOCGIA"
URL = "/search/"


@pytest.fixture
def reader(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["root"], role=Role.PROVINCIAL_OFFICE, clearance=Level.TUYET_MAT)


@pytest.fixture
def clerk(province, make_user):  # type: ignore[no-untyped-def]
    """A clerk of UBKT without clearance: sees public documents of UBKT only."""
    return make_user(province["ubkt"], role=Role.CLERK, clearance=Level.NONE)


@pytest.fixture
def docs(province):  # type: ignore[no-untyped-def]
    ubkt = province["ubkt"]
    return {
        "cv": add_document(
            unit=ubkt,
            subject="Báo cáo kiểm tra đảng viên",
            doc_type="CV",
            issued_date=dt.date(2023, 3, 1),
            pages=["Trang một: mở đầu.", "Trang hai: kết luận kiểm tra đảng viên tại Cà Mau."],
        ),
        "qd": add_document(
            unit=ubkt, subject="Quyết định kiểm tra đảng viên", doc_type="QĐ", issued_date=dt.date(2024, 6, 1)
        ),
        "tu": add_document(
            unit=province["tu"], subject="Kiểm tra đảng viên của Tỉnh ủy", issued_date=dt.date(2024, 1, 9)
        ),
    }


@pytest.fixture
def hidden(province):  # type: ignore[no-untyped-def]
    """Documents the clerk must never learn of: classified in the clerk's own unit, another unit, another province."""
    return [
        add_document(
            unit=province["ubkt"],
            confidentiality=Level.TUYET_MAT,
            subject=f"{MARKER} kiểm tra đảng viên",
            doc_type="NQ",
            issued_date=dt.date(1999, 1, 1),
            pages=[f"{MARKER} trang mật kiểm tra"],
        ),
        add_document(
            unit=province["ubnd"],
            subject=f"{MARKER} kiểm tra đảng viên UBND",
            doc_type="KH",
            issued_date=dt.date(1998, 1, 1),
            pages=[f"{MARKER} kiểm tra"],
        ),
        add_document(
            unit=province["other"],
            subject=f"{MARKER} kiểm tra đảng viên tỉnh khác",
            doc_type="TB",
            issued_date=dt.date(1997, 1, 1),
            pages=[f"{MARKER} kiểm tra"],
        ),
    ]


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(i) for i in re.findall(r'data-document="(\d+)"', response.content.decode())]


def _facet(response, name):  # type: ignore[no-untyped-def]
    """Facet items by their key (unit id, type code, year …)."""
    return {i.key: i for g in response.context["facet_groups"] if g.name == name for i in g.items}


def test_page_renders_with_the_search_box_and_a_link_in_the_menu(client, reader, docs):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="q"' in html and 'hx-trigger="input changed delay:250ms' in html and 'hx-push-url="true"' in html
    assert f'href="{reverse("search")}" id="nav-search"' in html
    assert "search/search.js" in html
    assert len(_ids(response)) == 3  # nothing typed: the newest documents


def test_anonymous_is_sent_to_login(client):  # type: ignore[no-untyped-def]
    response = client.get(URL, {"q": "x"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_query_in_the_url_round_trips(client, reader, docs):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    response = client.get(URL, {"q": "Quyết định", "sort": "oldest", "year_from": "2024", "type": "QĐ"})
    html = response.content.decode()
    assert 'value="Quyết định"' in html
    assert '<option value="oldest" selected>' in html
    assert 'name="year_from" value="2024"' in html
    assert '<input type="hidden" name="type" value="QĐ">' in html
    assert _ids(response) == [docs["qd"].pk]
    # Every link keeps the state: the sort link of "newest" still carries the query and the filters.
    newest = dict((v, url) for v, _label, url in response.context["sorts"])["newest"]
    assert "q=Quy%E1%BA%BFt+%C4%91%E1%BB%8Bnh" in newest and "year_from=2024" in newest and "type=Q%C4%90" in newest


def test_htmx_request_gets_only_the_results(client, reader, docs):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    response = client.get(URL, {"q": "kiểm tr", "as_you_type": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-results"') and "<html" not in html
    assert set(_ids(response)) == {d.pk for d in docs.values()}
    assert "HX-Request" in response["Vary"]
    # A history restore asks for the whole page.
    full = client.get(URL, {"q": "x"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in full.content.decode()


def test_hits_show_highlights_notation_and_a_link_to_the_page_of_the_snippet(client, reader, docs):  # type: ignore[no-untyped-def]
    DigitalCopyFactory(document=docs["cv"], page_count=2)
    client.force_login(reader)
    html = client.get(URL, {"q": "kết luận"}).content.decode()
    detail = reverse("document_detail", args=[docs["cv"].pk])
    assert f'<a class="hit-link" href="{detail}?from=search">' in html
    assert "<b>kết</b> <b>luận</b>" in html or "<b>kết luận</b>" in html
    assert docs["cv"].notation in html
    assert f'href="{detail}?from=search#page-2"' in html
    # …and the document page has that anchor, linking to that page of the PDF.
    page = client.get(detail).content.decode()
    assert 'id="page-2"' in page and "archival.pdf?inline=1#page=2" in page


def test_text_is_escaped_except_the_marks(client, reader, province):  # type: ignore[no-untyped-def]
    add_document(unit=province["ubkt"], subject="<script>alert(1)</script> kiểm tra", pages=["<img src=x> kiểm tra"])
    client.force_login(reader)
    html = client.get(URL, {"q": "kiểm tra"}).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x>" not in html
    assert "&lt;script&gt;" in html


def test_type_facet_counts_and_filters(client, reader, docs):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    response = client.get(URL, {"q": "kiểm tra"})
    types = _facet(response, "type")
    assert types["QĐ"].count == 1 and types["CV"].count == 2
    assert types["QĐ"].label == "Quyết định"  # the type's name in the user's language (Vietnamese by default)
    follow = client.get(URL + unescape(types["QĐ"].url))
    assert _ids(follow) == [docs["qd"].pk]
    assert _facet(follow, "type")["QĐ"].active
    assert any("Quyết định" in f.label for f in follow.context["active_filters"])


def test_unit_facet_is_a_tree_summed_up_to_each_parent(client, reader, docs, province):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    units = _facet(client.get(URL, {"q": "kiểm tra"}), "unit")
    root, tu, ubkt = (units[province[k].pk] for k in ("root", "tu", "ubkt"))
    assert (root.count, root.depth, root.label) == (3, 0, province["root"].name)
    assert (tu.count, tu.depth) == (3, 1)
    assert (ubkt.count, ubkt.depth) == (2, 2)
    assert province["ubnd"].pk not in units and province["other"].pk not in units
    # Filtering by the party committee keeps its subtree.
    follow = client.get(URL, {"q": "kiểm tra", "unit": province["tu"].pk})
    assert set(_ids(follow)) == {d.pk for d in docs.values()}
    follow = client.get(URL, {"q": "kiểm tra", "unit": province["ubkt"].pk})
    assert set(_ids(follow)) == {docs["cv"].pk, docs["qd"].pk}


def test_year_and_date_ranges(client, reader, docs):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    years = _facet(client.get(URL, {"q": "kiểm tra"}), "year")
    assert years[2024].count == 2 and years[2023].count == 1
    assert set(_ids(client.get(URL, {"q": "kiểm tra", "year_from": 2024, "year_to": 2024}))) == {
        docs["qd"].pk,
        docs["tu"].pk,
    }
    response = client.get(URL, {"q": "kiểm tra", "date_from": "01/05/2024", "date_to": "2024-12-31"})
    assert _ids(response) == [docs["qd"].pk]
    assert 'name="date_from" value="2024-05-01"' in response.content.decode()


def test_sort_newest_and_oldest(client, reader, docs):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    assert _ids(client.get(URL, {"q": "kiểm tra", "sort": "newest"})) == [docs["qd"].pk, docs["tu"].pk, docs["cv"].pk]
    assert _ids(client.get(URL, {"q": "kiểm tra", "sort": "oldest"})) == [docs["cv"].pk, docs["tu"].pk, docs["qd"].pk]


def test_pagination(client, reader, province):  # type: ignore[no-untyped-def]
    for i in range(5):
        add_document(unit=province["ubkt"], subject=f"Hồ sơ lưu trữ {i}")
    client.force_login(reader)
    first = client.get(URL, {"q": "lưu trữ", "per_page": 2})
    assert len(_ids(first)) == 2 and first.context["result"].pages == 3
    assert first.context["next_url"] == "?q=l%C6%B0u+tr%E1%BB%AF&per_page=2&page=2"
    last = client.get(URL, {"q": "lưu trữ", "per_page": 2, "page": 3})
    assert len(_ids(last)) == 1
    everything = {*_ids(first), *_ids(client.get(URL, {"q": "lưu trữ", "per_page": 2, "page": 2})), *_ids(last)}
    assert len(everything) == 5


def test_fuzzy_note_when_only_similar_words_match(client, reader, province):  # type: ignore[no-untyped-def]
    add_document(unit=province["ubkt"], subject="Quyết định khen thưởng")
    client.force_login(reader)
    response = client.get(URL, {"q": "khen thuowng"})
    if response.context["result"].fuzzy:  # the selector decides when to fall back
        assert 'id="fuzzy-note"' in response.content.decode()
    assert response.status_code == 200


def test_hidden_documents_never_appear_in_page_partial_or_facets(client, clerk, docs, hidden, province):  # type: ignore[no-untyped-def]
    client.force_login(clerk)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        # The marker is searched in lower case: the page echoes the query, never a hidden title or snippet.
        for params in (
            {"q": "kiểm tra đảng viên"},
            {"q": MARKER.lower()},
            {"q": ""},
            {"q": "kiểm", "as_you_type": "1"},
        ):
            response = client.get(URL, params, **headers)
            html = response.content.decode()
            assert MARKER not in html
            assert not {h.pk for h in hidden} & set(_ids(response))
            result = response.context["result"]
            assert result.total == len(_ids(response)) <= 2
            assert set(_facet(response, "year")) <= {2023, 2024}
            assert set(_facet(response, "unit")) <= {province["ubkt"].pk}
            assert set(_facet(response, "level")) <= {0}
            assert set(_facet(response, "type")) <= {"CV", "QĐ"}
    # Asking for a unit outside the scope, or for the classified level, shows nothing hidden either.
    for params in ({"q": "kiểm tra", "unit": province["ubnd"].pk}, {"q": "kiểm tra", "level": "3"}):
        response = client.get(URL, params)
        assert MARKER not in response.content.decode() and not set(_ids(response)) & {h.pk for h in hidden}


ERROR, NOTICE, RESULTS, PAST_END = "error", "notice", "results", "past the end"
BAD_INPUTS = [
    ({"date_from": "2024-13-45"}, ERROR),
    ({"date_from": "hôm qua", "date_to": "31/02/2024"}, ERROR),
    ({"date_from": "2025-01-01", "date_to": "2024-01-01"}, ERROR),
    ({"date_from": "0001-01-01", "date_to": "9999-12-31"}, RESULTS),  # beyond what the index can store
    ({"year_from": "abc", "year_to": "-5"}, ERROR),
    ({"year_from": "2025", "year_to": "2020"}, ERROR),
    ({"page": "abc"}, ERROR),
    ({"page": "-1"}, ERROR),
    ({"page": "999999"}, ERROR),
    ({"page": "50"}, PAST_END),
    ({"sort": "random"}, ERROR),
    ({"sort": "'; DROP TABLE"}, ERROR),
    ({"unit": "999999"}, ERROR),
    ({"unit": "abc"}, ERROR),
    ({"fonds": "x"}, ERROR),
    ({"level": "99"}, ERROR),
    ({"type": "<script>"}, ERROR),
    ({"status": "lost"}, ERROR),
    ({"has_text": "maybe"}, ERROR),
    ({"lang": "../../etc"}, ERROR),
    ({"per_page": "100000"}, ERROR),
    ({"q": "kiểm tra " * 1250}, NOTICE),  # 10,000 characters: the first part is searched, and it says so
    ({"q": '"kiểm tra'}, RESULTS),  # unbalanced quotes
    ({"q": "kiểm tra*"}, RESULTS),
    ({"q": "*"}, NOTICE),
    ({"q": "***"}, NOTICE),
    ({"q": '"'}, NOTICE),
    ({"q": "kiểm [a TO b] IN \\ (x) {y} ^2 ~1 +a -b && || ! Số: 15"}, None),
    ({"q": "\x00\ufeff\u200b"}, None),
]


@pytest.mark.parametrize("params, expected", BAD_INPUTS, ids=[str(i) for i in range(len(BAD_INPUTS))])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "partial"])
def test_bad_input_gives_a_message_never_an_error(client, reader, docs, params, expected, htmx):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.get(URL, {"q": "kiểm tra", **params}, **headers)
    assert response.status_code == 200
    html = response.content.decode()
    result = response.context["result"]
    if expected == ERROR:
        assert 'class="flash error"' in html
        assert result.total == 3  # the value is ignored: the other parameters still search
    elif expected == NOTICE:
        assert result.message and result.message in unescape(html)
    elif expected == RESULTS:
        assert result.total == 3 and 'class="flash error"' not in html
    elif expected == PAST_END:
        assert result.total == 3 and not result.hits and "?q=ki%E1%BB%83m+tra" in html


def test_messages_are_in_vietnamese_by_default(client, reader, docs):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    html = client.get(URL, {"q": "*", "date_from": "2024-13-45"}).content.decode()
    assert "Tìm kiếm" in html
    assert "Enter a valid date." not in html  # translated
    long = client.get(URL, {"q": "kiểm tra " * 1250}).context["result"]
    assert long.message and long.total == 3


def test_query_count_does_not_grow_with_the_hits(client, reader, province):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"q": "lưu trữ"}).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(reader)
    for i in range(6):  # more than the fuzzy fallback's threshold, so both runs take the same path
        add_document(unit=province[("ubkt", "tu", "ubnd")[i % 3]], subject=f"Hồ sơ lưu trữ {i}", pages=["lưu trữ"])
    count()  # the first search also builds the user's permission filter (then cached)
    few = count()
    for i in range(12):
        add_document(unit=province[("ubkt", "tu", "ubnd")[i % 3]], subject=f"Hồ sơ lưu trữ thêm {i}", pages=["lưu trữ"])
    assert count() == few
