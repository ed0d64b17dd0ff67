"""sohoa keys show|list|trust PUBLIC_ID --name NAME|untrust NAME — this instance's keys and the
instances it trusts for transfer packages. With --json one JSON object per line on stdout."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.security import trust
from sohoa.security.models import TrustedInstance

from ._common import user_or_error


class Command(BaseCommand):
    help = (
        "Show this instance's public id and fingerprint, and manage the instances trusted to send and "
        "receive transfer packages."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="this instance's public id and fingerprint")
        show.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="the trusted instances")
        listing.add_argument("--json", action="store_true")
        add = sub.add_parser("trust", help="trust another instance's public id")
        add.add_argument("public_id", help='"<signing key hex>:<receiving key hex>" as `sohoa keys show` prints it')
        add.add_argument("--name", required=True, help="a name for the instance, e.g. TU-CAMAU")
        add.add_argument("--as", dest="username", help="record this user as the one who added it")
        add.add_argument("--json", action="store_true")
        remove = sub.add_parser("untrust", help="stop trusting an instance")
        remove.add_argument("name")
        remove.add_argument("--as", dest="username", help="record this user as the one who removed it")
        remove.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        as_json = options.get("json", False)
        try:
            if action == "show":
                pid = trust.own_public_id()
                if as_json:
                    self._json(
                        {
                            "public_id": str(pid),
                            "sign_public": pid.sign,
                            "box_public": pid.box,
                            "fingerprint": pid.fingerprint,
                        }
                    )
                else:
                    self.stdout.write(_("Public id: %(id)s") % {"id": pid})
                    self.stdout.write(_("Fingerprint: %(fp)s") % {"fp": pid.fingerprint})
            elif action == "list":
                rows = TrustedInstance.objects.order_by("name")
                for row in rows:
                    if as_json:
                        self._json(_row(row))
                    else:
                        self.stdout.write(f"{row.name}  {row.fingerprint}  {row.sign_public}:{row.box_public}")
                if not as_json and not rows:
                    self.stderr.write(_("No instance is trusted yet."))
            elif action == "trust":
                actor = user_or_error(options.get("username"))
                row = trust.trust(actor=actor, public_id=options["public_id"], name=options["name"])
                if as_json:
                    self._json(_row(row))
                else:
                    self.stdout.write(
                        _("Trusted %(name)s (fingerprint %(fp)s).") % {"name": row.name, "fp": row.fingerprint}
                    )
            else:
                actor = user_or_error(options.get("username"))
                trust.untrust(actor=actor, name=options["name"])
                if as_json:
                    self._json({"name": options["name"], "trusted": False})
                else:
                    self.stdout.write(_("%(name)s is no longer trusted.") % {"name": options["name"]})
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from None

    def _json(self, obj: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(obj, ensure_ascii=False))


def _row(row: TrustedInstance) -> dict[str, Any]:
    return {
        "name": row.name,
        "public_id": f"{row.sign_public}:{row.box_public}",
        "fingerprint": row.fingerprint,
        "added_at": row.added_at.isoformat(),
        "added_by": row.added_by.get_username() if row.added_by else "",
    }
