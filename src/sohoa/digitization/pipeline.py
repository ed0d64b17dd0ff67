"""The digitization pipeline: ordered steps with one interface, a stop exception, and progress.

An intake goes through three stages, each safe to run again after a crash (work already done is
skipped, files are written under temporary names and renamed):

1. `prepare(intake_id)`: sniff → preflight → deduplicate → split (page rows) — once per intake;
2. `process_page(intake_id, n)`: load → prepare image → OCR → thumbnail → QC checks → record — per
   page, in parallel across pages and documents (a QC rescan of one page reuses it, see rework.py);
3. `finish(intake_id)`: assemble PDF/A → checksums → register the document — once all pages are done.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import unicodedata
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from PIL import Image

from sohoa.archive.models import Confidence, Document
from sohoa.archive.services import document_save
from sohoa.core import audit
from sohoa.security import envelope

from . import ocr, pages, pdfa, qc, secrecy, signals, storage
from .imaging import PreparedPage, prepare_page
from .models import DigitalCopy, Intake, Page
from .sniff import sniff

log = logging.getLogger(__name__)
THUMB_SIZE = (240, 340)


class Stop(Exception):  # noqa: N818  (a control-flow signal, not an error of the pipeline)
    """Ends an intake early: `message` is a translatable msgid shown to the user with `params`."""

    def __init__(
        self, message: str, *, status: str = Intake.Status.FAILED, params: dict[str, object] | None = None, **kw: object
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.params = message, status, {**(params or {}), **kw}


@dataclass
class Context:
    intake: Intake
    file: Path
    key: bytes | None = None  # the intake's data key when it is classified
    mime: str = ""
    page_count: int = 0
    flags: list[str] = field(default_factory=list)


class Step(Protocol):
    name: str

    def run(self, ctx: Context) -> None: ...


# ---- stage 1: the intake as a whole ----------------------------------------------------------------


class Sniff:
    name = "sniff"

    def run(self, ctx: Context) -> None:
        if ctx.file.stat().st_size == 0:
            raise Stop(gettext_noop("The file is empty (0 bytes)."))
        mime = sniff(ctx.file)
        if mime is None:
            raise Stop(
                gettext_noop("Unsupported file type: only PDF, TIFF, JPEG, PNG, WebP and HEIC can be digitized.")
            )
        ctx.mime = mime


class Preflight:
    name = "preflight"

    def run(self, ctx: Context) -> None:
        limits = settings.DIGITIZATION
        if ctx.file.stat().st_size > limits["MAX_BYTES"]:
            raise Stop(gettext_noop("The file is larger than %(limit)d MB."), limit=limits["MAX_BYTES"] // 2**20)
        try:
            ctx.page_count = pages.count_pages(ctx.file, ctx.mime)
        except pages.PageError as exc:
            raise Stop(exc.message, params=exc.params) from None
        except Exception as exc:  # pikepdf and Pillow raise many kinds for broken files
            import pikepdf

            if isinstance(exc, pikepdf.PasswordError):
                raise Stop(
                    gettext_noop("The PDF is encrypted with a password; remove the password and upload it again.")
                ) from None
            if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
                raise Stop(
                    gettext_noop("The image is too large (more than %(limit)d million pixels)."),
                    limit=limits["MAX_PIXELS"] // 1_000_000,
                ) from None
            raise Stop(gettext_noop("The file is damaged or truncated and cannot be read.")) from None
        if ctx.page_count == 0:
            raise Stop(gettext_noop("The file has no pages."))
        if ctx.page_count > limits["MAX_PAGES"]:
            raise Stop(
                gettext_noop("The file has %(pages)d pages; at most %(limit)d are accepted in one file. Split it."),
                pages=ctx.page_count,
                limit=limits["MAX_PAGES"],
            )
        if ctx.mime == pages.PDF and not ctx.intake.force_ocr and pages.born_digital(ctx.file, ctx.page_count):
            ctx.flags.append("born_digital")


class Deduplicate:
    name = "deduplicate"

    def run(self, ctx: Context) -> None:
        copy = DigitalCopy.objects.filter(original_sha256=ctx.intake.sha256).select_related("document").first()
        if copy is not None:
            ctx.intake.document = copy.document
            raise Stop(
                gettext_noop("The same file was already digitized as document #%(document)d."),
                status=Intake.Status.DUPLICATE,
                document=copy.document_id,
            )
        earlier = (
            Intake.objects.filter(sha256=ctx.intake.sha256, pk__lt=ctx.intake.pk)
            .exclude(status__in=[Intake.Status.FAILED, Intake.Status.DISCARDED, Intake.Status.DUPLICATE])
            .first()
        )
        if earlier is not None:
            raise Stop(
                gettext_noop("The same file is already being digitized (intake #%(intake)d)."),
                status=Intake.Status.DUPLICATE,
                intake=earlier.pk,
            )


class Split:
    name = "split"

    def run(self, ctx: Context) -> None:
        existing = set(Page.objects.filter(intake=ctx.intake).values_list("number", flat=True))
        Page.objects.bulk_create(
            [Page(intake=ctx.intake, number=n) for n in range(1, ctx.page_count + 1) if n not in existing]
        )


INTAKE_STEPS: Sequence[Step] = (Sniff(), Preflight(), Deduplicate(), Split())


def _fail(intake: Intake, stop: Stop) -> None:
    intake.status, intake.error, intake.error_params = stop.status, stop.message, stop.params
    intake.save(update_fields=["status", "error", "error_params", "document", "updated_at"])
    audit.record(
        "digitize_" + stop.status,
        obj=intake,
        details={"error": stop.message % stop.params if stop.params else stop.message},
    )
    storage.remove_work_dir(intake.pk)
    _sweep_partial_thumbs(intake.pk)
    transaction.on_commit(lambda: signals.announce(signals.intake_failed, intake=intake))


def prepare(intake_id: int) -> list[int]:
    """Stage 1. Returns the page numbers still to process (none when the intake stopped or is done)."""
    intake = Intake.objects.get(pk=intake_id)
    if intake.finished:
        return []
    key = secrecy.intake_key(intake)
    try:
        file = original_file(intake, key)
    except Exception:  # noqa: BLE001 - a sealed original that does not open: kept, the intake fails
        log.exception("the original of intake %s cannot be opened", intake.pk)
        _fail(intake, Stop(gettext_noop("The file is damaged or truncated and cannot be read.")))
        return []
    ctx = Context(intake=intake, file=file, key=key)
    try:
        for step in INTAKE_STEPS:
            Intake.objects.filter(pk=intake.pk).update(step=step.name, status=Intake.Status.PROCESSING)
            step.run(ctx)
    except Stop as stop:
        _fail(intake, stop)
        return []
    flags = sorted(set(intake.flags) | set(ctx.flags))
    Intake.objects.filter(pk=intake.pk).update(mime=ctx.mime, pages_total=ctx.page_count, flags=flags, step="ocr")
    return list(Page.objects.filter(intake=intake, done=False).values_list("number", flat=True))


# ---- stage 2: one page -----------------------------------------------------------------------------


def original_file(intake: Intake, key: bytes | None) -> Path:
    """The original as a plaintext file: the stored one, or for a classified intake its decryption in
    the secure work dir (made once per intake, removed with the work dir)."""
    if key is None:
        return storage.path(intake.original_path)
    return storage.plain_copy(intake.original_path, key, storage.work_dir(intake.pk, secure=True), "original")


def _page_base(intake: Intake, number: int) -> Path:
    secure = secrecy.is_classified(intake.confidentiality)
    return storage.work_dir(intake.pk, secure=secure) / f"p{number:05d}"


def _save_for_ocr(image: Image.Image, base: Path, dpi: int) -> Path:
    if image.mode in ("RGB", "RGBA", "CMYK", "P"):
        out = base.with_suffix(".jpg")
        image.convert("RGB").save(out, "JPEG", quality=90, dpi=(dpi, dpi))
    else:
        out = base.with_suffix(".png")
        # Tesseract embeds these PNG bytes as they are (Flate) in the page PDF: Z_RLE is ~15% faster
        # than the default strategy and ~14% smaller on 300-dpi scans, still lossless (benchmarks/).
        image.save(out, "PNG", compress_level=1, compress_type=zlib.Z_RLE, dpi=(dpi, dpi))
    return out


_ROTATE = re.compile(r"Rotate:\s*(\d+)")


def _osd_rotation(image_file: Path) -> int:
    """Tesseract's orientation detection; only asked when a page reads badly (it costs a second)."""
    proc = subprocess.run(
        ["tesseract", str(image_file), "-", "--psm", "0"],
        capture_output=True,
        timeout=120,
        env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    match = _ROTATE.search(proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace"))
    return int(match.group(1)) if match else 0


def _thumbnail(
    image: Image.Image, intake_id: int, number: int, *, revision: int = 0, key: bytes | None = None
) -> tuple[str, float]:
    """Write the page's thumbnail; returns its path and its ink share (the blank-page check, measured
    on the thumbnail's few thousand pixels rather than the full page). A rescan gets its own file name,
    so a browser's cached thumbnail of the rejected scan is never shown for the new one."""
    thumb = image.convert("L" if image.mode in ("1", "L", "I;16") else "RGB")
    thumb.thumbnail(THUMB_SIZE, Image.Resampling.BILINEAR, reducing_gap=2.0)
    suffix = f"-r{revision}" if revision else ""
    rel = f"thumbs/{intake_id}/{number:05d}{suffix}.jpg"
    if key is None:
        with storage.atomic_write(rel) as out:
            thumb.save(out, "JPEG", quality=80)
    else:  # classified: encrypted in memory, the plain JPEG never reaches the disk
        import io

        buf = io.BytesIO()
        thumb.save(buf, "JPEG", quality=80)
        buf.seek(0)
        storage.put_sealed(rel, buf, key)
    return rel, qc.ink_share(thumb)


def process_page(intake_id: int, number: int) -> None:
    """Stage 2 for one page; a page already done (row and file) is skipped."""
    intake = Intake.objects.get(pk=intake_id)
    page = Page.objects.get(intake_id=intake_id, number=number)
    base = _page_base(intake, number)
    if intake.finished or (page.done and base.with_suffix(".pdf").exists()):
        return
    key = secrecy.intake_key(intake)
    file = original_file(intake, key)
    if "born_digital" in intake.flags:
        _born_digital_page(intake, page, file, key)
    else:
        _scanned_page(intake, page, file, base, key)
    # A count, not an increment: a page processed twice (after a crash, by two workers) counts once.
    done = Page.objects.filter(intake_id=intake_id, done=True).count()
    Intake.objects.filter(pk=intake_id).update(pages_done=done, updated_at=timezone.now())


@dataclass
class Recognized:
    """A scanned page after preparation and OCR; `result.pdf` is still under the attempt's own name."""

    image: Image.Image
    dpi: int
    low_dpi: bool
    result: ocr.OcrResult
    attempt: Path


def prepare_loaded(loaded: pages.LoadedPage) -> PreparedPage:
    """A loaded page made upright, level and of a known dpi, by the configured limits."""
    limits = settings.DIGITIZATION
    return prepare_page(
        loaded.image,
        source_dpi=loaded.dpi,
        is_photo=loaded.is_photo,
        target_dpi=limits["TARGET_DPI"],
        min_dpi=limits["MIN_DPI"],
    )


def recognize_scan(loaded: pages.LoadedPage, base: Path) -> Recognized:
    """Prepare one loaded page and OCR it into a one-page PDF beside `base` (the shared page work of
    the pipeline and of a page rescan)."""
    limits = settings.DIGITIZATION
    prepared = prepare_loaded(loaded)
    image = prepared.image
    # Each attempt writes under its own name and renames the finished PDF into place: a crash or a
    # second worker on the same page never leaves a partial file under the page's real name.
    attempt = base.with_name(f"{base.name}-{uuid.uuid4().hex[:8]}")
    engine = ocr.engine()

    def recognize(image_file: Path) -> ocr.OcrResult:
        return engine.recognize(image_file, attempt, languages=limits["LANGUAGES"], dpi=prepared.dpi)

    if loaded.jpeg is not None and image is loaded.image:
        # Nothing was corrected: Tesseract reads and embeds the scanner's JPEG as it is (no encoding
        # cost, and the archival page is the scan itself, about a third of a lossless PNG's size).
        image_file = attempt.with_suffix(".jpg")
        image_file.write_bytes(loaded.jpeg)
        try:
            result = recognize(image_file)
        except ocr.OcrError:  # a JPEG variant Tesseract cannot read: give it the decoded pixels
            result = recognize(image_file := _save_for_ocr(image, attempt, prepared.dpi))
    else:
        result = recognize(image_file := _save_for_ocr(image, attempt, prepared.dpi))
    if (result.confidence or 0) < 40:
        rotation = _osd_rotation(image_file)
        if rotation:
            image = image.rotate(-rotation, expand=True)
            result = recognize(image_file := _save_for_ocr(image, attempt, prepared.dpi))
    return Recognized(image=image, dpi=prepared.dpi, low_dpi=prepared.low_dpi, result=result, attempt=attempt)


def _sweep_attempt(attempt: Path) -> None:
    for leftover in attempt.parent.glob(attempt.name + ".*"):
        leftover.unlink(missing_ok=True)


def record_scan(page: Page, rec: Recognized, *, revision: int = 0, key: bytes | None = None) -> None:
    """Thumbnail, text, size and the automatic QC checks of a recognized page, set on its row (the
    caller saves it). With the intake's data `key` (classified) the thumbnail is encrypted and the
    text sealed before anything is written."""
    page.thumb_path, ink = _thumbnail(rec.image, page.intake_id, page.number, revision=revision, key=key)
    page.width, page.height, page.dpi = rec.image.width, rec.image.height, rec.dpi
    result = rec.result
    words = result.words if result.words is not None else qc.count_words(result.text)
    page.text, page.confidence, page.done = secrecy.seal(key, result.text), result.confidence, True
    page.ink, page.skew = round(ink, 5), result.skew
    page.qc_issues = qc.issues(
        qc.Measures(ink=ink, words=words, confidence=result.confidence, skew=result.skew, low_dpi=rec.low_dpi)
    )


def _scanned_page(intake: Intake, page: Page, file: Path, base: Path, key: bytes | None) -> None:
    loaded = pages.load_page(file, intake.mime, page.number)
    rec = recognize_scan(loaded, base)
    if page.number == 1 and rec.result.tsv is not None:
        # Kept until the document exists: its header is read from these word boxes (extraction).
        base.with_suffix(".tsv").write_text(rec.result.tsv, encoding="utf-8")
    os.replace(rec.result.pdf, base.with_suffix(".pdf"))
    _sweep_attempt(rec.attempt)
    record_scan(page, rec, key=key)
    page.done_at = timezone.now()
    page.save()
    loaded.image.close()  # a multi-page TIFF keeps its file open until then
    if rec.low_dpi:
        _flag(intake, "low_dpi")


def _born_digital_page(intake: Intake, page: Page, file: Path, key: bytes | None) -> None:
    n = str(page.number)
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", n, "-l", n, str(file), "-"], capture_output=True, timeout=120, check=False
    ).stdout.decode(errors="replace")
    loaded = pages._render_pdf_page(file, page.number, dpi=40)
    page.thumb_path, page.ink = _thumbnail(loaded.image, intake.pk, page.number, key=key)
    page.width, page.height, page.dpi = loaded.image.width, loaded.image.height, 0
    # No scan checks: the text is the author's own and the page was never scanned (an intentionally
    # blank page of a born-digital file is not a scanning fault).
    page.text, page.done, page.done_at = secrecy.seal(key, text.strip()), True, timezone.now()
    page.save()
    _page_base(intake, page.number).with_suffix(".pdf").touch()  # marks the page as done on disk too


def _flag(intake: Intake, flag: str) -> None:
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if flag not in locked.flags:
            locked.flags = [*locked.flags, flag]
            locked.save(update_fields=["flags"])


# ---- stage 3: the archival copy and the document ---------------------------------------------------


def _provisional_subject(name: str) -> str:
    stem = Path(name).stem.replace("_", " ").strip()
    return stem or name


def finish(intake_id: int) -> Document | None:
    """Stage 3, once every page is done: PDF/A, checksums, the document. Safe to call repeatedly."""
    intake = Intake.objects.get(pk=intake_id)
    if intake.finished:
        # A late duplicate page task (after a crash) may have written into the work dir again once the
        # document was assembled: every task ends here, so this is where its leftovers go.
        storage.remove_work_dir(intake.pk)
        _sweep_partial_thumbs(intake.pk)
        return intake.document
    if not intake.pages_total or Page.objects.filter(intake=intake, done=False).exists():
        return intake.document
    # One assembler per intake: whoever flips the step wins; the others (the last two pages finishing
    # together) leave. `resume_unfinished` resets the step after a crash.
    if (
        not Intake.objects.filter(pk=intake_id, status=Intake.Status.PROCESSING)
        .exclude(step="assemble")
        .update(step="assemble")
    ):
        return None
    unit = intake.unit
    metadata = {
        "title": _provisional_subject(intake.original_name),
        "creator": unit.name,
        "subject": "",
        "keywords": "",
        "language": "vi",
    }
    key = secrecy.intake_key(intake)
    work = storage.work_dir(intake.pk, secure=key is not None)
    # Own name per assembler: a second one (after `resume_unfinished` reset the step while this one
    # ran) must not write into the same file.
    archival_tmp = work / f"archival-{uuid.uuid4().hex[:8]}.pdf"
    numbers = range(1, intake.pages_total + 1)
    if "born_digital" in intake.flags:
        pdfa.convert_born_digital(original_file(intake, key), archival_tmp, **metadata)
    else:
        pdfa.assemble([_page_base(intake, n).with_suffix(".pdf") for n in numbers], archival_tmp, **metadata)
    archival_rel = f"archival/{unit.code}/{timezone.now():%Y}/{intake.pk}.pdf"
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake_id)
        if intake.finished:
            archival_tmp.unlink(missing_ok=True)
            return intake.document
        # Put in place under the row lock: a losing assembler must never overwrite the winner's
        # file after its checksum was recorded (the XMP dates differ, so fixity would fail). A classified
        # copy is encrypted on the way; its checksum is that of the stored ciphertext (what fixity reads).
        archival_sha = storage.put_file(archival_rel, archival_tmp, key)
        document = document_save(
            actor=None,
            document=Document(
                subject=_provisional_subject(intake.original_name),
                unit=intake.unit,
                creator_unit=intake.unit,
                record=intake.record,
                confidentiality=intake.confidentiality,
                page_count=intake.pages_total,
                confidence=Confidence.BORN_DIGITAL if "born_digital" in intake.flags else Confidence.DIGITIZED,
                notes="",
                created_by=intake.created_by,
            ),
        )
        DigitalCopy.objects.create(
            document=document,
            original_name=intake.original_name,
            original_path=intake.original_path,
            original_sha256=intake.sha256,
            original_size=intake.size,
            original_mime=intake.mime,
            archival_path=archival_rel,
            archival_sha256=archival_sha,
            archival_size=storage.path(archival_rel).stat().st_size,
            page_count=intake.pages_total,
            low_dpi="low_dpi" in intake.flags,
        )
        if key is not None:
            envelope.share_key(secrecy.intake_owner(intake.pk), secrecy.document_owner(document.pk))
        Page.objects.filter(intake=intake).update(document=document)
        # Intakes of the same bytes that arrived while this one ran now point at its document too.
        Intake.objects.filter(sha256=intake.sha256, status=Intake.Status.DUPLICATE, document__isnull=True).update(
            document=document
        )
        if intake.register_entry_id:
            intake.register_entry.document = document  # type: ignore[union-attr]
            intake.register_entry.save(update_fields=["document"])  # type: ignore[union-attr]
        intake.document, intake.status, intake.step = document, Intake.Status.DONE, "done"
        intake.save(update_fields=["document", "status", "step", "updated_at"])
        audit.record(
            "digitize_done",
            obj=document,
            details={
                "intake": intake.pk,
                "pages": intake.pages_total,
                "sha256": intake.sha256,
                "archival_sha256": archival_sha,
            },
        )
    _read_header(intake, document)
    storage.remove_work_dir(intake.pk)
    _sweep_partial_thumbs(intake.pk)
    signals.announce(signals.intake_finished, intake=intake, document=document)
    return document


