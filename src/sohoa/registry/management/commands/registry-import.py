"""sohoa registry-import FILE.csv|.xlsx — upsert units and report what happened to every row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.core.tabular import TabularError, read_table, write_import_report
from sohoa.registry.services import IMPORT_COLUMNS, units_import


class Command(BaseCommand):
    help = "Load units from a CSV or XLSX file (columns: " + ",".join(IMPORT_COLUMNS) + ")."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print the report as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            header, rows = read_table(options["file"])
        except TabularError as exc:
            raise CommandError(str(exc)) from None
        missing = [c for c in ("code", "name") if c not in header]
        if missing:
            raise CommandError(_("Missing required column(s): %(cols)s") % {"cols": ", ".join(missing)})
        unknown = [h for h in header if h and h not in IMPORT_COLUMNS]
        report = units_import(actor=None, rows=rows, source=str(options["file"]))
        write_import_report(self, {**report.as_dict(), "unknown_columns": unknown}, as_json=options["json"])
