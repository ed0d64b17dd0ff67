"""Read the metadata of a Vietnamese official document from its header (Decree 30/2020, Guide 36-HD/VPTW).

Layout (both families): the left column names the issuing body (and its parent above it) and the
number ("Số: 15/QĐ-UBND"; Party "Số 64-CV/TW"); the right column holds the national motto (State) or
"ĐẢNG CỘNG SẢN VIỆT NAM" (Party) and the place/date line; the title (QUYẾT ĐỊNH …) and subject are
centred below, except for a công văn whose subject ("V/v …") sits under the number. The signature block
(TM./KT./TL./TUQ., title, name) is at the bottom right, "Nơi nhận:" at the bottom left.

Anchors are found on the folded text (no diacritics, lower case) so OCR's diacritic confusions do not
hide them; values are returned as printed. Nothing is guessed: a field that is not on the page is None
with confidence 0.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from .doctypes import TYPE_NAMES, canonical_type, known_body, type_from_title
from .layout import CENTRE, LEFT, RIGHT, Line, Page
from .text import digits, fold, fold_chars, upper_ratio

FIELDS = (
    "family",
    "notation",
    "number",
    "symbol",
    "doc_type",
    "type_name",
    "issued_date",
    "place",
    "issuer",
    "parent_issuer",
    "subject",
    "signer",
    "signing_prefix",
    "confidentiality",
    "urgency",
    "recipients",
)

PARTY_MOTTO = "dang cong san viet nam"
STATE_MOTTO = "cong hoa xa hoi chu nghia viet nam"
STATE_SLOGAN = "doc lap tu do hanh phuc"

#: A unit matcher: issuer as printed → (unit code, score 0..1) or None. Given by the caller (registry).
UnitMatcher = Callable[[str], tuple[str, float] | None]


@dataclass
class Extraction:
    fields: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(FIELDS))
    confidence: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0.0))
    unit_code: str | None = None  # the registry unit the issuer maps to, when a matcher was given

    def set(self, name: str, value: Any, confidence: float) -> None:
        self.fields[name] = value
        self.confidence[name] = round(max(0.0, min(1.0, confidence)), 2)

    def as_dict(self) -> dict[str, Any]:
        return {"fields": dict(self.fields), "confidence": dict(self.confidence)}


# ---- anchors ----------------------------------------------------------------------------------------

_SEPARATOR = re.compile(r"^[\s*\-_=~.·•—–]+$")
# "Số:" and its OCR forms (S6, Sô, $ố, S0), folded; the notation follows.
_NUMBER_PREFIX = re.compile(r"(?:^|\s)[s$5][o06]\s*[:;.,]?\s*(?=[0-9oliqd|])")
_PARTY_NOTATION = re.compile(
    r"(?P<number>[0-9OolIDQ|]{1,5}[a-c]?)\s*[-–—]\s*(?P<type>[A-Za-zĐđÐ]{1,5})\s*/\s*(?P<body>[A-Za-zĐđÐ0-9][A-Za-zĐđÐ0-9\-]{0,15})"
)
_STATE_NOTATION = re.compile(
    r"(?P<number>[0-9OolIDQ|]{1,5}[a-c]?)\s*/\s*(?:(?P<year>(?:19|20)[0-9OolI]{2})\s*/\s*)?"
    r"(?P<first>[A-Za-zĐđÐ]{1,8})\s*(?P<sep>[-–—.])\s*(?P<rest>[A-Za-zĐđÐ0-9][A-Za-zĐđÐ0-9.\-]{0,24}[A-Za-zĐđÐ0-9])"
)
# A law or ordinance: number/year/body and term, no type (91/2015/QH13).
_LAW_NOTATION = re.compile(
    r"(?P<number>[0-9OolIDQ|]{1,5})\s*/\s*(?P<year>(?:19|20)\d{2})\s*/\s*(?P<body>(?:QH|UBTVQH)\d{1,2})\b"
)
_DATE = re.compile(
    r"ngay\s*(?P<d>[0-9OolI]{1,2})\s*(?:thang|th[ae]ng)\s*(?P<m>[0-9OolI]{1,2})\s*nam\s*(?P<y>[0-9OolI]{4})"
)
_NUMERIC_DATE = re.compile(r"\b(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>(?:19|20)\d{2})\b")
# "V/v" and its OCR forms (-Vv, V/V, Vlv, V/w); without a separator only "Vv"/"Vw", so "Vụ …" is not one.
_VV = re.compile(r"^\s*[-–~.]?\s*v\s*(?:[/|l1i\\]\s*[vwyu]|[vw])\b\s*[.:,]?\s*", re.IGNORECASE)
_PREFIXES = {"tm": "TM.", "kt": "KT.", "tl": "TL.", "tuq": "TUQ."}
# TM./KT./TL./TUQ. as printed, or typed as T/M, K/T, T/L.
_SIGN_PREFIX = re.compile(r"^(tuq|t\s?/?\s?m|k\s?/?\s?t|t\s?/?\s?l)(?:\s*[.,:]\s*|\s+)(?=\w)")
_RECIPIENTS = re.compile(r"^noi\s*nh[a-z]{1,3}\s*:?")
_KINH_GUI = re.compile(r"^kinh\s*gui")
_BODY_START = re.compile(r"^(can cu|xet de nghi|theo de nghi|kinh gui)\b")
_CONFIDENTIALITY = {"mat": "mat", "toi mat": "toi_mat", "tuyet mat": "tuyet_mat"}
_URGENCY = {"khan": "khan", "thuong khan": "thuong_khan", "hoa toc": "hoa_toc"}
# Words that start the second line of a wrapped body name ("ỦY BAN NHÂN DÂN" / "TỈNH CÀ MAU").
_CONTINUATION = re.compile(
    r"^(tinh|thanh pho|huyen|quan|xa|phuong|thi xa|thi tran|tp\.?|cac|va|cua|khoi|trung uong|tw|viet nam)\b"
)
_DANGLING = re.compile(r"\b(tinh|thanh pho|huyen|quan|xa|phuong|thi xa|thi tran|va|cua|cac)$")
# The authority line that follows a subject in State decisions ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …").
# Job titles start it; a body's bare name can be the whole line ("CHÍNH PHỦ"), but the same words can
# also start a subject's continuation ("CHÍNH PHỦ VỀ QUY ĐỊNH …"), so those must stand alone.
_AUTHORITY = re.compile(
    r"^(?:(?:chu tich|bo truong|thu truong|giam doc|chanh van phong|tong cuc truong|cuc truong|thu tuong|"
    r"ban thuong vu|bo chinh tri|ban bi thu)\b|(?:chinh phu|ban chap hanh trung uong|quoc hoi)$)"
)
_NAME = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]*(?:\s+[A-ZĐÀ-Ỹ][a-zà-ỹđ]*){1,5}$")


def _is_separator(line: Line) -> bool:
    return bool(_SEPARATOR.match(line.text)) or len(line.folded.replace(" ", "")) <= 1


def _motto(line: Line) -> str | None:
    """ "party" or "state" when the line is the family's motto (fuzzy: OCR may damage it)."""
    text = re.sub(r"[^a-z ]", " ", line.folded)
    text = " ".join(text.split())
    if len(text) < 12:
        return None
    if fuzz.partial_ratio(PARTY_MOTTO, text) >= 86 and len(text) <= len(PARTY_MOTTO) + 12:
        return "party"
    if fuzz.partial_ratio(STATE_MOTTO, text) >= 84:
        return "state"
    if fuzz.partial_ratio(STATE_SLOGAN, text) >= 86 and len(text) <= len(STATE_SLOGAN) + 12:
        return "slogan"
    return None


