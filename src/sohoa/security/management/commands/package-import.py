"""sohoa package-import FILE [--dry-run] [--unit-map CODE=LOCAL,…] [--as USERNAME] [--json] — verify a
transfer package completely, then import it in one transaction; importing it again changes nothing.

Any failed check (not a package, truncated, untrusted signer, bad signature, another recipient, a
checksum, unknown units) rejects the whole package: nothing is written, exit code 1. With --json one
JSON object on stdout: {"ok", "dry_run", "changed", "sender", "sender_fingerprint", "created",
"skipped", "records_created", "fonds_created"} or {"ok": false, "error"}.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.security import packages

from ._common import user_or_error


def _unit_map(text: str) -> dict[str, str]:
    mapping = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        source, sep, local = pair.partition("=")
        if not sep or not source.strip() or not local.strip():
            raise CommandError(_("--unit-map takes CODE=LOCAL_CODE pairs separated by commas."), returncode=2)
        mapping[source.strip()] = local.strip()
    return mapping


class Command(BaseCommand):
    help = "Verify and import a transfer package (signature, recipient, every checksum; all or nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the package file")
        parser.add_argument("--dry-run", action="store_true", help="verify and say what would be imported")
        parser.add_argument("--unit-map", default="", help="map the sender's unit codes: CODE=LOCAL_CODE,…")
        parser.add_argument("--as", dest="username", help="record this user as the importer")
        parser.add_argument("--json", action="store_true", help="one JSON object with the outcome")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_or_error(options.get("username"))
        try:
            result = packages.import_package(
                actor=user,
                path=Path(options["file"]),
                unit_map=_unit_map(options["unit_map"]),
                dry_run=options["dry_run"],
                progress=lambda step: self.stderr.write(str(step)),
            )
        except packages.PackageError as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False))
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": True,
                        "dry_run": result.dry_run,
                        "changed": result.changed and not result.dry_run,
                        "sender": result.sender,
                        "sender_fingerprint": result.sender_fingerprint,
                        "created": result.created,
                        "skipped": result.skipped,
                        "records_created": result.records_created,
                        "fonds_created": result.fonds_created,
                    },
                    ensure_ascii=False,
                )
            )
            return
        who = {"name": result.sender, "fp": result.sender_fingerprint}
        self.stdout.write(_("The package from %(name)s (fingerprint %(fp)s) is intact and signed.") % who)
        if result.dry_run:
            self.stdout.write(
                _("Dry run: %(new)d documents would be imported, %(old)d are already here.")
                % {"new": len(result.created), "old": len(result.skipped)}
            )
        elif not result.changed:
            self.stdout.write(
                _("Nothing to import: all %(old)d documents of this package are already here.")
                % {"old": len(result.skipped)}
            )
        else:
            self.stdout.write(
                _("Imported %(new)d documents (%(old)d were already here).")
                % {"new": len(result.created), "old": len(result.skipped)}
            )
        for row in result.created:
            self.stdout.write(f"  {row['identity']} → {row['document_id'] or '-'}")
