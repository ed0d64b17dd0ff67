"""Writes of the digitization app: hand a file in, retry or discard a quarantined one; QC decisions and
page rescans."""

from __future__ import annotations

import shutil
import uuid
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.archive.models import Record, RegisterEntry
from sohoa.core import audit, policy
from sohoa.registry.models import Unit

from . import pages, secrecy, storage
from .models import Intake, Page, PageReplacement, PageReview, QcIssue
from .pipeline import safe_name
from .sniff import sniff


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
    classified = secrecy.is_classified(confidentiality)
    # A classified original is encrypted with the intake's own key as it is stored, so the row (whose id
    # names the key) comes first, in the same transaction: a failure leaves neither row, key nor file.
    rel, sha, size = ("", "", 0) if classified else storage.store_original(file)
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
        if classified:
            rel, sha, size = storage.store_original(file, key=secrecy.intake_key(intake))
            intake.original_path, intake.sha256, intake.size = rel, sha, size
            intake.save(update_fields=["original_path", "sha256", "size"])
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
    """Give up on a failed intake; its original is deleted unless something else holds the same bytes."""
    if intake.status != Intake.Status.FAILED:
        raise ValidationError(_("Only failed intakes can be discarded."))
    with transaction.atomic():
        intake.status = Intake.Status.DISCARDED
        intake.save(update_fields=["status", "updated_at"])
        audit.record("discard", actor=actor, obj=intake, details={"sha256": intake.sha256})
        # The same bytes may be another intake's original or a page rescan's (one content-addressed store).
        still_used = (
            Intake.objects.filter(original_path=intake.original_path).exclude(status=Intake.Status.DISCARDED).exists()
            or PageReplacement.objects.filter(original_path=intake.original_path).exists()
        )
        if not still_used:
            transaction.on_commit(lambda: storage.path(intake.original_path).unlink(missing_ok=True))
    return intake


# ---- quality control --------------------------------------------------------------------------------


def can_review(user: Any, obj: Any) -> bool:
    """QC roles (the writers of PageReview in core/policy.py) on an intake or page in their scope."""
    return policy.can_create(user, PageReview) and policy.can_see(user, obj)


def _reviewable(intake: Intake) -> None:
    if intake.status != Intake.Status.DONE or intake.document_id is None:
        raise ValidationError(_("Only digitized documents can be checked."))


def qc_accept(*, actor: Any, intake: Intake) -> int:
    """Accept every page of the document still awaiting QC; pages sent back stay on the rework list.
    Returns the number of pages accepted."""
    if not can_review(actor, intake):
        raise PermissionDenied(_("Your role may not check digitized pages."))
    _reviewable(intake)
    with transaction.atomic():
        waiting = list(
            Page.objects.select_for_update().filter(intake=intake, qc_status=Page.QcStatus.PENDING).order_by("number")
        )
        now = timezone.now()
        Page.objects.filter(pk__in=[p.pk for p in waiting]).update(
            qc_status=Page.QcStatus.ACCEPTED, qc_reason="", qc_note="", qc_by=actor, qc_at=now
        )
        PageReview.objects.bulk_create(
            [PageReview(page=p, decision=PageReview.Decision.ACCEPT, revision=p.revision, actor=actor) for p in waiting]
        )
        audit.record(
            "qc_accept",
            actor=actor,
            obj=intake.document,
            details={"intake": intake.pk, "pages": [p.number for p in waiting]},
        )
    return len(waiting)


def qc_reject(*, actor: Any, page: Page, reason: str, note: str = "") -> Page:
    """Send one page back to its operator for rescanning, with the reason shown on the rework list."""
    if not can_review(actor, page):
        raise PermissionDenied(_("Your role may not check digitized pages."))
    _reviewable(page.intake)
    note = note.strip()
    if reason not in QcIssue.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == QcIssue.OTHER and not note:
        raise ValidationError({"note": _("Describe the problem when the reason is “other”.")})
    if len(note) > 300:
        raise ValidationError({"note": _("The note is longer than 300 characters.")})
    with transaction.atomic():
        locked = Page.objects.select_for_update().get(pk=page.pk)
        if locked.replacements.filter(status=PageReplacement.Status.QUEUED).exists():
            raise ValidationError(_("A new scan of this page is being processed; check it when it is done."))
        locked.qc_status, locked.qc_reason, locked.qc_note = Page.QcStatus.REJECTED, reason, note
        locked.qc_by, locked.qc_at = actor, timezone.now()
        locked.save(update_fields=["qc_status", "qc_reason", "qc_note", "qc_by", "qc_at"])
        PageReview.objects.create(
            page=locked,
            decision=PageReview.Decision.REJECT,
            reason=reason,
            note=note,
            revision=locked.revision,
            actor=actor,
        )
        audit.record(
            "qc_reject",
            actor=actor,
            obj=locked,
            details={"document": locked.document_id, "page": locked.number, "reason": reason, "note": note},
        )
    return locked


