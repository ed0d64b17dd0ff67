"""Repeat detection: a re-sent, OCR-noised letter is found first among 1,000 earlier petitions; the same
sender writing about something else is not a repeat; only the same unit(s) are compared."""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest

from sohoa.petitions.models import Petition, PetitionParty
from sohoa.petitions.repeats import find_repeats, shingles, similarity
from sohoa.registry.models import Succession
from tests.factories import UnitFactory

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLES = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quốc", "Đức", "Kim", "Hoàng"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Tâm"]
GIVEN += ["Thảo", "Thắng", "Trang", "Tuấn", "Vân", "Xuân", "Yến", "Khoa", "Lợi", "Nghĩa", "Sơn", "Tài"]
COMMUNES = ["Tân Lộc", "Khánh Bình", "Trần Hợi", "Hồ Thị Kỷ", "Tân Hưng", "Phú Mỹ", "Lợi An", "Thới Bình"]
COMMUNES += ["Khánh Hải", "Tân Ân", "Đất Mũi", "Hưng Mỹ", "Vĩnh Lợi", "Phong Thạnh", "Giá Rai", "Hòa Bình"]
POSTS = ["cán bộ địa chính xã", "chủ tịch Ủy ban nhân dân xã", "bí thư chi bộ ấp", "trưởng ấp", "kế toán xã"]
POSTS += ["phó chủ tịch Hội Nông dân xã", "cán bộ tư pháp xã", "trưởng công an xã"]
TOPICS = [
    "đã nhận của gia đình tôi số tiền {money} triệu đồng để làm giấy chứng nhận quyền sử dụng đất cho thửa đất số "
    "{n} tờ bản đồ số {m} nhưng đến nay vẫn chưa làm, khi tôi hỏi thì ông ấy hẹn lần hẹn lữa và không trả lại tiền",
    "lợi dụng chức vụ tự ý lấn chiếm {n} mét vuông đất công cạnh kênh {place} để xây nhà cho con gái, dù người dân "
    "đã nhiều lần phản ánh nhưng chính quyền không xử lý",
    "lập danh sách hộ nghèo năm {year} không đúng quy định, đưa người nhà và người quen vào danh sách để hưởng chính "
    "sách, trong khi nhiều hộ thật sự khó khăn trong ấp lại bị loại ra",
    "thu tiền đóng góp xây dựng đường giao thông nông thôn ấp {place} mỗi hộ {money} trăm nghìn đồng nhưng không công "
    "khai thu chi, con đường làm xong chỉ sau {n} tháng đã hư hỏng nặng",
    "có thái độ hách dịch, gây khó khăn cho người dân khi đến làm thủ tục chứng thực hợp đồng chuyển nhượng, đòi "
    "tiền bồi dưỡng {money} trăm nghìn đồng mới giải quyết hồ sơ",
    "không giải quyết việc tranh chấp ranh giới đất giữa gia đình tôi và hộ ông {other} ở ấp {place} mặc dù tôi đã "
    "gửi đơn từ năm {year}, để hộ bên cạnh tự ý rào lấn sang đất của tôi khoảng {n} mét",
    "sử dụng xe công và kinh phí của xã đi việc riêng nhiều lần trong năm {year}, tổ chức ăn uống tại nhà hàng "
    "{place} bằng tiền ngân sách với số tiền khoảng {money} triệu đồng",
    "chỉ đạo cấp phép xây dựng cơ sở nuôi tôm công nghiệp của người thân sát khu dân cư ấp {place}, nước thải xả "
    "thẳng ra kênh làm ô nhiễm môi trường, ảnh hưởng sức khỏe của {n} hộ dân",
    "chi trả tiền bồi thường giải phóng mặt bằng dự án nâng cấp tuyến đê {place} không đúng diện tích thực tế, "
    "gia đình tôi bị thu hồi {n} mét vuông nhưng chỉ được bồi thường {m} mét vuông",
    "có quan hệ bất chính với người phụ nữ khác, bỏ bê vợ con, vi phạm quy định những điều đảng viên không được "
    "làm, gây dư luận xấu trong nhân dân ấp {place} từ năm {year} đến nay",
    "giải quyết chế độ chính sách cho người có công không đúng đối tượng, hồ sơ của cha tôi là thương binh nộp từ "
    "năm {year} đến nay vẫn chưa được xem xét, trong khi nhiều trường hợp khác nộp sau lại được giải quyết",
    "cho thuê đất công ích {n} héc ta của xã không qua đấu giá, giá thuê thấp hơn thực tế, tiền thuê không nộp vào "
    "ngân sách mà để ngoài sổ sách từ năm {year}",
]
KINDS = ["tố cáo", "khiếu nại", "phản ánh"]
#: Details people add, so that two letters on one matter are not the same text.
DETAILS = [
    "Sự việc xảy ra vào khoảng tháng {month} năm {year} tại nhà ông {name} ở ấp {hamlet}.",
    "Có nhiều người chứng kiến như bà {name} và ông {name2}, sẵn sàng làm chứng khi cơ quan có thẩm quyền yêu cầu.",
    "Tôi đã phản ánh với trưởng ấp {name} và Ủy ban nhân dân xã {place} nhưng không được giải quyết.",
    "Gia đình tôi có {n} người, sống bằng nghề nuôi tôm và làm thuê, hoàn cảnh rất khó khăn.",
    "Kèm theo đơn này tôi gửi bản sao biên nhận ngày {day}/{month}/{year} và {m} tấm ảnh chụp hiện trường.",
    "Ngày {day}/{month}/{year} tôi đã đến trụ sở xã {place} gặp cán bộ tiếp dân nhưng được trả lời là chờ xem xét.",
    "Ông {name2} là người cùng ấp cũng bị như vậy, đã phải nộp {m} triệu đồng mà không có giấy tờ gì.",
    "Tôi nghe nói trước đây ông ấy từng bị nhắc nhở trong cuộc họp chi bộ tháng {month} năm {year}.",
    "Việc này kéo dài đã {m} năm nay, người dân ấp {hamlet} rất bức xúc, nhiều lần bàn tán trong các buổi họp.",
    "Con trai tôi là {name} cũng đã viết đơn gửi Hội đồng nhân dân huyện {place} vào năm {year}.",
    "Thửa đất nói trên do cha mẹ tôi khai phá từ năm {year2}, sử dụng ổn định, không tranh chấp với ai.",
    "Khi tôi hỏi thì cán bộ {name2} nói rằng phải chờ cấp trên duyệt, nhưng đã hơn {m} tháng vẫn chưa có kết quả.",
]
#: Words people choose differently (each swapped in about half the letters).
SYNONYMS = [
    ("gia đình tôi", "nhà tôi"),
    ("người dân", "bà con"),
    ("đến nay", "tới nay"),
    ("nhiều lần", "mấy lần"),
    ("không", "chẳng"),
    ("số tiền", "khoản tiền"),
    ("ông ấy", "ông ta"),
    ("để", "nhằm"),
    ("trong khi", "còn"),
    ("xây nhà", "cất nhà"),
    ("hư hỏng", "xuống cấp"),
    ("xem xét", "xem lại"),
]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


