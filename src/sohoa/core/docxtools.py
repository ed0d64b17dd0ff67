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
