"""sohoa inventory-import FILE.csv|.xlsx [--json] — paper counts for units without an imported register.

Columns: unit_code, series, year, documents, pages (optional), digitized (optional: done so far).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sohoa.core.tabular import TabularError, read_table, write_import_report
from sohoa.reports.services import INVENTORY_COLUMNS, inventory_import


class Command(BaseCommand):
    help = "Load paper inventory counts (columns: " + ",".join(INVENTORY_COLUMNS) + ")."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print the report as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            header, rows = read_table(options["file"])
            report = inventory_import(actor=None, header=header, rows=rows, source=str(options["file"]))
        except TabularError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        write_import_report(self, report.as_dict(), as_json=options["json"])
