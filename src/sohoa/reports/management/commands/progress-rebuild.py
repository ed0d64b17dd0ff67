"""sohoa progress-rebuild [--check] [--json] — recompute the maintained progress counters.

The counters are kept by database triggers; rebuild after restoring a backup made without them, or
when `--check` reports a difference (which should never happen: then report it as a bug).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.core import audit
from sohoa.reports import counters


class Command(BaseCommand):
    help = "Recompute the progress counters (register entries and digitized ones per unit, series, year)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check", action="store_true", help="only compare with the live count; exit 1 if any differ"
        )
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["check"]:
            wrong = counters.differences()
            result: dict[str, Any] = {"differences": len(wrong), "groups": wrong[:100]}
        else:
            print(_("Recomputing progress counters…"), file=sys.stderr)
            groups = counters.rebuild()
            audit.record("rebuild", object_type="reports.progresscounter", details={"groups": groups})
            result = {"groups": groups}
        result["seconds"] = round(time.monotonic() - started, 3)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        elif options["check"]:
            self.stdout.write(_("%(n)d counter(s) differ from the registers") % {"n": result["differences"]})
            for group in result["groups"]:
                self.stderr.write(json.dumps(group, ensure_ascii=False))
        else:
            self.stdout.write(_("%(n)d counter(s) recomputed") % {"n": result["groups"]})
        if options["check"] and result["differences"]:
            raise CommandError(_("The progress counters differ from the registers: run `sohoa progress-rebuild`."))
