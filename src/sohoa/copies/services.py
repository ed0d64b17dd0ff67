"""Making a copy of a classified document: stamp it, number it, register it and audit it, all at once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sohoa.archive.models import Document
from sohoa.core import audit
from sohoa.digitization import storage
from sohoa.security import watermark

from .models import SecretCopy


@dataclass(frozen=True)
class Copy:
    """A registered copy and the stamped bytes to hand out."""

    row: SecretCopy
    data: bytes


def unit_of(user: Any, document: Document) -> Any:
    """The user's unit named on the copy: the one that holds the document (or an ancestor of it), else
    their first unit."""
    units = list(user.units.order_by("pk"))
    path = getattr(document.unit, "path", "") or ""
    for unit in units:
        if unit.path and path.startswith(unit.path):
            return unit
    return units[0] if units else None


def make_copy(*, user: Any, document: Document, purpose: str) -> Copy:
    """A new numbered copy of the document's archival PDF, stamped for `user` (decision 0022).

    The number is the next one of this document's register: the document row is locked (PostgreSQL;
    SQLite transactions here are IMMEDIATE, so writers are serialized anyway) and a unique constraint
    backs it, so two copies never share a number and a failure leaves no gap (the whole transaction rolls
    back, file and all).
    """
    if purpose not in SecretCopy.Purpose.values:
        raise ValueError(f"unknown copy purpose {purpose!r}")
    source = storage.read_plain(document.digital_copy.archival_path, f"document:{document.pk}")
    unit = unit_of(user, document)
    user_name = user.get_full_name() or user.get_username()
    if user.get_full_name():
        user_name = f"{user_name} ({user.get_username()})"
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).values_list("pk").first()
        last = SecretCopy.objects.filter(document=document).aggregate(n=Max("number"))["n"] or 0
        row = SecretCopy.objects.create(
            document=document,
            number=last + 1,
            user=user,
            user_name=user_name[:300],
            unit=unit,
            unit_name=(unit.name if unit else "")[:500],
            purpose=purpose,
            level=document.confidentiality,
            created_at=timezone.now(),
        )
        row.mark = watermark.mark_mac(row.pk, document.pk, user.pk)
        band = watermark.Band(
            level=row.level,
            number=row.number,
            user=row.user_name,
            unit=row.unit_name,
            at=timezone.localtime(row.created_at).strftime("%d/%m/%Y %H:%M"),
        )
        data = watermark.stamp_pdf(source, band=band, mark=watermark.mark_value(row.pk, row.mark))
        row.sha256 = hashlib.sha256(data).hexdigest()
        row.save(update_fields=["mark", "sha256"])
        audit.record(
            "copy",
            actor=user,
            obj=document,
            details={"copy": row.number, "copy_id": row.pk, "purpose": purpose, "sha256": row.sha256},
        )
    return Copy(row=row, data=data)
