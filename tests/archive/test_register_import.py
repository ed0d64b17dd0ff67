"""`sohoa register-import`: Decree 30 register columns in Vietnamese or English, row-numbered rejections,
idempotent re-runs and whole chunks only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import override
from openpyxl import Workbook

from sohoa.archive import register_format, services
from sohoa.archive.models import Direction, RegisterEntry
from sohoa.core.models import AuditEvent, Level, Role
from sohoa.core.tabular import read_table

pytestmark = pytest.mark.django_db

VI_HEADER = [
    "Số đến",
    "Ngày đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
    "Độ mật",
    "Độ khẩn",
]


def write_csv(path, header, rows):  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_xlsx(path, header, rows):  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def run(path, unit="H12.UBKTTU", direction="incoming", *extra: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "register-import", str(path), "--unit", unit, "--direction", direction, "--json", *extra, stdout=out, stderr=err
    )
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, "stdout holds the JSON object and nothing else"
    return json.loads(lines[0])


def vi_row(n: int, **over: str) -> list[str]:  # type: ignore[type-arg]
    row = {
        "Số đến": str(n),
        "Ngày đến": f"{(n % 28) + 1:02d}/03/2021",
        "Tác giả": "UBND tỉnh Cà Mau",
        "Số, ký hiệu": f"{n}/QĐ-UBND",
        "Ngày tháng văn bản": "01/03/2021",
        "Tên loại và trích yếu nội dung": f"Quyết định về việc số {n}",
        "Đơn vị hoặc người nhận": "Văn phòng",
        "Ngày chuyển": "",
        "Ký nhận": "",
        "Ghi chú": "",
        "Độ mật": "",
        "Độ khẩn": "",
    }
    row.update(over)
    return [row[h] for h in VI_HEADER]


def test_vietnamese_headers_are_recognised_and_rows_imported(tmp_path, province):
    path = write_csv(tmp_path / "so-den.csv", [*VI_HEADER, "Cột lạ"], [vi_row(1) + ["x"], vi_row(2) + ["y"]])
    result = run(path)
    assert (result["created"], result["rejected"]) == (2, [])
    assert result["unknown_columns"] == ["cột lạ"]
    assert result["ignored_columns"] == ["ký nhận"]
    entry = RegisterEntry.objects.get(unit=province["ubkt"], direction="incoming", year=2021, entry_number=1)
    assert (entry.arrival_date, entry.doc_date) == (dt.date(2021, 3, 2), dt.date(2021, 3, 1))
    assert (entry.notation, entry.doc_type, entry.author) == ("1/QĐ-UBND", "QĐ", "UBND tỉnh Cà Mau")
    assert entry.subject == "Quyết định về việc số 1"


@pytest.mark.parametrize(
    "header, field",
    [
        ("so den", "entry_number"),
        ("SỐ ĐẾN", "entry_number"),
        ("entry_number", "entry_number"),
        ("Nơi gửi", "author"),
        ("Số ký hiệu", "notation"),
        ("so, ky hieu", "notation"),
        ("Trích yếu", "subject"),
        ("Tên loại và trích yếu nội dung", "subject"),
        ("Đơn vị, người nhận bản lưu", "copy_keeper"),
        ("Số lượng bản", "copies"),
        ("Ngày tháng văn bản", "doc_date"),
        ("arrival_date", "arrival_date"),
        ("Năm", "year"),
        ("Hoả tốc", None),
    ],
)
def test_headers_match_ignoring_case_diacritics_and_punctuation(header, field):
    fields, unknown, _ignored = register_format.map_header([header])
    assert (fields == {field: header}) if field else (unknown == [header])


def test_english_headers_in_xlsx_with_excel_dates_and_an_outgoing_register(tmp_path, province):
    header = [
        "year",
        "entry_number",
        "notation",
        "doc_date",
        "subject",
        "signer",
        "recipients",
        "copy_keeper",
        "copies",
        "handover_date",
        "confidentiality",
        "urgency",
        "note",
    ]
    rows = [
        [
            2024,
            1,
            "15-BC/UBKTTU",
            dt.datetime(2024, 1, 5),
            "Báo cáo kết quả kiểm tra",
            "Nguyễn Văn A",
            "Thường trực Tỉnh ủy",
            "Văn phòng",
            3,
            45300,
            "Mật",
            "Hỏa tốc",
            "",
        ],
        [
            2024,
            2,
            "16-CV/UBKTTU",
            "2024-01-09",
            "V/v đôn đốc",
            "Trần B",
            "Các đảng bộ",
            "",
            "2",
            "10/01/2024",
            "",
            "khẩn",
            "ghi chú",
        ],
    ]
    result = run(write_xlsx(tmp_path / "so-di.xlsx", header, rows), "H12.UBKTTU", "outgoing")
    assert (result["created"], result["rejected"]) == (2, [])
    first = RegisterEntry.objects.get(direction="outgoing", entry_number=1)
    assert first.doc_date == dt.date(2024, 1, 5)
    assert first.handover_date == dt.date(1899, 12, 30) + dt.timedelta(days=45300)  # a serial-number date
    assert (first.copies, first.confidentiality, first.urgency, first.doc_type) == (3, Level.MAT, "hoa_toc", "BC")
    assert RegisterEntry.objects.get(direction="outgoing", entry_number=2).urgency == "khan"


def test_bad_rows_are_reported_by_row_number_and_good_rows_imported(tmp_path, province):
    rows = [
        vi_row(1),  # row 2: good
        vi_row(2, **{"Ngày đến": "31/02/2021"}),  # row 3: bad date
        vi_row(3, **{"Tên loại và trích yếu nội dung": ""}),  # row 4: no subject
        vi_row(1, **{"Tên loại và trích yếu nội dung": "khác"}),  # row 5: number twice in the file
        vi_row(4, **{"Số đến": "4a"}),  # row 6: bad number
        vi_row(5, **{"Ngày đến": "", "Ngày tháng văn bản": ""}),  # row 7: no year
        vi_row(6, **{"Độ mật": "bí mật lắm"}),  # row 8: unknown level
        vi_row(7),  # row 9: good
    ]
    path = write_csv(tmp_path / "bad.csv", VI_HEADER, rows)
    with override("en"):  # the reasons are written in the importing user's language
        result = run(path)
    assert result["created"] == 2
    rejected = {r["row"]: r["reason"] for r in result["rejected"]}
    assert sorted(rejected) == [3, 4, 5, 6, 7, 8]
    assert "31/02/2021" in rejected[3]
    assert "row 2" in rejected[5]
    assert "4a" in rejected[6]
    assert set(RegisterEntry.objects.values_list("entry_number", flat=True)) == {1, 7}


def test_short_csv_rows_count_as_missing_values(tmp_path, province):
    path = tmp_path / "short.csv"
    path.write_text("Số đến,Ngày đến,Trích yếu\n1,02/01/2022,Có trích yếu\n2,03/01/2022\n", encoding="utf-8")
    result = run(path)
    assert result["created"] == 1 and [r["row"] for r in result["rejected"]] == [3]


def test_reimport_is_idempotent_and_conflicts_with_the_register_are_rejected(tmp_path, province):
    path = write_csv(tmp_path / "a.csv", VI_HEADER, [vi_row(n) for n in range(1, 6)])
    assert run(path)["created"] == 5
    again = run(path)
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (0, 0, 5, [])
    changed = write_csv(
        tmp_path / "b.csv",
        VI_HEADER,
        [vi_row(1, **{"Ghi chú": "đã chuyển"}), vi_row(2, **{"Tên loại và trích yếu nội dung": "sửa"}), vi_row(6)],
    )
    result = run(changed)
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 0)
    assert [r["row"] for r in result["rejected"]] == [3] and "subject" in result["rejected"][0]["reason"]
    assert RegisterEntry.objects.get(entry_number=1).note == "đã chuyển"  # a blank filled
    assert RegisterEntry.objects.get(entry_number=2).subject == "Quyết định về việc số 2"  # never overwritten
    assert RegisterEntry.objects.count() == 6


def test_rows_without_entry_number_get_the_next_ones_and_reimport_unchanged(tmp_path, province):
    header = ["Ngày đến", "Số, ký hiệu", "Trích yếu"]
    rows = [["02/01/2023", "1/TB-UBND", "Thông báo một"], ["03/01/2023", "2/TB-UBND", "Thông báo hai"]]
    path = write_csv(tmp_path / "nonum.csv", header, rows)
    assert run(path)["created"] == 2
    assert sorted(RegisterEntry.objects.values_list("year", "entry_number")) == [(2023, 1), (2023, 2)]
    assert run(path)["unchanged"] == 2 and RegisterEntry.objects.count() == 2


def test_missing_required_columns_refuse_the_file(tmp_path, province):
    path = write_csv(tmp_path / "cols.csv", ["Số đến", "Tác giả"], [["1", "X"]])
    with pytest.raises(CommandError, match="Missing required column|Thiếu"):
        run(path)
    with pytest.raises(CommandError):
        run(write_csv(tmp_path / "ok.csv", VI_HEADER, [vi_row(1)]), "NO.SUCH.UNIT")


def test_a_crash_keeps_whole_chunks_and_a_rerun_completes_without_duplicates(tmp_path, province, monkeypatch):
    path = write_csv(tmp_path / "big.csv", VI_HEADER, [vi_row(n) for n in range(1, 11)])
    header, rows = read_table(path)
    real = services._insert_entries
    calls = {"n": 0}

    def flaky(values):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(values)

    monkeypatch.setattr(services, "_insert_entries", flaky)
    with pytest.raises(RuntimeError):
        services.register_import(
            actor=None, unit=province["ubkt"], direction="incoming", header=header, rows=rows, chunk_size=4
        )
    assert RegisterEntry.objects.count() == 4  # the first chunk, whole; nothing of the second
    monkeypatch.setattr(services, "_insert_entries", real)
    report = services.register_import(
        actor=None, unit=province["ubkt"], direction="incoming", header=header, rows=rows, chunk_size=4
    )
    assert (report.created, report.unchanged) == (6, 4)
    assert RegisterEntry.objects.count() == 10


def test_the_import_is_audited_with_its_report(tmp_path, province):
    run(write_csv(tmp_path / "a.csv", VI_HEADER, [vi_row(1), vi_row(2, **{"Ngày đến": "x"})]))
    event = AuditEvent.objects.filter(action="import", object_type="archive.registerentry").get()
    assert event.actor_id is None
    assert event.details["created"] == 1 and event.details["rejected"][0]["row"] == 3


def test_a_user_imports_only_into_units_in_scope_and_within_clearance(tmp_path, province, make_user):
    header, rows = read_table(write_csv(tmp_path / "a.csv", VI_HEADER, [vi_row(1), vi_row(2, **{"Độ mật": "Tối mật"})]))
    clerk = make_user(province["ubkt"], role=Role.CLERK, clearance=Level.MAT)
    with pytest.raises(ValidationError):
        services.register_import(
            actor=clerk, unit=province["ubnd"], direction=Direction.INCOMING, header=header, rows=rows
        )
    report = services.register_import(
        actor=clerk, unit=province["ubkt"], direction=Direction.INCOMING, header=header, rows=rows
    )
    assert report.created == 1 and report.rejected[0][0] == 3


def test_dates_in_every_accepted_form():
    parse = register_format.parse_date
    assert parse("05/01/2020", "d") == parse("2020-01-05", "d") == parse("2020-01-05T00:00:00", "d")
    assert parse("43835", "d") == dt.date(2020, 1, 5)
    assert parse("", "d") is None
    for bad in ("2020/13/01", "hôm qua", "31/04/2021", "12345678"):
        with pytest.raises(ValueError):
            parse(bad, "d")


def test_the_command_shows_a_progress_bar_on_stderr_and_only_json_on_stdout(tmp_path, province, capsys):
    path = write_csv(tmp_path / "p.csv", VI_HEADER, [vi_row(n) for n in range(1, 6)])
    assert run(path)["created"] == 5  # run() checks stdout is the JSON line alone
    err = capsys.readouterr().err
    assert "5/5" in err and "[" in err  # "register rows [####…] 5/5 (… /s)"


def test_rows_above_the_importers_clearance_are_neither_revealed_nor_filled(tmp_path, province, make_user):
    """A clerk without clearance must learn nothing of a secret entry that shares a number with a file
    row, and must not fill its blanks (the register is read through the policy, imports too)."""
    from tests.factories import RegisterEntryFactory

    secret = RegisterEntryFactory(
        unit=province["ubkt"],
        direction=Direction.INCOMING,
        year=2021,
        entry_number=7,
        subject="Quyết định về việc số 7",
        confidentiality=Level.MAT,
        receiver="",
    )
    clerk = make_user(province["ubkt"], role=Role.CLERK, clearance=Level.NONE)
    probe = vi_row(7, **{"Tên loại và trích yếu nội dung": "đoán thử"})
    fill = vi_row(
        7, **{"Tên loại và trích yếu nội dung": "Quyết định về việc số 7", "Đơn vị hoặc người nhận": "Phòng X"}
    )
    for name, row in (("probe.csv", probe), ("fill.csv", fill)):
        header, rows = read_table(write_csv(tmp_path / name, VI_HEADER, [row]))
        with override("en"):
            report = services.register_import(
                actor=clerk, unit=province["ubkt"], direction=Direction.INCOMING, header=header, rows=rows
            )
        assert report.created == report.updated == report.unchanged == 0
        ((_row, reason),) = report.rejected
        assert "already used" in reason and "subject" not in reason and "confidentiality" not in reason
    secret.refresh_from_db()
    assert secret.receiver == "" and secret.subject == "Quyết định về việc số 7"
