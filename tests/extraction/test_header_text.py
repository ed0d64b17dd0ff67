"""Header fields from plain text: clean headers of both families and OCR-damaged ones."""

from __future__ import annotations

import pytest

from sohoa.extraction.header import extract
from sohoa.extraction.layout import from_text

PARTY_CV = """\
TỈNH ỦY CÀ MAU                                ĐẢNG CỘNG SẢN VIỆT NAM
ỦY BAN KIỂM TRA
      *                                      Cà Mau, ngày 17 tháng 5 năm 2024
Số 64-CV/UBKTTU
V/v báo cáo tiến độ số hóa tài liệu
lưu trữ năm 2024

                    Kính gửi: Ban Thường vụ Tỉnh ủy

Nội dung công văn.

Nơi nhận:                                              T/M ỦY BAN KIỂM TRA
- Như trên,                                            PHÓ CHỦ NHIỆM
- Lưu VP.
"""

STATE_QD = """\
ỦY BAN NHÂN DÂN                        CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH CÀ MAU                                  Độc lập - Tự do - Hạnh phúc

Số: 15/QĐ-UBND                            Cà Mau, ngày 05 tháng 3 năm 2025

                              QUYẾT ĐỊNH
           Về việc ban hành Kế hoạch số hóa tài liệu lưu trữ
                           -----------
                 CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH CÀ MAU

Căn cứ Luật Tổ chức chính quyền địa phương;

                                                      KT. CHỦ TỊCH
                                                      PHÓ CHỦ TỊCH

                                                      Nguyễn Văn Hùng
"""

DECREE = """\
CHÍNH PHỦ                           CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
                                         Độc lập - Tự do - Hạnh phúc
Số: 30/2020/NĐ-CP                       Hà Nội, ngày 05 tháng 3 năm 2020

                                 NGHỊ ĐỊNH
                               Về công tác văn thư

Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;
"""

STATE_CV = """\
ỦY BAN NHÂN DÂN TỈNH CÀ MAU          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ NỘI VỤ                                 Độc lập - Tự do - Hạnh phúc
Số: 123/SNV-VP                           Cà Mau, ngày 2 tháng 10 năm 2023
V/v triển khai số hóa hồ sơ
                               KHẨN
                  Kính gửi: Các sở, ban, ngành tỉnh
"""


def fields(text: str) -> dict:
    return extract(from_text(text)).fields


def test_party_cong_van() -> None:
    result = extract(from_text(PARTY_CV))
    f = result.fields
    assert f["family"] == "party"
    assert f["notation"] == "64-CV/UBKTTU" and f["number"] == "64" and f["symbol"] == "CV/UBKTTU"
    assert f["doc_type"] == "CV" and f["type_name"] == "công văn"
    assert f["issued_date"] == "2024-05-17" and f["place"] == "Cà Mau"
    assert f["issuer"] == "ỦY BAN KIỂM TRA" and f["parent_issuer"] == "TỈNH ỦY CÀ MAU"
    assert f["subject"] == "báo cáo tiến độ số hóa tài liệu lưu trữ năm 2024"
    assert f["recipients"] == ["Như trên", "Lưu VP"]
    assert f["confidentiality"] is None and f["urgency"] is None
    assert all(result.confidence[k] > 0.5 for k in ("notation", "issued_date", "issuer", "subject"))


def test_state_decision_with_a_wrapped_body_name_and_a_signer() -> None:
    f = fields(STATE_QD)
    assert f["family"] == "state"
    assert f["notation"] == "15/QĐ-UBND" and f["doc_type"] == "QĐ" and f["type_name"] == "quyết định"
    assert f["issued_date"] == "2025-03-05" and f["place"] == "Cà Mau"
    assert f["issuer"] == "ỦY BAN NHÂN DÂN TỈNH CÀ MAU" and f["parent_issuer"] is None
    assert f["subject"] == "Về việc ban hành Kế hoạch số hóa tài liệu lưu trữ"
    assert f["signing_prefix"] == "KT." and f["signer"] == "Nguyễn Văn Hùng"


def test_decree_with_a_year_in_its_symbol() -> None:
    f = fields(DECREE)
    assert f["notation"] == "30/2020/NĐ-CP" and f["number"] == "30" and f["symbol"] == "2020/NĐ-CP"
    assert f["doc_type"] == "NĐ" and f["issuer"] == "CHÍNH PHỦ" and f["issued_date"] == "2020-03-05"
    assert f["place"] == "Hà Nội" and f["subject"] == "Về công tác văn thư"


def test_state_cong_van_has_no_type_in_its_notation_and_carries_an_urgency_mark() -> None:
    f = fields(STATE_CV)
    assert f["notation"] == "123/SNV-VP" and f["doc_type"] == "CV"
    assert f["issuer"] == "SỞ NỘI VỤ" and f["parent_issuer"] == "ỦY BAN NHÂN DÂN TỈNH CÀ MAU"
    assert f["subject"] == "triển khai số hóa hồ sơ"
    assert f["urgency"] == "khan" and f["confidentiality"] is None


