"""sohoa audit-verify — exit 0 when the audit chain is intact, 1 naming the first broken row."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sohoa.core import audit


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": result.ok,
                        "checked": result.checked,
                        "broken_seq": result.broken_seq,
                        "reason": result.reason,
                    }
                )
            )
        elif result.ok:
            self.stdout.write(_("Audit chain intact: %(n)d rows verified.") % {"n": result.checked})
        else:
            self.stderr.write(
                _("Audit chain BROKEN at row #%(seq)s: %(reason)s")
                % {"seq": result.broken_seq, "reason": result.reason}
            )
        if not result.ok:
            raise SystemExit(1)
