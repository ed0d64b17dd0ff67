"""sohoa register-import FILE.xlsx|.csv --unit CODE --direction incoming|outgoing [--json]

Loads a unit's incoming or outgoing register (Decree 30/2020 columns, Vietnamese or English headers).
Good rows land, bad rows are reported by their row number in the spreadsheet; re-running is safe.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.archive.models import Direction
from sohoa.archive.services import register_import
from sohoa.core.progress import ProgressBar
from sohoa.core.tabular import TabularError, read_table, write_import_report
from sohoa.registry.selectors import unit_by_code


class Command(BaseCommand):
    help = "Load a unit's incoming or outgoing register from a CSV or XLSX file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--unit", required=True, help="code of the unit whose register this is")
        parser.add_argument("--direction", required=True, choices=Direction.values)
        parser.add_argument("--json", action="store_true", help="print the report as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = unit_by_code(options["unit"])
        if unit is None:
            raise CommandError(_("Unknown unit code: %(code)s") % {"code": options["unit"]})
        try:
            header, rows = read_table(options["file"])
        except TabularError as exc:
            raise CommandError(str(exc)) from None
        bar = ProgressBar(len(rows), _("register rows"))
        try:
            report = register_import(
                actor=None,
                unit=unit,
                direction=options["direction"],
                header=header,
                rows=rows,
                source=str(options["file"]),
                progress=bar.advance,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        finally:
            bar.close()
        write_import_report(self, report.as_dict(), as_json=options["json"])
