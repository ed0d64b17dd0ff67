"""The instance's master key (SOHOA_KEY_FILE) and the purpose keys derived from it.

The key file lives outside the data directory, so a copy of the data without it reveals no classified
content. A new instance creates it (32 random bytes, mode 0600) the first time a key is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from django.conf import settings

_cache: dict[tuple[str, float], bytes] = {}


def master_key() -> bytes:
    path = Path(settings.KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
    stamp = (str(path), path.stat().st_mtime)
    if stamp not in _cache:
        _cache.clear()
        _cache[stamp] = path.read_bytes()
    return _cache[stamp]


def derived_key(purpose: str) -> bytes:
    """A key for one purpose (HMAC of the label under the master key): one leaked purpose key is not all."""
    return hmac.new(master_key(), b"sohoa/" + purpose.encode(), hashlib.sha256).digest()