def _address(rng: random.Random) -> str:
    return f"ấp {rng.randint(1, 12)}, xã {rng.choice(COMMUNES)}, tỉnh Cà Mau"


def letter(rng: random.Random, sender: str, address: str, concerned: str, topic: int, kind: str = "tố cáo") -> str:
    """A petition letter as people write them: the national title, whom it is sent to, who writes, the matter
    with details of their own and in their own words, what they ask, the signature."""
    post = rng.choice(POSTS)
    slots = {
        "money": rng.randint(2, 90),
        "n": rng.randint(10, 400),
        "m": rng.randint(1, 60),
        "year": rng.randint(2015, 2025),
        "year2": rng.randint(1975, 2000),
        "place": rng.choice(COMMUNES),
        "hamlet": rng.randint(1, 12),
        "day": rng.randint(1, 28),
        "month": rng.randint(1, 12),
        "other": _name(rng),
        "name": _name(rng),
        "name2": _name(rng),
    }
    matter = TOPICS[topic].format(**slots)
    details = " ".join(d.format(**slots) for d in rng.sample(DETAILS, 3))
    for plain, other in SYNONYMS:
        if rng.random() < 0.5:
            matter, details = matter.replace(plain, other), details.replace(plain, other)
    return (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        f"ĐƠN {kind.upper()}\nKính gửi: Ủy ban Kiểm tra Tỉnh ủy Cà Mau\n"
        f"Tôi tên là {sender}, sinh năm {rng.randint(1950, 1995)}, hiện cư trú tại {address}.\n"
        f"Tôi làm đơn này {kind} ông (bà) {concerned}, {post}, về việc như sau: ông (bà) {concerned} {matter}.\n"
        f"{details}\n"
        f"Việc làm của ông (bà) {concerned} đã gây bức xúc trong nhân dân, làm mất lòng tin của quần chúng đối với "
        "tổ chức đảng và chính quyền địa phương.\n"
        "Kính đề nghị Ủy ban Kiểm tra Tỉnh ủy xem xét, kiểm tra, làm rõ và xử lý nghiêm theo quy định của Đảng và "
        "pháp luật của Nhà nước.\nTôi xin cam đoan những nội dung trình bày trên là đúng sự thật, nếu sai tôi xin "
        f"chịu trách nhiệm trước pháp luật.\nNgười làm đơn\n{sender}"
    )


