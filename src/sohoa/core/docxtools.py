"""Small helpers for the DOCX documents sohoa writes (reports, hand-over minutes) in the state format."""

from __future__ import annotations

from typing import Any


def para(
    where: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: int | None = None,
    align: Any = None,
    first: bool = False,
) -> Any:
    """A paragraph of one run in `where` (a document or a table cell), centred unless `align` says
    otherwise, with no space after; `first` reuses the cell's empty first paragraph."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = where.paragraphs[0] if first else where.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if align is None else align
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    return p


# The marks of the two header formats are fixed Vietnamese by regulation, whatever the interface language.
STATE_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
STATE_MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
CONFIDENTIALITY_MARKS = {1: "MẬT", 2: "TỐI MẬT", 3: "TUYỆT MẬT"}


def a4_document(*, font_size: int = 14) -> Any:
    """An empty A4 portrait document with the margins both formats use (top/bottom 2 cm, left 3 cm,
    right 1.5 cm) and Times New Roman as the normal font."""
    from docx import Document as Docx
    from docx.shared import Cm, Pt

    doc = Docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(font_size)
    return doc


def letterhead(
    doc: Any,
    *,
    party: bool,
    superior: str,
    body: str,
    date_line: str,
    number: str = "",
    subject: str = "",
    confidentiality: int = 0,
) -> Any:
    """The two-column header of an administrative document.

    Party (Guide 36-HD/VPTW): left the superior body, the issuing body in bold, "*", then the number
    ("Số 12-CV/UBKTTU"); right "ĐẢNG CỘNG SẢN VIỆT NAM" underlined and the date line. State (Decree
    30/2020): left the parent body, the issuing body in bold, a rule, the number ("Số: 12/TB-UBND");
    right the national title and the underlined motto, then the date line. An official letter's subject
    ("V/v …") goes under the number; a confidentiality mark under that."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left.width, right.width = Cm(7.5), Cm(9)
    if superior:
        para(left, superior, size=13, first=True)
        para(left, body, bold=True, size=13)
    else:
        para(left, body, bold=True, size=13, first=True)
    para(left, "*" if party else "———")
    if number:
        para(left, number, size=13)
    if subject:
        para(left, subject, size=12)
    if confidentiality in CONFIDENTIALITY_MARKS:
        para(left, CONFIDENTIALITY_MARKS[confidentiality], bold=True, size=13)
    if party:
        para(right, PARTY_TITLE, bold=True, underline=True, size=15, first=True)
        para(right, "")
    else:
        para(right, STATE_TITLE, bold=True, size=13, first=True)
        para(right, STATE_MOTTO, bold=True, underline=True)
    date = para(right, date_line, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    date.paragraph_format.space_before = Pt(6)
    return header