def _mark(line: Line, marks: dict[str, str]) -> str | None:
    """A line that is only a confidentiality or urgency mark (often in a stamp box)."""
    text = " ".join(re.sub(r"[^a-z ]", " ", line.folded).split())
    return marks.get(text)


def _valid_date(day: int, month: int, year: int) -> dt.date | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date if dt.date(1930, 1, 1) <= date <= dt.date.today() + dt.timedelta(days=366) else None


def _int(text: str) -> int | None:
    cleaned = digits(text)
    return int(cleaned) if cleaned.isdigit() else None


# ---- the extractor ----------------------------------------------------------------------------------


def extract(page: Page, *, match_unit: UnitMatcher | None = None) -> Extraction:
    """Every header field of one page (the first page of a document), each with a confidence."""
    result = Extraction()
    lines = page.lines
    if not lines:
        return result
    header_end = _header_end(page)
    header = [line for line in lines if line.index < header_end]

    family_line = _family(result, header)
    number_line = _notation(result, header)
    _date(result, header, page)
    _issuer(result, header, page, number_line, family_line, match_unit)
    _title_and_subject(result, lines, header_end, number_line, page)
    _marks(result, header, found_header=number_line is not None or family_line is not None)
    _signature(result, lines, page)
    _recipients(result, lines, page)
    _type_from_family(result)
    return result


