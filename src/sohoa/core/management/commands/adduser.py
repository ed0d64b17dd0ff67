"""sohoa adduser USERNAME --unit CODE --role ROLE --clearance LEVEL (password from stdin or generated)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.core.models import LEVEL_CODES, Role
from sohoa.core.services import generate_password, user_create
from sohoa.registry.models import Unit


class Command(BaseCommand):
    help = "Create a user in one or more units with a role and a clearance."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--unit", action="append", required=True, help="unit code (repeat for several)")
        parser.add_argument("--role", required=True, help=" | ".join(Role.values))
        parser.add_argument("--clearance", default="none", help=" | ".join(LEVEL_CODES))
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = options["unit"]
        units = list(Unit.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {u.code for u in units})
        if unknown:
            raise CommandError(_("Unknown unit code: %(codes)s") % {"codes": ", ".join(unknown)})
        # A password piped on stdin is used; a terminal or empty input gets a generated one.
        piped = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
        generated = not piped
        password = piped or generate_password()
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                units=units,
                role=options["role"],
                clearance=options["clearance"],
                password=password,
                full_name=options["name"],
                email=options["email"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(_("Created user %(username)s.") % {"username": user.username})
        if generated:
            self.stdout.write(_("Password (shown once): %(password)s") % {"password": password})
