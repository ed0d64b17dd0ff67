"""Reading a petition letter's OCR text: kind, senders, persons concerned, date, summary, anonymity."""

from __future__ import annotations

import datetime as dt

import pytest

from sohoa.petitions.models import Kind
from sohoa.petitions.prefill import parse

TODAY = dt.date(2026, 6, 1)

DENUNCIATION = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Cà Mau, ngày 12 tháng 3 năm 2026

ĐƠN TỐ CÁO
(V/v ông Nguyễn Văn Bình có dấu hiệu vi phạm trong quản lý đất đai)

Kính gửi: Ủy ban Kiểm tra Tỉnh ủy Cà Mau

Tôi tên là: Trần Thị Hoa, sinh năm 1965
Địa chỉ: ấp 3, xã Tân Hưng, huyện Cái Nước, tỉnh Cà Mau. Điện thoại: 0912345678

Tôi làm đơn này tố cáo ông Nguyễn Văn Bình, sinh năm 1970, chức vụ Chủ tịch UBND xã Tân Hưng, đảng viên chi bộ ấp 3.

Nội dung tố cáo: Ông Bình đã lợi dụng chức vụ để cấp giấy chứng nhận quyền sử dụng đất sai quy định cho người
thân. Việc này gây bức xúc trong nhân dân. Đề nghị cơ quan có thẩm quyền xem xét.

Tôi xin cam đoan những nội dung trên là đúng sự thật.
                                  Người tố cáo
                                  (Ký, ghi rõ họ tên)
                                  Trần Thị Hoa
"""


def test_a_typed_denunciation_gives_every_field():
    p = parse(DENUNCIATION, today=TODAY)

    assert p.kind == Kind.DENUNCIATION
    assert p.letter_date == dt.date(2026, 3, 12)
    assert p.recipients == ["Ủy ban Kiểm tra Tỉnh ủy Cà Mau"]
    assert [(s.name, s.birth_year, s.address) for s in p.senders] == [
        ("Trần Thị Hoa", 1965, "ấp 3, xã Tân Hưng, huyện Cái Nước, tỉnh Cà Mau")
    ]
    assert len(p.concerned) == 1
    bình = p.concerned[0]
    assert (bình.name, bình.birth_year, bình.position, bình.workplace) == (
        "Nguyễn Văn Bình",
        1970,
        "Chủ tịch UBND xã Tân Hưng",
        "Chi bộ ấp 3",
    )
    assert p.summary.startswith("Ông Bình đã lợi dụng chức vụ để cấp giấy chứng nhận")
    assert "cam đoan" not in p.summary
    assert not p.anonymous


def test_a_letter_without_diacritics_reads_the_same():
    text = """CONG HOA XA HOI CHU NGHIA VIET NAM
Doc lap - Tu do - Hanh phuc
DON KHIEU NAI
Kinh gui: Chu tich UBND huyen Cai Nuoc
Ho va ten: Le Van Tam     Nam sinh: 1958
Tru tai: khom 2, thi tran Cai Nuoc
Toi khieu nai Quyet dinh so 123/QD-UBND ngay 5 thang 1 nam 2026 cua Chu tich UBND huyen ve viec thu hoi dat.
Ngay 20 thang 2 nam 2026
Nguoi khieu nai
Le Van Tam
"""
    p = parse(text, today=TODAY)

    assert p.kind == Kind.COMPLAINT
    assert [(s.name, s.birth_year, s.address) for s in p.senders] == [("Le Van Tam", 1958, "khom 2, thi tran Cai Nuoc")]
    # The date of the decision complained about is not the letter's date.
    assert p.letter_date == dt.date(2026, 2, 20)
    assert p.summary.startswith("Toi khieu nai Quyet dinh so 123/QD-UBND")
    assert p.concerned == []


def test_ocr_damage_in_title_date_and_words_is_tolerated():
    text = """CQNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Bạc Liêu, ngày l5 tháng O4 năm 2O26
