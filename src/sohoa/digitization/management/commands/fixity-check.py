"""sohoa fixity-check [--json] — re-hash stored files; exit 1 when any is changed or missing."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sohoa.core.progress import ProgressBar
from sohoa.digitization.fixity import check_all
from sohoa.digitization.models import DigitalCopy


class Command(BaseCommand):
    help = "Verify the SHA-256 of every original and archival copy."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = ProgressBar(DigitalCopy.objects.count(), _("fixity"))
        report = check_all(progress=bar.advance)
        bar.close()
        if options["json"]:
            for problem in report.problems:
                self.stdout.write(json.dumps(problem))
            self.stdout.write(json.dumps({"checked": report.checked, "problems": len(report.problems)}))
        else:
            for p in report.problems:
                message = _("MISSING: %(path)s") if p["problem"] == "missing" else _("CHANGED: %(path)s")
                self.stderr.write(message % p)
            self.stdout.write(
                _("%(n)d files checked, %(p)d problems.") % {"n": report.checked, "p": len(report.problems)}
            )
        if not report.ok:
            raise SystemExit(1)
