"""Assemble one-page OCR PDFs into a PDF/A-2b archival copy (image + invisible text, XMP, sRGB intent)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pikepdf
from PIL import ImageCms

_SRGB: bytes | None = None


def _srgb_icc() -> bytes:
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _SRGB


def make_pdfa(pdf: pikepdf.Pdf, *, title: str, creator: str, subject: str, keywords: str, language: str) -> None:
    """Add what PDF/A-2b asks of the document level: XMP identification and an output intent."""
    icc = pdf.make_stream(_srgb_icc())
    icc.N = 3
    pdf.Root.OutputIntents = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFA1,
                OutputConditionIdentifier="sRGB IEC61966-2.1",
                Info="sRGB IEC61966-2.1",
                DestOutputProfile=icc,
            )
        ]
    )
    pdf.Root.Lang = pikepdf.String(language)
    for page in pdf.pages:  # PDF/A forbids image interpolation
        for image in page.get_images().values():
            if "/Interpolate" in image:
                del image.Interpolate
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["dc:title"] = title or "—"
        meta["dc:creator"] = [creator or "sohoa"]
        meta["dc:description"] = subject or title or "—"
        if keywords:
            meta["pdf:Keywords"] = keywords
        meta["xmp:CreatorTool"] = "sohoa"
        meta["pdf:Producer"] = "sohoa (Tesseract, pikepdf)"
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        meta["xmp:CreateDate"] = now
        meta["xmp:ModifyDate"] = now
        meta["xmp:MetadataDate"] = now


def assemble(pages: Sequence[Path], out: Path, **metadata: str) -> None:
    """Merge the one-page PDFs in order into `out` as PDF/A-2b.

    The qpdf command merges, streaming the page images from disk (~30 MB whatever the page count);
    merging in pikepdf held every image in memory until the save (1.6 GB for 300 pages at 300 dpi,
    benchmarks/ocr_throughput.py). pikepdf then adds the PDF/A parts to the merged file, again
    reading the images lazily from it."""
    merged = out.with_name(out.name + ".merged.pdf")
    try:
        subprocess.run(
            ["qpdf", "--empty", "--pages", *map(str, pages), "--", str(merged)],
            check=True,
            capture_output=True,
            timeout=1800,
        )
        with pikepdf.Pdf.open(merged) as result:
            make_pdfa(result, **metadata)
            result.save(out, fix_metadata_version=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    finally:
        merged.unlink(missing_ok=True)


def convert_born_digital(source: Path, out: Path, **metadata: str) -> None:
    """A born-digital PDF keeps its own text: Ghostscript rewrites it as PDF/A-2b (fonts embedded)."""
    tmp = out.with_suffix(".gs.pdf")
    cmd = [
        "gs",
        "-q",
        "-dPDFA=2",
        "-dBATCH",
        "-dNOPAUSE",
        "-dSAFER",
        "-dPDFACompatibilityPolicy=1",
        "-sColorConversionStrategy=RGB",
        "-sDEVICE=pdfwrite",
        f"-sOutputFile={tmp}",
        str(source),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=1800)
    with pikepdf.Pdf.open(tmp) as pdf:
        make_pdfa(pdf, **metadata)
        pdf.save(out, fix_metadata_version=True)
    tmp.unlink(missing_ok=True)


def replace_page(archival: Path, number: int, page_pdf: Path, out: Path, **metadata: str) -> int:
    """Write `archival` with page `number` (1-based) swapped for the one page of `page_pdf`, as PDF/A-2b.

    The archival copy is qpdf's primary input, so its document-level parts (XMP, output intent,
    language) carry over; the other pages are copied as they are, never recognized again. Returns the
    page count of the result."""
    with pikepdf.Pdf.open(archival) as current:
        total = len(current.pages)
    if not 1 <= number <= total:
        raise ValueError(f"page {number} not in 1..{total}")
    selection: list[str] = []
    if number > 1:
        selection += [str(archival), f"1-{number - 1}"]
    selection += [str(page_pdf), "1"]
    if number < total:
        selection += [str(archival), f"{number + 1}-z"]
    merged = out.with_name(out.name + ".merged.pdf")
    try:
        subprocess.run(
            ["qpdf", str(archival), "--pages", *selection, "--", str(merged)],
            check=True,
            capture_output=True,
            timeout=1800,
        )
        with pikepdf.Pdf.open(merged) as result:
            make_pdfa(result, **metadata)
            result.save(out, fix_metadata_version=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
            return len(result.pages)
    finally:
        merged.unlink(missing_ok=True)
