"""Reading CSV and XLSX files as users send them: encodings, delimiters, blank lines, spreadsheet row numbers."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from openpyxl import Workbook

from sohoa.core.tabular import TabularError, read_table

NAMES = ["Tỉnh ủy Cà Mau", "Sở Nội vụ tỉnh Cà Mau", "Ủy ban Kiểm tra Tỉnh ủy", "Hội đồng nhân dân tỉnh"]


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed where the code page has it, else base + combining tone."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        base, *marks = unicodedata.normalize("NFD", char)
        candidates = [char] + [
            unicodedata.normalize("NFC", base + "".join(marks[:i] + marks[i + 1 :])) + mark
            for i, mark in enumerate(marks)
        ]
        for candidate in candidates:
            try:
                out += candidate.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise AssertionError(f"{char!r} not encodable in cp1258")
    return out


def csv_text(names: list[str] = NAMES) -> str:
    return "code,name\n" + "".join(f"U{i},{name}\n" for i, name in enumerate(names))


def write_xlsx(path, rows) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)


# ---- CSV ---------------------------------------------------------------------------------------------


def test_reads_utf8_csv_with_header_lower_cased_and_row_numbers_from_two(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(" Code , NAME\nA,Tỉnh ủy\nB,Sở Nội vụ\n", encoding="utf-8")
    header, rows = read_table(path)
    assert header == ["code", "name"]
    assert rows == [(2, {"code": "A", "name": "Tỉnh ủy"}), (3, {"code": "B", "name": "Sở Nội vụ"})]


def test_reads_utf8_csv_with_bom(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_text().encode("utf-8-sig"))
    header, rows = read_table(path)
    assert header == ["code", "name"]  # the BOM does not stick to the first column name
    assert [r["name"] for _, r in rows] == NAMES


def test_reads_cp1258_csv_as_precomposed_vietnamese(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(cp1258(csv_text()))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    _header, rows = read_table(path)
    assert [r["name"] for _, r in rows] == NAMES


def test_reads_decomposed_utf8_as_precomposed(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(unicodedata.normalize("NFD", csv_text()), encoding="utf-8")
    _header, rows = read_table(path)
    assert [r["name"] for _, r in rows] == NAMES


def test_reads_utf16_csv_with_bom(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_text().encode("utf-16"))
    _header, rows = read_table(path)
    assert [r["name"] for _, r in rows] == NAMES


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_detects_semicolon_and_tab_delimiters(tmp_path, delimiter):
    path = tmp_path / "units.csv"
    path.write_text(
        f"code{delimiter}name{delimiter}kind\nA{delimiter}Tỉnh ủy, Cà Mau{delimiter}office\n", encoding="utf-8"
    )
    header, rows = read_table(path)
    assert header == ["code", "name", "kind"]
    assert rows[0][1]["name"] == "Tỉnh ủy, Cà Mau"


def test_quoted_field_with_the_delimiter_stays_one_field(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text('code,name,successor_codes\nA,"Tỉnh ủy, Cà Mau","B;C"\nB,Sở,\n', encoding="utf-8")
    _header, rows = read_table(path)
    assert rows[0] == (2, {"code": "A", "name": "Tỉnh ủy, Cà Mau", "successor_codes": "B;C"})


def test_blank_lines_are_skipped_but_row_numbers_stay_those_of_the_spreadsheet(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name\nA,Một\n,\n\nB,Hai\n", encoding="utf-8")
    _header, rows = read_table(path)
    assert [(n, r["code"]) for n, r in rows] == [(2, "A"), (5, "B")]


def test_short_rows_get_empty_values_and_extra_cells_are_dropped(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind\nA\nB,Hai,office,extra\n", encoding="utf-8")
    _header, rows = read_table(path)
    assert rows[0][1] == {"code": "A", "name": "", "kind": ""}
    assert rows[1][1] == {"code": "B", "name": "Hai", "kind": "office"}


def test_columns_without_a_name_are_ignored(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,,name\nA,junk,Một\n", encoding="utf-8")
    _header, rows = read_table(path)
    assert rows[0][1] == {"code": "A", "name": "Một"}


def test_txt_extension_is_read_as_csv(tmp_path):
    path = tmp_path / "units.TXT"
    path.write_text(csv_text(), encoding="utf-8")
    assert len(read_table(path)[1]) == len(NAMES)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("  \n", encoding="utf-8")
    with pytest.raises(TabularError):
        read_table(path)


def test_header_without_names_is_refused(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(",,\nA,B,C\n", encoding="utf-8")
    with pytest.raises(TabularError):
        read_table(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(TabularError):
        read_table(tmp_path / "nope.csv")


@pytest.mark.parametrize("name", ["units.xls", "units.ods", "units.json", "units"])
def test_unsupported_extension_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text(csv_text(), encoding="utf-8")
    with pytest.raises(TabularError):
        read_table(path)


def test_tabular_error_is_a_value_error():
    assert issubclass(TabularError, ValueError)


# ---- XLSX --------------------------------------------------------------------------------------------


def test_reads_xlsx_with_vietnamese_text(tmp_path):
    path = tmp_path / "units.xlsx"
    write_xlsx(path, [["Code", "Name"], *[[f"U{i}", n] for i, n in enumerate(NAMES)]])
    header, rows = read_table(path)
    assert header == ["code", "name"]
    assert [(n, r["name"]) for n, r in rows] == [(i + 2, name) for i, name in enumerate(NAMES)]


def test_xlsx_dates_numbers_and_empty_cells_become_text(tmp_path):
    path = tmp_path / "units.xlsx"
    write_xlsx(
        path,
        [
            ["code", "valid_from", "valid_to", "count", "ratio", "note"],
            [101, dt.datetime(2025, 7, 1), dt.date(2025, 6, 30), 3.0, 2.5, None],
            ["A", dt.datetime(2025, 7, 1, 8, 30), None, 7, None, "  text  "],
        ],
    )
    _header, rows = read_table(path)
    assert rows[0][1] == {
        "code": "101",
        "valid_from": "2025-07-01",
        "valid_to": "2025-06-30",
        "count": "3",
        "ratio": "2.5",
        "note": "",
    }
    assert rows[1][1]["valid_from"] == "2025-07-01T08:30:00"
    assert rows[1][1]["count"] == "7"
    assert rows[1][1]["note"] == "text"


def test_xlsx_blank_rows_keep_spreadsheet_row_numbers(tmp_path):
    path = tmp_path / "units.xlsx"
    book = Workbook()
    sheet = book.active
    sheet["A1"], sheet["B1"] = "code", "name"
    sheet["A2"], sheet["B2"] = "A", "Một"
    sheet["A5"], sheet["B5"] = "B", "Hai"
    book.save(path)
    _header, rows = read_table(path)
    assert [(n, r["code"]) for n, r in rows] == [(2, "A"), (5, "B")]


def test_xlsx_reads_the_first_sheet(tmp_path):
    path = tmp_path / "units.xlsx"
    book = Workbook()
    book.active.append(["code", "name"])
    book.active.append(["A", "Một"])
    other = book.create_sheet("Khác")
    other.append(["x", "y"])
    book.save(path)
    header, rows = read_table(path)
    assert header == ["code", "name"]
    assert rows == [(2, {"code": "A", "name": "Một"})]


def test_empty_xlsx_is_refused(tmp_path):
    path = tmp_path / "units.xlsx"
    Workbook().save(path)
    with pytest.raises(TabularError):
        read_table(path)


def test_damaged_xlsx_is_refused(tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(TabularError):
        read_table(path)


def test_csv_renamed_to_xlsx_is_refused(tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_text(csv_text(), encoding="utf-8")
    with pytest.raises(TabularError):
        read_table(path)
