"""Document numbers and symbols: Party (64-CV/TW) and State (15/QĐ-UBND, 30/2020/NĐ-CP) forms."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sohoa.archive.notation import clean, fold, join, split


@pytest.mark.parametrize(
    ("notation", "number", "symbol"),
    [
        ("64-CV/TW", "64", "CV/TW"),
        ("12-QĐ/UBKTTU", "12", "QĐ/UBKTTU"),
        ("210-CV/BTCTU", "210", "CV/BTCTU"),
        ("15/QĐ-UBND", "15", "QĐ-UBND"),
        ("125/UBND-VP", "125", "UBND-VP"),
        ("30/2020/NĐ-CP", "30", "2020/NĐ-CP"),
        ("05/2025/TT-BNV", "05", "2025/TT-BNV"),
        ("12a/QĐ-UBND", "12a", "QĐ-UBND"),
        ("3b-NQ/TU", "3b", "NQ/TU"),
    ],
)
def test_split_gives_number_and_symbol(notation, number, symbol):
    assert split(notation) == (number, symbol)


@pytest.mark.parametrize("notation", ["Số: 15/QĐ-UBND", "số 15/QĐ-UBND", "SỐ:15 / QĐ-UBND", " 15 /QĐ-UBND "])
def test_split_ignores_the_so_prefix_and_spaces(notation):
    assert split(notation) == ("15", "QĐ-UBND")


@pytest.mark.parametrize("notation", ["", "   ", "QĐ-UBND", "abc", "15", "15/", "-CV/TW", "64-CV", "x15/QĐ-UBND"])
def test_split_of_something_that_is_no_notation_is_empty(notation):
    assert split(notation) == ("", "")


@pytest.mark.parametrize(
    ("number", "symbol", "notation"),
    [
        ("64", "CV/TW", "64-CV/TW"),
        ("15", "QĐ-UBND", "15/QĐ-UBND"),
        ("30", "2020/NĐ-CP", "30/2020/NĐ-CP"),
        ("1", "CT", "1/CT"),
        (" 7 ", " KH/TU ", "7-KH/TU"),
    ],
)
def test_join_uses_dash_for_party_and_slash_for_state(number, symbol, notation):
    assert join(number, symbol) == notation


def test_join_with_one_part_missing_returns_the_other():
    assert join("", "QĐ-UBND") == "QĐ-UBND"
    assert join("15", "") == "15"
    assert join("", "") == ""


@pytest.mark.parametrize("notation", ["64-CV/TW", "15/QĐ-UBND", "30/2020/NĐ-CP", "12a/QĐ-UBND", "08-KH/UBKTTU"])
def test_join_of_split_gives_the_notation_back(notation):
    assert join(*split(notation)) == notation


def test_clean_strips_prefix_and_spaces_and_composes_unicode():
    decomposed = unicodedata.normalize("NFD", "Số: 15 / QĐ-UBND")
    assert clean(decomposed) == "15/QĐ-UBND"
    assert clean(decomposed) == unicodedata.normalize("NFC", clean(decomposed))


def test_clean_of_nothing_is_empty():
    assert clean("") == ""
    assert clean(None) == ""  # type: ignore[arg-type]


def test_fold_ignores_case_spacing_and_unicode_form():
    a = "Ủy ban  nhân dân\ttỉnh Cà Mau "
    b = unicodedata.normalize("NFD", "ủy ban nhân dân tỉnh cà mau")
    assert fold(a) == fold(b)
    assert fold("Tỉnh ủy") != fold("Tỉnh uỷ Bạc Liêu")
    assert fold("") == fold(None) == ""  # type: ignore[arg-type]


bodies = st.text(alphabet="ABCDEGHKLMNPQRSTUVXYĐ", min_size=1, max_size=8)
numbers = st.integers(1, 9999).map(str)


@given(number=numbers, doc_type=bodies, body=bodies)
def test_party_notations_round_trip(number, doc_type, body):
    notation = f"{number}-{doc_type}/{body}"
    assert split(notation) == (number, f"{doc_type}/{body}")
    assert join(*split(notation)) == notation


@given(number=numbers, doc_type=bodies, body=bodies, year=st.one_of(st.none(), st.integers(1945, 2100)))
def test_state_notations_round_trip(number, doc_type, body, year):
    symbol = f"{doc_type}-{body}" if year is None else f"{year}/{doc_type}-{body}"
    notation = f"{number}/{symbol}"
    assert split(notation) == (number, symbol)
    assert join(*split(notation)) == notation
