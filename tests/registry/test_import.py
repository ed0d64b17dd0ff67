"""`sohoa registry-import FILE.csv|.xlsx`: good rows land, bad rows are reported by spreadsheet row."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from sohoa.core import audit
from sohoa.core.models import AuditEvent
from sohoa.registry.models import Succession, Unit, UnitKind
from sohoa.registry.services import IMPORT_COLUMNS, units_import

pytestmark = pytest.mark.django_db

GOOD = [
    {"code": "H12", "name": "Tỉnh Cà Mau", "kind": "other"},
    {"code": "H12.TU", "name": "Tỉnh ủy Cà Mau", "short_name": "TU", "kind": "party_committee", "parent_code": "H12"},
    {
        "code": "H12.UBKTTU",
        "name": "Ủy ban Kiểm tra Tỉnh ủy",
        "short_name": "UBKTTU",
        "kind": "inspection_committee",
        "parent_code": "H12.TU",
        "valid_from": "2015-01-01",
    },
]


def write_csv(path, rows, columns=IMPORT_COLUMNS, encoding="utf-8"):  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    path.write_bytes(buffer.getvalue().encode(encoding) if isinstance(encoding, str) else encoding(buffer.getvalue()))
    return path


def write_xlsx(path, rows, columns=IMPORT_COLUMNS):  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    book.save(path)
    return path


def run(path, *args: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    call_command("registry-import", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_json(path) -> dict:  # type: ignore[no-untyped-def,type-arg]
    out, _err = run(path, "--json")
    lines = out.strip().splitlines()
    assert len(lines) == 1  # one JSON object, nothing else on stdout
    return json.loads(lines[0])


def rejected_rows(report) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {r["row"]: r["reason"] for r in report["rejected"]}


# ---- good files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_import_creates_units_with_their_tree(tmp_path, writer):
    path = writer(tmp_path / ("units." + ("csv" if writer is write_csv else "xlsx")), GOOD)
    report = run_json(path)
    assert (report["created"], report["updated"], report["unchanged"], report["rejected"]) == (3, 0, 0, [])
    ubkt = Unit.objects.get(code="H12.UBKTTU")
    assert ubkt.parent.code == "H12.TU"
    assert ubkt.path == f"/{Unit.objects.get(code='H12').pk}/{ubkt.parent.pk}/{ubkt.pk}/"
    assert ubkt.kind == UnitKind.INSPECTION_COMMITTEE
    assert ubkt.short_name == "UBKTTU"
    assert ubkt.name == "Ủy ban Kiểm tra Tỉnh ủy"
    assert str(ubkt.valid_from) == "2015-01-01"


def test_import_reads_dates_in_vietnamese_order(tmp_path):
    path = write_csv(
        tmp_path / "units.csv", [{"code": "A", "name": "Một", "valid_from": "01/07/2025", "valid_to": "31-12-2030"}]
    )
    assert run_json(path)["created"] == 1
    unit = Unit.objects.get(code="A")
    assert (str(unit.valid_from), str(unit.valid_to)) == ("2025-07-01", "2030-12-31")


def test_xlsx_date_cells_are_imported(tmp_path):
    import datetime as dt

    rows = [{"code": "A", "name": "Một", "valid_from": dt.datetime(2025, 7, 1)}]
    assert run_json(write_xlsx(tmp_path / "units.xlsx", rows))["created"] == 1
    assert Unit.objects.get(code="A").valid_from == dt.date(2025, 7, 1)


def test_empty_kind_defaults_to_other(tmp_path):
    run_json(write_csv(tmp_path / "units.csv", [{"code": "A", "name": "Một"}]))
    assert Unit.objects.get(code="A").kind == UnitKind.OTHER


def test_reimport_is_idempotent(tmp_path):
    rows = [*GOOD, {"code": "BL", "name": "Tỉnh Bạc Liêu", "valid_to": "2025-06-30", "successor_codes": "H12"}]
    path = write_csv(tmp_path / "units.csv", rows)
    first = run_json(path)
    assert first["created"] == 4
    paths = dict(Unit.objects.values_list("code", "path"))
    second = run_json(path)
    assert (second["created"], second["updated"], second["unchanged"], second["rejected"]) == (0, 0, 4, [])
    assert dict(Unit.objects.values_list("code", "path")) == paths
    assert Succession.objects.count() == 1


def test_changed_name_is_reported_as_updated(tmp_path):
    run_json(write_csv(tmp_path / "units.csv", GOOD))
    changed = [dict(GOOD[0]), *GOOD[1:]]
    changed[0]["name"] = "Tỉnh Cà Mau (mới)"
    report = run_json(write_csv(tmp_path / "units2.csv", changed))
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 2)
    assert Unit.objects.get(code="H12").name == "Tỉnh Cà Mau (mới)"


def test_moving_a_unit_by_import_updates_the_paths_below_it(tmp_path):
    rows = [*GOOD, {"code": "H12.UBND", "name": "Ủy ban nhân dân tỉnh", "parent_code": "H12"}]
    run_json(write_csv(tmp_path / "units.csv", rows))
    moved = [dict(r) for r in rows]
    moved[1]["parent_code"] = "H12.UBND"  # H12.TU now sits under H12.UBND (only to test the move)
    report = run_json(write_csv(tmp_path / "units2.csv", moved))
    assert report["updated"] == 1
    ubnd, tu, ubkt = (Unit.objects.get(code=c) for c in ("H12.UBND", "H12.TU", "H12.UBKTTU"))
    assert tu.path == f"{ubnd.path}{tu.pk}/"
    assert ubkt.path == f"{tu.path}{ubkt.pk}/"


def test_parents_listed_after_their_children_still_import(tmp_path):
    path = write_csv(tmp_path / "units.csv", list(reversed(GOOD)))
    report = run_json(path)
    assert report["created"] == 3
    assert report["rejected"] == []
    assert Unit.objects.get(code="H12.UBKTTU").parent.code == "H12.TU"


def test_parent_may_already_exist_in_the_database(tmp_path):
    run_json(write_csv(tmp_path / "a.csv", GOOD[:1]))
    report = run_json(write_csv(tmp_path / "b.csv", GOOD[1:]))
    assert report["created"] == 2
    assert Unit.objects.get(code="H12.TU").parent.code == "H12"


def test_successor_codes_with_several_units_create_a_split(tmp_path):
    rows = [
        {"code": "A", "name": "Huyện A cũ", "valid_to": "2025-06-30", "successor_codes": "B;C"},
        {"code": "B", "name": "Xã B"},
        {"code": "C", "name": "Xã C"},
    ]
    report = run_json(write_csv(tmp_path / "units.csv", rows))
    assert report["rejected"] == []
    links = Succession.objects.filter(predecessor__code="A").order_by("successor__code")
    assert [(s.successor.code, s.kind) for s in links] == [("B", Succession.Kind.SPLIT), ("C", Succession.Kind.SPLIT)]
    assert str(links[0].effective_date) == "2025-06-30"


def test_one_successor_code_creates_a_merge(tmp_path):
    rows = [{"code": "A", "name": "Cũ", "successor_codes": "B"}, {"code": "B", "name": "Mới"}]
    run_json(write_csv(tmp_path / "units.csv", rows))
    assert Succession.objects.get(predecessor__code="A").kind == Succession.Kind.MERGE


def test_changing_successors_is_reported_as_updated(tmp_path):
    rows = [
        {"code": "A", "name": "Cũ", "successor_codes": "B"},
        {"code": "B", "name": "Mới"},
        {"code": "C", "name": "Khác"},
    ]
    run_json(write_csv(tmp_path / "units.csv", rows))
    rows[0] = {**rows[0], "successor_codes": "C"}
    report = run_json(write_csv(tmp_path / "units2.csv", rows))
    assert (report["updated"], report["unchanged"]) == (1, 2)
    assert list(Succession.objects.values_list("successor__code", flat=True)) == ["C"]


def test_unknown_successor_is_reported(tmp_path):
    rows = [{"code": "A", "name": "Cũ", "successor_codes": "B;ZZZ"}, {"code": "B", "name": "Mới"}]
    report = run_json(write_csv(tmp_path / "units.csv", rows))
    assert report["created"] == 2
    assert "ZZZ" in rejected_rows(report)[2]
    assert not Succession.objects.exists()


# ---- bad rows ------------------------------------------------------------------------------------


BAD_FILE = [
    {"code": "H12", "name": "Tỉnh Cà Mau"},  # row 2: good
    {"code": "bad code!", "name": "Sai mã"},  # row 3
    {"code": "E1", "name": "  "},  # row 4: empty name
    {"code": "K1", "name": "Loại lạ", "kind": "ministry"},  # row 5
    {"code": "D1", "name": "Ngày sai", "valid_from": "31/02/2025"},  # row 6
    {"code": "P1", "name": "Cha lạ", "parent_code": "NOWHERE"},  # row 7
    {"code": "H12.TU", "name": "Tỉnh ủy", "parent_code": "H12"},  # row 8: good
    {"code": "H12.TU", "name": "Tỉnh ủy (lặp)", "parent_code": "H12"},  # row 9: duplicate
    {"code": "R1", "name": "Ngược", "valid_from": "2025-07-01", "valid_to": "2025-01-01"},  # row 10
    {"code": "C1", "name": "Vòng 1", "parent_code": "C2"},  # row 11: cycle
    {"code": "C2", "name": "Vòng 2", "parent_code": "C1"},  # row 12: cycle
    {"code": "S1", "name": "Tự làm cha", "parent_code": "S1"},  # row 13
    {"code": "G1", "name": "Con của hàng lỗi", "parent_code": "D1"},  # row 14: parent rejected
    {"code": "H12.UBND", "name": "Ủy ban nhân dân tỉnh", "parent_code": "H12"},  # row 15: good
]


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_bad_rows_are_reported_by_row_number_while_good_rows_import(tmp_path, writer):
    path = writer(tmp_path / ("units." + ("csv" if writer is write_csv else "xlsx")), BAD_FILE)
    report = run_json(path)
    assert report["created"] == 3
    assert set(Unit.objects.values_list("code", flat=True)) == {"H12", "H12.TU", "H12.UBND"}
    rejected = rejected_rows(report)
    assert set(rejected) == {3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14}
    assert "bad code!" in rejected[3]
    assert "name" in rejected[4]
    assert "ministry" in rejected[5]
    assert "31/02/2025" in rejected[6]
    assert "NOWHERE" in rejected[7]
    assert "H12.TU" in rejected[9] and "8" in rejected[9]
    assert "valid_to" in rejected[10]
    assert "C1" in rejected[11] or "C2" in rejected[11]
    assert "parent" in rejected[13]
    assert "D1" in rejected[14]
    assert Unit.objects.get(code="H12.TU").name == "Tỉnh ủy"  # the first of the duplicates wins


def test_rejections_are_printed_to_stderr_with_row_numbers(tmp_path):
    out, err = run(write_csv(tmp_path / "units.csv", BAD_FILE))
    assert "3" in out  # the summary counts
    for row in (3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14):
        assert f" {row} " in err
    assert len(err.strip().splitlines()) == 11


def test_cycle_through_the_database_is_rejected(tmp_path):
    run_json(write_csv(tmp_path / "a.csv", GOOD))
    report = run_json(
        write_csv(tmp_path / "b.csv", [{"code": "H12", "name": "Tỉnh Cà Mau", "parent_code": "H12.UBKTTU"}])
    )
    assert 2 in rejected_rows(report)
    assert Unit.objects.get(code="H12").parent is None


def test_rejected_row_does_not_change_an_existing_unit(tmp_path):
    run_json(write_csv(tmp_path / "a.csv", GOOD))
    report = run_json(write_csv(tmp_path / "b.csv", [{"code": "H12", "name": "Đổi tên", "valid_from": "hôm qua"}]))
    assert 2 in rejected_rows(report)
    assert Unit.objects.get(code="H12").name == "Tỉnh Cà Mau"


def test_unknown_columns_are_reported_not_fatal(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,ghi_chu\nA,Một,x\n", encoding="utf-8")
    report = run_json(path)
    assert report["created"] == 1
    assert report["unknown_columns"] == ["ghi_chu"]


def test_only_code_and_name_columns_are_required(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("name,code\nMột,A\n", encoding="utf-8")
    assert run_json(path)["created"] == 1


def test_import_writes_an_audit_row_and_keeps_the_chain(tmp_path):
    report = run_json(write_csv(tmp_path / "units.csv", BAD_FILE))
    event = AuditEvent.objects.filter(action="import").get()
    assert event.details["created"] == report["created"]
    assert len(event.details["rejected"]) == len(report["rejected"])
    assert audit.verify().ok


def test_units_import_service_takes_parsed_rows():
    report = units_import(actor=None, rows=[(7, {"code": "A", "name": "Một"}), (9, {"code": "", "name": "x"})])
    assert report.created == ["A"]
    assert [row for row, _why in report.rejected] == [9]


# ---- whole-file errors ---------------------------------------------------------------------------------


def test_missing_name_column_is_a_command_error(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,short_name\nA,x\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run(path)
    assert "name" in str(exc.value)
    assert not Unit.objects.exists()


def test_missing_code_column_is_a_command_error(tmp_path):
    path = write_xlsx(tmp_path / "units.xlsx", [{"name": "Một"}], columns=("name", "kind"))
    with pytest.raises(CommandError, match="code"):
        run(path)


@pytest.mark.parametrize("name", ["units.xls", "units.ods", "units.pdf"])
def test_unsupported_extension_is_a_command_error(tmp_path, name):
    path = tmp_path / name
    path.write_text("code,name\nA,Một\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run(path)
    assert "\n" not in str(exc.value)


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError):
        run(tmp_path / "nope.csv")


# ---- encodings ---------------------------------------------------------------------------------------

VIETNAMESE = [
    {"code": "H12", "name": "Tỉnh Cà Mau"},
    {"code": "H12.SNV", "name": "Sở Nội vụ tỉnh Cà Mau", "parent_code": "H12"},
    {"code": "H12.UBKT", "name": "Ủy ban Kiểm tra Tỉnh ủy", "parent_code": "H12"},
]


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Excel writes it: precomposed where possible, else base + combining tone mark."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        base, *marks = unicodedata.normalize("NFD", char)
        candidates = [char] + [
            unicodedata.normalize("NFC", base + "".join(marks[:i] + marks[i + 1 :])) + m for i, m in enumerate(marks)
        ]
        for candidate in candidates:
            try:
                out += candidate.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise AssertionError(char)
    return out


@pytest.mark.parametrize("encoding", ["utf-8-sig", _cp1258], ids=["utf8-bom", "cp1258"])
def test_vietnamese_names_survive_the_file_encoding(tmp_path, encoding):
    path = write_csv(tmp_path / "units.csv", VIETNAMESE, columns=("code", "name", "parent_code"), encoding=encoding)
    report = run_json(path)
    assert report["created"] == 3
    assert report["unknown_columns"] == []  # a BOM must not turn "code" into "\ufeffcode"
    for row in VIETNAMESE:
        assert Unit.objects.get(code=row["code"]).name == row["name"]
    assert Unit.objects.filter(name__contains="Nội vụ").exists()


def test_semicolon_separated_csv_from_vietnamese_excel(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code;name;parent_code\nH12;Tỉnh Cà Mau;\nH12.TU;Tỉnh ủy Cà Mau;H12\n", encoding="utf-8-sig")
    assert run_json(path)["created"] == 2
