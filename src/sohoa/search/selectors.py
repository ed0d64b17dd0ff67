"""Search as a user sees it: hits, total, facet counts and snippets, all inside the access policy.

Every number and word returned comes from the secured query (user query AND policy), so a document the
user may not see adds to no count and gives no snippet. The hits shown are checked once more against the
database (core.policy), so an index that lags behind a change of level or unit never shows them either.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from tantivy import Facet, FieldType, Occur, Order, Query, Schema, SnippetGenerator

from . import query as q
from .analyzers import FOLD, terms
from .index import IndexUnavailable, open_index
from .schema import FACETS, INT_FACETS
from .snippets import Snip, from_tantivy, highlight

PER_PAGE = 20
MAX_PAGE = 500
FUZZY_BELOW = 5
SORTS = ("relevance", "newest", "oldest")
DATE_MIN, DATE_MAX = dt.date(1678, 1, 1), dt.date(2262, 1, 1)


@dataclass
class Filters:
    unit: int | None = None
    fonds: int | None = None
    doctype: str = ""
    year_from: int | None = None
    year_to: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    level: int | None = None
    status: str = ""
    has_text: bool | None = None
    lang: str = ""
    #: "creator": `unit` filters, and the unit facet counts, by creating unit instead of custodian.
    by: str = ""
    #: The papers of one petition or one case file (ids the form checked against the policy).
    petition: int | None = None
    case: int | None = None

    def any(self) -> bool:
        return any(v not in (None, "") for k, v in vars(self).items() if k != "by")


@dataclass
class Hit:
    document_id: int
    notation: str
    title: str
    score: float
    title_html: str = ""
    snippet: str = ""  # escaped HTML with <b> marks
    snippet_text: str = ""
    page: int | None = None


@dataclass
class SearchPage:
    query: str
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)
    page: int = 1
    per_page: int = PER_PAGE
    sort: str = "relevance"
    message: str = ""  # a notice for the user (query shortened, nothing typed …)
    fuzzy: bool = False
    elapsed_ms: float = 0.0

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.per_page)))


def _date(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)


def filter_query(schema: Schema, f: Filters) -> list[Query]:
    from sohoa.registry.models import Unit

    out: list[Query] = []
    if f.unit:
        path = Unit.objects.filter(pk=f.unit).values_list("path", flat=True).first()
        field = "creator" if f.by == "creator" else "unit"
        out.append(
            Query.term_query(schema, field, Facet.from_string(path.rstrip("/"))) if path else Query.empty_query()
        )
    if f.fonds:
        out.append(Query.term_query(schema, "fonds_id", f.fonds))
    if f.doctype:
        out.append(Query.term_query(schema, "doctype", f.doctype))
    if f.year_from or f.year_to:
        out.append(Query.range_query(schema, "year", FieldType.Integer, f.year_from or 1, f.year_to or 9999))
    if f.date_from or f.date_to:
        # Tantivy dates are i64 nanoseconds: 1677-09-21 … 2262-04-11; an open bound stays inside them.
        lo, hi = _date(max(f.date_from or DATE_MIN, DATE_MIN)), _date(min(f.date_to or DATE_MAX, DATE_MAX))
        out.append(Query.range_query(schema, "issued", FieldType.Date, lo, hi))
    if f.level is not None:
        out.append(Query.term_query(schema, "level", f.level))
    if f.status:
        out.append(Query.term_query(schema, "status", f.status))
    if f.has_text is not None:
        out.append(Query.term_query(schema, "has_text", int(f.has_text)))
    if f.lang:
        out.append(Query.term_query(schema, "lang", f.lang))
    if f.petition:
        out.append(Query.term_query(schema, "links", f"petition:{f.petition}"))
    if f.case:
        out.append(Query.term_query(schema, "links", f"case:{f.case}"))
    return out


# Counting a column costs a pass over every hit: the eight facets come from three combined columns
# (unit|fonds, type|year, level|status|text|lang), whose combinations are few, split here.
_AGGS = {field: {"terms": {"field": field, "size": 65000}} for field in ("f_place", "f_kind", "f_state")}


def _facets(searcher: Any, secured: Query) -> dict[str, list[tuple[Any, int]]]:
    result = searcher.aggregate(secured, _AGGS)
    counts: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
    for name, (column, position) in FACETS.items():
        for bucket in result.get(column, {}).get("buckets", []):
            key: Any = str(bucket["key"]).split("|")[position]
            counts[name][int(key) if name in INT_FACETS else key] += int(bucket["doc_count"])
    return {name: c.most_common() for name, c in counts.items()}


def _secured_query(schema: Schema, user: Any, text: Query, filters: Filters) -> Query:
    parts = [text, *filter_query(schema, filters)]
    base = parts[0] if len(parts) == 1 else Query.boolean_query([(Occur.Must, p) for p in parts])
    return q.secured(schema, base, user)


def search(
    user: Any,
    text: str,
    filters: Filters | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = PER_PAGE,
    as_you_type: bool = False,
    facets: bool = True,
) -> SearchPage:
    """One page of results for `user`; never raises on user input (a message explains instead)."""
    started = time.perf_counter()
    filters = filters or Filters()
    sort = sort if sort in SORTS else "relevance"
    page = min(max(1, int(page)), MAX_PAGE)
    per_page = min(max(1, int(per_page)), 100)
    parsed = q.parse(text, as_you_type=as_you_type)
    result = SearchPage(query=text or "", page=page, per_page=per_page, sort=sort)
    if parsed.truncated:
        result.message = _("Your query was long: only its first part was searched.")
    if parsed.short_prefix and parsed.empty:
        result.message = _("Type at least two letters of a word to search by its beginning.")
    if parsed.empty and (text or "").strip() and not filters.any():
        result.message = result.message or _("Type a word, a phrase in quotes or a document number to search.")
        return result
    if parsed.empty and sort == "relevance":
        sort = result.sort = "newest"  # nothing to rank by: newest documents first

    try:
        index = open_index()
    except IndexUnavailable:
        result.message = _("The search index is being built. Try again in a few minutes.")
        return result
    schema = index.schema
    searcher = index.searcher()
    secured = _secured_query(schema, user, q.text_query(schema, parsed), filters)
    found = _run(searcher, secured, sort, page, per_page, facets)
    if found.total < FUZZY_BELOW and parsed.words and page == 1:
        fuzzy = _secured_query(schema, user, q.text_query(schema, parsed, fuzzy=True), filters)
        again = _run(searcher, fuzzy, sort, page, per_page, facets)
        if again.total > found.total:
            secured, found, result.fuzzy = fuzzy, again, True
    result.total = found.total
    result.hits = _hits(user, searcher, schema, secured, found.hits, parsed)
    result.facets = found.facets
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


@dataclass
class _Found:
    total: int
    hits: list[Any]
    facets: dict[str, list[tuple[Any, int]]]


def _run(searcher: Any, query: Query, sort: str, page: int, per_page: int, facets: bool) -> _Found:
    """One page of hits, the total, and the facet counts if asked. With facets the total is their sum
    (every document has one f_state value), so the ranking pass need not count: without counting,
    Tantivy skips blocks that cannot reach the top hits."""
    offset = (page - 1) * per_page
    kwargs: dict[str, Any] = {"count": not facets, "offset": offset}
    if sort != "relevance":
        kwargs.update(order_by_field="issued", order=Order.Desc if sort == "newest" else Order.Asc)
    result = searcher.search(query, per_page, **kwargs)
    if not facets:
        return _Found(result.count, result.hits, {})
    counts = _facets(searcher, query)
    return _Found(sum(n for _, n in counts["level"]), result.hits, counts)


def _hits(user: Any, searcher: Any, schema: Schema, secured: Query, found: list[Any], parsed: q.Parsed) -> list[Hit]:
    from sohoa.archive.models import Document
    from sohoa.core import policy

    if not found:
        return []
    docs = [(score, searcher.doc(addr)) for score, addr in found]
    ids = [d["doc_id"][0] for _, d in docs]
    # The database decides what is shown: a hit the index still has but the user may no longer see drops out.
    rows = {
        r["pk"]: r
        for r in policy.restrict(user, Document.objects.filter(pk__in=ids)).values(
            "pk", "notation", "subject", "confidentiality"
        )
    }
    body_gen = SnippetGenerator.create(searcher, secured, schema, "body_f")
    body_gen.set_max_num_chars(200)
    title_gen = SnippetGenerator.create(searcher, secured, schema, "title_f")
    title_gen.set_max_num_chars(500)
    wanted = {t for w in parsed.words + parsed.phrases + parsed.notations for t in terms(w, FOLD)}
    hits = []
    for score, doc in docs:
        row = rows.get(doc["doc_id"][0])
        if row is None:
            continue
        hit = Hit(
            document_id=row["pk"],
            notation=row["notation"],
            title=row["subject"],
            score=float(score) if isinstance(score, float) else 0.0,
        )
        stored = doc.to_dict()
        if row["confidentiality"] > 0 or "body_f" not in stored:
            snip = _classified_snippet(row["pk"], wanted, parsed.prefix)
            hit.title_html = highlight([row["subject"]], wanted, parsed.prefix).html or _escape(row["subject"])
        else:
            snip = from_tantivy(body_gen.snippet_from_doc(doc), stored["body_f"], wanted, parsed.prefix)
            hit.title_html = title_gen.snippet_from_doc(doc).to_html() or _escape(row["subject"])
        hit.snippet, hit.snippet_text, hit.page = snip.html, snip.text, snip.page
        hits.append(hit)
    return hits


def _escape(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


def _classified_snippet(doc_id: int, wanted: set[str], prefix: str) -> Snip:
    """Snippet of a classified document from its page texts (decrypted for the user who may see it)."""
    from sohoa.digitization.secrecy import document_page_texts

    return highlight(document_page_texts(doc_id), wanted, prefix)
