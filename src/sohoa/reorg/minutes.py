"""The hand-over minutes (biên bản giao nhận tài liệu) of an executed reorganization, as DOCX and PDF.

The text is fixed Vietnamese whatever the interface language: it is an administrative document (Decree
30/2020 for State bodies, Guide 36-HD/VPTW for Party bodies). The counts come from the items that moved,
so the minutes say exactly what changed hands.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from sohoa.core.docxtools import PARTY_TITLE, STATE_MOTTO, STATE_TITLE, letterhead, para
from sohoa.registry.models import Unit, UnitKind
from sohoa.reports.exports import _register_fonts
from sohoa.reports.formatting import integer, place_name, vietnamese_date

from .models import Reorganization, TransferItem

TITLE = "BIÊN BẢN GIAO NHẬN TÀI LIỆU"
PARTY_KINDS = frozenset({UnitKind.PARTY_COMMITTEE, UnitKind.PARTY_CELL, UnitKind.INSPECTION_COMMITTEE})
KIND_VERBS = {"merge": "sáp nhập", "split": "chia tách"}
KIND_NAMES = {"fonds": "Phông", "record": "Hồ sơ", "document": "Văn bản"}
COLUMNS = [
    "STT",
    "Loại",
    "Mã / Số, ký hiệu",
    "Tên, trích yếu",
    "Bên giao",
    "Bên nhận",
    "Số văn bản",
    "Mã kiểm tra (SHA-256)",
]


@dataclass
class Totals:
    fonds: int = 0
    records: int = 0
    documents: int = 0
    files: int = 0  # documents with a digital copy (a checksum)
    plans: int = 0
    units: int = 0
    users_mapped: int = 0
    users_removed: int = 0

    def line(self) -> str:
        """The totals line; tests and readers parse it, so its wording is stable."""
        return (
            f"Tổng số: phông: {self.fonds}; hồ sơ: {self.records}; văn bản: {self.documents}; tệp số hóa: {self.files}"
        )

    def other_line(self) -> str:
        return (
            f"Kế hoạch số hóa: {self.plans}; đơn vị trực thuộc chuyển theo: {self.units}; "
            f"người dùng chuyển sang đơn vị kế thừa: {self.users_mapped}; người dùng thôi quyền: {self.users_removed}"
        )


@dataclass
class Row:
    kind: str
    code: str
    label: str
    source: str
    target: str
    documents: int
    checksum: str


@dataclass
class Content:
    party: bool
    body: str
    superior: str
    date_line: str
    decision: str
    reason: str
    givers: list[str]
    receivers: list[str]
    rows: list[Row] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    #: Totals per receiving unit: (unit, Totals), for a split.
    per_receiver: list[tuple[str, Totals]] = field(default_factory=list)


def _add(totals: Totals, item: TransferItem) -> None:
    if item.kind == "fonds":
        totals.fonds += 1
    elif item.kind == "record":
        totals.records += 1
    elif item.kind == "document":
        totals.documents += 1
        totals.files += 1 if item.checksum else 0
    elif item.kind == "plan":
        totals.plans += 1
    elif item.kind == "unit":
        totals.units += 1
    elif item.kind == "user":
        if item.to_unit_id:
            totals.users_mapped += 1
        else:
            totals.users_removed += 1


def build(
    reorganization: Reorganization, dissolved: list[Unit], successors: list[Unit], items: list[TransferItem]
) -> Content:
    from . import kinds
    from .services import decision_text

    receiver = successors[0]
    superior = receiver.parent.name.upper() if receiver.parent_id and receiver.parent else ""
    day = timezone.localdate(reorganization.executed_at) if reorganization.executed_at else timezone.localdate()
    r = reorganization
    content = Content(
        party=receiver.kind in PARTY_KINDS,
        body=receiver.name.upper(),
        superior=superior,
        date_line=f"{place_name(receiver)}, {vietnamese_date(day)}",
        decision=f"Căn cứ Quyết định số {decision_text(r)} về việc {KIND_VERBS.get(r.kind, r.kind)} đơn vị, "
        f"có hiệu lực từ ngày {r.effective_date:%d/%m/%Y};",
        reason=f"Hôm nay, {vietnamese_date(day)}, các bên tiến hành giao nhận tài liệu của "
        f"{', '.join(u.name for u in dissolved)} cho {', '.join(u.name for u in successors)} như sau:",
        givers=[f"{u.code} — {u.name}" for u in dissolved],
        receivers=[f"{u.code} — {u.name}" for u in successors],
    )
    per: dict[int, Totals] = {u.pk: Totals() for u in successors}
    for item in items:
        _add(content.totals, item)
        if item.to_unit_id in per:
            _add(per[item.to_unit_id], item)
        if item.kind in kinds.KINDS and kinds.get(item.kind).in_minutes_table:
            content.rows.append(
                Row(
                    kind=KIND_NAMES.get(item.kind, str(kinds.get(item.kind).label)),
                    code=item.code,
                    label=item.label,
                    source=item.from_unit.code,
                    target=item.to_unit.code if item.to_unit else "",
                    documents=item.documents,
                    checksum=item.checksum,
                )
            )
    content.per_receiver = [(f"{u.code} — {u.name}", per[u.pk]) for u in successors]
    return content


def _row_cells(number: int, row: Row) -> list[str]:
    return [
        str(number),
        row.kind,
        row.code,
        row.label,
        row.source,
        row.target,
        integer(row.documents),
        row.checksum or "—",
    ]


# ---- DOCX --------------------------------------------------------------------------------------------


def render_docx(content: Content) -> bytes:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)

    letterhead(doc, party=content.party, superior=content.superior, body=content.body, date_line=content.date_line)

    doc.add_paragraph()
    para(doc, TITLE, bold=True, size=15)
    doc.add_paragraph()
    left_align = WD_ALIGN_PARAGRAPH.LEFT
    para(doc, content.decision, align=left_align)
    para(doc, content.reason, align=left_align)
    para(doc, "BÊN GIAO:", bold=True, align=left_align)
    for line in content.givers:
        para(doc, f"- {line}", align=left_align)
    para(doc, "BÊN NHẬN:", bold=True, align=left_align)
    for line in content.receivers:
        para(doc, f"- {line}", align=left_align)
    para(doc, "Danh mục tài liệu giao nhận:", bold=True, align=left_align)

    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for number, row in enumerate(content.rows, start=1):
        cells = table.add_row().cells
        for cell, text in zip(cells, _row_cells(number, row), strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)

    doc.add_paragraph()
    para(doc, content.totals.line(), bold=True, align=left_align)
    for name, totals in content.per_receiver if len(content.per_receiver) > 1 else []:
        para(doc, f"{name} nhận: {totals.line()}", align=left_align)
    para(doc, content.totals.other_line(), align=left_align)
    para(doc, "Biên bản được lập thành các bản có giá trị như nhau, mỗi bên giữ một bản.", align=left_align)
    doc.add_paragraph()
    signatures = doc.add_table(rows=1, cols=2)
    for cell, who in zip(signatures.rows[0].cells, ("ĐẠI DIỆN BÊN GIAO", "ĐẠI DIỆN BÊN NHẬN"), strict=True):
        para(cell, who, bold=True, first=True)
        para(cell, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---- PDF ---------------------------------------------------------------------------------------------


def render_pdf(content: Content) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    base = ParagraphStyle("base", fontName="DejaVuSerif", fontSize=11, leading=14, alignment=TA_CENTER)
    left_style = ParagraphStyle("left", parent=base, alignment=TA_LEFT)
    right_style = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10, alignment=TA_LEFT)
    mono = ParagraphStyle("mono", parent=cell, fontSize=6.5, leading=8)
    big = ParagraphStyle("big", parent=base, fontSize=14, leading=18)

    left_cell = [Paragraph(escape(content.superior), base)] if content.superior else []
    left_cell += [Paragraph(f"<b>{escape(content.body)}</b>", base), Paragraph("*" if content.party else "———", base)]
    if content.party:
        right_cell: list[Any] = [Paragraph(f"<b><u>{PARTY_TITLE}</u></b>", base)]
    else:
        right_cell = [Paragraph(f"<b>{STATE_TITLE}</b>", base), Paragraph(f"<b><u>{STATE_MOTTO}</u></b>", base)]
    right_cell += [Spacer(1, 6), Paragraph(f"<i>{escape(content.date_line)}</i>", right_style)]
    header = Table([[left_cell, right_cell]], colWidths=[11 * cm, 14 * cm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))

    def checksum(text: str) -> str:
        return "—" if not text else f"{text[:32]}<br/>{text[32:]}"  # two lines: a whole hash fits no column

    data: list[list[Any]] = [[Paragraph(f"<b>{escape(c)}</b>", cell) for c in COLUMNS]]
    for number, row in enumerate(content.rows, start=1):
        texts = _row_cells(number, row)
        data.append([Paragraph(escape(t), cell) for t in texts[:-1]] + [Paragraph(checksum(row.checksum), mono)])
    table = Table(
        data,
        colWidths=[1.2 * cm, 1.8 * cm, 3.2 * cm, 6.5 * cm, 2.5 * cm, 2.5 * cm, 1.6 * cm, 5.2 * cm],
        repeatRows=1,
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list[Any] = [
        header,
        Spacer(1, 14),
        Paragraph(f"<b>{TITLE}</b>", big),
        Spacer(1, 10),
        Paragraph(escape(content.decision), left_style),
        Paragraph(escape(content.reason), left_style),
        Paragraph("<b>BÊN GIAO:</b>", left_style),
        *[Paragraph(escape(f"- {line}"), left_style) for line in content.givers],
        Paragraph("<b>BÊN NHẬN:</b>", left_style),
        *[Paragraph(escape(f"- {line}"), left_style) for line in content.receivers],
        Spacer(1, 6),
        Paragraph("<b>Danh mục tài liệu giao nhận:</b>", left_style),
        Spacer(1, 4),
        table,
        Spacer(1, 8),
        Paragraph(f"<b>{escape(content.totals.line())}</b>", left_style),
    ]
    if len(content.per_receiver) > 1:
        story += [Paragraph(escape(f"{name} nhận: {t.line()}"), left_style) for name, t in content.per_receiver]
    story += [
        Paragraph(escape(content.totals.other_line()), left_style),
        Paragraph("Biên bản được lập thành các bản có giá trị như nhau, mỗi bên giữ một bản.", left_style),
        Spacer(1, 16),
    ]
    signatures = Table(
        [
            [Paragraph("<b>ĐẠI DIỆN BÊN GIAO</b>", base), Paragraph("<b>ĐẠI DIỆN BÊN NHẬN</b>", base)],
            [Paragraph("<i>(Ký, ghi rõ họ tên, đóng dấu)</i>", base)] * 2,
        ],
        colWidths=[12.5 * cm, 12.5 * cm],
    )
    story.append(signatures)
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=2.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=TITLE,
        author=content.body,
    ).build(story)
    return out.getvalue()
