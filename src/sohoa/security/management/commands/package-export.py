"""sohoa package-export (--documents ID[,ID…] | --record CODE | --query TEXT) [--as USERNAME]
--to RECIPIENT -o FILE [--json] — one signed file, encrypted for the recipient instance (decision 0023).

Classified documents are sent only in the name of a user (--as) who may see them. With --json one JSON
object on stdout: {"file", "sha256", "size", "documents", "files", "recipient", "recipient_fingerprint"}.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.security import packages

from ._common import user_or_error


def _ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(
            _("--documents takes document ids separated by commas, e.g. 12,15,20."), returncode=2
        ) from None
    if not ids:
        raise CommandError(_("--documents takes document ids separated by commas, e.g. 12,15,20."), returncode=2)
    return ids


class Command(BaseCommand):
    help = "Write a transfer package: documents, files and audit excerpt, encrypted for one instance and signed."

    def add_arguments(self, parser: Any) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--documents", help="document ids, comma-separated")
        what.add_argument("--record", help="every document of this record (code)")
        what.add_argument("--query", help="the documents a search finds (needs --as)")
        parser.add_argument("--as", dest="username", help="act as this user: only what they may see is sent")
        parser.add_argument("--to", required=True, help="recipient: a trusted instance's name or a public id")
        parser.add_argument("-o", "--output", required=True, help="the package file to write")
        parser.add_argument("--json", action="store_true", help="one JSON object describing the package")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_or_error(options.get("username"))
        try:
            documents = packages.select_documents(
                ids=_ids(options["documents"]) if options["documents"] else None,
                record_code=options["record"] or "",
                query=options["query"] or "",
                user=user,
            )
            result = packages.export_package(
                actor=user,
                documents=documents,
                recipient=options["to"],
                out=Path(options["output"]),
                progress=lambda part: self.stderr.write(_("reading %(part)s") % {"part": part}),
            )
        except packages.PackageError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "file": str(result.path),
                        "sha256": result.sha256,
                        "size": result.size,
                        "documents": result.documents,
                        "files": result.files,
                        "recipient": result.recipient,
                        "recipient_fingerprint": result.recipient_fingerprint,
                    },
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(
            _("Wrote %(file)s: %(n)d documents, %(files)d files, %(size)d bytes, for %(to)s (fingerprint %(fp)s).")
            % {
                "file": result.path,
                "n": len(result.documents),
                "files": result.files,
                "size": result.size,
                "to": result.recipient or _("an instance not in the trusted list"),
                "fp": result.recipient_fingerprint,
            }
        )
        self.stdout.write(_("SHA-256 of the package: %(sha)s") % {"sha": result.sha256})
