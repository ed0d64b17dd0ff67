"""Whatever is typed, search answers: a clear message or sensible results, never an error."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from sohoa.core.models import Level, Role
from sohoa.search import selectors
from tests.search.conftest import add_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(province, make_user):  # type: ignore[no-untyped-def]
    add_document(unit=province["tu"], subject="Quyết định thành lập Ban chỉ đạo", notation="5-QĐ/TU")
    add_document(unit=province["tu"], subject="Báo cáo tổng kết năm")
    return make_user(province["root"], role=Role.PROVINCIAL_OFFICE, clearance=Level.MAT)


def test_empty_query_browses_newest_first(reader):  # type: ignore[no-untyped-def]
    page = selectors.search(reader, "")
    assert page.total == 2 and page.sort == "newest" and not page.message


@pytest.mark.parametrize("text", ["*", "**", '"', '""', "   ", "?!", "()"])
def test_nothing_searchable_says_what_to_type(reader, text):  # type: ignore[no-untyped-def]
    with override("en"):
        page = selectors.search(reader, text)
    if text.strip():
        assert page.total == 0 and "Type a word" in page.message
    else:
        assert page.total == 2


def test_very_long_query_is_cut_and_said(reader):  # type: ignore[no-untyped-def]
    with override("en"):
        page = selectors.search(reader, "quyết định " * 1000)
    assert page.total == 1 and "first part" in page.message


@pytest.mark.parametrize(
    "text",
    ['"quyết định thành lập', 'quyết "định', "Số: 5-QĐ/TU", "[a TO b]", "title:quyết", "quyết AND NOT định",
     "quyết~2", "quyết^3", "\\", "a:b:c", "{}", "+quyết -định", "<script>alert(1)</script>", "quyết định)"],
)  # fmt: skip
def test_query_syntax_characters_are_just_text(reader, text):  # type: ignore[no-untyped-def]
    page = selectors.search(reader, text)
    assert page.total >= 0  # no exception
    for hit in page.hits:
        assert "<script>" not in hit.snippet + hit.title_html


def test_unbalanced_quote_is_a_phrase_to_the_end(reader):  # type: ignore[no-untyped-def]
    assert selectors.search(reader, '"thành lập ban').total == 1
    assert selectors.search(reader, "Số: 5-QĐ/TU").hits[0].notation == "5-QĐ/TU"


def test_out_of_range_paging_and_sort(reader):  # type: ignore[no-untyped-def]
    page = selectors.search(reader, "báo cáo", page=10**9, sort="bogus", per_page=-5)
    assert page.hits == [] and page.sort == "relevance" and page.total == 1


def test_no_index_yet_says_so(reader, search_index):  # type: ignore[no-untyped-def]
    import shutil

    shutil.rmtree(search_index)
    with override("en"):
        page = selectors.search(reader, "báo cáo")
    assert page.total == 0 and "being built" in page.message
