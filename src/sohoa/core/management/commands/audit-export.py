"""sohoa audit-export --from DATE --to DATE -o FILE | --verify FILE [--signer PUBLIC_ID] [--json]

Export a period's audit log as a signed file, or check one (exit 1 when it does not hold)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.core import audit


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": value}) from exc


class Command(BaseCommand):
    help = "Export a period's audit log as a signed file (JSON lines), or verify such a file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: today)")
        parser.add_argument("-o", "--output", help="file to write")
        parser.add_argument("--verify", metavar="FILE", help="check a signed export instead")
        parser.add_argument("--signer", help="the sending instance's public id the file must be signed with")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verify"]:
            self._verify(Path(options["verify"]), options)
            return
        if not options["start"] or not options["output"]:
            raise CommandError(_("Give --from and -o FILE (or --verify FILE)."))
        start = _date(options["start"])
        end = _date(options["end"]) if options["end"] else timezone.localdate()
        if end < start:
            raise CommandError(_("--to is before --from."))
        path = Path(options["output"])
        with path.open("wb") as out:
            count = audit.export_period(start, end, out)
        audit.record(
            "audit_export", object_type="core.auditevent", details={"from": str(start), "to": str(end), "events": count}
        )
        if options["json"]:
            self.stdout.write(json.dumps({"file": str(path), "from": str(start), "to": str(end), "events": count}))
        else:
            self.stdout.write(_("%(n)d audit events written to %(file)s.") % {"n": count, "file": path})

    def _verify(self, path: Path, options: dict[str, Any]) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        check = audit.verify_export(data, signer=options["signer"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": check.ok,
                        "reason": check.reason,
                        "events": check.events,
                        "signer": check.signer,
                        "from": check.start,
                        "to": check.end,
                    }
                )
            )
        elif check.ok:
            self.stdout.write(
                _("Signature valid: %(n)d events from %(start)s to %(end)s, signed by %(signer)s.")
                % {"n": check.events, "start": check.start, "end": check.end, "signer": check.signer}
            )
        else:
            self.stderr.write(_("Export NOT valid: %(reason)s") % {"reason": check.reason})
        if not check.ok:
            raise SystemExit(1)
