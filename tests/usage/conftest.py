"""Helpers for usage tests: digitized documents with a chosen date, size and digitizer, real stored files."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from sohoa.digitization import storage
from sohoa.digitization.models import DigitalCopy, Intake
from sohoa.usage.models import UseEvent
from tests.factories import DigitalCopyFactory, DocumentFactory


def digitize(document=None, *, unit=None, pages=1, at=None, by=None, **doc_kwargs):  # type: ignore[no-untyped-def]
    """A document with a digital copy made at `at` (default now) whose intake `by` handed in."""
    document = document or DocumentFactory(unit=unit, **doc_kwargs)
    storage.put_bytes(f"archival/{document.pk}.pdf", b"%PDF-1.7 archival copy")
    storage.put_bytes(f"originals/{document.pk}", b"original scan bytes")
    copy = DigitalCopyFactory(
        document=document,
        original_name="scan.tif",
        original_size=19,
        original_mime="image/tiff",
        archival_size=22,
        page_count=pages,
    )
    if at is not None:
        DigitalCopy.objects.filter(pk=copy.pk).update(created_at=at)
    Intake.objects.create(
        batch=uuid.uuid4(),
        source="web",
        original_name="scan.tif",
        unit=document.unit,
        status=Intake.Status.DONE,
        document=document,
        created_by=by,
    )
    return document


def use(document, actor, at, kind="view"):  # type: ignore[no-untyped-def]
    """A use at a given moment (written directly: the service always stamps `now`)."""
    return UseEvent.objects.create(kind=kind, at=at, actor=actor, unit=document.unit, document=document)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def digitized():  # type: ignore[no-untyped-def]
    return digitize
