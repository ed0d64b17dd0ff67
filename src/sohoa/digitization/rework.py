"""A rescan of one rejected page: the page step again, then the page spliced into a new archival PDF/A.

The superseded archival file is kept (under its own name, still under fixity through the
replacement row) and the DigitalCopy points at the new one with its new checksum: archival bytes that
were once recorded are never overwritten, so a fixity run after a rescan finds every file as recorded.

Two rescans of pages of the same document may finish together. Each builds its PDF from the archival
copy it read and records it only if the copy is still that one (a compare-and-set on the checksum);
the loser builds again from the winner's file. No lock is held while OCR or qpdf run.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from sohoa.core import audit

from . import ocr, pages, pdfa, pipeline, secrecy, storage
from .models import DigitalCopy, Page, PageReplacement, QcIssue

log = logging.getLogger(__name__)
ATTEMPTS = 5


def _work_dir(replacement_id: int, *, secure: bool = False) -> Path:
    """A classified page's rescan works in the secure work dir (plaintext pages never touch the data dir)."""
    base = storage.secure_root() if secure else storage.root() / "work"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=base, prefix=f"rescan-{replacement_id}-"))


def _fail(rep: PageReplacement, message: str, **params: object) -> None:
    with transaction.atomic():
        rep.status, rep.error, rep.error_params = PageReplacement.Status.FAILED, message, params
        rep.save(update_fields=["status", "error", "error_params"])
        audit.record(
            "page_replace_failed",
            actor=rep.created_by,
            obj=rep.page,
            details={"replacement": rep.pk, "error": message % params if params else message},
        )


def process_replacement(replacement_id: int) -> PageReplacement:
    """Task body; safe to run again (a replacement that is no longer queued is left alone)."""
    rep = PageReplacement.objects.select_related("page__intake__unit", "page__document").get(pk=replacement_id)
    if rep.status != PageReplacement.Status.QUEUED:
        return rep
    key = secrecy.intake_key(rep.page.intake)
    work = _work_dir(rep.pk, secure=key is not None)
    loaded = None
    try:
        try:
            scan = storage.plain_copy(rep.original_path, key, work, "scan")
            loaded = pages.load_page(scan, rep.original_mime, 1)
            rec = pipeline.recognize_scan(loaded, work / "page")
        except pages.PageError as exc:
            _fail(rep, exc.message, **exc.params)
            return rep
        except ocr.OcrError:
            _fail(rep, gettext_noop("The new scan could not be recognized (OCR failed)."))
            return rep
        _splice(rep, rec, work, key)
    except Exception:
        log.exception("rescan %s of page %s failed", rep.pk, rep.page_id)
        _fail(rep, gettext_noop("The new scan could not be processed; the page keeps its earlier scan."))
    finally:
        if loaded is not None:
            loaded.image.close()  # after the thumbnail: an uncorrected page's image is the loaded one
        shutil.rmtree(work, ignore_errors=True)
    return rep


def _splice(rep: PageReplacement, rec: pipeline.Recognized, work: Path, key: bytes | None) -> None:
    page = rep.page
    intake, document = page.intake, page.document
    assert document is not None  # a page is rejected only once its document exists (services check)
    metadata = {
        "title": document.subject,
        "creator": intake.unit.name,
        "subject": "",
        "keywords": "",
        "language": document.language or "vi",
    }
    # The replacement's own id in the name: a name once recorded is never written again.
    new_rel = f"archival/{intake.unit.code}/{timezone.now():%Y}/{intake.pk}-p{page.number}-r{rep.revision}-{rep.pk}.pdf"
    for _attempt in range(ATTEMPTS):
        current = DigitalCopy.objects.get(document=document)
        out = work / f"archival-{uuid.uuid4().hex[:8]}.pdf"
        archival = storage.plain_copy(current.archival_path, key, work, f"current-{uuid.uuid4().hex[:8]}.pdf")
        pdfa.replace_page(archival, page.number, rec.result.pdf, out, **metadata)
        # Not yet recorded anywhere, so (re)writing this name is safe; recorded only by the update below.
        # Classified: encrypted on the way, and the checksum is the stored ciphertext's (what fixity reads).
        sha = storage.put_file(new_rel, out, key)
        size = storage.path(new_rel).stat().st_size
        with transaction.atomic():
            won = DigitalCopy.objects.filter(
                pk=current.pk, archival_path=current.archival_path, archival_sha256=current.archival_sha256
            ).update(archival_path=new_rel, archival_sha256=sha, archival_size=size)
            if not won:
                continue  # another page of this document was replaced meanwhile: splice into that one
            locked = Page.objects.select_for_update().get(pk=page.pk)
            pipeline.record_scan(locked, rec, revision=rep.revision, key=key)
            locked.revision = rep.revision
            locked.qc_status, locked.qc_reason, locked.qc_note = Page.QcStatus.PENDING, "", ""
            locked.qc_by, locked.qc_at = None, None
            locked.save()
            low = any(
                QcIssue.LOW_DPI in issues
                for issues in Page.objects.filter(document=document).values_list("qc_issues", flat=True)
            )
            DigitalCopy.objects.filter(pk=current.pk).update(low_dpi=low)
            rep.status, rep.done_at = PageReplacement.Status.DONE, timezone.now()
            rep.previous_archival_path, rep.previous_archival_sha256 = current.archival_path, current.archival_sha256
            rep.archival_path, rep.archival_sha256 = new_rel, sha
            rep.save()
            audit.record(
                "page_replace",
                actor=rep.created_by,
                obj=document,
                details={
                    "page": page.number,
                    "revision": rep.revision,
                    "reason": rep.reason,
                    "original_sha256": rep.original_sha256,
                    "previous_archival_sha256": current.archival_sha256,
                    "archival_sha256": sha,
                    "qc_issues": locked.qc_issues,
                },
            )
        return
    raise RuntimeError(f"archival copy of document {document.pk} kept changing; gave up after {ATTEMPTS} tries")
