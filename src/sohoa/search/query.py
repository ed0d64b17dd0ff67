"""The user's words → a Tantivy query, and the access policy → a filter inside that query.

Our own small grammar, never Tantivy's query parser (it fails on "Số: 15", brackets, "IN" …): words,
"quoted phrases", and a trailing `*` for a prefix (search-as-you-type treats the last word as a prefix).
Each word matches if any of its forms matches: exact diacritics (ranked higher), folded, the notation,
or — in classified documents — the keyed hash of the term. Words are combined with AND.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from tantivy import Facet, Occur, Query, Schema

from sohoa.core.models import Level
from sohoa.security import keys

from .analyzers import EXACT, FOLD, NOTATION, NOTATION_FOLD, normalize_notation, terms
from .documents import _blind, blind_notation

MAX_QUERY_CHARS = 500
MAX_WORDS = 32
MIN_PREFIX = 2  # letters before a prefix is expanded
# A token that looks like a document number and symbol: 64-CV/TW, 15/QĐ-UBND, 30/2020/NĐ-CP.
_NOTATION = re.compile(r"^\d+[a-zA-Z]?[-/]\S*[^\W\d_]\S*$")
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_NUMBER_LABEL = re.compile(r"\bs[ốo]\s*:\s*(?=\d)", re.IGNORECASE)

BOOSTS = {"title": 3.0, "title_f": 1.5, "body": 2.0, "body_f": 1.0, "meta": 1.5, "meta_f": 0.8}
BLIND_EXACT_BOOST = 2.0
NOTATION_BOOST = 25.0


@dataclass
class Parsed:
    words: list[str] = field(default_factory=list)  # raw user words (one word may give several terms)
    phrases: list[str] = field(default_factory=list)
    prefix: str = ""  # the last word when it ends with * (or as you type)
    notations: list[str] = field(default_factory=list)
    truncated: bool = False
    short_prefix: bool = False  # a one-letter prefix was left out

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases or self.prefix or self.notations)


def parse(text: str, as_you_type: bool = False) -> Parsed:
    """Split user input into words, phrases, notations and a prefix. Never fails."""
    parsed = Parsed()
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        text, parsed.truncated = text[:MAX_QUERY_CHARS], True
    text = _NUMBER_LABEL.sub("", text)  # "Số: 15/QĐ-UBND" as copied from a header
    tokens = [(m.group(1), m.group(2)) for m in _TOKEN.finditer(text)]
    for i, (phrase, word) in enumerate(tokens):
        if phrase is not None:
            if len(terms(phrase, FOLD)) > 1:
                parsed.phrases.append(phrase)
            elif phrase.strip():
                parsed.words.append(phrase)
            continue
        last = i == len(tokens) - 1
        if _NOTATION.match(normalize_notation(word).strip(".,;:()")):
            parsed.notations.append(normalize_notation(word).strip(".,;:()"))
        elif word.endswith("*") or (last and as_you_type and not text.endswith(" ")):
            stem = terms(word.rstrip("*"), FOLD)
            parsed.words.extend(stem[:-1])
            if stem and len(stem[-1]) >= MIN_PREFIX:
                parsed.prefix = stem[-1]
            elif stem:  # "t*" would match nearly every document: wait for a second letter
                parsed.short_prefix = True
        elif terms(word, FOLD):  # punctuation alone is not a word
            parsed.words.append(word)
    if len(parsed.words) > MAX_WORDS:
        parsed.words, parsed.truncated = parsed.words[:MAX_WORDS], True
    return parsed


def _term(schema: Schema, name: str, value: Any, boost: float = 1.0) -> Query:
    q = Query.term_query(schema, name, value)
    return Query.boost_query(q, boost) if boost != 1.0 else q


def _should(parts: list[Query]) -> Query:
    return parts[0] if len(parts) == 1 else Query.boolean_query([(Occur.Should, p) for p in parts])


def _any_term(schema: Schema, name: str, values: list[Any]) -> Query:
    """Any of these values: one term lookup each. (Tantivy's term set query walks the field's whole term
    dictionary: 1–2.5 ms on a million doc ids, on every search, against 0.2 ms for 200 lookups.)"""
    return _should([Query.term_query(schema, name, v) for v in values])


def _must(parts: list[Query]) -> Query:
    return parts[0] if len(parts) == 1 else Query.boolean_query([(Occur.Must, p) for p in parts])


def blind_key() -> bytes:
    return keys.derived_key("search-blind")


def _term_query(schema: Schema, exact: str, folded: str, key: bytes) -> Query:
    """One term in any of its forms: exact, folded, notation, blind."""
    parts = [
        _term(schema, "title", exact, BOOSTS["title"]),
        _term(schema, "body", exact, BOOSTS["body"]),
        _term(schema, "meta", exact, BOOSTS["meta"]),
        _term(schema, "title_f", folded, BOOSTS["title_f"]),
        _term(schema, "body_f", folded, BOOSTS["body_f"]),
        _term(schema, "meta_f", folded, BOOSTS["meta_f"]),
        _term(schema, "blind", _blind(key, FOLD, folded)),
        _term(schema, "blind_x", _blind(key, EXACT, exact), BLIND_EXACT_BOOST),
    ]
    return _should(parts)


def _word_queries(schema: Schema, word: str, key: bytes) -> list[Query]:
    exact, folded = terms(word, EXACT), terms(word, FOLD)
    return [_term_query(schema, e, f, key) for e, f in zip(exact, folded, strict=False)]


def _phrase_query(schema: Schema, phrase: str, key: bytes) -> Query:
    folded: list[str | tuple[int, str]] = list(terms(phrase, FOLD))
    # Positions exist for public text only; a classified document matches a phrase by all its words.
    blind = _must([_term(schema, "blind", _blind(key, FOLD, str(f))) for f in folded])
    # Page text: the pairs of adjacent syllables as terms (documents.bigrams); a phrase of three or more
    # syllables also checks positions, but only in the few documents that hold all its pairs.
    pairs = [f"{a}_{b}" for a, b in zip(folded, folded[1:], strict=False)]
    body = [Query.term_query(schema, "body_bi", pair) for pair in pairs]
    if len(folded) > 2:
        body.append(Query.phrase_query(schema, "body_f", folded))
    return _should(
        [
            Query.boost_query(Query.phrase_query(schema, "title_f", folded), 2.0),
            _must(body),
            Query.phrase_query(schema, "meta_f", folded),
            blind,
        ]
    )


def _notation_query(schema: Schema, notation: str, key: bytes) -> Query:
    exact = terms(notation, NOTATION)[0]
    folded = terms(notation, NOTATION_FOLD)[0]
    return _should(
        [
            _term(schema, "notation", exact, NOTATION_BOOST),
            _term(schema, "notation_f", folded, NOTATION_BOOST * 0.8),
            _term(schema, "blind", blind_notation(key, notation), NOTATION_BOOST),
        ]
    )


def text_query(schema: Schema, parsed: Parsed, fuzzy: bool = False) -> Query:
    """The query of the user's text (all documents for an empty one)."""
    key = blind_key()
    musts: list[Query] = []
    for word in parsed.words:
        for exact, folded in zip(terms(word, EXACT), terms(word, FOLD), strict=False):
            q = _term_query(schema, exact, folded, key)
            if fuzzy and len(folded) >= 5:  # OCR damage: one wrong, missing or swapped letter (shorter
                # syllables are one letter apart from too many others: dang/dan/danh/dung)
                fz = Query.fuzzy_term_query(schema, "body_f", folded, 1, True)
                q = _should([q, Query.boost_query(fz, 0.3)])
            musts.append(q)
    musts += [_phrase_query(schema, p, key) for p in parsed.phrases]
    if parsed.prefix:
        musts.append(
            _should(
                [
                    Query.boost_query(Query.phrase_prefix_query(schema, "title_f", [parsed.prefix]), 1.5),
                    Query.phrase_prefix_query(schema, "body_f", [parsed.prefix]),
                    Query.phrase_prefix_query(schema, "meta_f", [parsed.prefix]),
                    _term(schema, "blind", _blind(key, FOLD, parsed.prefix)),
                ]
            )
        )
    for notation in parsed.notations:
        # A notation finds that document first; its words still find documents that cite it.
        words = [q for w in re.split(r"[-/]", notation) if w for q in _word_queries(schema, w, key)]
        musts.append(_should([_notation_query(schema, notation, key), *([_must(words)] if words else [])]))
    if not musts:
        return Query.all_query()
    return _must(musts)


