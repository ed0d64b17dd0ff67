"""sohoa demo-load [--if-empty] — create the demo province, users and records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.core import demo


class Command(BaseCommand):
    help = "Load the demo province (units, one user per role, records, registers)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when units already exist")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.is_loaded():
            if options["if_empty"]:
                self.stdout.write(_("Data already present: demo not loaded."))
                return
            raise CommandError(_("The database already has units; demo data loads only into an empty database."))
        demo.load()
        self.stdout.write(_("Demo data loaded."))
