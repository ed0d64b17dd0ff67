"""sohoa key-rotate [--json] — re-wrap every data key with a new master key (resumable).

Progress goes to stderr; with --json stdout gets one object
{"kid", "resumed", "data_keys", "identities", "indexed"}.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.core import audit
from sohoa.core.progress import ProgressBar
from sohoa.security import keys, rotation


class Command(BaseCommand):
    help = (
        "Re-wrap every data key with a new master key (KEY_FILE.next while it runs; run it again to "
        "continue an interrupted rotation), then rebuild the search index."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
        parser.add_argument("--batch", type=int, default=200, help="rows re-wrapped per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            started = rotation.start()
        except keys.KeyMissing as exc:
            raise CommandError(_("The master key is missing (%(path)s): restore it first.") % {"path": exc}) from None
        bar = ProgressBar(rotation.pending(keys.kid_of(started[0])), _("re-wrapping keys"))
        try:
            result = rotation.rotate(batch=options["batch"], progress=bar.advance, started=started)
        finally:
            bar.close()
        audit.record(
            "key_rotate",
            object_type="security.masterkey",
            details={"kid": result.kid, "data_keys": result.data_keys, "identities": result.identities},
        )
        summary = {
            "kid": result.kid,
            "resumed": result.resumed,
            "data_keys": result.data_keys,
            "identities": result.identities,
            "indexed": result.indexed,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                _("Master key rotated (%(kid)s): %(n)d data keys and %(m)d identities re-wrapped.")
                % {"kid": result.kid, "n": result.data_keys, "m": result.identities}
            )