def _header_end(page: Page) -> int:
    """Index of the first body line: "Kính gửi", "Căn cứ …", or after 45% of the page (positions)."""
    for line in page.lines:
        if _KINH_GUI.match(line.folded) or _BODY_START.match(line.folded):
            return line.index + (1 if _KINH_GUI.match(line.folded) else 0)
        if page.has_positions and line.top > 0.5:
            return line.index
    return len(page.lines) if not page.has_positions else min(len(page.lines), 40)


def _family(result: Extraction, header: list[Line]) -> Line | None:
    for line in header:
        kind = _motto(line)
        if kind in ("party", "state"):
            result.set("family", kind, 0.6 + 0.4 * line.confidence)
            return line
    return None


def _notation(result: Extraction, header: list[Line]) -> Line | None:
    candidates = sorted(header, key=lambda line: (line.column not in (LEFT, "any"), line.index))
    for line in candidates:
        prefix = _NUMBER_PREFIX.search(fold_chars(line.text))
        if prefix is None:
            continue
        parsed = _parse_notation(line.text[prefix.end() :], result.fields.get("family"))
        if parsed is None:
            continue
        number, symbol, doc_type, family, quality = parsed
        confidence = line.confidence * quality
        notation = f"{number}-{symbol}" if family == "party" else f"{number}/{symbol}"
        result.set("notation", notation, confidence)
        result.set("number", number, confidence)
        result.set("symbol", symbol, confidence)
        if doc_type:
            result.set("doc_type", doc_type, confidence)
            result.set("type_name", TYPE_NAMES[doc_type], confidence)
        if result.fields["family"] is None:
            result.set("family", family, 0.7 * confidence)
        return line
    return None


def _parse_notation(text: str, family: str | None) -> tuple[str, str, str | None, str, float] | None:
    """(number, symbol, doc type, family, quality) from the text after "Số"."""
    text = text.replace("Ð", "Đ")
    party = _PARTY_NOTATION.search(text)
    state = _STATE_NOTATION.search(text)
    # A Party notation has "-" before the type and "/" after it; prefer the form that starts first.
    use_party = party is not None and (state is None or party.start() <= state.start() or family == "party")
    if use_party and party is not None:
        number = digits(party["number"])
        doc_type = canonical_type(party["type"])
        symbol = f"{doc_type or party['type'].upper()}/{known_body(party['body'].upper())}"
        return number, symbol, doc_type, "party", 1.0 if doc_type else 0.6
    law = _LAW_NOTATION.search(text)
    if law is not None and (state is None or law.start() <= state.start()):
        return digits(law["number"]), f"{law['year']}/{law['body']}", None, "state", 0.9
    if state is not None:
        number = digits(state["number"])
        year = digits(state["year"]) if state["year"] else ""
        first, rest = state["first"], state["rest"]
        sep = "." if state["sep"] == "." else "-"  # a few old notations print QĐ.UB
        doc_type = canonical_type(first)
        if doc_type:
            symbol = f"{doc_type}{sep}{rest}"
        else:
            # No type in the notation: a công văn (number/issuer-unit, e.g. 123/UBND-VP).
            symbol, doc_type = f"{first}{sep}{rest}", "CV"
        if year:
            symbol = f"{year}/{symbol}"
        return number, symbol, doc_type, "state", 1.0 if canonical_type(first) else 0.85
    return None


def _date(result: Extraction, header: list[Line], page: Page) -> None:
    # The date line sits in the right column; a date split over two lines is read from their join.
    right = [line for line in header if line.column in (RIGHT, "any", CENTRE)]
    for i, line in enumerate(right):
        joined = line.folded
        if "ngay" in joined and i + 1 < len(right) and not _DATE.search(joined):
            joined = f"{joined} {right[i + 1].folded}"
        match = _DATE.search(joined)
        if not match:
            continue
        day, month, year = (_int(match[k]) for k in ("d", "m", "y"))
        if day is None or month is None or year is None:
            continue
        date = _valid_date(day, month, year)
        if date is None:
            continue
        result.set("issued_date", date.isoformat(), line.confidence)
        place = _place(line.text)
        if place:
            result.set("place", place, line.confidence * 0.95)
        return


