"""Helpers of the petition intake tests: a scanned letter as an image, its text, and a stand-in OCR engine
(for tests about the petition, not about recognition; the `stub_ocr` fixture in conftest.py installs it)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from sohoa.digitization import ocr

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
DPI = 200

#: A short denunciation as printed on the scan: one A4 page in large type, quick for Tesseract.
LETTER_LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Cà Mau, ngày 12 tháng 3 năm 2026",
    "ĐƠN TỐ CÁO",
    "Kính gửi: Ủy ban Kiểm tra Tỉnh ủy Cà Mau",
    "Tôi tên là: Trần Thị Hoa, sinh năm 1965",
    "Địa chỉ: ấp 3, xã Tân Hưng, huyện Cái Nước",
    "Tôi tố cáo ông Nguyễn Văn Bình, chức vụ Chủ tịch",
    "UBND xã Tân Hưng, đảng viên chi bộ ấp 3.",
    "Nội dung: Ông Bình đã lợi dụng chức vụ để cấp",
    "đất sai quy định cho người thân.",
    "Người tố cáo",
    "Trần Thị Hoa",
]


def stub_text() -> str:
    return "\n".join(LETTER_LINES)


def letter_image(lines: Sequence[str]) -> Image.Image:
    img = Image.new("L", (int(8.27 * DPI), int(11.69 * DPI)), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 40)
    y = 150
    for line in lines:
        draw.text((150, y), line, fill=0, font=font)
        y += 70
    return img


def letter_png(lines: Sequence[str]) -> bytes:
    out = io.BytesIO()
    letter_image(lines).save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


class StubEngine:
    """The page image as a one-page PDF and a fixed text (set `text`)."""

    text = ""

    def recognize(self, image: Path, out_base: Path, *, languages: str, dpi: int) -> ocr.OcrResult:
        pdf = Path(f"{out_base}.pdf")
        with Image.open(image) as img:
            img.save(pdf, "PDF", resolution=dpi)
        return ocr.OcrResult(pdf=pdf, text=self.text, confidence=95.0)
