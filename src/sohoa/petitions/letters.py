"""The letters a petition needs, as DOCX: the forwarding letter to the competent body (công văn chuyển
đơn, copied to the sender "để biết"), the acknowledgement to the sender (thông báo đã nhận đơn, with
guidance when the letter goes elsewhere or lacks something) and the notice of acceptance (thông báo thụ
lý).

The text is fixed Vietnamese whatever the interface language: these are administrative documents, in
the Party format (Guide 36-HD/VPTW) when the issuing unit is a Party body and in the State format
(Decree 30/2020) otherwise (docs/decisions/0034-petition-letters-repeats-stats.md says how a unit is
told apart). A letter is generated on demand from what the petition says now; generating one is recorded
as a PetitionEvent LETTER and an audit row (it leaves the system).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoa.core import audit, policy
from sohoa.core.docxtools import a4_document, letterhead, para
from sohoa.registry.models import Unit, UnitKind
from sohoa.reorg.minutes import PARTY_KINDS
from sohoa.reports.formatting import place_name, vietnamese_date

from .models import Competence, Kind, Petition, PetitionEvent, PetitionParty, State

FORWARDING = "forwarding"
ACKNOWLEDGEMENT = "acknowledgement"
ACCEPTANCE = "acceptance"
KINDS = {
    FORWARDING: gettext_lazy("Forwarding letter"),
    ACKNOWLEDGEMENT: gettext_lazy("Acknowledgement to the sender"),
    ACCEPTANCE: gettext_lazy("Notice of acceptance"),
}
#: File names of the downloads (Vietnamese, no diacritics: they travel by e-mail and USB sticks).
FILE_NAMES = {FORWARDING: "cong-van-chuyen-don", ACKNOWLEDGEMENT: "thong-bao-nhan-don", ACCEPTANCE: "thong-bao-thu-ly"}
#: Bodies that decide the format by their own kind; the others (offices, departments, "other") take the
#: format of the nearest such ancestor: "Ban Tổ chức Tỉnh ủy" is Party, "Sở Nội vụ" under the UBND State.
STATE_KINDS = frozenset({UnitKind.PEOPLES_COMMITTEE, UnitKind.PEOPLES_COUNCIL, UnitKind.COMMUNE})
#: Type abbreviation of each letter (công văn CV, thông báo TB). A State official letter has none.
TYPES = {FORWARDING: "CV", ACKNOWLEDGEMENT: "TB", ACCEPTANCE: "TB"}
#: The law each kind of petition is handled under; one table so it changes in one place.
LEGAL_BASIS = {
    Kind.DENUNCIATION: ["Luật Tố cáo số 25/2018/QH14"],
    Kind.COMPLAINT: ["Luật Khiếu nại số 02/2011/QH13"],
    Kind.RECOMMENDATION: ["Luật Tiếp công dân số 42/2013/QH13"],
    Kind.MIXED: ["Luật Khiếu nại số 02/2011/QH13", "Luật Tố cáo số 25/2018/QH14"],
    "": ["Luật Tiếp công dân số 42/2013/QH13"],
}
PARTY_BASIS = "Quy định số 296-QĐ/TW của Ban Chấp hành Trung ương về công tác kiểm tra, giám sát và kỷ luật của Đảng"
KIND_WORDS = {
    Kind.DENUNCIATION: "tố cáo",
    Kind.COMPLAINT: "khiếu nại",
    Kind.RECOMMENDATION: "kiến nghị, phản ánh",
    Kind.MIXED: "khiếu nại, tố cáo",
}
#: The states a petition is in once accepted for handling (the notice of acceptance makes sense).
ACCEPTED_STATES = frozenset({State.ACCEPTED, State.VERIFYING, State.CONCLUDED})


class LetterError(ValidationError):
    """This letter cannot be written for this petition (yet): the message says why, in the user's language."""


@dataclass
class Letter:
    """What a letter says, before it is rendered (tests and the page read it too)."""

    kind: str
    party: bool
    superior: str
    body: str
    number: str  # the number line as printed: "Số 12-CV/UBKTTU", "Số: 12/TB-UBND"
    reference: str  # the number-symbol alone ("12-CV/UBKTTU"), empty while unnumbered
    date_line: str
    title: str  # "THÔNG BÁO" … ; empty for an official letter (công văn)
    subject: str  # "V/v …" under the number (official letter) or under the title
    to: list[str]
    paragraphs: list[str]
    recipients: list[str]  # "Nơi nhận"
    signer: str  # "T/M ỦY BAN KIỂM TRA" / "TM. ỦY BAN NHÂN DÂN"
    confidentiality: int = 0
    senders: list[str] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{FILE_NAMES[self.kind]}.docx"


