"""Append to and verify the hash-chained audit log.

Every row's hash is SHA-256 over the previous row's hash and the row's own canonical content, so an
edit or deletion anywhere breaks the chain from that row on. `AuditHead` holds the last link; appends
lock it, which serializes writers on PostgreSQL (SQLite serializes write transactions anyway).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .middleware import current_ip
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> str:
    content = [
        event.seq,
        event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.actor_id,
        event.actor_username,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.ip,
        event.details,
    ]
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _without_nul(obj: dict[str, Any]) -> dict[str, Any]:
    """NUL written out as "\\x00": PostgreSQL's jsonb cannot hold it, and a hostile file name must
    still be recorded as it came."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("\x00", "\\x00")
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return {clean(k): clean(v) for k, v in obj.items()}


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event; call inside the caller's transaction so the row commits with the change."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    ip = ip if ip is not None else current_ip()
    if ip:
        # Hash the address as the database will store it (IPv6 is normalized: 2001:DB8::1 → 2001:db8::1).
        ip = AuditEvent._meta.get_field("ip").get_prep_value(ip)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=actor.pk if authenticated else None,
            actor_username=actor.get_username() if authenticated else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:300],
            ip=ip,
            details=json.loads(json.dumps(details or {}, default=str), object_hook=_without_nul),
            prev_hash=head.hash,
        )
        event.hash = compute_hash(head.hash, event)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def verify() -> VerifyResult:
    """Walk the chain from the start; report the first row whose link or content does not hold."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for event in _events():
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, _("row #%(seq)d is missing") % {"seq": expected_seq})
        if event.prev_hash != prev_hash:
            return VerifyResult(
                False, checked, event.seq, _("row #%(seq)d does not link to the row before it") % {"seq": event.seq}
            )
        if compute_hash(prev_hash, event) != event.hash:
            return VerifyResult(
                False, checked, event.seq, _("row #%(seq)d was changed after it was written") % {"seq": event.seq}
            )
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return VerifyResult(
            False,
            checked,
            checked + 1,
            _("rows after #%(seq)d are missing (the last written was #%(head)d)") % {"seq": checked, "head": head.seq},
        )
    return VerifyResult(True, checked)
