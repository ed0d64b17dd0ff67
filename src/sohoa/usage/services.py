"""Writes: record one use. Called by the views that show, download, share or cite a document or an entry.

De-duplication (docs/decisions/0016-usage-and-difficulties.md): a *passive* use — a view, a download or a
register look-up — by the same user of the same document or entry with the same kind is counted once per
`USAGE_DEDUP_MINUTES` (default 30): reloading a page or opening the PDF twice while reading is one use.
Deliberate acts — a share, a citation, a request for the paper — are always counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sohoa.archive.models import Document, RegisterEntry
from sohoa.core import audit

from .models import UseEvent, UseKind

#: Kinds counted once per user, target and window; the others are always counted.
PASSIVE_KINDS = frozenset({UseKind.VIEW, UseKind.DOWNLOAD, UseKind.LOOKUP})
#: Deliberate acts also go to the audit log (a view or download is already audited by its view).
AUDITED_KINDS = frozenset({UseKind.SHARE, UseKind.CITATION, UseKind.REQUEST})
DEFAULT_DEDUP_MINUTES = 30


def dedup_window() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "USAGE_DEDUP_MINUTES", DEFAULT_DEDUP_MINUTES)))


def use_record(
    *,
    actor: Any,
    kind: UseKind | str,
    document: Document | None = None,
    entry: RegisterEntry | None = None,
    note: str = "",
    recipient: Any = None,
) -> UseEvent | None:
    """One use of a document or of a paper register entry (exactly one of them, or both when the entry's
    paper was digitized into that document). Returns None when the use repeats a passive use of the same
    user within the de-duplication window (it is not counted again)."""
    if document is None and entry is None:
        raise ValueError("a use needs a document or a register entry")
    kind = UseKind(kind)
    unit_id = document.unit_id if document is not None else entry.unit_id  # type: ignore[union-attr]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    now = timezone.now()
    with transaction.atomic():
        if kind in PASSIVE_KINDS and authenticated:
            recent = UseEvent.objects.filter(
                actor=actor, kind=kind, document=document, register_entry=entry, at__gt=now - dedup_window()
            )
            if recent.exists():
                return None
        event = UseEvent.objects.create(
            kind=kind,
            at=now,
            actor=actor if authenticated else None,
            unit_id=unit_id,
            document=document,
            register_entry=entry,
            recipient=recipient,
            note=note[:300],
        )
        if kind in AUDITED_KINDS:
            target = document if document is not None else entry
            details: dict[str, Any] = {"use": str(kind), "note": note[:300]}
            if recipient is not None:
                details["recipient"] = recipient.get_username()
            audit.record(str(kind), actor=actor, obj=target, details=details)
    return event