# ---- deciding the format ------------------------------------------------------------------------------


def is_party_unit(unit: Unit) -> bool:
    """Whether `unit` writes in the Party format: its own kind, else the nearest ancestor's that decides
    (party committee, party cell, inspection committee → Party; people's committee or council, commune
    → State); a unit with no deciding kind above it is a State body."""
    if unit.kind in PARTY_KINDS:
        return True
    if unit.kind in STATE_KINDS:
        return False
    ids = [int(p) for p in unit.path.strip("/").split("/") if p.isdigit() and int(p) != unit.pk]
    kinds = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "kind"))
    for pk in reversed(ids):  # nearest first
        kind = kinds.get(pk)
        if kind in PARTY_KINDS:
            return True
        if kind in STATE_KINDS:
            return False
    return False


def _abbreviation(unit: Unit) -> str:
    return unit.short_name or unit.code


def number_line(unit: Unit, kind: str, number: int | None, *, party: bool) -> tuple[str, str]:
    """(printed number line, number-symbol) of a letter: Party "Số 12-CV/UBKTTU" (no colon), State
    "Số: 12/TB-UBND" and, for an official letter, "Số: 12/UBND". Unnumbered, the number is left blank for
    the outgoing register's clerk to write in."""
    abbr, letter_type = _abbreviation(unit), TYPES[kind]
    shown = str(number) if number else "     "
    if party:
        symbol = f"{letter_type}/{abbr}"
        return f"Số {shown}-{symbol}", f"{number}-{symbol}" if number else ""
    symbol = abbr if kind == FORWARDING else f"{letter_type}-{abbr}"
    return f"Số: {shown}/{symbol}", f"{number}/{symbol}" if number else ""


# ---- content --------------------------------------------------------------------------------------------


def _who(party: PetitionParty) -> str:
    return party.name if party.kind == "organization" else f"ông (bà) {party.name}"


def _day(value: Any) -> str:
    return f"{value:%d/%m/%Y}"


def _senders(petition: Petition) -> list[PetitionParty]:
    return [p for p in petition.parties.all() if p.role == PetitionParty.Role.SENDER]


def _concerned(petition: Petition) -> list[PetitionParty]:
    return [p for p in petition.parties.all() if p.role == PetitionParty.Role.CONCERNED]


def _basis(petition: Petition, party: bool) -> str:
    laws = list(LEGAL_BASIS.get(petition.kind, LEGAL_BASIS[""]))
    if party:
        laws.append(PARTY_BASIS)
    return "Căn cứ " + "; ".join(laws) + ";"


def _kind_word(petition: Petition) -> str:
    word = KIND_WORDS.get(petition.kind)  # type: ignore[call-overload]
    return f"đơn {word}" if word else "đơn"


def _forward_target(petition: Petition) -> str:
    if petition.forward_to_unit_id and petition.forward_to_unit:
        return petition.forward_to_unit.name
    return petition.forward_to.strip()


def _received_sentence(petition: Petition, unit: Unit, senders: list[PetitionParty]) -> str:
    """ "Ngày 03/02/2026, Ủy ban Kiểm tra … nhận được đơn tố cáo của ông (bà) …, địa chỉ: …, đề ngày …"."""
    text = f"Ngày {_day(petition.received_on)}, {unit.name} nhận được {_kind_word(petition)}"
    if petition.anonymous or not senders:
        text += " không ghi rõ họ tên, địa chỉ người gửi"
    else:
        parts = []
        for s in senders:
            parts.append(f"{_who(s)}, địa chỉ: {s.address}" if s.address else _who(s))
        text += " của " + "; ".join(parts)
    if petition.letter_date:
        text += f", đề ngày {_day(petition.letter_date)}"
    if petition.number:
        text += f" (số vào sổ theo dõi đơn thư: {petition.number})"
    concerned = _concerned(petition)
    if concerned:
        text += ", liên quan đến " + ", ".join(_who(c) for c in concerned)
    summary = " ".join(petition.summary.split()).rstrip(".")
    return text + (f". Nội dung đơn: {summary}." if summary else ".")