def _place(text: str) -> str | None:
    """The place before ", ngày" on the date line ("Cà Mau, ngày 5 tháng 3 năm 2025" → "Cà Mau")."""
    folded = text.split(",")[0] if "," in text else ""
    folded_check = fold(folded)
    if not folded or "ngay" in folded_check or len(folded) > 40:
        # "Cà Mau ngày 5 …" without a comma: take the words before "ngày".
        match = re.match(r"^(.*?)\s*,?\s*ng[aàáảãạ]y\b", text, re.IGNORECASE)
        folded = match.group(1) if match else ""
    place = folded.strip(" ,.-")
    return place if 1 < len(place) <= 40 and not any(ch.isdigit() for ch in place) else None


def _issuer(
    result: Extraction,
    header: list[Line],
    page: Page,
    number_line: Line | None,
    family_line: Line | None,
    match_unit: UnitMatcher | None,
) -> None:
    """The body lines of the left column above the number: the last group is the issuer, the one above
    it the parent body. A name wrapped over two lines is joined when its second line starts with a
    place word such as TỈNH ("ỦY BAN NHÂN DÂN" / "TỈNH CÀ MAU")."""
    limit = number_line.index if number_line is not None else None
    body: list[Line] = []
    for line in header:
        if limit is not None and line.index >= limit:
            break
        if line is family_line or _motto(line) or _mark(line, _CONFIDENTIALITY) or _mark(line, _URGENCY):
            continue
        if line.column not in (LEFT, "any") or _is_separator(line):
            continue
        if "ngay" in line.folded and _DATE.search(line.folded):
            continue
        if upper_ratio(line.text) < 0.7:  # body names are printed in capitals
            if body:
                break
            continue
        body.append(line)
    if not body:
        return
    groups: list[list[Line]] = []
    for line in body:
        # A wrapped name: the second line starts with a place word or is a lone word ("MAU"), or the
        # first ends with one ("ỦY BAN NHÂN DÂN TỈNH" / "BẮC GIANG").
        if groups and (
            _CONTINUATION.match(line.folded) or len(line.folded.split()) == 1 or _DANGLING.search(groups[-1][-1].folded)
        ):
            groups[-1].append(line)
        else:
            groups.append([line])
    names = [" ".join(part.text.strip(" *") for part in group) for group in groups]
    confidences = [min(part.confidence for part in group) for group in groups]
    issuer, parent = names[-1], (names[-2] if len(names) > 1 else None)
    result.set("issuer", issuer, confidences[-1] * (0.9 if page.has_positions else 0.75))
    if parent:
        result.set("parent_issuer", parent, confidences[-2] * 0.85)
    if match_unit is not None:
        # The registry names a subordinate body in full ("Ủy ban Kiểm tra Tỉnh ủy Cà Mau"), the header
        # over two lines ("TỈNH ỦY CÀ MAU" / "ỦY BAN KIỂM TRA"): try both.
        tries = [match_unit(issuer)] + ([match_unit(f"{issuer} {parent}")] if parent else [])
        found = max((t for t in tries if t), key=lambda t: t[1], default=None)
        if found:
            result.unit_code = found[0]
            result.confidence["issuer"] = round(min(1.0, 0.5 * result.confidence["issuer"] + 0.5 * found[1]), 2)


def _title_and_subject(
    result: Extraction, lines: list[Line], header_end: int, number_line: Line | None, page: Page
) -> None:
    start = number_line.index if number_line is not None else 0
    if not _cong_van_subject(result, lines[start : start + 6], lines, page):
        _titled_subject(result, lines[start : max(header_end, start) + 8], lines, page)


def _cong_van_subject(result: Extraction, window: list[Line], lines: list[Line], page: Page) -> bool:
    """Công văn: "V/v …" under the number, possibly continued on the next lines of the left column."""
    columns = (LEFT, "any") if page.has_positions else (LEFT, "any", CENTRE)  # centred "V/v" is a title's
    for line in window:
        match = _VV.match(line.text) if line.column in columns else None
        if not match or len(line.text) <= match.end() + 2:
            continue
        parts, last = [line.text[match.end() :]], line
        for follow in lines[line.index + 1 : line.index + 8]:
            if page.has_positions and follow.column not in (LEFT, "any"):
                continue  # the date line on the right, beside the subject
            if follow.column not in (LEFT, "any") or _stops_subject(follow) or len(parts) >= 5:
                break
            if page.has_positions and follow.top - last.bottom > 0.03:
                break
            parts.append(follow.text)
            last = follow
        result.set("subject", " ".join(parts).strip(" .;"), min(line.confidence, last.confidence))
        if result.fields["doc_type"] is None:
            result.set("doc_type", "CV", 0.6)
            result.set("type_name", TYPE_NAMES["CV"], 0.6)
        return True
    return False


