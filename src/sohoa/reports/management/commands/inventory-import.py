"""sohoa inventory-import FILE.csv|.xlsx [--json] — paper counts for units without an imported register.

Columns: unit_code, series, year, documents, pages (optional), digitized (optional: done so far).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.core.tabular import TabularError, read_table
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
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            _("created: %(c)d, updated: %(u)d, unchanged: %(n)d, rejected: %(r)d")
            % {"c": report.created, "u": report.updated, "n": report.unchanged, "r": len(report.rejected)}
        )
        for column in report.unknown_columns:
            self.stderr.write(_("ignored unknown column “%(col)s”") % {"col": column})
        for number, reason in sorted(report.rejected):
            self.stderr.write(_("row %(row)d rejected: %(reason)s") % {"row": number, "reason": reason})
