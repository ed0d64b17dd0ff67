"""The member index on its own: name keys, blocking by given name, hints, exact unique matches."""

from __future__ import annotations

import datetime as dt

from sohoa.codes.matching import MemberIndex, MemberRow, Query, name_key


def _index() -> MemberIndex:
    return MemberIndex(
        [
            MemberRow("A1", "Nguyễn Văn Hùng", dt.date(1970, 5, 1), 10, "/1/10/"),
            MemberRow("A2", "Nguyễn Văn Hùng", dt.date(1982, 11, 20), 11, "/1/11/"),
            MemberRow("A3", "Trần Thị Thu Hà", dt.date(1965, 2, 3), 10, "/1/10/"),
            MemberRow("A4", "Phạm Quốc Dũng", None, 11, "/1/11/"),
            MemberRow("A5", "Đặng Minh Tâm", dt.date(1990, 1, 1), 10, "/1/10/", ended=True),
        ]
    )


def test_name_key_folds_case_and_diacritics_and_repairs_ocr_lookalikes():
    assert name_key("ĐẶNG  Minh TÂM") == "dang minh tam"
    assert name_key("Pharn Quốc Dũng") == "pham quoc dung"
    assert name_key("Nguy3n Văn Hùng") == "nguyen van hung"
    assert name_key("Lê Văn 1ợi") == "le van loi"


def test_typos_swaps_and_missing_middle_names_still_find_the_member():
    index = _index()
    for written in ("Pham Quoc Dugn", "PHẠM QUỐC DŨNG", "Phạm Dũng", "Tran Thu Thi Ha", "Trần Thị Thu Hầ"):
        top = index.suggest([Query(written)])[0]
        assert top, written
        assert top[0].code in {"A4", "A3"}, written


def test_birth_date_and_organization_hints_order_namesakes():
    index = _index()
    assert index.suggest([Query("Nguyen Van Hung", dt.date(1982, 11, 20))])[0][0].code == "A2"
    assert index.suggest([Query("Nguyen Van Hung", None, "/1/10/")])[0][0].code == "A1"
    first = index.suggest([Query("Nguyen Van Hung", dt.date(1970, 5, 1), "/1/10/")])[0][0]
    assert first.reasons == ["same_name", "same_birth_date", "same_organization"]
    assert first.exact


def test_namesakes_no_hint_can_tell_apart_are_flagged_as_ties_not_answered():
    index = _index()
    first, second = index.suggest([Query("Nguyen Van Hung")])[0][:2]
    assert {first.code, second.code} == {"A1", "A2"} and first.ties == second.ties == 1
    hinted = index.suggest([Query("Nguyen Van Hung", dt.date(1982, 11, 20))])[0]
    assert hinted[0].code == "A2" and hinted[0].ties == 0
    assert index.suggest([Query("Pham Quoc Dung")])[0][0].ties == 0


def test_allowed_units_limit_the_candidates():
    import numpy as np

    found = _index().suggest([Query("Nguyễn Văn Hùng")], allowed_units=np.array([11]))[0]
    assert [c.code for c in found] == ["A2"]


def test_exact_unique_needs_the_same_date_of_birth_or_a_unique_name_in_the_organization():
    index = _index()
    assert index.exact_unique(Query("Nguyễn Văn Hùng")) is None  # two namesakes, no hint
    assert index.exact_unique(Query("nguyen van hung", dt.date(1982, 11, 20))).code == "A2"  # type: ignore[union-attr]
    assert index.exact_unique(Query("Nguyễn Văn Hùng", None, "/1/10/")).code == "A1"  # type: ignore[union-attr]
    assert index.exact_unique(Query("Nguyễn Văn Hùng", dt.date(1999, 1, 1), "/1/10/")) is None  # other person
    assert index.exact_unique(Query("Nguyễn Văn Hùg", dt.date(1982, 11, 20))) is None  # not exact
    assert index.exact_unique(Query("Trần Thị Thu Hà")) is None  # unique, but nothing confirms it
