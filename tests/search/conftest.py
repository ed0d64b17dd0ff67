"""A private index per test and a way to put documents with page text into the database and the index."""

from __future__ import annotations

import uuid

import pytest

from sohoa.digitization.models import Intake, Page
from sohoa.search import selectors, services
from tests.factories import DocumentFactory


@pytest.fixture(autouse=True)
def search_index(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return settings.SEARCH_INDEX_DIR


def add_document(pages=(), **fields):  # type: ignore[no-untyped-def]
    """A document with its page texts (as OCR left them), indexed."""
    fields.setdefault("issuer", "")
    doc = DocumentFactory(**fields)
    if pages:
        intake = Intake.objects.create(
            batch=uuid.uuid4(), source="cli", original_name="scan.pdf", unit=doc.unit,
            confidentiality=doc.confidentiality, document=doc, status="done",
        )  # fmt: skip
        Page.objects.bulk_create(
            Page(intake=intake, document=doc, number=i, text=t, done=True) for i, t in enumerate(pages, 1)
        )
    services.index_documents([doc.pk])
    return doc


def ids(user, text, **kwargs):  # type: ignore[no-untyped-def]
    """Document ids of the hits, in rank order."""
    return [h.document_id for h in selectors.search(user, text, **kwargs).hits]
