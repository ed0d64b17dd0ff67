"""How Vietnamese text becomes index terms, the same way at indexing and at query time.

Two analyzers per text: `vi_exact` keeps the diacritics (so "Cà Mau" ranks above "ca mau") and `vi_fold`
removes them, đ → d included (so "dang" finds "Đảng"). Tantivy's simple tokenizer splits on combining
marks, so every text is NFC-normalised in Python first; old and new tone placement (hóa/hoá, thủy/thuỷ)
are brought to one spelling so the exact field treats them as the same word.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from tantivy import Filter, TextAnalyzer, TextAnalyzerBuilder, Tokenizer

EXACT, FOLD, NOTATION, NOTATION_FOLD = "vi_exact", "vi_fold", "notation", "notation_fold"

# Old-style tone placement on the first vowel of oa/oe/uy at the end of a syllable → new style on the
# second (hóa → hoá, thủy → thuỷ), the style of Decision 240/QĐ and of most OCR output.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_OLD_TONE = re.compile(
    r"(?:([oO])([\u0300\u0301\u0303\u0309\u0323])([aAeE])|([uU])([\u0300\u0301\u0303\u0309\u0323])([yY]))"
    r"(?![\w\u0300-\u036f])"
)  # only oa, oe, uy: in "của", "mùa" the tone belongs on the u


def _move_tone(m: re.Match[str]) -> str:
    return m.group(1) + m.group(3) + m.group(2) if m.group(1) else m.group(4) + m.group(6) + m.group(5)


def _analyzer(tokenizer: Any, fold: bool) -> TextAnalyzer:
    builder = TextAnalyzerBuilder(tokenizer).filter(Filter.lowercase())
    if tokenizer is not Tokenizer.raw:
        builder = builder.filter(Filter.remove_long(40))
    if fold:
        builder = builder.filter(Filter.ascii_fold())
    return builder.build()


@lru_cache(maxsize=1)
def analyzers() -> dict[str, TextAnalyzer]:
    return {
        EXACT: _analyzer(Tokenizer.simple(), fold=False),
        FOLD: _analyzer(Tokenizer.simple(), fold=True),
        NOTATION: _analyzer(Tokenizer.raw(), fold=False),
        NOTATION_FOLD: _analyzer(Tokenizer.raw(), fold=True),
    }


def register(index: Any) -> None:
    """Tokenizers are not stored in the index: every opened Index needs them again."""
    for name, analyzer in analyzers().items():
        index.register_tokenizer(name, analyzer)


def normalize(text: str) -> str:
    """NFC text with one tone placement convention (see the module comment).

    Word by word, each distinct word computed once (cached): neither normalisation form nor the tone rule
    looks across a space, so this equals normalising the whole text, at a fraction of the cost (it was
    most of the indexing time).
    """
    if not text or text.isascii():
        return text or ""  # ASCII: already NFC, no tone marks
    return " ".join([_normalize_word(w) for w in text.split(" ")])


@lru_cache(maxsize=1 << 18)
def _normalize_word(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if any(ch in _TONES for ch in decomposed):
        decomposed = _OLD_TONE.sub(_move_tone, decomposed)
    return unicodedata.normalize("NFC", decomposed)


def nfc(text: str) -> str:
    """Only the Unicode form: the spelling as written (stored text, snippets)."""
    return unicodedata.normalize("NFC", text) if text and not unicodedata.is_normalized("NFC", text) else text or ""


def normalize_notation(text: str) -> str:
    """A notation as one token: normalised and without spaces (`15 / QĐ-UBND` → `15/QĐ-UBND`)."""
    return re.sub(r"\s+", "", normalize(text))


def terms(text: str, analyzer: str) -> list[str]:
    """The terms `analyzer` makes of `text` (normalised first), in order."""
    return list(analyzers()[analyzer].analyze(normalize(text)))


def fold(text: str) -> str:
    """Lowercase, diacritics removed, đ → d: the folded form used for matching and highlighting."""
    return " ".join(terms(text, FOLD))
