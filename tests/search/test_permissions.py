"""Permission inside the query: for generated documents and users, no hit, snippet, total or facet count
reveals a document outside the user's rights (core.policy on the database is the reference)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sohoa.archive.models import Document
from sohoa.core import policy
from sohoa.core.models import Level, Role
from sohoa.search import selectors
from sohoa.search.analyzers import fold
from tests.factories import GrantFactory, RecordFactory, UserFactory
from tests.search.conftest import add_document

pytestmark = pytest.mark.django_db

WORDS = ["Đảng", "dang", "Cà Mau", "quyết định", "nhân dân", "thủy lợi", "báo cáo"]
UNITS = ["root", "tu", "ubkt", "ubnd", "other"]
_run = itertools.count()

doc_strategy = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(UNITS),
        "level": st.integers(0, 3),
        "title": st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
        "page": st.lists(st.sampled_from(WORDS), max_size=3),
        "in_record": st.booleans(),
        "grant": st.sampled_from(["none", "document", "record", "expired"]),
    }
)
user_strategy = st.fixed_dictionaries(
    {
        "role": st.sampled_from([r for r in Role if r != Role.ADMIN] + [Role.ADMIN]),
        "unit": st.sampled_from(UNITS),
        "clearance": st.integers(0, 3),
        "active": st.booleans() | st.just(True),
    }
)


def _make(province, docs, spec):  # type: ignore[no-untyped-def]
    user = UserFactory(
        units=[province[spec["unit"]]], role=spec["role"], clearance=spec["clearance"], is_active=spec["active"]
    )
    record = RecordFactory(unit=province["tu"], confidentiality=Level.TUYET_MAT)
    made = []
    for d in docs:
        doc = add_document(
            unit=province[d["unit"]],
            confidentiality=d["level"],
            subject=" ".join(d["title"]),
            pages=[" ".join(d["page"])] if d["page"] else [],
            record=record if d["in_record"] or d["grant"] == "record" else None,
        )
        if d["grant"] == "document":
            GrantFactory(user=user, document=doc)
        elif d["grant"] == "record":
            GrantFactory(user=user, record=record)
        elif d["grant"] == "expired":
            GrantFactory(user=user, document=doc, valid_until=timezone.now() - dt.timedelta(minutes=1))
        made.append(doc)
    return user, made


def _expected(user, docs, word):  # type: ignore[no-untyped-def]
    visible = set(
        policy.restrict(user, Document.objects.filter(pk__in=[d.pk for d in docs])).values_list("pk", flat=True)
    )
    wanted = fold(word).split()
    out = set()
    for d in docs:
        # What the index holds of a document: subject, page text and the custodian's names (see documents.py).
        text = fold(" ".join([d.subject, d.unit.name, d.unit.short_name, *d.pages.values_list("text", flat=True)]))
        text = text.split()
        if d.pk in visible and all(w in text for w in wanted):
            out.add(d.pk)
    return out


@given(docs=st.lists(doc_strategy, min_size=1, max_size=8), spec=user_strategy, word=st.sampled_from(WORDS + [""]))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_nothing_outside_the_users_rights_shows(province, tmp_path, docs, spec, word):  # type: ignore[no-untyped-def]
    Document.objects.all().delete()  # examples share the test's transaction: start from an empty archive
    with override_settings(SEARCH_INDEX_DIR=tmp_path / f"index-{next(_run)}"):
        user, made = _make(province, docs, spec)
        expected = _expected(user, made, word)
        page = selectors.search(user, word, per_page=100)
        hits = {h.document_id for h in page.hits}
        assert hits == expected
        assert page.total == len(expected)
        levels = Counter(d.confidentiality for d in made if d.pk in expected)
        assert dict(page.facets["level"]) == dict(levels)
        assert sum(n for _, n in page.facets["unit_id"]) == len(expected)
        assert dict(page.facets["unit_id"]) == dict(Counter(d.unit_id for d in made if d.pk in expected))
        for hit in page.hits:  # titles and snippets shown are the hit's own
            doc = Document.objects.get(pk=hit.document_id)
            assert hit.title == doc.subject
            assert fold(hit.snippet_text) in fold(" ".join(doc.pages.values_list("text", flat=True)))
        # Filtering by a facet value cannot reveal more either.
        for level in range(4):
            filtered = selectors.search(user, word, filters=selectors.Filters(level=level), per_page=100)
            assert {h.document_id for h in filtered.hits} == {
                d.pk for d in made if d.pk in expected and d.confidentiality == level
            }
