"""OCR engines behind one Protocol. Tesseract runs single-threaded (OMP_THREAD_LIMIT=1), one process per
core: on 2 cores its own threading made a page 5x slower (ARCHITECTURE.md)."""

from __future__ import annotations

import csv
import io
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


class OcrError(RuntimeError):
    pass


class OcrEngine(Protocol):
    def recognize(self, image: Path, out_base: Path, *, languages: str, dpi: int) -> OcrResult: ...


def _mean_confidence(tsv: str) -> float | None:
    confs = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        try:
            conf = float(row.get("conf") or -1)
        except ValueError:
            continue
        if conf >= 0 and (row.get("text") or "").strip():
            confs.append(conf)
    return sum(confs) / len(confs) if confs else None


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
        confidence = _mean_confidence(tsv_file.read_text(errors="replace")) if tsv_file.exists() else None
        return OcrResult(pdf=pdf, text=text.strip(), confidence=confidence)


def engine() -> OcrEngine:
    return Tesseract()