def _titled_subject(result: Extraction, window: list[Line], lines: list[Line], page: Page) -> None:
    """Other types: a title line (QUYẾT ĐỊNH, BÁO CÁO …) with the subject on the lines under it."""
    for line in window:
        abbr = type_from_title(line.folded)
        if abbr is None or (line.column == LEFT and page.has_positions):
            continue
        if result.fields["doc_type"] in (None, "CV", abbr):
            result.set("doc_type", abbr, max(result.confidence["doc_type"], line.confidence))
            result.set("type_name", TYPE_NAMES[abbr], line.confidence)
        subject: list[Line] = []
        last = line
        for follow in lines[line.index + 1 : line.index + 8]:
            if page.has_positions and follow.right - follow.left < 0.02 and not follow.folded.strip("*-_ "):
                continue  # a speck of noise beside the subject
            if _stops_subject(follow) or _AUTHORITY.match(follow.folded):
                break
            if page.has_positions and (
                follow.column == RIGHT or follow.top - last.bottom > 1.2 * (last.bottom - last.top)
            ):
                break  # the subject's lines follow each other without a blank line
            subject.append(follow)
            last = follow
        if subject:
            text = " ".join(part.text for part in subject).strip(" .;")
            result.set("subject", text, min(part.confidence for part in subject))
        return


def _stops_subject(line: Line) -> bool:
    return (
        _is_separator(line)
        or bool(_KINH_GUI.match(line.folded) or _BODY_START.match(line.folded))
        or _motto(line) is not None
        or _mark(line, _CONFIDENTIALITY) is not None
        or _mark(line, _URGENCY) is not None
    )


def _marks(result: Extraction, header: list[Line], *, found_header: bool) -> None:
    """Confidentiality and urgency marks are lines of their own; their absence is a reading too."""
    absent = 0.9 if found_header else 0.2
    for name, marks in (("confidentiality", _CONFIDENTIALITY), ("urgency", _URGENCY)):
        for line in header:
            value = _mark(line, marks)
            if value:
                result.set(name, value, line.confidence)
                break
        else:
            result.set(name, None, absent)


def _signature(result: Extraction, lines: list[Line], page: Page) -> None:
    """TM./KT./TL./TUQ. then the signer's title, then (after the signature) the name."""
    for line in lines:
        match = _SIGN_PREFIX.match(line.folded.lstrip(" .,`'-:;"))
        if not match or (page.has_positions and line.column == LEFT):
            continue
        key = re.sub(r"[\s/]", "", match.group(1))
        result.set("signing_prefix", _PREFIXES[key], line.confidence)
        for follow in lines[line.index + 1 : line.index + 8]:
            if page.has_positions and follow.column == LEFT:
                continue
            if _NAME.match(follow.text) and upper_ratio(follow.text) < 0.6:
                result.set("signer", follow.text, follow.confidence * 0.9)
                break
        return
    # No prefix (the head of the body signs in person): the last name-like line on the right.
    for line in reversed(lines[-8:]):
        if (line.column in (RIGHT, "any") or not page.has_positions) and _NAME.match(line.text):
            if upper_ratio(line.text) < 0.6:
                result.set("signer", line.text, line.confidence * 0.6)
            return


def _recipients(result: Extraction, lines: list[Line], page: Page) -> None:
    for line in lines:
        match = _RECIPIENTS.match(line.folded)
        if not match:
            continue
        items: list[str] = []
        rest = line.text.split(":", 1)[1].strip() if ":" in line.text else ""
        if rest:
            items.append(rest.lstrip("-+• ").strip(" ;,."))
        for follow in lines[line.index + 1 : line.index + 15]:
            if follow.column not in (LEFT, "any"):
                continue
            if not follow.text.lstrip().startswith(("-", "+", "•", "–")):
                break
            items.append(follow.text.lstrip("-+•– ").strip(" ;,."))
        items = [item for item in items if item]
        if items:
            result.set("recipients", items, min(line.confidence, 0.9))
        return


def _type_from_family(result: Extraction) -> None:
    """A Party "quy định" is QĐi, a State one QyĐ (the title alone cannot tell)."""
    if result.fields["doc_type"] in ("QyĐ", "QĐi"):
        wanted = "QĐi" if result.fields["family"] == "party" else "QyĐ"
        result.fields["doc_type"] = wanted
