"""Writes: record one use. Called by the views that show, download or share a document or an entry."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sohoa.archive.models import Document, RegisterEntry

from .models import UseEvent, UseKind


def use_record(
    *,
    actor: Any,
    kind: UseKind | str,
    document: Document | None = None,
    entry: RegisterEntry | None = None,
    note: str = "",
) -> UseEvent:
    """One use of a document or of a paper register entry (exactly one of them, or both when the entry's
    paper was digitized into that document)."""
    if document is None and entry is None:
        raise ValueError("a use needs a document or a register entry")
    unit_id = document.unit_id if document is not None else entry.unit_id  # type: ignore[union-attr]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return UseEvent.objects.create(
        kind=kind,
        at=timezone.now(),
        actor=actor if authenticated else None,
        unit_id=unit_id,
        document=document,
        register_entry=entry,
        note=note[:300],
    )
