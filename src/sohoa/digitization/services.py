"""Writes of the digitization app: hand a file in, retry or discard a quarantined one."""

from __future__ import annotations

import uuid
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sohoa.archive.models import Record, RegisterEntry
from sohoa.core import audit, policy
from sohoa.registry.models import Unit

from . import storage
from .models import Intake
from .pipeline import safe_name


def intake_create(
    *,
    actor: Any,
    file: IO[bytes],
    name: str,
    unit: Unit,
    source: str,
    batch: uuid.UUID | None = None,
    record: Record | None = None,
    register_entry: RegisterEntry | None = None,
    confidentiality: int = 0,
    force_ocr: bool = False,
    enqueue: bool = True,
) -> Intake:
    """Store the original byte for byte (nothing is lost, whatever follows) and queue it for the pipeline."""
    if actor is not None:
        if not policy.can_create(actor, Intake):
            raise PermissionDenied(_("Your role may not digitize documents."))
        if not policy.unit_in_scope(actor, unit):
            raise ValidationError({"unit": _("You can only work with units in your scope.")})
        if not policy.level_allowed(actor, confidentiality):
            raise ValidationError({"confidentiality": _("This level is above your clearance.")})
        if record is not None and not policy.can_see(actor, record):
            raise ValidationError({"record": _("Unknown record.")})
        if register_entry is not None and not policy.can_see(actor, register_entry):
            raise ValidationError({"register_entry": _("Unknown register entry.")})
    rel, sha, size = storage.store_original(file)
    shown_name, renamed = safe_name(name)
    with transaction.atomic():
        intake = Intake.objects.create(
            batch=batch or uuid.uuid4(),
            source=source,
            original_name=shown_name,
            size=size,
            sha256=sha,
            original_path=rel,
            unit=unit,
            record=record,
            register_entry=register_entry,
            confidentiality=confidentiality,
            force_ocr=force_ocr,
            created_by=actor,
            flags=["name_sanitized"] if renamed else [],
        )
        audit.record(
            "upload",
            actor=actor,
            obj=intake,
            details={"sha256": sha, "size": size, "source": source, "name": name[:300]},
        )
        if enqueue:
            from .tasks import ingest

            transaction.on_commit(lambda: ingest(intake.pk))
    return intake


def intake_retry(*, actor: Any, intake: Intake) -> Intake:
    """Send a failed intake through the pipeline again (e.g. after installing a missing language)."""
    if intake.status != Intake.Status.FAILED:
        raise ValidationError(_("Only failed intakes can be retried."))
    from .tasks import ingest

    with transaction.atomic():
        intake.status, intake.error, intake.error_params, intake.step = Intake.Status.QUEUED, "", {}, ""
        intake.save(update_fields=["status", "error", "error_params", "step", "updated_at"])
        intake.pages.update(done=False)
        audit.record("retry", actor=actor, obj=intake)
        transaction.on_commit(lambda: ingest(intake.pk))
    return intake


def intake_discard(*, actor: Any, intake: Intake) -> Intake:
    """Give up on a failed intake; its original is deleted unless another intake holds the same bytes."""
    if intake.status != Intake.Status.FAILED:
        raise ValidationError(_("Only failed intakes can be discarded."))
    with transaction.atomic():
        intake.status = Intake.Status.DISCARDED
        intake.save(update_fields=["status", "updated_at"])
        audit.record("discard", actor=actor, obj=intake, details={"sha256": intake.sha256})
        still_used = (
            Intake.objects.filter(original_path=intake.original_path).exclude(status=Intake.Status.DISCARDED).exists()
        )
        if not still_used:
            transaction.on_commit(lambda: storage.path(intake.original_path).unlink(missing_ok=True))
    return intake
