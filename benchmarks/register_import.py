"""Register import benchmark (issue 4, "Performance"): `sohoa register-import` of 100,000 rows ≤ 60 s.

Run from the repository root:

    .venv/bin/python benchmarks/register_import.py                 # 100,000 rows, XLSX and CSV
    .venv/bin/python benchmarks/register_import.py --rows 20000 --formats csv

Generates an incoming register with Vietnamese Decree 30 headers (dates as DD/MM/YYYY text in CSV,
real date cells in XLSX), then in a fresh SOHOA_DATA_DIR: `sohoa migrate`, one unit via
`registry-import`, and times `sohoa register-import FILE --unit BENCH --direction incoming --json`
as a whole command (start-up, reading, checking, writing, audit) — first run (all created) and a
re-run (all unchanged). Nothing here imports sohoa.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

SOHOA = Path(".venv/bin/sohoa").resolve()
HEADER = [
    "Số đến",
    "Ngày đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ghi chú",
]


def rows(n: int):  # type: ignore[no-untyped-def]
    start = dt.date(2020, 1, 1)
    for i in range(n):
        year = 2020 + i * 6 // n
        day = start.replace(year=year) + dt.timedelta(days=i % 360)
        yield [
            i + 1,
            day,
            "Ủy ban nhân dân tỉnh Cà Mau",
            f"{i + 1}/UBND-VP",
            day - dt.timedelta(days=2),
            f"Công văn về việc triển khai nhiệm vụ số {i + 1} năm {year}",
            "Văn phòng",
            "",
        ]


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for r in rows(n):
            w.writerow([r[0], r[1].strftime("%d/%m/%Y"), r[2], r[3], r[4].strftime("%d/%m/%Y"), *r[5:]])


def write_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for r in rows(n):
        sheet.append(r)
    book.save(path)


def sohoa(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([str(SOHOA), *args], env=env, capture_output=True, text=True, check=True)
    return time.monotonic() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="xlsx,csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        for fmt in args.formats.split(","):
            path = work / f"so-den.{fmt}"
            (write_xlsx if fmt == "xlsx" else write_csv)(path, args.rows)
            env = {**os.environ, "SOHOA_DATA_DIR": str(work / f"data-{fmt}"), "SOHOA_KEY_FILE": str(work / "k")}
            sohoa(env, "migrate", "-v0")
            units = work / "units.csv"
            units.write_text("code,name\nBENCH,Đơn vị thử\n", encoding="utf-8")
            sohoa(env, "registry-import", str(units))
            for label in ("first run", "re-run"):
                seconds, out = sohoa(
                    env, "register-import", str(path), "--unit", "BENCH", "--direction", "incoming", "--json"
                )
                result = json.loads(out)
                print(
                    f"{fmt} {args.rows} rows, {label}: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s) "
                    f"created={result['created']} unchanged={result['unchanged']} rejected={result['rejected_count']}"
                )


if __name__ == "__main__":
    main()
