"""Highlighted snippets: Tantivy's for public text, our own for classified text (not in the index).

Both escape the text and mark matched words with <b>; the page of a snippet is the page its first marked
word is on, so the result links straight to that page in the viewer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.html import escape

from .analyzers import nfc

WIDTH = 200
_WORD = re.compile(r"\w+")


@dataclass
class Snip:
    html: str = ""
    text: str = ""
    page: int | None = None  # 1-based


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return "d" if base == "đ" else base


def fold_same_length(text: str) -> str:
    """Lowercase without diacritics, one character per character (offsets stay valid for highlighting)."""
    return "".join(_fold_char(c) if not c.isascii() else c.lower() for c in text)


def from_tantivy(snippet: Any, pages: list[str], wanted: set[str], prefix: str) -> Snip:
    """Tantivy cuts its fragment from the pages joined by a space: find the page of the first marked word,
    and keep Tantivy's HTML when the fragment lies inside that page (else highlight that page ourselves)."""
    marks = snippet.highlighted()
    if not marks:
        return Snip()
    rng = snippet.fragment_range()
    first = rng.start + marks[0].start
    start = 0
    for number, page in enumerate(pages, 1):
        end = start + len(page.encode())
        if start <= first < end:
            if rng.start >= start and rng.end <= end:
                return Snip(html=snippet.to_html(), text=snippet.fragment(), page=number)
            found = highlight([page], wanted, prefix)
            found.page = number
            return found
        start = end + 1
    return Snip(html=snippet.to_html(), text=snippet.fragment())


def highlight(pages: list[str], wanted: set[str], prefix: str = "") -> Snip:
    """A window of about `WIDTH` characters around the first matched word, over the pages in order."""
    if not wanted and not prefix:
        return Snip()
    for number, raw in enumerate(pages, 1):
        text = nfc(raw)
        folded = fold_same_length(text)
        hits = [
            m.span() for m in _WORD.finditer(folded) if m.group() in wanted or (prefix and m.group().startswith(prefix))
        ]
        if not hits:
            continue
        start = max(0, hits[0][0] - WIDTH // 3)
        end = min(len(text), start + WIDTH)
        parts, pos = [], start
        for a, b in hits:
            if b > end:
                break
            parts += [escape(text[pos:a]), "<b>", escape(text[a:b]), "</b>"]
            pos = b
        parts.append(escape(text[pos:end]))
        return Snip(html="".join(parts).strip(), text=text[start:end].strip(), page=number)
    return Snip()
