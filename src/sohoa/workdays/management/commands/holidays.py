"""sohoa holidays YEAR [--json] — the year's effective days off and make-up working days, as deadlines
count them (configured rows, or the Labour Code defaults when the Office has not configured the year)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.workdays import calendar


class Command(BaseCommand):
    help = "Print the effective days off and make-up working days of a year."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        if not calendar.MIN_YEAR <= year <= calendar.MAX_YEAR:
            raise CommandError(
                _("The calendar covers the years %(first)s–%(last)s.")
                % {"first": calendar.MIN_YEAR, "last": calendar.MAX_YEAR}
            )
        days = calendar.holidays(year)
        for d in days:
            lunar = d.lunar
            row = {
                "date": d.date.isoformat(),
                "weekday": d.date.isoweekday(),
                "kind": d.kind,
                "name": d.name,
                "source": d.source,
                "note": d.note,
                "lunar": {"year": lunar.year, "month": lunar.month, "day": lunar.day, "leap": lunar.leap},
            }
            if options["json"]:
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            else:
                kind = _("day off") if d.is_off else _("make-up working day")
                self.stdout.write(f"{d.date:%Y-%m-%d} {d.date:%a}  {kind:<22} {d.name}")
        if not options["json"]:
            source = _("configured by the Office") if calendar.is_configured(year) else _("Labour Code defaults")
            self.stdout.write(
                _("%(year)s: %(source)s; %(n)s working days.")
                % {"year": year, "source": source, "n": calendar.working_days_in(year)}
            )