def _check(petition: Petition, kind: str) -> list[PetitionParty]:
    """The senders a letter of `kind` may name, or LetterError saying what is missing."""
    senders = [] if petition.anonymous else _senders(petition)
    if kind not in KINDS:
        raise LetterError(_("Unknown letter “%(kind)s”.") % {"kind": kind})
    if kind in (ACKNOWLEDGEMENT, ACCEPTANCE):
        if petition.anonymous:
            raise LetterError(
                _(
                    "The petition is anonymous: there is no sender to address the %(letter)s to. An anonymous "
                    "letter is not handled as a denunciation; it may be kept for inspection."
                )
                % {"letter": str(KINDS[kind]).lower()}
            )
        if not senders:
            raise LetterError(_("The petition names no sender yet: add the sender before writing this letter."))
    if kind == FORWARDING:
        if petition.competence != Competence.OTHER and petition.state != State.FORWARDED:
            raise LetterError(_("The petition is not classified as another body’s: only such petitions are forwarded."))
        if not _forward_target(petition):
            raise LetterError(_("Say which body the petition is forwarded to before writing the forwarding letter."))
    if kind == ACCEPTANCE and petition.state not in ACCEPTED_STATES:
        raise LetterError(_("The petition has not been accepted for handling: there is nothing to notify yet."))
    return senders


def _accepted_on(petition: Petition) -> Any:
    event = petition.events.filter(action=PetitionEvent.Action.ACCEPTED).order_by("-at").first()
    return timezone.localdate(event.at) if event else timezone.localdate()


def _forwarding_reference(petition: Petition) -> str:
    event = petition.events.filter(action=PetitionEvent.Action.FORWARDED).exclude(reference="").order_by("-at").first()
    return event.reference if event else ""


def build(petition: Petition, kind: str, *, number: int | None = None, day: Any = None) -> Letter:
    """The content of one letter for `petition`, or LetterError when it does not apply (yet)."""
    senders = _check(petition, kind)
    unit = petition.unit
    party = is_party_unit(unit)
    superior = unit.parent.name.upper() if unit.parent_id and unit.parent else ""
    printed, reference = number_line(unit, kind, number, party=party)
    day = day or timezone.localdate()
    body = unit.name.upper()
    abbr = _abbreviation(unit)
    received = _received_sentence(petition, unit, senders)
    sender_names = [s.name for s in senders]
    letter = Letter(
        kind=kind,
        party=party,
        superior=superior,
        body=body,
        number=printed,
        reference=reference,
        date_line=f"{place_name(unit)}, {vietnamese_date(day)}",
        title="",
        subject="",
        to=[],
        paragraphs=[],
        recipients=[],
        signer=("T/M " if party else "TM. ") + body,
        confidentiality=petition.confidentiality,
        senders=sender_names,
    )
    to_sender = [f"Ông (bà) {s.name}" if s.kind != "organization" else s.name for s in senders]
    if kind == FORWARDING:
        target = _forward_target(petition)
        letter.subject = "V/v chuyển đơn" + (f" của {_who(senders[0])}" if senders else "")
        letter.to = [target]
        letter.paragraphs = [
            received,
            _basis(petition, party),
            f"Xét nội dung đơn không thuộc thẩm quyền giải quyết của {unit.name}, {unit.name} chuyển đơn đến "
            f"{target} để xem xét, giải quyết theo thẩm quyền và thông báo kết quả cho người gửi đơn theo quy định.",
            "(Gửi kèm theo đơn và các tài liệu kèm theo đơn, nếu có.)",
        ]
        letter.recipients = ["Như trên;"] + [f"{n} (để biết);" for n in to_sender] + [f"Lưu: {abbr}."]
    elif kind == ACKNOWLEDGEMENT:
        letter.title = "THÔNG BÁO"
        letter.subject = "Về việc đã nhận đơn"
        letter.to = to_sender
        letter.paragraphs = [received]
        if petition.state == State.FORWARDED or petition.competence == Competence.OTHER:
            target = _forward_target(petition)
            ref = _forwarding_reference(petition)
            sentence = f"Nội dung đơn không thuộc thẩm quyền giải quyết của {unit.name}"
            if target:
                sentence += f"; {unit.name} đã chuyển đơn đến {target}" + (f" (công văn số {ref})" if ref else "")
                sentence += f" để xem xét, giải quyết theo thẩm quyền. Đề nghị ông (bà) liên hệ với {target}"
                sentence += " để được hướng dẫn, giải quyết."
            else:
                sentence += ". Đề nghị ông (bà) gửi đơn đến cơ quan, tổ chức có thẩm quyền để được giải quyết."
            letter.paragraphs.append(sentence)
        elif petition.conditions_met is False:
            why = " ".join(petition.conditions_note.split()).rstrip(".")
            letter.paragraphs.append(
                "Đơn chưa đủ điều kiện để xử lý" + (f" ({why})" if why else "") + ". Đề nghị ông (bà) bổ sung, "
                "hoàn thiện đơn theo quy định (ghi rõ họ tên, địa chỉ, ký tên; nội dung cụ thể, kèm tài liệu, "
                "chứng cứ liên quan nếu có) và gửi lại để được xem xét, xử lý."
            )
        else:
            letter.paragraphs.append(f"{unit.name} đang xem xét, xử lý đơn theo quy định và sẽ thông báo kết quả.")
        letter.paragraphs.append(f"{unit.name} thông báo để ông (bà) được biết.")
        letter.recipients = [f"{n};" for n in to_sender] + [f"Lưu: {abbr}."]
    else:  # ACCEPTANCE
        letter.title = "THÔNG BÁO"
        letter.subject = f"Về việc thụ lý giải quyết {_kind_word(petition)}"
        letter.to = to_sender
        accepted = _accepted_on(petition)
        deadline = (
            f" Thời hạn giải quyết: đến ngày {_day(petition.deadline)}, có thể gia hạn theo quy định."
            if petition.deadline
            else ""
        )
        letter.paragraphs = [
            received,
            _basis(petition, party),
            f"{unit.name} thông báo: thụ lý giải quyết {_kind_word(petition)} nêu trên kể từ ngày "
            f"{_day(accepted)}.{deadline}",
            f"Trong quá trình giải quyết, đề nghị ông (bà) phối hợp, cung cấp thông tin, tài liệu, chứng cứ liên "
            f"quan khi {unit.name} yêu cầu. {unit.name} thông báo để ông (bà) được biết.",
        ]
        letter.recipients = [f"{n};" for n in to_sender] + [f"Lưu: {abbr}."]
    return letter


