"""Turn a file into the first page's lines for the extractor: text as is, born-digital PDFs through
pdftotext -layout, scans through Tesseract's TSV (word boxes) after the pipeline's page preparation."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from sohoa.digitization import pages, sniff
from sohoa.digitization.pipeline import prepare_loaded

from .layout import Page, from_text, from_tsv


class ReadError(ValueError):
    """The file cannot be read; the message is a translatable msgid."""


def read_first_page(file: Path) -> Page:
    """Lines of the first page of a .txt, PDF or image file."""
    if file.suffix.lower() == ".txt":
        return from_text(file.read_text(encoding="utf-8", errors="replace"))
    mime = sniff.sniff(file)
    if mime is None:
        raise ReadError("This file type is not supported: use PDF, TIFF, JPEG, PNG, WebP, HEIC or .txt.")
    if mime == pages.PDF:
        try:
            count = pages.count_pages(file, mime)
        except Exception as exc:  # noqa: BLE001 - any unreadable PDF gets the one message
            raise ReadError("The file is damaged or truncated and cannot be read.") from exc
        if count and pages.born_digital(file, count):
            text = subprocess.run(
                ["pdftotext", "-layout", "-f", "1", "-l", "1", str(file), "-"],
                capture_output=True,
                timeout=120,
                check=False,
            ).stdout.decode(errors="replace")
            return from_text(text)
    try:
        loaded = pages.load_page(file, mime, 1)
    except pages.PageError as exc:
        raise ReadError(exc.message) from exc
    prepared = prepare_loaded(loaded)
    return from_tsv(ocr_tsv(prepared.image, prepared.dpi, settings.DIGITIZATION["LANGUAGES"]))


def ocr_tsv(image: object, dpi: int, languages: str) -> str:
    """Tesseract's TSV for one page image (single-threaded, like the pipeline)."""
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "page.png"
        image.save(png, "PNG", compress_level=1, dpi=(dpi, dpi))  # type: ignore[attr-defined]
        proc = subprocess.run(
            ["tesseract", str(png), str(Path(tmp) / "out"), "-l", languages, "--dpi", str(dpi), "tsv"],
            capture_output=True,
            timeout=600,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
        out = Path(tmp) / "out.tsv"
        if proc.returncode != 0 or not out.exists():
            raise ReadError("The page could not be recognized (OCR failed).")
        return out.read_text(encoding="utf-8", errors="replace")