def ocr_noise(text: str, rng: random.Random) -> str:
    """What a poor scan of a printed letter reads like: a tenth of the accents lost, letters confused
    (m → rn, l → 1, o → 0), words run together or split, stray marks."""
    import unicodedata

    out = []
    for ch in text:
        if not ch.isascii() and rng.random() < 0.10:
            out.append(unicodedata.normalize("NFD", ch)[0])  # the accent lost
        elif ch == "m" and rng.random() < 0.05:
            out.append("rn")
        elif ch in "lo" and rng.random() < 0.05:
            out.append({"l": "1", "o": "0"}[ch])
        elif ch == " " and rng.random() < 0.02:
            out.append("")  # two words run together
        elif ch.isalpha() and rng.random() < 0.01:
            out.append(ch + rng.choice(" .,'"))  # a word split, a speck read as a mark
        else:
            out.append(ch)
    return "".join(out)


@pytest.fixture
def corpus(province):  # type: ignore[no-untyped-def]
    """1,000 earlier petitions of UBKT with varied senders and topics (bulk created), and the original letter
    of Trần Văn Bình about the poor-household list, plus his other letter about a road contribution."""
    rng = random.Random(20260212)
    unit = province["ubkt"]
    petitions, parties = [], []
    start = dt.date(2023, 1, 2)
    for i in range(1000):
        sender, address, concerned = _name(rng), _address(rng), _name(rng)
        kind = rng.choice(KINDS)
        text = letter(rng, sender, address, concerned, rng.randrange(len(TOPICS)), kind)
        petitions.append(
            Petition(
                unit=unit,
                number=f"{i + 1}/2024",
                received_on=start + dt.timedelta(days=i),
                content=text,
                summary=text.split("về việc như sau: ")[1][:200],
            )
        )
        parties.append((sender, address, concerned))
    binh, binh_address, cuong = "Trần Văn Bình", "ấp 5, xã Khánh Bình, tỉnh Cà Mau", "Lê Hữu Cường"
    original_text = letter(rng, binh, binh_address, cuong, 2)
    other_text = letter(rng, binh, binh_address, "Phạm Minh Tuấn", 3)
    petitions.append(Petition(unit=unit, number="original", received_on=dt.date(2025, 4, 2), content=original_text))
    parties.append((binh, binh_address, cuong))
    petitions.append(Petition(unit=unit, number="other", received_on=dt.date(2025, 6, 9), content=other_text))
    parties.append((binh, binh_address, "Phạm Minh Tuấn"))
    created = Petition.objects.bulk_create(petitions)
    if created[0].pk is None:  # backends that do not return ids from bulk_create
        created = list(Petition.objects.filter(unit=unit).order_by("pk"))
    rows = []
    for p, (sender, address, concerned) in zip(created, parties, strict=True):
        rows.append(PetitionParty(petition=p, role="sender", name=sender, address=address))
        rows.append(PetitionParty(petition=p, role="concerned", name=concerned))
    PetitionParty.objects.bulk_create(rows)
    by_number = {p.number: p for p in Petition.objects.filter(number__in=["original", "other"])}
    return {"original": by_number["original"], "other": by_number["other"], "text": original_text, "rng": rng}


def _new(unit, text: str, *, sender: str = "", address: str = "", concerned: str = "", **kwargs) -> Petition:  # type: ignore[no-untyped-def]
    petition = Petition.objects.create(
        unit=unit, received_on=kwargs.pop("received_on", dt.date(2026, 2, 3)), content=text, **kwargs
    )
    if sender:
        PetitionParty.objects.create(petition=petition, role="sender", name=sender, address=address)
    if concerned:
        PetitionParty.objects.create(petition=petition, role="concerned", name=concerned)
    return petition


def test_resent_ocr_noised_letter_is_found_first_among_a_thousand(
    province, corpus, django_assert_max_num_queries, english
):
    rng = corpus["rng"]
    paragraphs = corpus["text"].split("\n")
    # Re-sent months later: OCR noise, a new opening line, two paragraphs swapped, a new date.
    paragraphs.insert(3, "Tôi đã gửi đơn này ngày 02/4/2025 nhưng đến nay vẫn chưa nhận được trả lời, nay tôi gửi lại.")
    paragraphs[6], paragraphs[7] = paragraphs[7], paragraphs[6]
    resent_text = ocr_noise("\n".join(paragraphs), rng)
    assert resent_text != corpus["text"]
    resent = _new(
        province["ubkt"],
        resent_text,
        sender="TRẦN VĂN BÌNH",  # as the clerk typed it from the OCR
        address="Ấp 5, xã Khánh Bình, Cà Mau",
        concerned="Lê Hữu Cường",
    )
    started = time.perf_counter()
    with django_assert_max_num_queries(8):
        matches = find_repeats(resent)
    elapsed = time.perf_counter() - started
    assert matches and matches[0].earlier == corpus["original"]
    best = matches[0]
    assert best.score > 0.7 and best.content and best.content > 0.55, best
    assert best.same_sender and best.same_concerned
    assert any(r.startswith("similar content (") for r in best.reasons)
    assert any("same sender: Trần Văn Bình" in r for r in best.reasons)
    assert any("same person concerned: Lê Hữu Cường" in r for r in best.reasons)
    assert corpus["other"] not in [m.earlier for m in matches]  # same sender, another matter
    assert all(m.score <= best.score for m in matches)
    assert elapsed < 3.0, f"{elapsed:.2f} s against 1,000 petitions"


