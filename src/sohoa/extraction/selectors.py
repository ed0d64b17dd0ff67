"""Reads for extraction: the unit registry as a matcher for issuer names, suggestions, the accuracy meter."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from sohoa.core import policy
from sohoa.registry.models import Unit

from .header import FIELDS, UnitMatcher
from .models import Suggestion
from .text import fold


def unit_matcher(threshold: float = 0.86) -> UnitMatcher:
    """Issuer as printed → (unit code, score) by fuzzy match on folded names (full and short, word order
    ignored), or None.

    The registry is not secret (policy: every signed-in user sees it), so no scope applies here."""
    choices: dict[str, str] = {}
    for code, name, short in Unit.objects.values_list("code", "name", "short_name"):
        choices[fold(name)] = code
        if short and len(short) >= 4:
            choices[fold(short)] = code
    names = list(choices)

    def match(issuer: str) -> tuple[str, float] | None:
        if not names or not issuer.strip():
            return None
        best = process.extractOne(fold(issuer), names, scorer=fuzz.token_sort_ratio)
        if best is None or best[1] / 100 < threshold:
            return None
        return choices[best[0]], round(best[1] / 100, 2)

    return match


def open_values(document_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Extracted values as read: a classified document's are sealed field by field (decision 0020)."""
    from sohoa.security import envelope

    if not any(envelope.is_sealed_text(v) for v in values.values()):
        return dict(values)
    key = envelope.data_key(envelope.owner_label("document", document_id))
    if key is None:
        from sohoa.security.keys import KeyMissing

        raise KeyMissing(f"no data key for document {document_id}")
    return {k: json.loads(envelope.open_text(key, v)) if envelope.is_sealed_text(v) else v for k, v in values.items()}


def suggestion_values(suggestion: Suggestion) -> dict[str, Any]:
    """What the extractor read, in the clear (for a user who may see the document)."""
    return open_values(suggestion.document_id, suggestion.values)


def suggestion_get(user: Any, document_pk: int) -> Suggestion:
    """The reading of a document the user may see (404 otherwise)."""
    return policy.get_visible_or_404(user, Suggestion.objects.select_related("document"), document_id=document_pk)


@dataclass
class FieldAccuracy:
    field: str
    suggested: int
    unchanged: int

    @property
    def label(self) -> str:
        from .forms import SuggestionForm

        return str(SuggestionForm.base_fields[self.field].label)

    @property
    def percent(self) -> float | None:
        return round(100 * self.unchanged / self.suggested, 1) if self.suggested else None


def accuracy() -> list[FieldAccuracy]:
    """Per field: how many decided suggestions proposed a value, and how many clerks kept unchanged."""
    counts = {name: FieldAccuracy(name, 0, 0) for name in FIELDS}
    for outcome in Suggestion.objects.exclude(outcome={}).values_list("outcome", flat=True).iterator():
        for name, same in outcome.items():
            if name in counts:
                counts[name].suggested += 1
                counts[name].unchanged += bool(same)
    return list(counts.values())


def suggestion_duplicates(suggestion: Suggestion) -> int:
    """How many other documents already carry the suggested number + symbol + issuer (flagged before
    the clerk accepts; the count only, as the archive's duplicate warning gives it)."""
    from sohoa.archive.models import Document
    from sohoa.archive.services import duplicates_of

    probe = Document(
        pk=suggestion.document_id,
        notation=suggestion_values(suggestion).get("notation") or "",
        issuer=suggestion_values(suggestion).get("issuer") or "",
        issuer_unit_id=suggestion.issuer_unit_id,
    )
    return duplicates_of(probe)[0]
