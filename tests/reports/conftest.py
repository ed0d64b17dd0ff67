"""Helpers for report tests: digitized documents without running OCR."""

from __future__ import annotations

import pytest

from sohoa.digitization.models import DigitalCopy
from tests.factories import DigitalCopyFactory, DocumentFactory


def add_copy(document) -> DigitalCopy:  # type: ignore[no-untyped-def]
    """A digital copy row for a document, as the pipeline's last step makes it (dummy paths: no files)."""
    return DigitalCopyFactory(document=document)


def digitize(entry) -> None:  # type: ignore[no-untyped-def]
    """Link a register entry to a document that has a digital copy."""
    document = DocumentFactory(unit=entry.unit, notation=entry.notation, subject=entry.subject)
    add_copy(document)
    entry.document = document
    entry.save(update_fields=["document"])


@pytest.fixture
def digitized():  # type: ignore[no-untyped-def]
    return digitize
