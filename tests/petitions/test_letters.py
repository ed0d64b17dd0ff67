"""Letters of a petition as DOCX: Party format for Party units, State format for State units; the
forwarding letter, the acknowledgement and the notice of acceptance; refusals with a reason."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from sohoa.core.models import AuditEvent, Level, Role
from sohoa.petitions import letters
from sohoa.petitions.models import Petition, PetitionEvent, PetitionParty
from sohoa.registry.models import Unit, UnitKind
from tests.factories import UnitFactory, UserFactory


@pytest.fixture
def kinds(province):  # type: ignore[no-untyped-def]
    """The province's units with their real kinds: Tỉnh ủy and UBKT Party, UBND State."""
    for key, kind in (
        ("tu", UnitKind.PARTY_COMMITTEE),
        ("ubkt", UnitKind.INSPECTION_COMMITTEE),
        ("ubnd", UnitKind.PEOPLES_COMMITTEE),
    ):
        Unit.objects.filter(pk=province[key].pk).update(kind=kind)
        province[key].refresh_from_db()
    Unit.objects.filter(pk=province["ubnd"].pk).update(short_name="UBND")
    province["ubnd"].refresh_from_db()
    return province


def _petition(unit, *, sender="Nguyễn Văn An", address="ấp 3, xã Tân Lộc, Cà Mau", **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("received_on", dt.date(2026, 2, 3))
    kwargs.setdefault("letter_date", dt.date(2026, 1, 28))
    kwargs.setdefault("kind", "denunciation")
    kwargs.setdefault("summary", "Tố cáo ông Lê Văn Cường, cán bộ địa chính xã, nhận tiền khi làm sổ đỏ.")
    petition = Petition.objects.create(unit=unit, number="15/2026", **kwargs)
    if sender:
        PetitionParty.objects.create(petition=petition, role="sender", name=sender, address=address)
    PetitionParty.objects.create(petition=petition, role="concerned", name="Lê Văn Cường")
    return petition


def _docx(content: bytes):  # type: ignore[no-untyped-def]
    from docx import Document

    return Document(io.BytesIO(content))


def _cell_runs(cell):  # type: ignore[no-untyped-def]
    return [(p.text, p.runs[0] if p.runs else None) for p in cell.paragraphs]


def _body(doc) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(p.text for p in doc.paragraphs)


def _footer(doc) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(c.text for c in doc.tables[-1].rows[0].cells)


def test_unit_format_follows_its_kind_or_the_nearest_deciding_ancestor(kinds):
    assert letters.is_party_unit(kinds["ubkt"]) and letters.is_party_unit(kinds["tu"])
    assert not letters.is_party_unit(kinds["ubnd"])
    office_of_tu = UnitFactory(code="H12.TU.VP", name="Văn phòng Tỉnh ủy", kind=UnitKind.OFFICE, parent=kinds["tu"])
    department = UnitFactory(code="H12.SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=kinds["ubnd"])
    assert letters.is_party_unit(office_of_tu)
    assert not letters.is_party_unit(department)
    assert not letters.is_party_unit(kinds["root"])  # no deciding kind anywhere above: State


def test_forwarding_letter_of_a_party_unit_has_the_party_header_and_copies_the_sender(client, kinds, make_user):
    petition = _petition(kinds["ubkt"], competence="other", forward_to_unit=kinds["ubnd"], state="classified")
    user = make_user(kinds["ubkt"], role=Role.INSPECTOR)
    client.force_login(user)
    response = client.get(reverse("petition_letter", args=[petition.pk, "forwarding"]), {"number": "12"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert f"cong-van-chuyen-don-{petition.pk}-so-12.docx" in response["Content-Disposition"]
    doc = _docx(response.content)
    left, right = doc.tables[0].rows[0].cells
    lines = _cell_runs(left)
    assert [t for t, _r in lines][:4] == ["TỈNH ỦY CÀ MAU", "ỦY BAN KIỂM TRA TỈNH ỦY", "*", "Số 12-CV/UBKTTU"]
    assert lines[1][1].bold and not lines[0][1].bold
    assert lines[4][0] == "V/v chuyển đơn của ông (bà) Nguyễn Văn An"
    title, _blank, date_line = _cell_runs(right)[:3]
    assert title[0] == "ĐẢNG CỘNG SẢN VIỆT NAM" and title[1].underline and title[1].bold
    assert date_line[0] == f"Cà Mau, {_vn_date(timezone.localdate())}" and date_line[1].italic
    assert "CỘNG HÒA" not in doc.tables[0].rows[0].cells[1].text
    body = _body(doc)
    assert "Kính gửi: Ủy ban nhân dân tỉnh" in body
    assert "Ngày 03/02/2026, Ủy ban Kiểm tra Tỉnh ủy nhận được đơn tố cáo của ông (bà) Nguyễn Văn An" in body
    assert "địa chỉ: ấp 3, xã Tân Lộc, Cà Mau, đề ngày 28/01/2026 (số vào sổ theo dõi đơn thư: 15/2026)" in body
    assert "liên quan đến ông (bà) Lê Văn Cường" in body
    assert "Căn cứ Luật Tố cáo số 25/2018/QH14; Quy định số 296-QĐ/TW" in body
    assert "chuyển đơn đến Ủy ban nhân dân tỉnh để xem xét, giải quyết theo thẩm quyền" in body
    footer = _footer(doc)
    assert "- Như trên;" in footer and "- Ông (bà) Nguyễn Văn An (để biết);" in footer and "- Lưu: UBKTTU." in footer
    assert "T/M ỦY BAN KIỂM TRA TỈNH ỦY" in footer
    event = PetitionEvent.objects.get(petition=petition, action=PetitionEvent.Action.LETTER)
    assert event.reference == "12-CV/UBKTTU" and event.actor == user and event.state == "classified"
    audit = AuditEvent.objects.filter(action="export", object_id=str(petition.pk)).get()
    assert audit.details["letter"] == "forwarding" and audit.details["reference"] == "12-CV/UBKTTU"


def _vn_date(day: dt.date) -> str:
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def test_notice_of_acceptance_of_a_state_unit_has_the_state_header(client, kinds, make_user):
    petition = _petition(kinds["ubnd"], kind="complaint", state="accepted", deadline=dt.date(2026, 3, 20))
    PetitionEvent.objects.create(petition=petition, action="accepted", state="accepted")
    PetitionEvent.objects.filter(petition=petition).update(at=dt.datetime(2026, 2, 9, 9, tzinfo=dt.UTC))
    client.force_login(make_user(kinds["ubnd"], role=Role.UNIT_LEADER))
    response = client.get(reverse("petition_letter", args=[petition.pk, "acceptance"]), {"number": "7"})
    assert response.status_code == 200
    doc = _docx(response.content)
    left, right = doc.tables[0].rows[0].cells
    assert [t for t, _r in _cell_runs(left)] == ["TỈNH CÀ MAU", "ỦY BAN NHÂN DÂN TỈNH", "———", "Số: 7/TB-UBND"]
    national, motto, date_line = _cell_runs(right)
    assert national[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and national[1].bold
    assert motto[0] == "Độc lập - Tự do - Hạnh phúc" and motto[1].underline
    assert date_line[0].startswith("Cà Mau, ngày ")
    assert "ĐẢNG CỘNG SẢN" not in doc.tables[0].rows[0].cells[1].text
    body = _body(doc)
    assert "THÔNG BÁO\nVề việc thụ lý giải quyết đơn khiếu nại" in body
    assert "Kính gửi: Ông (bà) Nguyễn Văn An" in body
    assert "Căn cứ Luật Khiếu nại số 02/2011/QH13;" in body and "296-QĐ/TW" not in body
    assert (
        "thụ lý giải quyết đơn khiếu nại nêu trên kể từ ngày 09/02/2026. Thời hạn giải quyết: đến ngày 20/03/2026"
        in body
    )
    footer = _footer(doc)
    assert "TM. ỦY BAN NHÂN DÂN TỈNH" in footer and "Nơi nhận:" in footer and "- Lưu: UBND." in footer
    assert PetitionEvent.objects.get(petition=petition, action="letter").reference == "7/TB-UBND"


def test_acknowledgement_says_where_the_petition_went(client, kinds, make_user):
    petition = _petition(kinds["ubkt"], competence="other", forward_to="Công an tỉnh Cà Mau", state="forwarded")
    PetitionEvent.objects.create(petition=petition, action="forwarded", state="forwarded", reference="20-CV/UBKTTU")
    client.force_login(make_user(kinds["ubkt"]))  # a clerk writes letters too
    response = client.get(reverse("petition_letter", args=[petition.pk, "acknowledgement"]))
    assert response.status_code == 200
    doc = _docx(response.content)
    assert doc.tables[0].rows[0].cells[0].paragraphs[3].text == "Số      -TB/UBKTTU"  # left blank for the register
    body = _body(doc)
    assert "THÔNG BÁO\nVề việc đã nhận đơn" in body
    assert "đã chuyển đơn đến Công an tỉnh Cà Mau (công văn số 20-CV/UBKTTU)" in body
    assert "Đề nghị ông (bà) liên hệ với Công an tỉnh Cà Mau" in body
    assert PetitionEvent.objects.get(petition=petition, action="letter").reference == ""


def test_acknowledgement_guides_the_sender_when_the_letter_lacks_something(kinds, make_user):
    petition = _petition(kinds["ubkt"], conditions_met=False, conditions_note="đơn không có chữ ký")
    generated = letters.letter_generate(
        actor=make_user(kinds["ubkt"], role=Role.INSPECTOR), petition=petition, kind="acknowledgement"
    )
    body = _body(_docx(generated.content))
    assert "Đơn chưa đủ điều kiện để xử lý (đơn không có chữ ký). Đề nghị ông (bà) bổ sung" in body


def test_anonymous_petition_gets_no_letter_addressed_to_a_sender(client, kinds, make_user, english):
    petition = _petition(
        kinds["ubkt"], sender="", anonymous=True, competence="other", forward_to="Công an tỉnh", state="classified"
    )
    client.force_login(make_user(kinds["ubkt"], role=Role.INSPECTOR))
    for kind in ("acknowledgement", "acceptance"):
        response = client.get(reverse("petition_letter", args=[petition.pk, kind]))
        assert response.status_code == 400
        assert "The petition is anonymous: there is no sender to address the" in response.content.decode()
    assert not PetitionEvent.objects.filter(petition=petition, action="letter").exists()
    # It may still be forwarded: the letter then names no sender and copies nobody.
    forwarded = client.get(reverse("petition_letter", args=[petition.pk, "forwarding"]))
    assert forwarded.status_code == 200
    doc = _docx(forwarded.content)
    assert "nhận được đơn tố cáo không ghi rõ họ tên, địa chỉ người gửi" in _body(doc)
    assert "để biết" not in _footer(doc)
    assert doc.tables[0].rows[0].cells[0].paragraphs[4].text == "V/v chuyển đơn"


def test_letters_that_do_not_apply_yet_are_refused_with_the_reason(client, kinds, make_user, english):
    petition = _petition(kinds["ubkt"])  # received, ours, not accepted
    no_sender = _petition(kinds["ubkt"], sender="")
    client.force_login(make_user(kinds["ubkt"], role=Role.INSPECTOR))
    cases = [
        (petition, "forwarding", "not classified as another body"),
        (petition, "acceptance", "has not been accepted for handling"),
        (no_sender, "acknowledgement", "names no sender yet"),
    ]
    for target, kind, message in cases:
        response = client.get(reverse("petition_letter", args=[target.pk, kind]))
        assert response.status_code == 400 and message in response.content.decode(), kind
    other = _petition(kinds["ubkt"], competence="other", state="classified")  # to whom?
    response = client.get(reverse("petition_letter", args=[other.pk, "forwarding"]))
    assert "Say which body the petition is forwarded to" in response.content.decode()
    bad = client.get(reverse("petition_letter", args=[petition.pk, "acknowledgement"]), {"number": "12a"})
    assert bad.status_code == 400
    assert "The letter number must be a whole number from 1 to 999999 (got “12a”)." in bad.content.decode()
    assert client.get(reverse("petition_letter", args=[petition.pk, "invitation"])).status_code == 404
    assert not PetitionEvent.objects.filter(action="letter").exists()


def test_letters_follow_the_access_policy(client, kinds, make_user):
    elsewhere = _petition(kinds["other"])
    secret = _petition(kinds["ubkt"], confidentiality=Level.TOI_MAT)
    own = _petition(kinds["ubkt"])
    client.force_login(make_user(kinds["ubkt"], role=Role.INSPECTOR, clearance=Level.MAT))
    for hidden in (elsewhere, secret):
        assert client.get(reverse("petition_letter", args=[hidden.pk, "acknowledgement"])).status_code == 404
    reader = UserFactory(units=[kinds["root"]], role=Role.STANDING_COMMITTEE, clearance=Level.TUYET_MAT)
    client.force_login(reader)  # sees every petition of the province but writes none
    assert client.get(reverse("petition_letter", args=[own.pk, "acknowledgement"])).status_code == 403
    assert not PetitionEvent.objects.filter(action="letter").exists()


def test_classified_petition_letter_carries_the_mark(kinds, make_user):
    petition = _petition(kinds["ubkt"], confidentiality=Level.MAT)
    generated = letters.letter_generate(
        actor=make_user(kinds["ubkt"], role=Role.INSPECTOR, clearance=Level.MAT),
        petition=petition,
        kind="acknowledgement",
    )
    left = _docx(generated.content).tables[0].rows[0].cells[0]
    mark = left.paragraphs[-1]
    assert mark.text == "MẬT" and mark.runs[0].bold