def test_same_sender_about_something_else_is_not_a_repeat(province, corpus):
    rng = corpus["rng"]
    about_else = letter(rng, "Trần Văn Bình", "ấp 5, xã Khánh Bình, tỉnh Cà Mau", "Lê Hữu Cường", 6)
    petition = _new(
        province["ubkt"],
        about_else,
        sender="Trần Văn Bình",
        address="ấp 5, xã Khánh Bình, tỉnh Cà Mau",
        concerned="Lê Hữu Cường",
    )
    assert corpus["original"] not in [m.earlier for m in find_repeats(petition)]


def test_only_earlier_petitions_of_the_same_units_are_compared(province):
    rng = random.Random(7)
    text = letter(rng, "Ngô Thị Lan", "ấp 2, xã Tân Ân, tỉnh Cà Mau", "Võ Văn Sơn", 0)
    merged_away = UnitFactory(code="H12.BL.UBKT", name="Ủy ban Kiểm tra Tỉnh ủy Bạc Liêu")
    Succession.objects.create(predecessor=merged_away, successor=province["ubkt"], effective_date=dt.date(2025, 7, 1))
    elsewhere = _new(province["other"], text, received_on=dt.date(2025, 1, 5))
    predecessor = _new(merged_away, text, received_on=dt.date(2025, 1, 6))
    later = _new(province["ubkt"], text, received_on=dt.date(2026, 5, 1))
    too_old = _new(province["ubkt"], text, received_on=dt.date(2019, 1, 1))
    petition = _new(province["ubkt"], ocr_noise(text, rng), received_on=dt.date(2026, 2, 3))
    found = [m.earlier for m in find_repeats(petition)]
    assert predecessor in found  # the merged unit's letters are now the successor's
    assert elsewhere not in found and later not in found and too_old not in found and petition not in found


def test_repeats_seen_through_the_policy_when_a_user_is_given(province, make_user):
    from sohoa.core.models import Level

    rng = random.Random(3)
    text = letter(rng, "Ngô Thị Lan", "ấp 2, xã Tân Ân, tỉnh Cà Mau", "Võ Văn Sơn", 4)
    secret = _new(province["ubkt"], text, received_on=dt.date(2025, 1, 6), confidentiality=Level.TOI_MAT)
    petition = _new(province["ubkt"], text)
    assert [m.earlier for m in find_repeats(petition)] == [secret]
    assert find_repeats(petition, user=make_user(province["ubkt"], clearance=Level.MAT)) == []


def test_short_letters_match_on_sender_and_person_concerned_only(province, english):
    earlier = _new(
        province["ubkt"], "", sender="Đỗ Văn Nam", address="ấp 1, xã Phú Mỹ", concerned="Hồ Minh Tâm", summary="x"
    )
    earlier.received_on = dt.date(2025, 3, 1)
    earlier.save()
    petition = _new(province["ubkt"], "Tố cáo", sender="Đỗ Văn Nam", address="ấp 1, xã Phú Mỹ", concerned="Hồ Minh Tâm")
    [match] = find_repeats(petition)
    assert match.earlier == earlier and match.content is None and match.score < 0.5
    assert any("content not compared" in r for r in match.reasons)
    stranger = _new(province["ubkt"], "Tố cáo", sender="Đỗ Văn Nam", address="ấp 1, xã Phú Mỹ", concerned="Người Khác")
    assert find_repeats(stranger) == []


def test_similarity_ignores_diacritics_and_reordering():
    a = "ông Nguyễn Văn An nhận tiền làm sổ đỏ của gia đình tôi. Tôi đề nghị xem xét xử lý nghiêm."
    b = "Tôi de nghi xem xet xu ly nghiem. ONG NGUYEN VAN AN nhan tien lam so do cua gia dinh toi."
    score = similarity(shingles(a), shingles(b))
    assert score is not None and score > 0.8
    assert similarity(shingles("ngắn"), shingles(a)) is None
