"""A progress report rendered as JSON, XLSX (one sheet per table), DOCX (a Party document per Guide
36-HD/VPTW) and PDF. Pure rendering: the caller (services.report_export) audits the export."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sohoa.core.docxtools import PARTY_TITLE, letterhead, para

from . import charts
from .formatting import integer, pct, place_name, vietnamese_date
from .models import Series
from .selectors import Count, Progress

# The marks of a Party document are fixed Vietnamese text by regulation (Guide 36-HD/VPTW), whatever the
# interface language; so are the sheet names the Office's templates expect.
REPORT_KIND = "BÁO CÁO"
SHEET_PROGRESS = "Tiến độ"
SHEET_BY_UNIT = "Theo đơn vị"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def title(progress: Progress) -> str:
    return _("Digitization progress of documents from %(from)d to %(to)d") % {
        "from": progress.year_from,
        "to": progress.year_to,
    }


def _series_label(name: str) -> str:
    return str(Series(name).label)


def _header_lines(progress: Progress) -> tuple[str, str, str]:
    """(superior body, issuing body, number line) of the Party header, from the unit tree."""
    unit = progress.unit
    superior = unit.parent.name.upper() if unit.parent_id and unit.parent else ""
    body = unit.short_name or unit.code
    return superior, unit.name.upper(), f"Số     -BC/{body}"


def _date_line(progress: Progress) -> str:
    return f"{place_name(progress.unit)}, {vietnamese_date(timezone.localdate())}"


def _table_rows(progress: Progress) -> list[tuple[str, Count]]:
    return [(_series_label(n), c) for n, c in progress.series] + [(_("All series"), progress.totals)]


def _columns() -> list[str]:
    return [_("Series"), _("Total"), pgettext("digitization state", "Digitized"), _("Percent (%)")]


def _unit_rows(progress: Progress) -> list[tuple[str, Count]]:
    return [(f"{r.unit.code} — {r.unit.name}", r.row.totals) for r in progress.children]


# ---- JSON --------------------------------------------------------------------------------------------


def render_json(progress: Progress) -> bytes:
    return json.dumps(progress.as_json(), ensure_ascii=False).encode()


# ---- XLSX --------------------------------------------------------------------------------------------


def render_xlsx(progress: Progress) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_PROGRESS
    sheet.append([_("Series code"), *_columns()])
    for name, count in progress.series:
        sheet.append([name, _series_label(name), count.total, count.digitized, count.percent])
    totals = progress.totals
    sheet.append(["total", _("All series"), totals.total, totals.digitized, totals.percent])
    by_unit = book.create_sheet(SHEET_BY_UNIT)
    by_unit.append([_("Unit code"), _("Unit"), _("Series code"), *_columns()])
    for unit_row in progress.children:
        for name, count in unit_row.row.ordered():
            by_unit.append(
                [unit_row.unit.code, unit_row.unit.name, name, _series_label(name), count.total, count.digitized]
                + [count.percent]
            )
        t = unit_row.row.totals
        by_unit.append(
            [unit_row.unit.code, unit_row.unit.name, "total", _("All series"), t.total, t.digitized, t.percent]
        )
    for ws in (sheet, by_unit):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for column in ws.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0"
        for letter, width in zip("ABCDEFG", (16, 34, 16, 34, 12, 12, 12), strict=False):
            ws.column_dimensions[letter].width = width
    sheet.freeze_panes = by_unit.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- DOCX --------------------------------------------------------------------------------------------


def render_docx(progress: Progress) -> bytes:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, margins of Guide 36
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)

    superior, body, number = _header_lines(progress)
    letterhead(doc, party=True, superior=superior, body=body, number=number, date_line=_date_line(progress))

    doc.add_paragraph()
    para(doc, REPORT_KIND, bold=True, size=16)
    para(doc, title(progress), bold=True)
    para(doc, "-----", align=WD_ALIGN_PARAGRAPH.CENTER)
    doc.add_paragraph()

    def grid(rows: list[tuple[str, Count]], first_column: str) -> None:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, [first_column, *_columns()[1:]], strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        for label, count in rows:
            cells = table.add_row().cells
            cells[0].text = label
            for cell, text in zip(
                cells[1:], (integer(count.total), integer(count.digitized), pct(count.percent)), strict=True
            ):
                cell.text = text
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    para(doc, _("1. Progress by series"), bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    grid(_table_rows(progress), _("Series"))
    if progress.children:
        doc.add_paragraph()
        para(doc, _("2. Progress by unit"), bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        grid(_unit_rows(progress), _("Unit"))
    doc.add_paragraph()
    doc.add_picture(io.BytesIO(charts.png(progress)), width=Cm(16))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---- PDF ---------------------------------------------------------------------------------------------

_FONTS_READY = False


def _register_fonts() -> None:
    """DejaVu carries every Vietnamese letter; reportlab's built-in fonts do not."""
    global _FONTS_READY
    if _FONTS_READY:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file in (
        ("DejaVuSerif", "DejaVuSerif.ttf"),
        ("DejaVuSerif-Bold", "DejaVuSerif-Bold.ttf"),
        ("DejaVuSerif-Italic", "DejaVuSerif-Italic.ttf"),
        ("DejaVuSerif-BoldItalic", "DejaVuSerif-BoldItalic.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    addMapping("DejaVuSerif", 0, 0, "DejaVuSerif")
    addMapping("DejaVuSerif", 1, 0, "DejaVuSerif-Bold")
    addMapping("DejaVuSerif", 0, 1, "DejaVuSerif-Italic")
    addMapping("DejaVuSerif", 1, 1, "DejaVuSerif-BoldItalic")
    _FONTS_READY = True


def render_pdf(progress: Progress) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    base = ParagraphStyle("base", fontName="DejaVuSerif", fontSize=11, leading=14, alignment=TA_CENTER)
    left_style = ParagraphStyle("left", parent=base, alignment=TA_LEFT)
    right_style = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    big = ParagraphStyle("big", parent=base, fontSize=14, leading=18)

    superior, body, number = _header_lines(progress)
    left_cell = [Paragraph(escape(superior), base)] if superior else []
    left_cell += [Paragraph(f"<b>{escape(body)}</b>", base), Paragraph("*", base), Paragraph(escape(number), base)]
    right_cell = [
        Paragraph(f"<b><u>{PARTY_TITLE}</u></b>", base),
        Spacer(1, 8),
        Paragraph(f"<i>{escape(_date_line(progress))}</i>", right_style),
    ]
    header = Table([[left_cell, right_cell]], colWidths=[7.5 * cm, 9 * cm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))

    def grid(rows: list[tuple[str, Count]], first_column: str) -> Table:
        data: list[list[Any]] = [[Paragraph(f"<b>{escape(c)}</b>", base) for c in [first_column, *_columns()[1:]]]]
        for label, count in rows:
            data.append(
                [
                    Paragraph(escape(label), left_style),
                    integer(count.total),
                    integer(count.digitized),
                    pct(count.percent),
                ]
            )
        table = Table(data, colWidths=[7.5 * cm, 3 * cm, 3 * cm, 3 * cm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), "DejaVuSerif"),
                    ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return table

    story: list[Any] = [
        header,
        Spacer(1, 18),
        Paragraph(f"<b>{REPORT_KIND}</b>", big),
        Paragraph(f"<b>{escape(title(progress))}</b>", base),
        Spacer(1, 14),
        Paragraph(f"<b>{escape(_('1. Progress by series'))}</b>", left_style),
        Spacer(1, 6),
        grid(_table_rows(progress), _("Series")),
    ]
    if progress.children:
        story += [
            Spacer(1, 12),
            Paragraph(f"<b>{escape(_('2. Progress by unit'))}</b>", left_style),
            Spacer(1, 6),
            grid(_unit_rows(progress), _("Unit")),
        ]
    chart = charts.png(progress)
    from PIL import Image as PILImage

    w, h = PILImage.open(io.BytesIO(chart)).size
    story += [Spacer(1, 12), Image(io.BytesIO(chart), width=16 * cm, height=16 * cm * h / w)]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=3 * cm,
        rightMargin=1.5 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=title(progress),
        author=progress.unit.name,
    ).build(story)
    return out.getvalue()


RENDERERS = {
    "json": (render_json, "application/json"),
    "xlsx": (render_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": (render_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": (render_pdf, "application/pdf"),
}
