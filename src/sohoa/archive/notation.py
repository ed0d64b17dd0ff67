"""Document numbers and symbols as Vietnamese documents write them.

State (Decree 30/2020): number "/" symbol — 15/QĐ-UBND, 30/2020/NĐ-CP (the year belongs to the symbol).
Party (Guide 36-HD/VPTW): number "-" symbol — 64-CV/TW, with the type before "/" and the body after.
"""

from __future__ import annotations

import re
import unicodedata

_PARTY = re.compile(r"^(\d+[a-zA-Z]?)-(\S+/\S+)$")
_STATE = re.compile(r"^(\d+[a-zA-Z]?)/(\S+)$")
_PREFIX = re.compile(r"^\s*s[ốo]\s*:?\s*", re.IGNORECASE)


def clean(notation: str) -> str:
    """The notation without a leading “Số:” and without spaces, as it should be stored."""
    return re.sub(r"\s+", "", _PREFIX.sub("", unicodedata.normalize("NFC", notation or "")))


def split(notation: str) -> tuple[str, str]:
    """(number, symbol) of a notation, or ("", "") when it follows neither pattern."""
    text = clean(notation)
    for pattern in (_PARTY, _STATE):
        match = pattern.match(text)
        if match:
            return match.group(1), match.group(2)
    return "", ""


def join(number: str, symbol: str) -> str:
    """Notation from number and symbol; Party symbols (TYPE/BODY without a year) take a dash."""
    number, symbol = number.strip(), clean(symbol)
    if not number or not symbol:
        return number or symbol
    is_party = "/" in symbol and "-" not in symbol and not re.match(r"^\d{4}/", symbol)
    return f"{number}-{symbol}" if is_party else f"{number}/{symbol}"


def fold(text: str) -> str:
    """Key for comparing notations and issuers: case, spaces and Unicode form ignored."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip().casefold()
