"""Document types: the abbreviation in the notation, the name printed as the title, and their forms.

Abbreviations and names follow Decree 30/2020 (Appendix III) and Guide 36-HD/VPTW (Party)."""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from .text import fold

#: abbreviation → type name as written (lower case)
TYPE_NAMES: dict[str, str] = {
    "CV": "công văn",
    "NQ": "nghị quyết",
    "QĐ": "quyết định",
    "CT": "chỉ thị",
    "KL": "kết luận",
    "QC": "quy chế",
    "QyĐ": "quy định",
    "QĐi": "quy định",
    "TC": "thông cáo",
    "TB": "thông báo",
    "HD": "hướng dẫn",
    "CTr": "chương trình",
    "KH": "kế hoạch",
    "PA": "phương án",
    "ĐA": "đề án",
    "DA": "dự án",
    "BC": "báo cáo",
    "BB": "biên bản",
    "TTr": "tờ trình",
    "HĐ": "hợp đồng",
    "CĐ": "công điện",
    "GUQ": "giấy ủy quyền",
    "GM": "giấy mời",
    "GGT": "giấy giới thiệu",
    "GNP": "giấy nghỉ phép",
    "PG": "phiếu gửi",
    "PC": "phiếu chuyển",
    "PB": "phiếu báo",
    "NĐ": "nghị định",
    "TT": "thông tư",
    "PL": "pháp lệnh",
    "TTLT": "thông tư liên tịch",
    "Luật": "luật",
    "VBHN": "văn bản hợp nhất",
    "NQLT": "nghị quyết liên tịch",
}

_BY_FOLDED: dict[str, list[str]] = {}
for _abbr in TYPE_NAMES:
    _BY_FOLDED.setdefault(fold(_abbr), []).append(_abbr)


def canonical_type(token: str, *, _retry: bool = True) -> str | None:
    """The standard abbreviation for a token read from a notation ("QD" → "QĐ", "Ttr" → "TTr"), or None.

    An exact match wins; otherwise the folded form must name exactly one type (HD/HĐ stay apart)."""
    token = token.replace("Ð", "Đ").strip(" .")
    if token in TYPE_NAMES:
        return token
    for abbr in TYPE_NAMES:
        if abbr.casefold() == token.casefold():
            return abbr
    candidates = _BY_FOLDED.get(fold(token), [])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates and _retry:
        # OCR doubles a letter ("QĐĐ") or reads a look-alike ("TI" for TT, "0Đ" for QĐ): one retry each.
        variants = [re.sub(r"(.)\1+", r"\1", token), token.translate(_LOOKALIKES)]
        variants += [token[:i] + token[i + 1 :] for i in range(len(token))] if len(token) >= 3 else []  # "TTIr"
        for variant in variants:
            if variant != token and (found := canonical_type(variant, _retry=False)):
                return found
    return None


_LOOKALIKES = str.maketrans({"I": "T", "l": "T", "1": "T", "0": "Q", "O": "Q", "8": "B", "5": "S"})


#: folded title (as printed above the subject) → abbreviation; longest first so "quyet dinh" does not
#: shadow "nghi quyet lien tich".
TITLES: list[tuple[str, str]] = sorted(
    {fold(name): abbr for abbr, name in TYPE_NAMES.items() if abbr != "QĐi"}.items(),
    key=lambda item: -len(item[0]),
)


def type_from_title(folded_line: str) -> str | None:
    """The abbreviation when a (folded) line is exactly a type's title, e.g. "quyet dinh" → "QĐ"."""
    cleaned = " ".join(re.sub(r"[^a-z ]", " ", folded_line).split())
    for title, abbr in TITLES:
        if cleaned == title:
            return abbr
    return None


#: Issuing bodies as abbreviated after the "/" of Party notations (Guide 36-HD/VPTW): Central bodies and
#: the usual provincial and district ones. A body OCR misread by one letter ("IW", "BITGTW") is put right
#: when exactly one of these is that close; anything else is kept as read.
PARTY_BODIES = frozenset(
    {
        "TW",
        "VPTW",
        "BTCTW",
        "BTGTW",
        "BTGDVTW",
        "UBKTTW",
        "BDVTW",
        "BNCTW",
        "BNVTW",
        "BKTTW",
        "ĐUQSTW",
        "ĐUCA",
        "ĐUK",
        "ĐUKCCQTW",
        "ĐUKDNTW",
        "TU",
        "HU",
        "QU",
        "TxU",
        "ThU",
        "ĐU",
        "UBKTTU",
        "UBKTHU",
        "BTCTU",
        "BTGTU",
        "BDVTU",
        "BNCTU",
        "VPTU",
        "BCĐ",
        "BCS",
        "ĐĐ",
    }
)


def known_body(body: str) -> str:
    if body in PARTY_BODIES or len(body) < 2:
        return body
    close = [known for known in PARTY_BODIES if Levenshtein.distance(body, known) == 1 and len(known) >= 2]
    return close[0] if len(close) == 1 else body
