"""sohoa copy-identify FILE — which registered copy a (leaked) PDF is: exit 0 naming the copy, its user,
unit, time and purpose; exit 1 when the file carries no mark that verifies (decision 0022)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.core import audit
from sohoa.security import watermark


class Command(BaseCommand):
    help = "Trace a PDF copy of a classified document to its entry in the register of copies."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc}) from None
        copy = watermark.identify(data)
        audit.record("copy_identify", details={"file": path.name, "copy_id": copy.pk if copy else None})
        if copy is None:
            if options["json"]:
                self.stdout.write(json.dumps({"found": False, "file": str(path)}))
            else:
                self.stderr.write(_("No valid copy mark found in %(file)s.") % {"file": path})
            raise SystemExit(1)
        row = {
            "found": True,
            "file": str(path),
            "copy_id": copy.pk,
            "document_id": copy.document_id,
            "number": copy.number,
            "user_id": copy.user_id,
            "username": copy.user.get_username(),
            "user_name": copy.user_name,
            "unit": copy.unit_name,
            "purpose": copy.purpose,
            "made_at": timezone.localtime(copy.created_at).isoformat(),
            "sha256_matches": copy.sha256 == hashlib.sha256(data).hexdigest(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(row, ensure_ascii=False))
            return
        self.stdout.write(
            _("Copy no. %(number)s of document %(document)s, made by %(user)s (%(unit)s) on %(at)s for %(purpose)s.")
            % {
                "number": copy.number,
                "document": copy.document_id,
                "user": copy.user_name,
                "unit": copy.unit_name or "—",
                "at": timezone.localtime(copy.created_at).strftime("%d/%m/%Y %H:%M"),
                "purpose": copy.get_purpose_display(),
            }
        )