def _read_header(intake: Intake, document: Document) -> None:
    """Pre-fill the document's registration form from its first page (extraction). A failure here
    costs the clerk the suggestions, never the digitized document."""
    from sohoa.extraction.services import suggestion_from_page

    tsv = _page_base(intake, 1).with_suffix(".tsv")
    try:
        page = Page.objects.filter(intake=intake, number=1).first()
        first = secrecy.page_text(page) if page is not None else ""
        suggestion_from_page(
            document=document,
            tsv=tsv.read_text(encoding="utf-8") if tsv.exists() else None,
            text=first,
        )
    except Exception:  # noqa: BLE001 - logged; the archival copy is already safe
        log.exception("reading the header of document %s failed", document.pk)


def _sweep_partial_thumbs(intake_id: int) -> None:
    """Remove thumbnail temp files a killed worker left behind; once the intake is finished no page
    writes them any more (a late duplicate page task that loses its temp file only fails quietly)."""
    for leftover in (storage.root() / "thumbs" / str(intake_id)).glob(".part-*"):
        leftover.unlink(missing_ok=True)


def fail_page(intake_id: int, number: int, error: Exception) -> None:
    """A page that cannot be processed fails its intake; the original stays in quarantine."""
    if isinstance(error, pages.PageError):
        stop = Stop(error.message, params=error.params)
    elif isinstance(error, ocr.OcrError):
        stop = Stop(gettext_noop("Page %(page)d could not be recognized (OCR failed)."), page=number)
    else:
        log.exception("page %s of intake %s failed", number, intake_id)
        stop = Stop(
            gettext_noop("Page %(page)d could not be processed; the original is kept. Retry or discard it."),
            page=number,
        )
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake_id)
        if not intake.finished:
            _fail(intake, stop)


def safe_name(name: str) -> tuple[str, bool]:
    """A file name fit to show and store: no folders, no control characters. (name, changed)."""
    cleaned = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    cleaned = cleaned[:200] or "unnamed"
    return cleaned, cleaned != name
