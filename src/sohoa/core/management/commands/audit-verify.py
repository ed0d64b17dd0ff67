"""sohoa audit-verify — exit 0 when the audit chain is intact and reaches every signed checkpoint, 1 naming
the first broken row; an intact chain ends with a new checkpoint of its head (decision 0024)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sohoa.core import audit
from sohoa.security.keys import KeyMissing


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log against its signed checkpoints, then checkpoint its head."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--no-checkpoint", action="store_true", help="verify only; do not append a checkpoint")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        checkpoint = None
        if result.ok and not options["no_checkpoint"]:
            try:
                checkpoint = audit.write_checkpoint()
            except (KeyMissing, OSError) as exc:
                self.stderr.write(_("No checkpoint written: %(error)s") % {"error": exc})
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": result.ok,
                        "checked": result.checked,
                        "broken_seq": result.broken_seq,
                        "reason": result.reason,
                        "checkpoints": result.checkpoints,
                        "checkpoint_written": checkpoint.seq if checkpoint else None,
                    }
                )
            )
        elif result.ok:
            self.stdout.write(
                _("Audit chain intact: %(n)d rows verified, %(c)d checkpoints reached.")
                % {"n": result.checked, "c": result.checkpoints}
            )
        else:
            self.stderr.write(
                _("Audit chain BROKEN at row #%(seq)s: %(reason)s")
                % {"seq": result.broken_seq, "reason": result.reason}
            )
        if not result.ok:
            raise SystemExit(1)
