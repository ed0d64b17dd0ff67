"""sohoa report progress --unit CODE --from YEAR --to YEAR [--by creator|custodian] --format FMT [-o FILE]

FMT is docx, xlsx, pdf or json. Runs as the system: the report counts everything under the unit. Without -o,
JSON goes to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.core.progress import ProgressBar
from sohoa.registry.selectors import unit_by_code
from sohoa.reports import selectors
from sohoa.reports.services import FORMATS, report_export


class Command(BaseCommand):
    help = "Write a report: `progress` = documents digitized of the paper inventory, per series."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=["progress"])
        parser.add_argument("--unit", required=True, help="unit code; the report covers everything under it")
        parser.add_argument("--from", dest="year_from", type=int, required=True)
        parser.add_argument("--to", dest="year_to", type=int, required=True)
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="json")
        parser.add_argument(
            "--by",
            dest="basis",
            choices=selectors.BASES,
            default=selectors.BASIS_CREATOR,
            help="count paper under its creating unit (default) or its current custodian (after reorganizations)",
        )
        parser.add_argument("-o", "--output", help="file to write (JSON may go to stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = unit_by_code(options["unit"])
        if unit is None:
            raise CommandError(_("Unknown unit code: %(code)s") % {"code": options["unit"]})
        year_from, year_to = options["year_from"], options["year_to"]
        if not (1900 <= year_from <= year_to <= 2100):
            raise CommandError(_("The period must be two years, the first not after the second."))
        fmt, output = options["fmt"], options["output"]
        if output is None and fmt != "json":
            raise CommandError(_("Give -o FILE for the %(fmt)s format.") % {"fmt": fmt})
        # Two steps (count, render) on stderr: stdout stays the JSON alone.
        bar = ProgressBar(2, _("progress report"), stream=self.stderr)  # type: ignore[arg-type]  # file-like
        progress = selectors.progress(None, unit=unit, year_from=year_from, year_to=year_to, basis=options["basis"])
        bar.advance(1, _("counted"))
        export = report_export(actor=None, progress=progress, fmt=fmt, via="cli")
        bar.advance(1, fmt)
        bar.close()
        if output is None:
            self.stdout.write(export.content.decode())
            return
        try:
            Path(output).write_bytes(export.content)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": exc.strerror}
            ) from None
        totals = progress.totals
        print(
            _("%(path)s: %(done)d / %(total)d digitized")
            % {"path": output, "done": totals.digitized, "total": totals.total},
            file=sys.stderr,
        )
