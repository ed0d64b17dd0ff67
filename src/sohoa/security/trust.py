"""Other instances this one trusts: whose signed transfer packages it imports, to whom it sends them.

A public id is "<Ed25519 signing key hex>:<X25519 receiving key hex>"; its fingerprint (20 hex digits in
groups of four) is short enough to read over the phone before trusting it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sohoa.core import audit

from . import identity
from .models import TrustedInstance

_PUBLIC_ID = re.compile(r"([0-9a-f]{64}):([0-9a-f]{64})")


@dataclass(frozen=True)
class PublicId:
    sign: str
    box: str

    def __str__(self) -> str:
        return f"{self.sign}:{self.box}"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.sign, self.box)


def fingerprint(sign_hex: str, box_hex: str) -> str:
    """20 hex digits of SHA-256 over both public keys, in groups of four: "3F2A-91C0-…"."""
    digest = hashlib.sha256(b"sohoa-fingerprint" + bytes.fromhex(sign_hex) + bytes.fromhex(box_hex)).hexdigest()
    return "-".join(digest[i : i + 4] for i in range(0, 20, 4)).upper()


def parse_public_id(text: str) -> PublicId:
    """A public id as given by another site; ValidationError when it is not one."""
    match = _PUBLIC_ID.fullmatch(text.strip().lower())
    if match is None:
        raise ValidationError(
            _(
                "Not a public id: expected two 64-digit hexadecimal keys separated by a colon "
                "(as `sohoa keys show` prints)."
            )
        )
    sign, box = match.groups()
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(sign))
        X25519PublicKey.from_public_bytes(bytes.fromhex(box))
    except ValueError:
        raise ValidationError(_("Not a public id: the keys are not valid.")) from None
    return PublicId(sign, box)


def own_public_id() -> PublicId:
    row = identity.identity()
    return PublicId(row.sign_public, row.box_public)


def trust(*, actor: Any, public_id: str, name: str) -> TrustedInstance:
    """Record another instance as trusted (audited); refuses this instance's own key and duplicates."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError(_("Give the instance a name of 1 to 100 characters."))
    pid = parse_public_id(public_id)
    if pid.sign == own_public_id().sign:
        raise ValidationError(_("This is this instance's own key; there is no need to trust it."))
    with transaction.atomic():
        if TrustedInstance.objects.filter(name=name).exists():
            raise ValidationError(_("An instance named %(name)s is already trusted.") % {"name": name})
        existing = TrustedInstance.objects.filter(sign_public=pid.sign).first()
        if existing is not None:
            raise ValidationError(_("This key is already trusted under the name %(name)s.") % {"name": existing.name})
        row = TrustedInstance.objects.create(
            name=name,
            sign_public=pid.sign,
            box_public=pid.box,
            fingerprint=pid.fingerprint,
            added_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            "instance_trust",
            actor=actor,
            obj=row,
            details={"name": name, "fingerprint": row.fingerprint, "public_id": str(pid)},
        )
    return row


def untrust(*, actor: Any, name: str) -> None:
    """Stop trusting an instance (audited): its packages are refused from now on."""
    with transaction.atomic():
        row = TrustedInstance.objects.select_for_update().filter(name=name).first()
        if row is None:
            raise ValidationError(_("No trusted instance is named %(name)s.") % {"name": name})
        audit.record(
            "instance_untrust",
            actor=actor,
            obj=row,
            details={
                "name": row.name,
                "fingerprint": row.fingerprint,
                "public_id": f"{row.sign_public}:{row.box_public}",
            },
        )
        row.delete()


def by_sign_key(sign_hex: str) -> TrustedInstance | None:
    return TrustedInstance.objects.filter(sign_public=sign_hex).first()


def resolve_recipient(text: str) -> tuple[PublicId, str]:
    """A recipient given as a trusted name or a public id: (public id, trusted name or "")."""
    row = TrustedInstance.objects.filter(name=text.strip()).first()
    if row is not None:
        return PublicId(row.sign_public, row.box_public), row.name
    try:
        pid = parse_public_id(text)
    except ValidationError:
        raise ValidationError(
            _("Unknown recipient %(name)s: give a trusted instance's name (sohoa keys list) or its public id.")
            % {"name": text}
        ) from None
    known = TrustedInstance.objects.filter(sign_public=pid.sign).first()
    return pid, known.name if known is not None else ""
