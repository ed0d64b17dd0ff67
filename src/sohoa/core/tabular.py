"""Read CSV and XLSX files into (row number, {column: text}) pairs, as spreadsheets users send them.

Row numbers are the ones the user sees in their spreadsheet (header = row 1), so a rejection message
points at the right line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

Rows = list[tuple[int, dict[str, str]]]


class TabularError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1258")  # Vietnamese Windows code page, common in old Excel exports
    except UnicodeDecodeError:
        raise TabularError(_("The file is not UTF-8 text; save it as “CSV UTF-8” and try again.")) from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def _rows_from(header: list[str], body: list[tuple[int, list[str]]]) -> tuple[list[str], Rows]:
    names = [h.strip().lower() for h in header]
    if not any(names):
        raise TabularError(_("The first row must name the columns."))
    rows: Rows = []
    for number, values in body:
        if not any(v.strip() for v in values):
            continue  # blank line
        rows.append((number, {names[i]: (values[i] if i < len(values) else "") for i in range(len(names)) if names[i]}))
    return names, rows


def read_table(path: str | Path) -> tuple[list[str], Rows]:
    """Header (lower-cased) and rows of a .csv or .xlsx file."""
    path = Path(path)
    if not path.is_file():
        raise TabularError(_("File not found: %(path)s") % {"path": path})
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path.read_bytes())
    raise TabularError(_("Unsupported file type “%(suffix)s”: use .csv or .xlsx") % {"suffix": suffix or path.name})


def _read_csv(raw: bytes) -> tuple[list[str], Rows]:
    # NFC: cp1258 (and some Mac tools) give base letters + combining tones; stored text must be precomposed.
    text = unicodedata.normalize("NFC", _decode(raw))
    if not text.strip():
        raise TabularError(_("The file is empty."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
        body = [(i, row) for i, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise TabularError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from None
    return _rows_from(header, body)


def _read_xlsx(path: Path) -> tuple[list[str], Rows]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TabularError(_("The Excel file cannot be read: %(error)s") % {"error": exc}) from None
    try:
        sheet = workbook.worksheets[0]
        it = sheet.iter_rows(values_only=True)
        header_row = next(it, None)
        if header_row is None:
            raise TabularError(_("The file is empty."))
        header = [_cell(v) for v in header_row]
        body = [(i, [_cell(v) for v in row]) for i, row in enumerate(it, start=2)]
    finally:
        workbook.close()
    return _rows_from(header, body)


def write_import_report(command: Any, result: dict[str, Any], *, as_json: bool) -> None:
    """Print an import's report the way every `*-import` command does: one JSON object on stdout with
    --json, else a summary line on stdout and one line per unknown column and rejected row on stderr.

    `result` is the report's `as_dict()`: created, updated, unchanged, rejected [{row, reason}], and
    unknown_columns when the importer reports them."""
    if as_json:
        command.stdout.write(json.dumps(result, ensure_ascii=False))
        return
    rejected = sorted((r["row"], r["reason"]) for r in result["rejected"])
    command.stdout.write(
        _("created: %(c)d, updated: %(u)d, unchanged: %(n)d, rejected: %(r)d")
        % {"c": result["created"], "u": result["updated"], "n": result["unchanged"], "r": len(rejected)}
    )
    for column in result.get("unknown_columns", []):
        command.stderr.write(_("ignored unknown column “%(col)s”") % {"col": column})
    for number, reason in rejected:
        command.stderr.write(_("row %(row)d rejected: %(reason)s") % {"row": number, "reason": reason})
