"""Stamping copies of classified documents: a visible band on every page and an invisible, keyed mark.

The band (reportlab, DejaVu Sans: it has every Vietnamese glyph) names the level, the copy number, the
user, their unit and the time. The mark `"<copy id>:<HMAC(derived_key('watermark'), copy id|doc id|user
id)>"` goes into the PDF metadata (DocInfo /SohoaCopy and XMP sohoa:copy) and, as invisible text, into
every page's content, so a leaked file is traced to its copy (`identify`) even when one of them is
stripped. Page thumbnails get a smaller band drawn with Pillow. Decision 0022.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pikepdf
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from . import keys

if TYPE_CHECKING:
    from sohoa.copies.models import SecretCopy

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILE = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD_FILE = FONT_DIR / "DejaVuSans-Bold.ttf"
FONT, FONT_BOLD = "SohoaDejaVuSans", "SohoaDejaVuSans-Bold"
XMP_NS = "https://sohoa.vn/ns/copy/1.0/"
DOCINFO_KEY = "/SohoaCopy"
TEXT_PREFIX = "sohoa-copy:"
MARK_RE = re.compile(rb"sohoa-copy:(\d+):([0-9a-f]{64})")
VALUE_RE = re.compile(r"^(\d+):([0-9a-f]{64})$")

#: The stamp of each level as the secrets law writes it (a legal marking: Vietnamese whatever the UI language).
LEVEL_STAMP = {1: "MẬT", 2: "TỐI MẬT", 3: "TUYỆT MẬT"}


@dataclass(frozen=True)
class Band:
    """What the visible band says."""

    level: int
    number: int
    user: str
    unit: str
    at: str  # local date and time, already formatted

    @property
    def title(self) -> str:
        return f"{LEVEL_STAMP.get(self.level, '')} · Bản số {self.number} / copy {self.number}".strip(" ·")

    @property
    def who(self) -> str:
        return " · ".join(part for part in (self.user, self.unit, self.at) if part)


def mark_mac(copy_id: int, document_id: int, user_id: int) -> str:
    """The keyed part of the invisible mark: only this instance can make it, so it cannot be forged."""
    message = f"{copy_id}|{document_id}|{user_id}".encode()
    return hmac.new(keys.derived_key("watermark"), message, hashlib.sha256).hexdigest()


def mark_value(copy_id: int, mac: str) -> str:
    return f"{copy_id}:{mac}"


@cache
def _fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
    bold = FONT_BOLD if FONT_BOLD_FILE.exists() else FONT
    if bold == FONT_BOLD:
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_BOLD_FILE)))
    return FONT, bold


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The largest font size up to `size` at which `text` fits in `width` points."""
    needed = pdfmetrics.stringWidth(text, font, size)
    return size if needed <= width else max(4.0, size * width / needed)


def _overlay(band: Band, mark: str, sizes: list[tuple[float, float]]) -> bytes:
    """One overlay page per page size: bands at the top and bottom, a faint diagonal, the hidden mark."""
    regular, bold = _fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=sizes[0], pageCompression=1)
    for width, height in sizes:
        pdf.setPageSize((width, height))
        margin = min(width, height) * 0.03
        usable = width - 2 * margin
        band_h = max(16.0, min(width, height) * 0.045)
        # Bottom band: white, mostly opaque, so the stamp stays legible over a dark scan.
        pdf.saveState()
        pdf.setFillColorRGB(1, 1, 1, alpha=0.85)
        pdf.rect(0, 0, width, band_h * 1.6, stroke=0, fill=1)
        pdf.rect(0, height - band_h, width, band_h, stroke=0, fill=1)
        pdf.restoreState()
        pdf.setFillColorRGB(0.75, 0, 0)
        size = _fit(band.title, bold, band_h * 0.55, usable)
        pdf.setFont(bold, size)
        pdf.drawString(margin, band_h * 0.9, band.title)
        pdf.drawRightString(width - margin, height - band_h * 0.7, band.title)
        pdf.setFillColorRGB(0.1, 0.1, 0.1)
        size = _fit(band.who, regular, band_h * 0.45, usable)
        pdf.setFont(regular, size)
        pdf.drawString(margin, band_h * 0.3, band.who)
        # A faint diagonal across the page: cropping the bands away still leaves the copy number.
        pdf.saveState()
        pdf.setFillColorRGB(0.75, 0, 0, alpha=0.12)
        pdf.translate(width / 2, height / 2)
        pdf.rotate(math.degrees(math.atan2(height, width)))
        diagonal = f"{band.title} · {band.user}"
        pdf.setFont(bold, _fit(diagonal, bold, min(width, height) * 0.06, math.hypot(width, height) * 0.7))
        pdf.drawCentredString(0, 0, diagonal)
        pdf.restoreState()
        # The mark as invisible text (render mode 3): it survives tools that strip the metadata.
        text = pdf.beginText(margin, 2)
        text.setTextRenderMode(3)
        text.setFont("Helvetica", 1)
        text.textLine(TEXT_PREFIX + mark)
        pdf.drawText(text)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _page_size(page: pikepdf.Page) -> tuple[float, float, float, float]:
    llx, lly, urx, ury = (float(v) for v in page.mediabox)
    return llx, lly, urx - llx, ury - lly


