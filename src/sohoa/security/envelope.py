"""Envelope encryption: each protected object has its own AES-256-GCM data key, wrapped by the master key.

Files are encrypted in chunks (1 MiB), each an AES-GCM message whose nonce carries the chunk number and
whose associated data marks the last chunk, so chunks cannot be reordered, dropped or cut off at the end
without the decryption failing. Short texts (OCR text, extracted values) become "enc1:" + base64.
"""

from __future__ import annotations

import base64
import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import keys
from .models import DataKey

MAGIC = b"SOHOAENC1"
CHUNK = 1 << 20
TEXT_PREFIX = "enc1:"


class Tampered(ValueError):
    """The ciphertext does not authenticate: changed, cut short, or for another object."""


def owner_label(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def data_key(owner: str, create: bool = False) -> bytes | None:
    """The data key of `owner` ("document:12"), made on first use when `create`."""
    row = DataKey.objects.filter(owner=owner).first()
    if row is not None:
        return keys.unwrap(row.wrapped, owner, row.kid)
    if not create:
        return None
    key = AESGCM.generate_key(bit_length=256)
    wrapped, kid = keys.wrap(key, owner)
    DataKey.objects.create(owner=owner, wrapped=wrapped, kid=kid)
    return key


def share_key(source: str, target: str) -> None:
    """Give `target` the same data key as `source` (an intake's document reads the intake's files)."""
    key = data_key(source)
    if key is None or DataKey.objects.filter(owner=target).exists():
        return
    wrapped, kid = keys.wrap(key, target)
    DataKey.objects.create(owner=target, wrapped=wrapped, kid=kid)


# --- bytes and text ---------------------------------------------------------------------------------


def seal(key: bytes, data: bytes, aad: bytes = b"") -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(key).encrypt(nonce, data, aad)


def open_sealed(key: bytes, blob: bytes, aad: bytes = b"") -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:12], blob[12:], aad)
    except InvalidTag:
        raise Tampered("sealed data does not authenticate") from None


def seal_text(key: bytes, text: str) -> str:
    return TEXT_PREFIX + base64.b64encode(seal(key, text.encode(), b"text")).decode()


def is_sealed_text(value: str) -> bool:
    return isinstance(value, str) and value.startswith(TEXT_PREFIX)


def open_text(key: bytes, value: str) -> str:
    if not is_sealed_text(value):
        return value
    return open_sealed(key, base64.b64decode(value[len(TEXT_PREFIX) :]), b"text").decode()


# --- files ------------------------------------------------------------------------------------------


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def encrypt_stream(key: bytes, src: BinaryIO, dst: BinaryIO) -> None:
    prefix = secrets.token_bytes(8)
    dst.write(MAGIC + prefix)
    aes = AESGCM(key)
    index, chunk = 0, src.read(CHUNK)
    while True:
        nxt = src.read(CHUNK)
        last = not nxt
        dst.write(aes.encrypt(_nonce(prefix, index), chunk, b"last" if last else b"more"))
        if last:
            return
        index, chunk = index + 1, nxt


def decrypt_stream(key: bytes, src: BinaryIO) -> Iterator[bytes]:
    """Plaintext chunks; raises Tampered on any change, reordering or truncation."""
    head = src.read(len(MAGIC) + 8)
    if not head.startswith(MAGIC):
        raise Tampered("not an encrypted sohoa file")
    prefix = head[len(MAGIC) :]
    aes = AESGCM(key)
    index, block = 0, src.read(CHUNK + 16)
    while True:
        nxt = src.read(CHUNK + 16)
        last = not nxt
        try:
            yield aes.decrypt(_nonce(prefix, index), block, b"last" if last else b"more")
        except InvalidTag:
            raise Tampered("encrypted file does not authenticate (changed or truncated)") from None
        if last:
            return
        index, block = index + 1, nxt


def is_encrypted_file(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def encrypt_file_in_place(key: bytes, path: Path) -> None:
    """Replace a plaintext file by its encryption (temporary file + rename, fsynced)."""
    tmp = path.with_name(f".enc-{path.name}")
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        encrypt_stream(key, src, dst)
        dst.flush()
        os.fsync(dst.fileno())
    mode = path.stat().st_mode & 0o777
    os.replace(tmp, path)
    os.chmod(path, mode | 0o200 if mode else 0o640)


def decrypt_file_in_place(key: bytes, path: Path) -> None:
    tmp = path.with_name(f".dec-{path.name}")
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        for chunk in decrypt_stream(key, src):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, path)


def read_file(path: Path, key: bytes | None) -> bytes:
    """The plaintext of a stored file, encrypted or not (a key is needed only for encrypted ones)."""
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            f.seek(0)
            return f.read()
        if key is None:
            raise keys.KeyMissing(f"{path} is encrypted and no data key was given")
        f.seek(0)
        return b"".join(decrypt_stream(key, f))