# --- permission -------------------------------------------------------------------------------------


#: Each user's permission filter, kept for POLICY_TTL seconds or until a grant in it expires, and dropped
#: at once when anything it is made of changes (signals bump the generation): it costs database reads
#: that would otherwise come with every keystroke of search-as-you-type.
POLICY_TTL = 30.0
GENERATION_KEY = "sohoa:search-policy-generation"
_policies: dict[tuple[Any, ...], tuple[float, Query]] = {}


def policy_changed() -> None:
    """A grant, a unit or a user's units changed: every cached permission filter is rebuilt, in every
    process — through the shared cache (Redis, several machines) and a marker file in the data dir (one
    machine without Redis: the worker and commands change grants and units outside the web process)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)
    marker = _marker()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(uuid.uuid4().hex)  # new content: file times can repeat within a clock tick
    forget_policies()


def _marker() -> Path:
    # A setting only so that tests can give each test its own (other workers' changes stay out).
    return Path(getattr(settings, "SEARCH_POLICY_MARKER", None) or Path(settings.DATA_DIR) / "search-policy.generation")


def _generation() -> tuple[Any, str]:
    try:
        local = _marker().read_text()
    except FileNotFoundError:
        local = ""
    return cache.get(GENERATION_KEY, 0), local


def forget_policies() -> None:
    """This process's cached filters (tests: the database rolled back, the generation reset)."""
    _policies.clear()


