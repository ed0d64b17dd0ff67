"""Encryption at rest of classified intakes and documents (decision 0020): which key, sealed page texts,
and the files of a document whose level crosses between public and mật.

Every reader of a page's text goes through `page_text`/`page_texts`: a sealed text ("enc1:…") is opened
with the intake's data key (shared with its document), a plain one is returned as it is.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sohoa.security import envelope

from . import storage
from .models import DigitalCopy, Intake, Page, PageReplacement

log = logging.getLogger(__name__)


def intake_owner(intake_id: int) -> str:
    return envelope.owner_label("intake", intake_id)


def document_owner(document_id: int) -> str:
    return envelope.owner_label("document", document_id)


def is_classified(level: int | None) -> bool:
    return bool(level and int(level) >= 1)


def intake_key(intake: Intake, *, create: bool = True) -> bytes | None:
    """The data key of a classified intake (made on first use); None for a public one."""
    if not is_classified(intake.confidentiality):
        return None
    return envelope.data_key(intake_owner(intake.pk), create=create)


def seal(key: bytes | None, text: str) -> str:
    """`text` as it is to be stored: sealed under `key`, or as is when there is none (public)."""
    return envelope.seal_text(key, text) if key is not None else text


class _Keys:
    """Data keys of intakes, unwrapped once per use (a document's pages share one)."""

    def __init__(self) -> None:
        self.cache: dict[int, bytes | None] = {}

    def get(self, intake_id: int) -> bytes | None:
        if intake_id not in self.cache:
            self.cache[intake_id] = envelope.data_key(intake_owner(intake_id))
        return self.cache[intake_id]

    def open(self, intake_id: int, value: str) -> str:
        if not envelope.is_sealed_text(value):
            return value
        key = self.get(intake_id)
        if key is None:
            from sohoa.security.keys import KeyMissing

            raise KeyMissing(f"no data key for intake {intake_id}")
        return envelope.open_text(key, value)


def page_text(page: Page) -> str:
    """The plaintext of one page (the one accessor: never read `Page.text` directly)."""
    return _Keys().open(page.intake_id, page.text)


def page_texts(rows: Iterable[tuple[Any, int, str]]) -> list[tuple[Any, str]]:
    """(tag, plaintext) for rows of (tag, intake id, stored text), e.g. from a values_list."""
    keys = _Keys()
    return [(tag, keys.open(intake_id, text)) for tag, intake_id, text in rows]


def document_page_texts(document_id: int) -> list[str]:
    """The plaintexts of a document's pages in page order."""
    rows = Page.objects.filter(document_id=document_id).order_by("number").values_list("number", "intake_id", "text")
    return [text for _n, text in page_texts(rows)]


# ---- a document's level crosses between public and classified ----------------------------------------


def document_level_changed(document: Any, old: int, new: int) -> None:
    """Inside the caller's transaction: give the document (and its intakes) a data key and seal its page
    texts and extracted values when it becomes classified, or open them when it is declassified. The
    files follow after the commit (`tasks.sync_document_files`), when the key is safely stored: the texts
    are sealed before the search index task (also on commit) reads them."""
    from django.db import transaction

    if is_classified(old) == is_classified(new):
        Intake.objects.filter(document=document).update(confidentiality=new)
        return
    intakes = list(Intake.objects.filter(document=document))
    if is_classified(new):
        key = envelope.data_key(document_owner(document.pk), create=True)
        assert key is not None
        for intake in intakes:
            envelope.share_key(document_owner(document.pk), intake_owner(intake.pk))
        keys = _Keys()
        for page in Page.objects.select_for_update().filter(document=document):
            if page.text and not envelope.is_sealed_text(page.text):
                own = keys.get(page.intake_id) or key
                Page.objects.filter(pk=page.pk).update(text=envelope.seal_text(own, page.text))
    else:
        keys = _Keys()
        for page in Page.objects.select_for_update().filter(document=document):
            if envelope.is_sealed_text(page.text):
                Page.objects.filter(pk=page.pk).update(text=keys.open(page.intake_id, page.text))
    Intake.objects.filter(document=document).update(confidentiality=new)
    from sohoa.extraction.services import suggestion_reseal

    suggestion_reseal(document=document, classified=is_classified(new))
    from .tasks import sync_document_files

    doc_id = document.pk
    transaction.on_commit(lambda: sync_document_files(doc_id))


def _sha256_plain(stored: Path, key: bytes | None) -> str:
    digest = hashlib.sha256()
    with open(stored, "rb") as fh:
        if envelope.is_encrypted_file(stored):
            assert key is not None
            for chunk in envelope.decrypt_stream(key, fh):
                digest.update(chunk)
        else:
            while chunk := fh.read(storage.CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def _encrypt_in_place(key: bytes, rel: str) -> str:
    """Encrypt a stored file where it is (idempotent); returns the sha256 of the stored bytes."""
    full = storage.path(rel)
    if full.exists() and not envelope.is_encrypted_file(full):
        os.chmod(full, (full.stat().st_mode & 0o777) | 0o200)
        envelope.encrypt_file_in_place(key, full)
    return storage.sha256_file(full)


def _decrypt_in_place(key: bytes, rel: str) -> str:
    full = storage.path(rel)
    if full.exists() and envelope.is_encrypted_file(full):
        os.chmod(full, (full.stat().st_mode & 0o777) | 0o200)
        envelope.decrypt_file_in_place(key, full)
    return storage.sha256_file(full)


def _still_used(rel: str) -> bool:
    return (
        Intake.objects.filter(original_path=rel).exists()
        or PageReplacement.objects.filter(original_path=rel).exists()
        or DigitalCopy.objects.filter(original_path=rel).exists()
    )


def _move_original(rel: str, key: bytes, *, seal: bool) -> tuple[str, str]:
    """A stored original moved between the content-addressed store and the sealed one:
    (new relative path, sha256 of the stored bytes). The old file is removed once nothing points at it."""
    full = storage.path(rel)
    if not full.exists() or envelope.is_encrypted_file(full) == seal:
        return rel, storage.sha256_file(full) if full.exists() else ""
    with open(full, "rb") as src:
        if seal:
            new_rel, sha, _size = storage.store_original(src, key=key)
        else:
            import io

            plain = io.BytesIO(b"".join(envelope.decrypt_stream(key, src)))
            new_rel, sha, _size = storage.store_original(plain)
    return new_rel, sha


def sync_document_files(document_id: int) -> None:
    """Make a document's files match its level: encrypted with its data key when classified, plain when
    not. Idempotent (each file is looked at and changed only if needed), so safe to run again.

    Fixity keeps working: every recorded checksum is updated to the bytes now stored (the ciphertext for
    a classified file: fixity hashes what is on disk, without the key)."""
    from django.db import transaction

    from sohoa.archive.models import Document

    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return
    classified = is_classified(document.confidentiality)
    key = envelope.data_key(document_owner(document_id), create=False)
    if key is None:
        if classified:
            log.error("classified document %s has no data key; its files stay as they are", document_id)
        return  # never classified: nothing was encrypted
    change = _encrypt_in_place if classified else _decrypt_in_place
    intakes = list(Intake.objects.filter(document_id=document_id))
    for intake in intakes:
        thumbs = storage.root() / "thumbs" / str(intake.pk)
        if thumbs.is_dir():
            for thumb in thumbs.glob("*.jpg"):
                change(key, str(thumb.relative_to(storage.root())))
    copy = DigitalCopy.objects.filter(document_id=document_id).first()
    moved: dict[str, tuple[str, str]] = {}

    def original(rel: str) -> tuple[str, str]:
        if rel and rel not in moved:
            moved[rel] = _move_original(rel, key, seal=classified)  # type: ignore[arg-type]
        return moved.get(rel, (rel, ""))

    with transaction.atomic():
        if copy is not None:
            new_rel, sha = original(copy.original_path)
            copy.original_path, copy.original_sha256 = new_rel, sha or copy.original_sha256
            copy.archival_sha256 = change(key, copy.archival_path)
            copy.archival_size = storage.path(copy.archival_path).stat().st_size
            copy.save(update_fields=["original_path", "original_sha256", "archival_sha256", "archival_size"])
        for intake in intakes:
            if intake.original_path:
                new_rel, sha = original(intake.original_path)
                Intake.objects.filter(pk=intake.pk).update(original_path=new_rel, sha256=sha or intake.sha256)
        for rep in PageReplacement.objects.filter(page__document_id=document_id):
            new_rel, sha = original(rep.original_path)
            rep.original_path, rep.original_sha256 = new_rel, sha or rep.original_sha256
            if rep.previous_archival_path:
                rep.previous_archival_sha256 = change(key, rep.previous_archival_path)
            if rep.archival_path:
                rep.archival_sha256 = change(key, rep.archival_path)
            rep.save(update_fields=["original_path", "original_sha256", "previous_archival_sha256", "archival_sha256"])
    for old_rel, (new_rel, _sha) in moved.items():
        if new_rel != old_rel and not _still_used(old_rel):
            storage.path(old_rel).unlink(missing_ok=True)
