"""Form drafts (issue 9, decision 0031): what a form's identity is, how its values are sealed at rest,
and what a view does after a successful submit.

A form opts in with `{% load drafts %}{% draft_form "name" %}` inside its <form> (static/core/drafts.js
does the rest) and, after its service saved, `drafts.submitted(request, "name")` (or `edit(..., draft=)`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.http import HttpRequest

#: Session entry: keys of drafts submitted in this session whose browser copies the next page clears.
CLEARED_SESSION_KEY = "sohoa_drafts_cleared"
MAX_KEY_LENGTH = 255
#: Limits of one draft: names, values per name, characters per value, bytes of the whole.
MAX_FIELDS = 500
MAX_VALUES = 200
MAX_VALUE_CHARS = 100_000
MAX_BYTES = 256 * 1024
_PURPOSE = b"sohoa/drafts"


def form_key(path: str, name: str) -> str:
    """The identity of a form: its name and the path it is served at ("document@/documents/new/")."""
    return f"{name}@{path}"[:MAX_KEY_LENGTH]


def key_for(request: HttpRequest, name: str) -> str:
    return form_key(request.path, name)


def submitted(request: HttpRequest, name: str) -> None:
    """After a successful submit: delete the user's server draft of this form now, and have the next page
    clear the browser's copy (core/drafts.js reads it from the page's <meta>)."""
    from .services import draft_discard

    key = key_for(request, name)
    draft_discard(actor=request.user, key=key)
    cleared = list(request.session.get(CLEARED_SESSION_KEY, []))
    if key not in cleared:
        request.session[CLEARED_SESSION_KEY] = [*cleared[-19:], key]


def pop_cleared(request: HttpRequest) -> list[str]:
    """The keys whose browser copies this page must clear (once)."""
    session = getattr(request, "session", None)
    if session is None or CLEARED_SESSION_KEY not in session:
        return []
    return list(session.pop(CLEARED_SESSION_KEY, []))


# --- sealing ----------------------------------------------------------------------------------------


def _key(master: bytes) -> bytes:
    return hmac.new(master, _PURPOSE, hashlib.sha256).digest()


def _aad(user_id: int, key: str) -> bytes:
    return f"draft:{user_id}:{key}".encode()


def seal(user_id: int, key: str, data: dict[str, Any]) -> tuple[bytes, str]:
    """(AES-GCM blob of the values, bound to the user and the form; kid of the master key used)."""
    from sohoa.security import envelope, keys

    master = keys.master_key()
    blob = envelope.seal(_key(master), json.dumps(data, ensure_ascii=False).encode(), _aad(user_id, key))
    return blob, keys.kid_of(master)


def open_sealed(user_id: int, key: str, blob: bytes, kid: str) -> dict[str, Any] | None:
    """The values, or None when they cannot be read any more (the master key was rotated away)."""
    from sohoa.security import envelope, keys

    master = keys.keyring().get(kid)
    if master is None:
        return None
    try:
        data = json.loads(envelope.open_sealed(_key(master), bytes(blob), _aad(user_id, key)))
    except (envelope.Tampered, ValueError):
        return None
    return data if isinstance(data, dict) else None
