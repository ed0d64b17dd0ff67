"""Automatic quality checks of a scanned page, from what the page step already has.

Nothing here looks at the full-size image again: ink is measured on the thumbnail (a few thousand
pixels), skew and confidence come from Tesseract's TSV, the dpi from the preparation step. So the
checks cost well under a millisecond per page and the OCR throughput stays Tesseract's own.

Thresholds live in `settings.DIGITIZATION` (QC_MIN_CONFIDENCE, QC_MAX_SKEW, QC_BLANK_INK) so a
province can tune them without a release; defaults below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from PIL import Image

from .models import QcIssue

DEFAULTS = {"QC_MIN_CONFIDENCE": 60.0, "QC_MAX_SKEW": 2.0, "QC_BLANK_INK": 0.001}
# A "word" for the blank check: two letters or digits in a row (a lone page number or speck is not text).
_WORD = re.compile(r"\w\w", re.UNICODE)


def limit(name: str) -> float:
    return float(settings.DIGITIZATION.get(name, DEFAULTS[name]))


def ink_share(thumb: Image.Image) -> float:
    """Share of thumbnail pixels clearly darker than the paper (paper = the 90th percentile of grey).

    Relative to the paper, not to white, so yellowed or grey paper is not taken for ink; 80 levels of
    contrast ignore scanner noise. A text page's thumbnail is around 1 % ink, a one-line page 0.06 %."""
    grey = np.asarray(thumb.convert("L"), dtype=np.uint8)
    if grey.size == 0:
        return 0.0
    paper = float(np.percentile(grey, 90))
    return float((grey < paper - 80).mean())


def count_words(text: str) -> int:
    return sum(1 for token in text.split() if _WORD.search(token))


@dataclass(frozen=True)
class Measures:
    ink: float
    words: int
    confidence: float | None
    skew: float | None
    low_dpi: bool


def issues(m: Measures) -> list[str]:
    """The QcIssue codes a page's measures raise, in a stable order."""
    found: list[str] = []
    blank = m.ink < limit("QC_BLANK_INK") and m.words <= 1
    if blank:
        found.append(QcIssue.BLANK)
    if m.skew is not None and abs(m.skew) >= limit("QC_MAX_SKEW"):
        found.append(QcIssue.SKEW)
    if m.low_dpi:
        found.append(QcIssue.LOW_DPI)
    if not blank:
        # A page with ink but no recognized word is as bad for search as a misread one (a tilted or
        # smudged scan); a drawing without text is accepted by the reviewer.
        if m.confidence is None or m.words == 0 or m.confidence < limit("QC_MIN_CONFIDENCE"):
            found.append(QcIssue.LOW_CONFIDENCE)
    return [str(code) for code in found]
