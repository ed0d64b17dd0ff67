"""The columns of an incoming/outgoing register (Decree 30/2020, Annex IV) as units keep them in Excel.

Headers are recognised in Vietnamese or English, ignoring case, diacritics and punctuation ("Số, ký
hiệu", "So ky hieu" and "notation" are the same column). Cells are parsed into typed values; a cell that
cannot be parsed raises `ValueError` with a message naming the column, for the row-numbered report.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext as _

from sohoa.core.models import Level

from .models import Urgency

#: field → accepted headers (compared after `header_key`). The first is the English name.
COLUMNS: dict[str, tuple[str, ...]] = {
    "entry_number": ("entry_number", "số đến", "số thứ tự", "số tt", "stt", "entry number", "arrival number"),
    "arrival_date": ("arrival_date", "ngày đến", "arrival date"),
    "author": ("author", "tác giả", "nơi gửi", "cơ quan ban hành", "nơi gửi đến", "sender"),
    "notation": (
        "notation",
        "số, ký hiệu",
        "số ký hiệu",
        "số, ký hiệu văn bản",
        "số và ký hiệu",
        "số ký hiệu văn bản",
        "number and symbol",
    ),
    "doc_date": ("doc_date", "ngày tháng văn bản", "ngày văn bản", "ngày, tháng văn bản", "document date"),
    "subject": (
        "subject",
        "tên loại và trích yếu nội dung",
        "tên loại và trích yếu nội dung văn bản",
        "trích yếu",
        "trích yếu nội dung",
    ),
    "receiver": ("receiver", "đơn vị hoặc người nhận", "đơn vị, người nhận", "người nhận"),
    "signer": ("signer", "người ký"),
    "recipients": ("recipients", "nơi nhận", "nơi nhận văn bản"),
    "copy_keeper": ("copy_keeper", "đơn vị, người nhận bản lưu", "đơn vị người nhận bản lưu", "copy keeper"),
    "copies": ("copies", "số lượng bản", "số bản"),
    "handover_date": ("handover_date", "ngày chuyển", "ngày chuyển giao", "handover date"),
    "note": ("note", "ghi chú", "notes"),
    "confidentiality": ("confidentiality", "độ mật", "mức độ mật"),
    "urgency": ("urgency", "độ khẩn", "mức độ khẩn"),
    "year": ("year", "năm"),
}
#: Columns of the paper register that have no place in the database (a signature cannot be imported).
IGNORED = ("ký nhận", "ký nhận văn bản", "signature", "người nhận ký")
DATE_FIELDS = ("arrival_date", "doc_date", "handover_date")
TEXT_FIELDS = ("author", "notation", "subject", "receiver", "signer", "recipients", "copy_keeper", "note")


def header_key(text: str) -> str:
    """Comparison key for a header: no diacritics (đ → d), lower case, words separated by one space."""
    text = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


_BY_KEY = {header_key(alias): field for field, aliases in COLUMNS.items() for alias in aliases}
_IGNORED_KEYS = {header_key(h) for h in IGNORED}


def map_header(header: list[str]) -> tuple[dict[str, str], list[str], list[str]]:
    """(field → header as in the file, unknown headers, ignored headers). A field named twice keeps the
    first column; the later one is reported as unknown so nothing is silently dropped."""
    fields: dict[str, str] = {}
    unknown: list[str] = []
    ignored: list[str] = []
    for name in header:
        if not name:
            continue
        key = header_key(name)
        field = _BY_KEY.get(key)
        if field and field not in fields:
            fields[field] = name
        elif key in _IGNORED_KEYS:
            ignored.append(name)
        else:
            unknown.append(name)
    return fields, unknown, ignored


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})")
_YMD = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


def parse_date(value: str, column: str) -> dt.date | None:
    """DD/MM/YYYY (the Vietnamese way), YYYY-MM-DD, or an Excel date (a cell or its serial number)."""
    value = value.strip()
    if not value:
        return None
    quick = _DMY.fullmatch(value) or _YMD.fullmatch(value)
    if quick:  # the common forms without strptime, which costs ~25 µs a call on 100,000-row files
        day, month, year = (int(g) for g in (quick.group("d", "m", "y")))
        try:
            parsed = dt.date(year, month, day)
        except ValueError:
            pass
        else:
            if 1900 <= year <= 2100:
                return parsed
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+", value):
        value = value[:10]  # a date cell with a time part
    if re.fullmatch(r"\d{5}(\.0+)?", value):
        serial = int(float(value))
        if 10000 <= serial <= 80000:  # 1927 … 2119: a date cell exported as its serial number
            return _EXCEL_EPOCH + dt.timedelta(days=serial)
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2100:
            return parsed
    raise ValueError(
        _("%(column)s: “%(value)s” is not a date (use DD/MM/YYYY or YYYY-MM-DD)") % {"column": column, "value": value}
    )


def parse_positive_int(value: str, column: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(\.0+)?", value) and int(float(value)) > 0:
        return int(float(value))
    raise ValueError(_("%(column)s: “%(value)s” is not a positive whole number") % {"column": column, "value": value})


def parse_year(value: str, column: str) -> int | None:
    year = parse_positive_int(value, column)
    if year is not None and not 1900 <= year <= 2100:
        raise ValueError(_("%(column)s: “%(value)s” is not a year") % {"column": column, "value": value})
    return year


_LEVELS = {
    "": Level.NONE,
    "0": Level.NONE,
    "none": Level.NONE,
    "khong": Level.NONE,
    "thuong": Level.NONE,
    "1": Level.MAT,
    "mat": Level.MAT,
    "2": Level.TOI_MAT,
    "toi mat": Level.TOI_MAT,
    "3": Level.TUYET_MAT,
    "tuyet mat": Level.TUYET_MAT,
    "toi_mat": Level.TOI_MAT,
}
_URGENCIES = {
    "": Urgency.NONE,
    "thuong": Urgency.NONE,
    "khan": Urgency.KHAN,
    "thuong khan": Urgency.THUONG_KHAN,
    "hoa toc": Urgency.HOA_TOC,
    "hoa toc hen gio": Urgency.HOA_TOC,
}


def parse_level(value: str, column: str) -> int:
    """MẬT, TỐI MẬT, TUYỆT MẬT (or 1–3, or the codes mat, toi_mat, tuyet_mat); blank = not classified."""
    key = header_key(value.replace("_", " "))
    if key in _LEVELS:
        return int(_LEVELS[key])
    raise ValueError(
        _("%(column)s: “%(value)s” is not a level (Mật, Tối mật, Tuyệt mật)") % {"column": column, "value": value}
    )


def parse_urgency(value: str, column: str) -> str:
    """KHẨN, THƯỢNG KHẨN, HỎA TỐC (also written Hoả tốc, or the codes khan, thuong_khan, hoa_toc)."""
    key = header_key(value.replace("_", " "))
    if key in _URGENCIES:
        return str(_URGENCIES[key])
    raise ValueError(
        _("%(column)s: “%(value)s” is not an urgency (Khẩn, Thượng khẩn, Hỏa tốc)") % {"column": column, "value": value}
    )