ĐƠN KHIẾU NẠI - TỐ CÁO
Kính gửi: - Ủy ban Kiểm tra Tỉnh ủy
- Thanh tra tỉnh
Chúng tôi gồm:
1. Ông Lê Văn Tám, sinh năm 1950, trú tại ấp Bình Minh, xã Long Điền
2. Bà Võ Thị Lan, sinh năm l962, trú tại ấp Bình Minh, xã Long Điền
Người bị tố cáo: ông Đỗ Minh Quang, chức vụ: Trưởng ấp Bình Minh
Nội dung: Ông Quang thu tiền của dân không có biên lai. Số tiền trên 50 triệu đồng.
"""
    p = parse(text, today=TODAY)

    assert p.kind == Kind.MIXED
    assert p.letter_date == dt.date(2026, 4, 15)
    assert p.recipients == ["Ủy ban Kiểm tra Tỉnh ủy", "Thanh tra tỉnh"]
    assert [(s.name, s.birth_year) for s in p.senders] == [("Lê Văn Tám", 1950), ("Võ Thị Lan", 1962)]
    assert [(c.name, c.position) for c in p.concerned] == [("Đỗ Minh Quang", "Trưởng ấp Bình Minh")]
    assert p.summary == "Ông Quang thu tiền của dân không có biên lai. Số tiền trên 50 triệu đồng."


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("ĐƠN T0 CÁ0", Kind.DENUNCIATION),
        ("ĐƠN TỔ CÁO", Kind.DENUNCIATION),
        ("DON TO CAO", Kind.DENUNCIATION),
        ("ĐƠN KHIÊU NẠI", Kind.COMPLAINT),
        ("ĐƠN KIẾN NGHỊ, PHẢN ÁNH", Kind.RECOMMENDATION),
        ("ĐƠN PHẢN ÁNH", Kind.RECOMMENDATION),
        ("ĐƠN KHIẾU NẠI VÀ TỐ CÁO", Kind.MIXED),
        ("ĐƠN VỊ CÔNG TÁC", ""),  # "Đơn vị" is not a title
    ],
)
def test_the_kind_comes_from_the_title_even_when_misread(title, kind):
    assert parse(f"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n{title}\nKính gửi: UBKT", today=TODAY).kind == kind


def test_without_a_title_the_kind_comes_from_what_the_writer_does():
    assert parse("Tôi làm đơn này tố cáo ông Lê Văn A.", today=TODAY).kind == Kind.DENUNCIATION
    assert parse("Tôi viết đơn này khiếu nại quyết định số 5.", today=TODAY).kind == Kind.COMPLAINT


def test_a_letter_without_an_identifiable_sender_is_anonymous():
    text = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
ĐƠN TỐ CÁO
Kính gửi: Ủy ban Kiểm tra Huyện ủy
Tôi xin phản ánh việc ông Phạm Văn Dũng, Bí thư Đảng ủy xã, đảng viên chi bộ cơ quan có nhiều biệt thự.
Một nhóm đảng viên
"""
    p = parse(text, today=TODAY)

    assert p.senders == [] and p.anonymous
    assert [(c.name, c.position, c.workplace) for c in p.concerned] == [
        ("Phạm Văn Dũng", "Bí thư Đảng ủy xã", "Chi bộ cơ quan")
    ]
    assert p.summary.startswith("Tôi xin phản ánh việc ông Phạm Văn Dũng")


def test_a_sender_named_only_under_the_signature_is_found():
    text = """ĐƠN KIẾN NGHỊ
Kính gửi: Đảng ủy xã Tân Hưng
Đề nghị xem xét việc sửa đường ấp 5 đã hư hỏng nhiều năm.
Người kiến nghị
(ký và ghi rõ họ tên)
Huỳnh Văn Sáu
"""
    p = parse(text, today=TODAY)

    assert [s.name for s in p.senders] == ["Huỳnh Văn Sáu"]
    assert p.kind == Kind.RECOMMENDATION


def test_a_form_like_letter_with_run_together_words_and_capitals():
    text = "ĐƠN KIẾN NGHỊ\nHọvà tên: NGUYỄN ĐĂNG KHOA\nSinh ngày 02/09/1980\nNơi cư trú: 12 Lý Thường Kiệt, phường 5"
    p = parse(text, today=TODAY)

    assert [(s.name, s.birth_year, s.birth_date, s.address) for s in p.senders] == [
        ("Nguyễn Đăng Khoa", 1980, dt.date(1980, 9, 2), "12 Lý Thường Kiệt, phường 5")
    ]


def test_the_person_concerned_is_not_taken_for_the_sender():
    text = "ĐƠN TỐ CÁO\nHọ tên người bị tố cáo: Lê Minh Tuấn, cán bộ địa chính xã\nNội dung: ông Tuấn nhận tiền."
    p = parse(text, today=TODAY)

    assert p.senders == [] and p.anonymous
    assert [(c.name, c.position) for c in p.concerned] == [("Lê Minh Tuấn", "cán bộ địa chính xã")]


def test_an_organization_concerned_is_kept_as_an_organization():
    p = parse("ĐƠN TỐ CÁO\nTôi tên là Lê Văn Năm.\nTôi tố cáo Đảng ủy xã Tân Hưng buông lỏng quản lý.", today=TODAY)

    assert [(c.name, c.organization) for c in p.concerned] == [("Đảng ủy xã Tân Hưng buông lỏng quản lý", True)]
    assert [s.name for s in p.senders] == ["Lê Văn Năm"]


@pytest.mark.parametrize("text", ["", "   \n  ", "@@@ ### 12345", "\x0c\x0c"])
def test_empty_or_unreadable_text_proposes_nothing_but_anonymity(text):
    p = parse(text, today=TODAY)

    assert (p.kind, p.senders, p.concerned, p.letter_date, p.summary) == ("", [], [], None, "")


def test_a_date_in_the_future_or_of_birth_is_not_the_letter_date():
    text = "Tôi tên là Lê Văn A, sinh ngày 3 tháng 4 năm 1960.\nHẹn gặp ngày 1 tháng 1 năm 2030."
    assert parse(text, today=TODAY).letter_date is None
