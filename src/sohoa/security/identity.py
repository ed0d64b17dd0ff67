"""This instance's key pairs: Ed25519 to sign (packages, audit exports, checkpoints), X25519 to receive
packages. Made on first use; the private halves are stored wrapped by the master key."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.db import transaction

from . import keys
from .models import InstanceIdentity

_RAW, _PUBLIC, _PRIVATE = serialization.Encoding.Raw, serialization.PublicFormat.Raw, serialization.PrivateFormat.Raw
_PLAIN = serialization.NoEncryption()


def identity() -> InstanceIdentity:
    with transaction.atomic():
        row = InstanceIdentity.objects.select_for_update().order_by("pk").first()
        if row is not None:
            return row
        sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
        sign_wrapped, kid = keys.wrap(sign.private_bytes(_RAW, _PRIVATE, _PLAIN), "instance:sign")
        box_wrapped, _ = keys.wrap(box.private_bytes(_RAW, _PRIVATE, _PLAIN), "instance:box")
        return InstanceIdentity.objects.create(
            sign_private=sign_wrapped,
            box_private=box_wrapped,
            sign_public=sign.public_key().public_bytes(_RAW, _PUBLIC).hex(),
            box_public=box.public_key().public_bytes(_RAW, _PUBLIC).hex(),
            kid=kid,
        )


def signing_key() -> Ed25519PrivateKey:
    row = identity()
    return Ed25519PrivateKey.from_private_bytes(keys.unwrap(row.sign_private, "instance:sign", row.kid))


def box_key() -> X25519PrivateKey:
    row = identity()
    return X25519PrivateKey.from_private_bytes(keys.unwrap(row.box_private, "instance:box", row.kid))


def sign(data: bytes) -> bytes:
    return signing_key().sign(data)


def verify(public_hex: str, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(signature, data)
        return True
    except (InvalidSignature, ValueError):
        return False


def public_id() -> str:
    """The instance's public identity as one string to give to other sites: "<sign hex>:<box hex>"."""
    row = identity()
    return f"{row.sign_public}:{row.box_public}"
