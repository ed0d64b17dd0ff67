"""Text helpers for reading Vietnamese headers out of OCR: folding and OCR-confusion repair."""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile(r"[\u0300-\u036f]")
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    """Lower case without diacritics, đ → d, spaces collapsed: "ĐẢNG Cộng  sản" → "dang cong san".

    OCR confuses diacritics (ĐẢNG/ĐẲNG, Ủ/U) far more often than base letters, so anchors are matched
    on the folded form and the printed form is kept for output."""
    text = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "D").replace("Ð", "D")
    return _SPACES.sub(" ", _MARKS.sub("", text)).strip().lower()


def fold_chars(text: str) -> str:
    """Like `fold` but one character for one (no collapsing), so positions found in it slice `text`."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0]
        out.append("d" if base in "đĐÐ" else base.lower())
    return "".join(out)


# Letters OCR reads in place of digits inside numbers (O/0, l/1, S/5 …), applied only where a number
# is expected.
_DIGIT_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "Q": "0",
        "D": "0",
        "l": "1",
        "I": "1",
        "|": "1",
        "i": "1",
        "!": "1",
        "S": "5",
        "s": "5",
        "B": "8",
        "Z": "2",
        "z": "2",
        "g": "9",
        "G": "6",
    }
)


def digits(text: str) -> str:
    """A token that should be a number, with look-alike letters turned into digits."""
    return text.translate(_DIGIT_LOOKALIKES)


def upper_ratio(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0


def squash(text: str) -> str:
    return _SPACES.sub(" ", nfc(text)).strip()
