"""sohoa registry-sync-source NAME --kind members --map code=MaDangVien … — save a province's column mapping."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.registry.models import SyncKind, SyncSource
from sohoa.registry.sync import FIELDS, sync_source_save


class Command(BaseCommand):
    help = (
        "Save (or show, without --map) the column mapping of one export source: --map OUR_FIELD=THEIR HEADER. "
        "Fields: organizations "
        + ",".join(FIELDS[SyncKind.ORGANIZATIONS])
        + "; members "
        + ",".join(FIELDS[SyncKind.MEMBERS])
        + "."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("--kind", choices=SyncKind.values)
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=HEADER")
        parser.add_argument("--date-format", default=None, help="strptime format, e.g. %%d/%%m/%%Y")
        parser.add_argument("--json", action="store_true", help="print the source as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        existing = SyncSource.objects.filter(name=options["name"]).first()
        if options["map"] or options["kind"] or options["date_format"] is not None:
            kind = options["kind"] or (existing.kind if existing else None)
            if not kind:
                raise CommandError(_("--kind is required for a new source."))
            mapping = dict(existing.mapping) if existing and existing.kind == kind else {}
            for item in options["map"]:
                ours, sep, theirs = item.partition("=")
                if not sep:
                    raise CommandError(_("--map takes FIELD=HEADER, not “%(item)s”.") % {"item": item})
                mapping[ours.strip()] = theirs.strip()
            date_format = options["date_format"]
            if date_format is None:
                date_format = existing.date_format if existing else ""
            try:
                existing = sync_source_save(
                    actor=None, name=options["name"], kind=kind, mapping=mapping, date_format=date_format
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
        if existing is None:
            raise CommandError(_("Unknown sync source “%(name)s”.") % {"name": options["name"]})
        data = {
            "name": existing.name,
            "kind": existing.kind,
            "mapping": existing.mapping,
            "date_format": existing.date_format,
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"{existing.name} ({existing.kind})")
        for ours, theirs in existing.mapping.items():
            self.stdout.write(f"  {ours} = {theirs}")
        if existing.date_format:
            self.stdout.write(f"  date_format = {existing.date_format}")