def stamp_pdf(data: bytes, *, band: Band, mark: str) -> bytes:
    """`data` (a PDF) with the band and the mark on every page and the mark in DocInfo and XMP."""
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        geometry = [_page_size(page) for page in pdf.pages]
        sizes = sorted({(w, h) for _, _, w, h in geometry})
        with pikepdf.Pdf.open(io.BytesIO(_overlay(band, mark, sizes))) as overlay:
            forms = {size: pdf.copy_foreign(overlay.pages[i].as_form_xobject()) for i, size in enumerate(sizes)}
            for page, (llx, lly, w, h) in zip(pdf.pages, geometry, strict=True):
                page.add_overlay(forms[(w, h)], pikepdf.Rectangle(llx, lly, llx + w, lly + h))
        pdf.docinfo[pikepdf.Name(DOCINFO_KEY)] = mark
        pikepdf.models.PdfMetadata.register_xml_namespace(XMP_NS, "sohoa")
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta[f"{{{XMP_NS}}}copy"] = mark
        out = io.BytesIO()
        pdf.save(out, deterministic_id=False)
        return out.getvalue()


def _candidates(pdf: pikepdf.Pdf) -> list[str]:
    """Marks found in the file: XMP, DocInfo, then the invisible text of the pages."""
    found: list[str] = []
    try:
        meta = pdf.open_metadata()
        value = meta.get(f"{{{XMP_NS}}}copy")
        if value:
            found.append(str(value))
    except Exception:  # noqa: BLE001 (broken XMP in a hostile file: look elsewhere)
        pass
    info = pdf.docinfo.get(pikepdf.Name(DOCINFO_KEY)) if pdf.trailer.get("/Info") is not None else None
    if info is not None:
        found.append(str(info))
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream) or obj.get("/Subtype") == pikepdf.Name.Image:
            continue
        try:
            body = obj.read_bytes()
        except pikepdf.PdfError:
            continue
        found += [f"{m.group(1).decode()}:{m.group(2).decode()}" for m in MARK_RE.finditer(body)]
    return found


def identify(pdf_bytes: bytes) -> SecretCopy | None:
    """The register's copy that `pdf_bytes` was made from, when the file carries a mark that verifies."""
    from sohoa.copies.models import SecretCopy

    try:
        with pikepdf.Pdf.open(io.BytesIO(pdf_bytes)) as pdf:
            candidates = _candidates(pdf)
    except pikepdf.PdfError:
        return None
    for value in candidates:
        match = VALUE_RE.match(value.strip())
        if not match:
            continue
        copy = SecretCopy.objects.select_related("document", "user", "unit").filter(pk=int(match[1])).first()
        if copy is None:
            continue
        mac = match[2]
        expected = mark_mac(copy.pk, copy.document_id, copy.user_id)
        # The stored mark still verifies a copy made before a master-key rotation.
        if hmac.compare_digest(mac, expected) or hmac.compare_digest(mac, copy.mark):
            return copy
    return None


# ---- thumbnails -------------------------------------------------------------------------------------


@cache
def _image_font(size: int) -> Any:
    return ImageFont.truetype(str(FONT_FILE), size)


def stamp_image(data: bytes, *, lines: list[str]) -> bytes:
    """A JPEG of the image `data` with a band at the bottom holding `lines` (user, time, level)."""
    with Image.open(io.BytesIO(data)) as source:
        image = source.convert("RGB")
    width, height = image.size
    size = max(8, width // 24)
    font = _image_font(size)
    band_h = (size + 4) * len(lines) + 4
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rectangle((0, height - band_h, width, height), fill=(255, 255, 255, 215))
    y = height - band_h + 3
    for i, line in enumerate(lines):
        draw.text((3, y), line, font=font, fill=(170, 0, 0, 255) if i == 0 else (20, 20, 20, 255))
        y += size + 4
    stamped = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    out = io.BytesIO()
    stamped.save(out, "JPEG", quality=85)
    return out.getvalue()
