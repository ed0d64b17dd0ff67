"""Render a document header as a scanned page: two columns, centred title, like a real letter."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"


def render_header(
    left: list[str], right: list[str], centre: list[str], *, dpi: int = 200, extra: list[str] = ()
) -> Image.Image:
    """An A4 page: `left` lines centred on the left third, `right` lines centred on the right half,
    then `centre` lines (title, subject), then `extra` body lines."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    size = round(13 / 72 * dpi)
    regular, bold = ImageFont.truetype(SERIF, size), ImageFont.truetype(SERIF_BOLD, size)
    step = round(size * 1.5)
    y0 = round(0.8 * dpi)

    def centred(lines: list[str], cx: float, y: int, font: ImageFont.FreeTypeFont) -> int:
        for line in lines:
            draw.text((cx - draw.textlength(line, font=font) / 2, y), line, font=font, fill=0)
            y += step
        return y

    y_left = centred(left, width * 0.27, y0, bold)
    y_right = centred(right, width * 0.68, y0, bold)
    y = centred(centre, width / 2, max(y_left, y_right) + step, bold)
    for line in extra:
        draw.text((round(1.2 * dpi), y), line, font=regular, fill=0)
        y += step
    return img


def save(img: Image.Image, path: Path, dpi: int = 200) -> Path:
    img.save(path, dpi=(dpi, dpi))
    return path
