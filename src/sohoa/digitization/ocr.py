"""OCR engines behind one Protocol. Tesseract runs single-threaded (OMP_THREAD_LIMIT=1), one process per
core: on 2 cores its own threading made a page 5x slower (ARCHITECTURE.md)."""

from __future__ import annotations

import csv
import io
import math
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass
class OcrResult:
    pdf: Path  # one-page PDF: the page image with an invisible text layer
    text: str
    confidence: float | None  # mean word confidence 0–100, None when no words
    words: int | None = None  # recognized words (None: the engine does not say; counted from `text`)
    skew: float | None = None  # median slope of the recognized lines in degrees (None: too few lines)
    tsv: str | None = None  # word boxes (Tesseract TSV): the header extractor reads the first page's


class OcrError(RuntimeError):
    pass


class OcrEngine(Protocol):
    def recognize(self, image: Path, out_base: Path, *, languages: str, dpi: int) -> OcrResult: ...


def _mean_confidence(tsv: str) -> float | None:
    return _tsv_stats(tsv)[0]


def _line_slope(centres: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of word centres along one line (y grows downwards)."""
    n = len(centres)
    mx = sum(x for x, _ in centres) / n
    my = sum(y for _, y in centres) / n
    sxx = sum((x - mx) ** 2 for x, _ in centres)
    if sxx <= 0:
        return None
    return sum((x - mx) * (y - my) for x, y in centres) / sxx


def _tsv_stats(tsv: str) -> tuple[float | None, int, float | None]:
    """(mean word confidence, word count, skew in degrees) from Tesseract's TSV, in one pass.

    The skew is what QC calls residual skew: Tesseract reports axis-aligned word boxes in the image
    it was given (after our deskew), so the centres of a tilted line's words climb or fall with x.
    The median over lines of at least three words is within about 1° on a level page and needs no
    look at the pixels (the page step's cost stays Tesseract's own)."""
    confs: list[float] = []
    lines: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        try:
            conf = float(row.get("conf") or -1)
        except ValueError:
            continue
        if conf < 0 or not (row.get("text") or "").strip():
            continue
        confs.append(conf)
        try:
            left, top, width, height = (int(row[k] or 0) for k in ("left", "top", "width", "height"))
        except (KeyError, ValueError):
            continue
        key = (row.get("block_num") or "", row.get("par_num") or "", row.get("line_num") or "")
        lines.setdefault(key, []).append((left + width / 2, top + height / 2))
    slopes = sorted(s for pts in lines.values() if len(pts) >= 3 and (s := _line_slope(pts)) is not None)
    skew = None
    if slopes:
        mid = len(slopes) // 2
        median = slopes[mid] if len(slopes) % 2 else (slopes[mid - 1] + slopes[mid]) / 2
        skew = round(-math.degrees(math.atan(median)), 2)  # positive = counter-clockwise, as in imaging.py
    return (sum(confs) / len(confs) if confs else None), len(confs), skew


class Tesseract:
    """Tesseract 5 producing PDF, text and TSV (word boxes, confidences) in one run."""

    def __init__(self, timeout: int = 600) -> None:
        self.timeout = timeout

    def recognize(self, image: Path, out_base: Path, *, languages: str, dpi: int) -> OcrResult:
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        cmd = ["tesseract", str(image), str(out_base), "-l", languages, "--dpi", str(dpi), "pdf", "txt", "tsv"]
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, timeout=self.timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OcrError(str(exc)) from exc
        pdf = Path(f"{out_base}.pdf")
        if proc.returncode != 0 or not pdf.exists():
            raise OcrError(proc.stderr.decode(errors="replace").strip()[-500:] or f"tesseract exit {proc.returncode}")
        text = Path(f"{out_base}.txt").read_text(errors="replace")
        tsv_file = Path(f"{out_base}.tsv")
        tsv = tsv_file.read_text(errors="replace") if tsv_file.exists() else None
        stats = _tsv_stats(tsv) if tsv is not None else (None, None, None)
        return OcrResult(pdf=pdf, text=text.strip(), confidence=stats[0], words=stats[1], skew=stats[2], tsv=tsv)


def engine() -> OcrEngine:
    return Tesseract()
