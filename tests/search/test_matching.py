"""Vietnamese-aware matching: folding both ways, đ/Đ, exact diacritics first, phrases, prefixes, notations."""

from __future__ import annotations

import pytest

from sohoa.core.models import Level, Role
from tests.search.conftest import add_document, ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["root"], role=Role.PROVINCIAL_OFFICE, clearance=Level.TUYET_MAT)


@pytest.fixture
def camau(province):  # type: ignore[no-untyped-def]
    unit = province["ubkt"]
    return {
        "exact": add_document(unit=unit, subject="Báo cáo tình hình tỉnh Cà Mau", notation="64-CV/TU"),
        "folded": add_document(unit=unit, subject="Bao cao tinh hinh ca mau (ban danh may khong dau)"),
        "other": add_document(unit=unit, subject="Kế hoạch công tác năm", notation="15/QĐ-UBND"),
    }


@pytest.mark.parametrize("query", ["ca mau", "Ca Mau", "Cà Mau", "CÀ MAU", "cà mau"])
def test_all_spellings_find_both_forms(reader, camau, query):  # type: ignore[no-untyped-def]
    found = ids(reader, query)
    assert set(found) == {camau["exact"].pk, camau["folded"].pk}


def test_exact_diacritics_rank_first(reader, camau):  # type: ignore[no-untyped-def]
    assert ids(reader, "Cà Mau")[0] == camau["exact"].pk
    assert ids(reader, "ca mau")[0] in {camau["exact"].pk, camau["folded"].pk}


def test_d_stroke_folds_both_ways(reader, province):  # type: ignore[no-untyped-def]
    dang = add_document(unit=province["ubkt"], subject="Nghị quyết Đại hội Đảng bộ tỉnh")
    plain = add_document(unit=province["ubkt"], subject="Dang ky tham du dai hoi")
    assert set(ids(reader, "dang")) == {dang.pk, plain.pk}
    assert ids(reader, "Đảng")[0] == dang.pk
    assert set(ids(reader, "ĐẢNG")) == {dang.pk, plain.pk}
    assert ids(reader, "đại hội đảng")[0] == dang.pk


def test_decomposed_input_and_old_tone_placement(reader, province):  # type: ignore[no-untyped-def]
    import unicodedata

    doc = add_document(unit=province["ubkt"], subject="Công tác thủy lợi và văn hóa")
    assert ids(reader, unicodedata.normalize("NFD", "thủy lợi")) == [doc.pk]
    assert ids(reader, "thuỷ lợi văn hoá") == [doc.pk]


def test_phrase_in_quotes(reader, province):  # type: ignore[no-untyped-def]
    together = add_document(unit=province["ubkt"], subject="x", pages=["Ủy ban nhân dân tỉnh quyết định"])
    apart = add_document(unit=province["ubkt"], subject="y", pages=["nhân viên ủy ban về dân tộc"])
    assert set(ids(reader, "ủy ban nhân dân")) == {together.pk, apart.pk}  # all words, anywhere
    assert ids(reader, '"ủy ban nhân dân"') == [together.pk]
    assert ids(reader, '"uy ban nhan dan"') == [together.pk]


def test_prefix(reader, province):  # type: ignore[no-untyped-def]
    doc = add_document(unit=province["ubkt"], subject="Quyết định khen thưởng")
    add_document(unit=province["ubkt"], subject="Công văn")
    assert ids(reader, "quyê*") == [doc.pk]
    assert ids(reader, "khen thu", as_you_type=True) == [doc.pk]


def test_notation_finds_that_document_first(reader, camau, province):  # type: ignore[no-untyped-def]
    citing = add_document(unit=province["ubkt"], subject="Thực hiện Công văn 64-CV/TU và 15/QĐ-UBND")
    assert ids(reader, "64-CV/TU")[0] == camau["exact"].pk
    assert ids(reader, "15/QĐ-UBND")[0] == camau["other"].pk
    assert ids(reader, "15/QD-UBND")[0] == camau["other"].pk  # OCR or typing without Đ
    assert ids(reader, "15 / QĐ-UBND".replace(" ", ""))[0] == camau["other"].pk
    assert citing.pk in ids(reader, "64-CV/TU")


def test_ocr_damage_is_tolerated(reader, province):  # type: ignore[no-untyped-def]
    doc = add_document(unit=province["ubkt"], subject="z", pages=["Quyết định về việc thành lập Ban chỉ đạo"])
    assert ids(reader, "quyet dinh thanh lap") == [doc.pk]  # lost diacritics
    assert ids(reader, "quyet dinh thamh lap") == [doc.pk]  # one wrong letter in a word of five: fuzzy fallback


def test_snippet_highlights_the_original_words_and_gives_the_page(reader, province):  # type: ignore[no-untyped-def]
    from sohoa.search import selectors

    add_document(unit=province["ubkt"], subject="Biên bản", pages=["Trang một không có gì", "Họp tại Cà Mau <script>"])
    hit = selectors.search(reader, "ca mau").hits[0]
    assert "<b>Cà</b> <b>Mau</b>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert hit.page == 2


def test_tone_placement_is_unified_only_where_spelling_varies():  # type: ignore[no-untyped-def]
    from sohoa.search.analyzers import normalize

    assert normalize("hóa thủy khỏe") == normalize("hoá thuỷ khoẻ")
    assert normalize("của mùa lúa chùa quá") == "của mùa lúa chùa quá"  # the tone belongs on the u here


def test_snippets_keep_the_spelling_as_written(reader, province):  # type: ignore[no-untyped-def]
    from sohoa.search import selectors

    add_document(unit=province["ubkt"], subject="x", pages=["Báo cáo của Ủy ban về văn hóa mùa lúa"])
    hit = selectors.search(reader, "van hoa").hits[0]
    assert "của Ủy ban" in hit.snippet and "<b>hóa</b>" in hit.snippet


def test_phrases_of_three_syllables_need_them_in_order(reader, province):  # type: ignore[no-untyped-def]
    # Both hold the pairs "ban nhân" and "nhân dân"; only one has "ban nhân dân" in a row.
    inorder = add_document(unit=province["ubkt"], subject="a", pages=["Ủy ban nhân dân tỉnh"])
    add_document(unit=province["ubkt"], subject="b", pages=["nhân dân và ban nhân sự"])
    assert ids(reader, '"ban nhân dân"') == [inorder.pk]
    assert ids(reader, '"nhân dân"') and len(ids(reader, '"nhân dân"')) == 2


def test_a_one_letter_prefix_waits_for_a_second_letter(reader, province):  # type: ignore[no-untyped-def]
    from django.utils.translation import override

    from sohoa.search import selectors

    doc = add_document(unit=province["ubkt"], subject="Quyết định thành lập")
    with override("en"):
        page = selectors.search(reader, "t*")
    assert page.total == 0 and "two letters" in page.message
    assert ids(reader, "quyết t", as_you_type=True) == [doc.pk]  # the word typed so far still searches