def policy_query(schema: Schema, user: Any) -> Query:
    """The documents `user` may see, as a query.

    The same rule as core.policy for archive.document: (level ≤ clearance AND unit in scope) OR a valid
    grant on the document or its record (approved by a leader, not expired).
    """
    from sohoa.core import policy

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Query.empty_query()
    key = (user.pk, int(user.clearance), policy.role_of(user), *_generation())
    now = time.monotonic()
    cached = _policies.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    query, expires = _build_policy_query(schema, user, policy)
    if len(_policies) > 10_000:
        _policies.clear()
    _policies[key] = (min(now + POLICY_TTL, now + expires), query)
    return query


def _build_policy_query(schema: Schema, user: Any, policy: Any) -> tuple[Query, float]:
    """The filter and the seconds it stays right without any change (until the first grant expires)."""
    # Only the top of each subtree is needed: a facet term matches everything under it.
    tops: list[str] = []
    for p in sorted(policy.scope_roots(user)):
        if not any(p.startswith(t) for t in tops):
            tops.append(p)
    scope = [Query.term_query(schema, "unit", Facet.from_string(p.rstrip("/"))) for p in tops if p.strip("/")]
    # Levels above the clearance are excluded rather than the allowed ones matched: the few classified
    # documents' postings are read, not a range over every document of the index.
    above = [lvl for lvl in Level.values if lvl > int(user.clearance)]
    if not scope:
        allowed = Query.empty_query()
    elif not above:
        allowed = _should(scope)
    else:
        allowed = Query.boolean_query(
            [(Occur.Must, _should(scope)), (Occur.MustNot, _any_term(schema, "level", above))]
        )
    doc_ids: list[int] = []
    record_ids: list[int] = []
    # One query for both kinds of grant (this runs on every search); only approved, unexpired grants.
    now = timezone.now()
    lasts = POLICY_TTL
    for document_id, record_id, until in policy.valid_grants(user, now).values_list(
        "document_id", "record_id", "valid_until"
    ):
        lasts = min(lasts, (until - now).total_seconds())
        if document_id is not None:
            doc_ids.append(int(document_id))
        if record_id is not None:
            record_ids.append(int(record_id))
    granted = []
    if doc_ids:
        granted.append(_any_term(schema, "doc_id", doc_ids))
    if record_ids:
        granted.append(_any_term(schema, "record_id", record_ids))
    return _should([allowed, *granted]), lasts


def secured(schema: Schema, query: Query, user: Any) -> Query:
    """`query` limited to what `user` may see; the filter does not change scores."""
    policy = Query.const_score_query(policy_query(schema, user), 0.0)
    return Query.boolean_query([(Occur.Must, query), (Occur.Must, policy)])