@pytest.mark.parametrize(
    ("damage", "expect"),
    [
        (("ĐẢNG CỘNG SẢN", "ĐẲNG CỘNG SẢN"), {"family": "party"}),
        (("Số 64-CV", "S6 64-CV"), {"notation": "64-CV/UBKTTU"}),
        (("Số 64-CV", "Số 6O-CV"), {"notation": "60-CV/UBKTTU"}),  # O read for 0
        (("Số 64-CV", "Số l4 - CV"), {"notation": "14-CV/UBKTTU"}),  # l read for 1, spaces
        (("V/v báo", "-Vv báo"), {"subject": "báo cáo tiến độ số hóa tài liệu lưu trữ năm 2024"}),
        (("ngày 17 tháng 5 năm 2024", "ngày 17 thảng 5 nǎm 2O24"), {"issued_date": "2024-05-17"}),
        (("ỦY BAN KIỂM TRA", "UY BAN KIÊM TRA"), {"issuer": "UY BAN KIÊM TRA"}),
    ],
)
def test_ocr_damage_is_tolerated(damage: tuple[str, str], expect: dict) -> None:
    text = PARTY_CV.replace(*damage)
    assert damage[1] in text
    f = fields(text)
    for key, value in expect.items():
        assert f[key] == value, (key, f[key])


def test_a_date_split_over_two_lines_is_read() -> None:
    text = STATE_CV.replace("Cà Mau, ngày 2 tháng 10 năm 2023", "Cà Mau, ngày 2 tháng 10").replace(
        "V/v triển khai", "                                          năm 2023\nV/v triển khai"
    )
    assert fields(text)["issued_date"] == "2023-10-02"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n   \n",
        "The quick brown fox jumps over the lazy dog.\nAnother line of English text, 2019.",
        "Báo cáo tình hình\nngày ... tháng ... năm 20...\n",  # a blank form: no date to guess
        "Số liệu thống kê năm 2024 cho thấy số hóa tăng 15/30 đơn vị",
    ],
)
def test_pages_without_a_header_give_empty_fields_and_low_confidence(text: str) -> None:
    result = extract(from_text(text))
    assert result.fields["notation"] is None and result.fields["issued_date"] is None
    assert result.fields["issuer"] is None or result.confidence["issuer"] < 0.9
    assert result.confidence["confidentiality"] <= 0.2 and result.confidence["notation"] == 0


def test_a_confidential_mark_is_read_but_mat_inside_a_sentence_is_not() -> None:
    marked = STATE_CV.replace("                               KHẨN", "                               MẬT")
    assert fields(marked)["confidentiality"] == "mat"
    prose = STATE_CV.replace("V/v triển khai số hóa hồ sơ", "V/v bảo vệ bí mật nhà nước")
    assert fields(prose)["confidentiality"] is None


def test_an_impossible_date_is_not_returned() -> None:
    assert fields(STATE_CV.replace("ngày 2 tháng 10", "ngày 31 tháng 2"))["issued_date"] is None


@pytest.mark.parametrize(
    ("damage", "expect"),
    [
        # place and date line with a lost comma and a broken diacritic
        (("Cà Mau, ngày 05 tháng 3", "Cả Mau ngày 05 tháng 3"), {"place": "Cả Mau", "issued_date": "2025-03-05"}),
        # signing prefix without its dot, and a signer name read correctly below it
        (("KT. CHỦ TỊCH", "KT CHỦ TỊCH"), {"signing_prefix": "KT.", "signer": "Nguyễn Văn Hùng"}),
        # type from a title with a broken diacritic ("QUYÊT ĐINH")
        (("QUYẾT ĐỊNH", "QUYÊT ĐINH"), {"doc_type": "QĐ", "type_name": "quyết định"}),
        # the issuer's wrapped second line read without diacritics
        (("TỈNH CÀ MAU   ", "TINH CA MAU   "), {"issuer": "ỦY BAN NHÂN DÂN TINH CA MAU"}),
        # notation with a doubled letter and spaces around the slash
        (("15/QĐ-UBND", "15 / QĐĐ-UBND"), {"notation": "15/QĐ-UBND", "number": "15", "symbol": "QĐ-UBND"}),
    ],
)
def test_ocr_damage_in_a_state_decision_is_tolerated(damage: tuple[str, str], expect: dict) -> None:
    text = STATE_QD.replace(*damage)
    assert damage[1] in text
    f = fields(text)
    for key, value in expect.items():
        assert f[key] == value, (key, f[key])


@pytest.mark.parametrize(
    ("damage", "expect"),
    [
        (("- Như trên,", "+ Như trên,"), {"recipients": ["Như trên", "Lưu VP"]}),  # a dash read as "+"
        (("Nơi nhận:", "Noi nhận:"), {"recipients": ["Như trên", "Lưu VP"]}),
        (("TỈNH ỦY CÀ MAU", "TỈNH UY CÀ MAU"), {"parent_issuer": "TỈNH UY CÀ MAU"}),
        (("T/M ỦY BAN", "TM ỦY BAN"), {"signing_prefix": "TM."}),
    ],
)
def test_ocr_damage_in_the_party_letters_footer_and_parent_body_is_tolerated(
    damage: tuple[str, str], expect: dict
) -> None:
    text = PARTY_CV.replace(*damage)
    assert damage[1] in text
    f = fields(text)
    for key, value in expect.items():
        assert f[key] == value, (key, f[key])


@pytest.mark.parametrize(
    ("printed", "value"), [("KHẨN", "khan"), ("THƯỢNG  KHAN", "thuong_khan"), ("HOA TỐC", "hoa_toc")]
)
def test_urgency_marks_are_read_through_ocr_damage(printed: str, value: str) -> None:
    assert fields(STATE_CV.replace("KHẨN", printed))["urgency"] == value


@pytest.mark.parametrize(("printed", "value"), [("MẬT", "mat"), ("TOI MẬT", "toi_mat"), ("| TUYỆT MẬT |", "tuyet_mat")])
def test_confidentiality_marks_are_read_through_ocr_damage_and_stamp_boxes(printed: str, value: str) -> None:
    f = fields(STATE_CV.replace("KHẨN", printed))
    assert f["confidentiality"] == value and f["urgency"] is None