# ---- DOCX -------------------------------------------------------------------------------------------------


def render_docx(letter: Letter) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = a4_document()
    official = not letter.title  # an official letter's subject goes under its number
    letterhead(
        doc,
        party=letter.party,
        superior=letter.superior,
        body=letter.body,
        number=letter.number,
        date_line=letter.date_line,
        subject=letter.subject if official else "",
        confidentiality=letter.confidentiality,
    )
    doc.add_paragraph()
    if letter.title:
        para(doc, letter.title, bold=True, size=15)
        para(doc, letter.subject, bold=True)
        para(doc, "-----")
        doc.add_paragraph()
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    if len(letter.to) == 1:
        para(doc, f"Kính gửi: {letter.to[0]}", align=WD_ALIGN_PARAGRAPH.CENTER)
    else:
        para(doc, "Kính gửi:", align=WD_ALIGN_PARAGRAPH.CENTER)
        for who in letter.to:
            para(doc, f"- {who}", align=WD_ALIGN_PARAGRAPH.CENTER)
    doc.add_paragraph()
    for text in letter.paragraphs:
        p = para(doc, text, align=justify)
        p.paragraph_format.first_line_indent = Pt(28)
        p.paragraph_format.space_after = Pt(6)
    doc.add_paragraph()
    footer = doc.add_table(rows=1, cols=2)
    left, right = footer.rows[0].cells
    left_align = WD_ALIGN_PARAGRAPH.LEFT
    if letter.party:
        para(left, "Nơi nhận:", underline=True, size=12, align=left_align, first=True)
    else:
        para(left, "Nơi nhận:", bold=True, italic=True, size=12, align=left_align, first=True)
    for line in letter.recipients:
        para(left, f"- {line}", size=11, align=left_align)
    para(right, letter.signer, bold=True, first=True)
    para(right, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, size=12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---- the write ----------------------------------------------------------------------------------------------


@dataclass
class Generated:
    letter: Letter
    content: bytes
    event: PetitionEvent


def letter_generate(*, actor: Any, petition: Petition, kind: str, number: int | None = None) -> Generated:
    """Write one letter for `petition` and record it: a PetitionEvent LETTER (its number-symbol as the
    reference) and an audit row "export". A letter that does not apply raises LetterError; a user whose
    role may not work on petitions PermissionDenied (the caller has already checked they see it)."""
    if not policy.can_edit(actor, petition):
        raise PermissionDenied(_("Your role may not write letters for petitions."))
    letter = build(petition, kind, number=number)
    content = render_docx(letter)
    with transaction.atomic():
        event = PetitionEvent.objects.create(
            petition=petition,
            action=PetitionEvent.Action.LETTER,
            state=petition.state,
            note=str(KINDS[kind]),
            reference=letter.reference,
            actor=actor,
        )
        audit.record(
            "export",
            actor=actor,
            obj=petition,
            details={"what": "letter", "letter": kind, "format": "docx", "reference": letter.reference},
        )
    return Generated(letter, content, event)
