"""The master key (SOHOA_KEY_FILE), what is derived from it, and wrapping of data keys.

The key file lives outside the data directory (a system check refuses otherwise), so a copy of the data
dir and the database without it holds no readable classified content. A new instance creates the key the
first time one is needed. During `sohoa key-rotate` a second file, KEY_FILE + ".next", holds the new
key: both are valid for unwrapping, new wraps use the new one; the rotation ends by renaming it over the
old file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

KEY_BYTES = 32
_cache: dict[tuple[str, int, float], bytes] = {}


class KeyMissing(RuntimeError):
    pass


def key_file() -> Path:
    return Path(settings.KEY_FILE)


def next_key_file() -> Path:
    return key_file().with_name(key_file().name + ".next")


def _read(path: Path) -> bytes:
    st = path.stat()
    stamp = (str(path), st.st_ino, st.st_mtime)
    if stamp not in _cache:
        data = path.read_bytes()
        if len(data) != KEY_BYTES:
            raise KeyMissing(f"{path}: not a sohoa key ({len(data)} bytes)")
        _cache[stamp] = data
    return _cache[stamp]


def create_key_file(path: Path) -> bytes:
    """Write a new key whole, then link it into place: no process ever reads a half-written key, and
    when two create one at once the first link wins (FileExistsError for the other)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(key)
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return key


def master_key(create: bool = True) -> bytes:
    """The current master key: the rotation's new one while a rotation runs."""
    nxt = next_key_file()
    if nxt.exists():
        return _read(nxt)
    path = key_file()
    if not path.exists():
        if not create:
            raise KeyMissing(str(path))
        from .models import DataKey

        if DataKey.objects.exists():  # never replace a lost key silently: the data would be unreadable
            raise KeyMissing(str(path))
        try:
            create_key_file(path)
        except FileExistsError:  # another process (the worker, the web server) made it first: use theirs
            pass
    return _read(path)


def kid_of(key: bytes) -> str:
    return hashlib.sha256(b"sohoa-kid" + key).hexdigest()[:16]


def keyring() -> dict[str, bytes]:
    """Every master key that may have wrapped a data key: {kid: key}."""
    ring = {}
    for path in (key_file(), next_key_file()):
        if path.exists():
            key = _read(path)
            ring[kid_of(key)] = key
    return ring


def derived_key(purpose: str) -> bytes:
    """A key for one purpose (HMAC of the label under the master key): one leaked purpose key is not all."""
    return hmac.new(master_key(), b"sohoa/" + purpose.encode(), hashlib.sha256).digest()


def wrap(secret: bytes, label: str, key: bytes | None = None) -> tuple[bytes, str]:
    """(nonce + AES-GCM ciphertext of `secret` bound to `label`, kid of the master key used)."""
    key = key or master_key()
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(key).encrypt(nonce, secret, label.encode()), kid_of(key)


def unwrap(blob: bytes, label: str, kid: str) -> bytes:
    key = keyring().get(kid)
    if key is None:
        raise KeyMissing(f"master key {kid} is not available")
    return AESGCM(key).decrypt(bytes(blob[:12]), bytes(blob[12:]), label.encode())
