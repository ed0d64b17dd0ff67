"""The fields of the search index: one Tantivy document per archive document.

Text is stored once, in the folded fields (snippets are cut from there; the highlighter works on the
original characters, so "ca mau" still highlights "Cà Mau"); the exact fields only rank. A classified
document stores and indexes no text at all: only keyed hashes of its terms in `blind`/`blind_x`
(see documents.py). Change SCHEMA_VERSION with any change here: an index of another version is rebuilt.
"""

from __future__ import annotations

from tantivy import Schema, SchemaBuilder

from .analyzers import EXACT, FOLD, NOTATION, NOTATION_FOLD

SCHEMA_VERSION = 5

#: The facets, and the combined fast field (position in it) each is counted from.
FACETS = {
    "unit_id": ("f_place", 0), "fonds_id": ("f_place", 1), "creator_id": ("f_place", 2),
    "doctype": ("f_kind", 0), "year": ("f_kind", 1),
    "level": ("f_state", 0), "status": ("f_state", 1), "has_text": ("f_state", 2), "lang": ("f_state", 3),
}  # fmt: skip
INT_FACETS = {"unit_id", "fonds_id", "creator_id", "year", "level", "has_text"}


def build_schema() -> Schema:
    b = SchemaBuilder()
    b.add_integer_field("doc_id", stored=True, indexed=True, fast=True)
    b.add_integer_field("content_hash", fast=True)
    b.add_text_field("notation", stored=True, tokenizer_name=NOTATION, index_option="basic")
    b.add_text_field("notation_f", tokenizer_name=NOTATION_FOLD, index_option="basic")
    b.add_text_field("title", tokenizer_name=EXACT, index_option="freq")
    b.add_text_field("title_f", stored=True, tokenizer_name=FOLD, index_option="position")
    b.add_text_field("body", tokenizer_name=EXACT, index_option="freq")  # one value per page
    b.add_text_field("body_f", stored=True, tokenizer_name=FOLD, index_option="position")
    # Adjacent folded syllable pairs ("nha_nuoc"): a phrase becomes term lookups instead of position
    # checks over every document holding its (common) syllables; most Vietnamese words are two syllables.
    b.add_text_field("body_bi", tokenizer_name="whitespace", index_option="freq")
    b.add_text_field("meta", tokenizer_name=EXACT, index_option="freq")  # issuer, record, fonds, unit names …
    b.add_text_field("meta_f", tokenizer_name=FOLD, index_option="position")
    b.add_text_field("blind", tokenizer_name="whitespace", index_option="basic")
    b.add_text_field("blind_x", tokenizer_name="whitespace", index_option="basic")
    b.add_integer_field("level", indexed=True, fast=True)
    b.add_facet_field("unit")  # /root/…/unit/: a term on an ancestor matches its whole subtree
    b.add_integer_field("unit_id", indexed=True, fast=True)
    b.add_facet_field("creator")  # the creating unit (provenance), for "by creating unit"
    b.add_integer_field("record_id", indexed=True, fast=True)
    b.add_integer_field("fonds_id", indexed=True, fast=True)
    b.add_text_field("doctype", tokenizer_name="raw", fast=True, index_option="basic")
    b.add_integer_field("year", indexed=True, fast=True)
    b.add_date_field("issued", indexed=True, fast=True)
    b.add_text_field("status", tokenizer_name="raw", fast=True, index_option="basic")
    b.add_integer_field("has_text", indexed=True, fast=True)
    b.add_text_field("lang", tokenizer_name="raw", fast=True, index_option="basic")
    b.add_text_field("links", tokenizer_name="raw", index_option="basic")  # "petition:12", "case:3"
    # Facet counts read these three combined columns (3 aggregations instead of 8): see selectors._facets.
    b.add_text_field("f_place", tokenizer_name="raw", fast=True, index_option="basic")  # unit|fonds|creator
    b.add_text_field("f_kind", tokenizer_name="raw", fast=True, index_option="basic")  # type|year
    b.add_text_field("f_state", tokenizer_name="raw", fast=True, index_option="basic")  # level|status|text|lang
    return b.build()
