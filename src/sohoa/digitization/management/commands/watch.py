"""sohoa watch DIR --unit CODE [--settle SECONDS] [--once] — take scans dropped into a folder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.core.models import LEVEL_CODES
from sohoa.digitization.watch import WatchState, scan_once
from sohoa.registry.models import Unit


class Command(BaseCommand):
    help = "Watch a folder (e.g. a network scanner's) and digitize every file that appears in it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory")
        parser.add_argument("--unit", required=True)
        parser.add_argument("--confidentiality", default="none", help=" | ".join(LEVEL_CODES))
        parser.add_argument("--settle", type=float, default=5.0, help="seconds a file must stay unchanged")
        parser.add_argument("--interval", type=float, default=2.0)
        parser.add_argument("--once", action="store_true", help="take what is ready now and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": directory})
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(_("Unknown unit code: %(codes)s") % {"codes": options["unit"]})
        if options["confidentiality"] not in LEVEL_CODES:
            raise CommandError(
                _("Unknown confidentiality “%(c)s”; use one of: %(all)s")
                % {"c": options["confidentiality"], "all": ", ".join(LEVEL_CODES)}
            )
        level, state = int(LEVEL_CODES[options["confidentiality"]]), WatchState()
        self.stderr.write(
            _("Watching %(dir)s for unit %(unit)s (Ctrl+C to stop)") % {"dir": directory, "unit": unit.code}
        )
        try:
            while True:
                for intake in scan_once(directory, unit, state, settle=options["settle"], confidentiality=level):
                    self.stdout.write(_("queued %(name)s (#%(id)d)") % {"name": intake.original_name, "id": intake.pk})
                if options["once"] and not state.seen:
                    return
                time.sleep(options["interval"])
        except KeyboardInterrupt:
            return
