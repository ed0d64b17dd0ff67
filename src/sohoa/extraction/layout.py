"""OCR output as lines with positions and a column: left (issuing body, number, subject of a công văn),
right (motto, date line), centre (title, subject of other types), or unknown (plain text input).

Headers are two columns and plain OCR text interleaves them, so the extractor reads Tesseract's TSV
(word boxes) and splits a line where a wide horizontal gap separates the columns."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from .text import fold, fold_chars, squash

LEFT, RIGHT, CENTRE, ANY = "left", "right", "centre", "any"


@dataclass
class Line:
    text: str
    column: str = ANY
    top: float = 0.0  # fractions of the page height/width; 0 when unknown (plain text)
    bottom: float = 0.0
    left: float = 0.0
    right: float = 0.0
    confidence: float = 0.9  # mean word confidence 0..1
    index: int = 0  # reading order
    folded: str = field(init=False)

    def __post_init__(self) -> None:
        self.text = squash(self.text)
        self.folded = fold(self.text)


@dataclass
class Page:
    lines: list[Line]
    has_positions: bool

    def column(self, *names: str) -> list[Line]:
        return [line for line in self.lines if line.column in names or line.column == ANY]


def _column(left: float, right: float) -> str:
    centre = (left + right) / 2
    if right <= 0.58 and centre < 0.45:
        return LEFT
    if left >= 0.42 and centre > 0.55:
        return RIGHT
    return CENTRE


def from_tsv(tsv: str) -> Page:
    """Lines from Tesseract's TSV: words grouped by block/paragraph/line, split at a column gap."""
    width = height = 0.0
    groups: dict[tuple[int, int, int, int], list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        try:
            level = int(row["level"])
        except (KeyError, TypeError, ValueError):
            continue
        if level == 1:
            width, height = float(row["width"]), float(row["height"])
        elif level == 5 and (row.get("text") or "").strip():
            key = (int(row["page_num"]), int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
            groups.setdefault(key, []).append(row)
    if not width or not height:
        return Page([], True)
    segments: list[Line] = []
    for words in groups.values():
        words.sort(key=lambda w: int(w["left"]))
        for part in _split_columns(words, width):
            segments.append(_segment(part, width, height))
    segments.sort(key=lambda s: (round(s.top * 200), s.left))
    for i, line in enumerate(segments):
        line.index = i
    return Page(segments, True)


def _unglue_motto(words: list[dict[str, str]]) -> list[dict[str, str]]:
    """Tesseract sometimes glues the issuer's last word to the motto's first ("PHỦCỘNG"): split it."""
    out: list[dict[str, str]] = []
    for i, word in enumerate(words):
        text, following = word["text"], fold(words[i + 1]["text"]) if i + 1 < len(words) else ""
        chars = fold_chars(text)
        if following in ("hoa", "cong") and len(chars) > 4 and chars[-4:] in ("cong", "dang"):
            cut = len(text) - 4
            left, width = int(word["left"]), int(word["width"])
            first = round(width * cut / len(text))
            out.append({**word, "text": text[:cut], "width": str(first)})
            out.append({**word, "text": text[cut:], "left": str(left + first), "width": str(width - first)})
        else:
            out.append(word)
    return out


def _split_columns(words: list[dict[str, str]], width: float) -> list[list[dict[str, str]]]:
    """Cut a line of words where the header's columns meet.

    Any gap wider than ~4 spaces is a column gutter. A line spanning the middle of the page is also
    cut at its widest gap when that gap is clearly wider than its others: the State motto nearly
    reaches the middle, so the gutter beside "ỦY BAN NHÂN DÂN" can be as narrow as two spaces."""
    words = _unglue_motto(words)
    gaps = [int(b["left"]) - (int(a["left"]) + int(a["width"])) for a, b in zip(words, words[1:], strict=False)]
    cuts = {i for i, gap in enumerate(gaps) if gap > 0.025 * width}
    folded = [fold(w["text"]) for w in words]
    for k in range(1, len(words) - 1):  # the motto begins the right column, however narrow the gutter
        if (folded[k], folded[k + 1]) in (("cong", "hoa"), ("dang", "cong")):
            cuts.add(k - 1)
    left = int(words[0]["left"]) / width
    right = (int(words[-1]["left"]) + int(words[-1]["width"])) / width
    if not cuts and len(gaps) >= 2 and left < 0.4 and right > 0.6:
        widest = max(range(len(gaps)), key=gaps.__getitem__)
        others = sorted(gap for i, gap in enumerate(gaps) if i != widest)
        typical = others[len(others) // 2]
        if gaps[widest] > max(2 * typical, 0.008 * width):
            cuts = {widest}
    parts, start = [], 0
    for i in sorted(cuts):
        parts.append(words[start : i + 1])
        start = i + 1
    parts.append(words[start:])
    return parts


def _segment(words: list[dict[str, str]], width: float, height: float) -> Line:
    left = min(int(w["left"]) for w in words) / width
    right = max(int(w["left"]) + int(w["width"]) for w in words) / width
    top = min(int(w["top"]) for w in words) / height
    bottom = max(int(w["top"]) + int(w["height"]) for w in words) / height
    confs = [float(w["conf"]) for w in words if float(w["conf"]) >= 0]
    return Line(
        text=" ".join(w["text"] for w in words),
        column=_column(left, right),
        top=top,
        bottom=bottom,
        left=left,
        right=right,
        confidence=(sum(confs) / len(confs) / 100) if confs else 0.5,
    )


_GAP = re.compile(r"\s{3,}")


def from_text(text: str) -> Page:
    """Lines from plain text (a .txt, pdftotext -layout): a run of 3+ spaces separates the columns; a
    line centred on the page is a title, one indented past 40% belongs to the right column."""
    lines: list[Line] = []
    raw_lines = text.splitlines()
    width = max((len(raw.rstrip()) for raw in raw_lines), default=0)
    for raw in raw_lines:
        if not raw.strip():
            continue
        parts = [p for p in _GAP.split(raw.strip()) if p.strip()]
        indent = len(raw) - len(raw.lstrip())
        if len(parts) >= 2:
            lines.append(Line(parts[0], LEFT))
            lines.append(Line(" ".join(parts[1:]), RIGHT))
        elif width >= 60 and abs(indent + len(parts[0]) / 2 - width / 2) < width * 0.1:
            lines.append(Line(parts[0], CENTRE))
        elif width >= 60 and indent >= width * 0.4:
            lines.append(Line(parts[0], RIGHT))
        else:
            lines.append(Line(raw, ANY))
    for i, line in enumerate(lines):
        line.index = i
    return Page(lines, False)
