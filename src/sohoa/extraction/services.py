"""Writes: store what the extractor read; accept it into the document (one click) or dismiss it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.archive.models import DocType, Document, Urgency
from sohoa.archive.services import document_save, register_link_auto
from sohoa.core import audit
from sohoa.core.models import LEVEL_CODES
from sohoa.registry.models import Unit

from . import layout
from .header import Extraction, extract
from .models import Suggestion
from .selectors import open_values, suggestion_values, unit_matcher

#: Both the notation and the date must be read at least this surely to link a register row unasked.
LINK_CONFIDENCE = 0.85

#: Suggestion fields that have a Document field of the same meaning (the others stay on the suggestion).
DOCUMENT_FIELDS = ("notation", "number", "symbol", "doc_type", "type_name", "issued_date", "issuer", "subject")


def suggestion_from_page(*, document: Document, tsv: str | None, text: str) -> Suggestion:
    """Read a document's header from its first page — OCR word boxes when there are some, else the
    page's text (a born-digital PDF's `pdftotext -layout`) — and keep the reading for the clerk."""
    page = layout.from_tsv(tsv) if tsv else layout.from_text(text)
    extraction = extract(page, match_unit=unit_matcher())
    suggestion = suggestion_store(document=document, extraction=extraction)
    values, confidence = extraction.fields, extraction.confidence
    if min(confidence["notation"], confidence["issued_date"]) >= LINK_CONFIDENCE:
        # Number, symbol and date read clearly: the unit's one register row with them is this paper.
        register_link_auto(
            actor=None,
            document=document,
            notation=values["notation"],
            issued_date=dt.date.fromisoformat(values["issued_date"]),
            source="extraction",
        )
    return suggestion


def suggestion_store(*, document: Document, extraction: Extraction) -> Suggestion:
    """Keep the extractor's reading of a document (a re-run replaces a pending one, never a decided one)."""
    unit = Unit.objects.filter(code=extraction.unit_code).first() if extraction.unit_code else None
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().filter(document=document).first()
        if suggestion is not None and suggestion.status != Suggestion.Status.PENDING:
            return suggestion  # the clerk already decided: a re-run does not undo it
        suggestion = suggestion or Suggestion(document=document)
        suggestion.values = seal_values(document, extraction.fields)
        suggestion.confidence = extraction.confidence
        suggestion.issuer_unit = unit
        suggestion.save()
    return suggestion


def suggestion_accept(
    *, actor: Any, suggestion: Suggestion, values: dict[str, Any], allow_duplicate: bool = False
) -> Document:
    """Write the confirmed values into the document and record, per suggested field, whether the clerk
    kept it unchanged. Confidentiality is only ever raised here (lowering is a declassification)."""
    if suggestion.status != Suggestion.Status.PENDING:
        raise ValidationError(_("These details were already accepted or dismissed."))
    document = suggestion.document
    for name in DOCUMENT_FIELDS:
        value = values.get(name)
        if name == "issued_date":
            value = dt.date.fromisoformat(value) if isinstance(value, str) and value else value
        if name == "doc_type" and value not in DocType.values:
            value = ""
        setattr(document, name, value if value is not None else "" if name != "issued_date" else None)
    level = LEVEL_CODES.get(values.get("confidentiality") or "none", 0)
    raised = int(level) > document.confidentiality
    document.confidentiality = max(document.confidentiality, int(level))
    urgency = values.get("urgency") or ""
    document.urgency = urgency if urgency in Urgency.values else document.urgency
    suggested_values = suggestion_values(suggestion)
    if suggestion.issuer_unit_id and values.get("issuer") == suggested_values.get("issuer"):
        document.issuer_unit_id = suggestion.issuer_unit_id
    with transaction.atomic():
        saved = document_save(
            actor=actor,
            document=document,
            allow_duplicate=allow_duplicate,
            # The level stamped on the paper itself, confirmed by the clerk, is the basis of the raise.
            legal_basis=f"marking on the document, confirmed from suggestion {suggestion.pk}" if raised else "",
        )
        suggestion.outcome = {
            name: _normal(values.get(name)) == _normal(suggested)
            for name, suggested in suggested_values.items()
            if suggested not in (None, "", [])
        }
        suggestion.accepted = seal_values(saved, values)
        suggestion.status = Suggestion.Status.ACCEPTED
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save()
        audit.record(
            "extraction_accept",
            actor=actor,
            obj=saved,
            details={"changed": sorted(k for k, same in suggestion.outcome.items() if not same)},
        )
    return saved


def seal_values(document: Document, values: dict[str, Any]) -> dict[str, Any]:
    """Values to store: a classified document's sealed field by field (each as JSON, so lists and
    dates come back as they were); the field names stay readable, the values do not."""
    from sohoa.security import envelope

    if not document.confidentiality:
        return values
    key = envelope.data_key(envelope.owner_label("document", document.pk), create=True)
    assert key is not None
    return {
        k: v if v is None or envelope.is_sealed_text(v) else envelope.seal_text(key, json.dumps(v, ensure_ascii=False))
        for k, v in values.items()
    }


def suggestion_reseal(*, document: Document, classified: bool) -> None:
    """After a change of level: seal a document's extracted values, or open them when declassified."""
    suggestion = Suggestion.objects.select_for_update().filter(document=document).first()
    if suggestion is None:
        return
    if classified:
        suggestion.values = seal_values(document, suggestion.values)
        suggestion.accepted = seal_values(document, suggestion.accepted)
    else:
        suggestion.values = open_values(document.pk, suggestion.values)
        suggestion.accepted = open_values(document.pk, suggestion.accepted)
    suggestion.save(update_fields=["values", "accepted"])


def suggestion_dismiss(*, actor: Any, suggestion: Suggestion) -> None:
    with transaction.atomic():
        suggestion.status = Suggestion.Status.DISMISSED
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record("extraction_dismiss", actor=actor, obj=suggestion.document)


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    return value