def _still_referenced(rel: str) -> bool:
    return (
        Intake.objects.filter(original_path=rel).exists() or PageReplacement.objects.filter(original_path=rel).exists()
    )


def page_replace(*, actor: Any, page: Page, file: IO[bytes], name: str, enqueue: bool = True) -> PageReplacement:
    """Take a rescan of a rejected page: checked at once (one page of an image or PDF), stored as an
    original, then OCR and the new archival copy run in the background (`rework.process_replacement`).

    A refused file changes nothing: the page stays on the rework list with its reason, and the
    uploaded bytes are not kept (unless they are some other intake's original)."""
    if actor is not None:
        if not policy.can_create(actor, PageReplacement) or not policy.can_see(actor, page):
            raise PermissionDenied(_("Your role may not rescan pages."))
    page = Page.objects.get(pk=page.pk)  # the QC state as it is now, not as the caller read it
    if page.qc_status != Page.QcStatus.REJECTED:
        raise ValidationError(_("Only pages sent back by QC can be replaced."))
    if page.replacements.filter(status=PageReplacement.Status.QUEUED).exists():
        raise ValidationError(_("A new scan of this page is already being processed."))
    key = secrecy.intake_key(page.intake)  # a classified intake's rescan is encrypted with its key
    rel, sha, size = storage.store_original(file, key=key)
    stored = storage.path(rel)
    check_dir = storage.secure_check_dir() if key is not None else None
    try:
        plain = storage.plain_copy(rel, key, check_dir, "scan") if check_dir is not None else stored
        mime = sniff(plain) if size else None
        if mime is None:
            raise ValidationError(_("The new scan must be an image (TIFF, JPEG, PNG, WebP, HEIC) or a PDF."))
        try:
            count = pages.count_pages(plain, mime)
        except Exception:  # pikepdf and Pillow raise many kinds for broken files
            raise ValidationError(_("The file is damaged or truncated and cannot be read.")) from None
        if count != 1:
            raise ValidationError(
                _("The new scan must be exactly one page; this file has %(count)d.") % {"count": count}
            )
    except ValidationError:
        if not _still_referenced(rel):
            stored.unlink(missing_ok=True)
        raise
    finally:
        if check_dir is not None:
            shutil.rmtree(check_dir, ignore_errors=True)
    shown_name, _renamed = safe_name(name)
    with transaction.atomic():
        # Checked again under the page's row lock: two uploads at once (a double submit, two operators)
        # must not both become revision n+1 of the same page.
        page = Page.objects.select_for_update().get(pk=page.pk)
        busy = (
            page.qc_status != Page.QcStatus.REJECTED
            or page.replacements.filter(status=PageReplacement.Status.QUEUED).exists()
        )
        if not busy:
            rep = PageReplacement.objects.create(
                page=page,
                revision=page.revision + 1,
                reason=page.qc_reason,
                original_name=shown_name,
                original_path=rel,
                original_sha256=sha,
                original_size=size,
                original_mime=mime,
                created_by=actor,
            )
            audit.record(
                "upload",
                actor=actor,
                obj=page,
                details={"replacement": rep.pk, "sha256": sha, "size": size, "name": name[:300], "page": page.number},
            )
            if enqueue:
                from .tasks import rescan_page

                transaction.on_commit(lambda: rescan_page(rep.pk))
    if busy:
        if not _still_referenced(rel):
            stored.unlink(missing_ok=True)
        raise ValidationError(_("A new scan of this page is already being processed."))
    return rep
