"""GET /api/search/: the same form and selector as the page, as JSON, documented in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from sohoa.core.models import Level, Role
from tests.search.conftest import add_document
from tests.search.test_views import MARKER

pytestmark = pytest.mark.django_db

URL = "/api/search/"


@pytest.fixture
def api(province, make_user):  # type: ignore[no-untyped-def]
    """An API client signed in as a UBKT clerk without clearance."""
    client = APIClient()
    client.force_authenticate(make_user(province["ubkt"], role=Role.CLERK, clearance=Level.NONE))
    return client


@pytest.fixture
def docs(province):  # type: ignore[no-untyped-def]
    ubkt = province["ubkt"]
    return [
        add_document(
            unit=ubkt,
            subject="Báo cáo kiểm tra đảng viên",
            doc_type="CV",
            issued_date=dt.date(2023, 3, 1),
            pages=["Mở đầu.", "Kết luận kiểm tra đảng viên."],
        ),
        add_document(unit=ubkt, subject="Quyết định kiểm tra", doc_type="QĐ", issued_date=dt.date(2024, 6, 1)),
    ]


@pytest.fixture
def hidden(province):  # type: ignore[no-untyped-def]
    return [
        add_document(
            unit=province["ubkt"],
            confidentiality=Level.MAT,
            subject=f"{MARKER} kiểm tra",
            doc_type="NQ",
            issued_date=dt.date(1999, 1, 1),
            pages=[f"{MARKER} kiểm tra mật"],
        ),
        add_document(unit=province["ubnd"], subject=f"{MARKER} kiểm tra", doc_type="KH", pages=[f"{MARKER} kiểm tra"]),
        add_document(unit=province["other"], subject=f"{MARKER} kiểm tra", doc_type="TB", pages=[f"{MARKER} kiểm tra"]),
    ]


def test_results_and_facets(api, docs, province):  # type: ignore[no-untyped-def]
    response = api.get(URL, {"q": "kết luận"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"total", "page", "pages", "message", "fuzzy", "results", "facets"}
    assert (data["total"], data["page"], data["pages"], data["message"]) == (1, 1, 1, "")
    hit = data["results"][0]
    assert set(hit) == {"document_id", "notation", "title", "score", "snippet", "page", "url"}
    assert hit["document_id"] == docs[0].pk and hit["notation"] == docs[0].notation and hit["page"] == 2
    assert "<b>" in hit["snippet"] and hit["url"].endswith(f"/documents/{docs[0].pk}/#page-2")
    assert data["facets"]["unit"] == [
        {"key": province["ubkt"].pk, "label": province["ubkt"].name, "count": 1, "depth": 0}
    ]
    assert [(b["key"], b["count"]) for b in data["facets"]["level"]] == [("none", 1)]
    assert [(b["key"], b["count"]) for b in data["facets"]["has_text"]] == [(True, 1)]


def test_filters_and_sort(api, docs):  # type: ignore[no-untyped-def]
    assert [r["document_id"] for r in api.get(URL, {"q": "kiểm tra", "sort": "oldest"}).json()["results"]] == [
        docs[0].pk,
        docs[1].pk,
    ]
    assert [r["document_id"] for r in api.get(URL, {"q": "kiểm tra", "type": "QĐ"}).json()["results"]] == [docs[1].pk]
    assert api.get(URL, {"q": "kiểm tra", "date_from": "01/01/2024"}).json()["total"] == 1
    assert api.get(URL, {"q": "kiểm tra", "level": "none"}).json()["total"] == 2
    assert api.get(URL, {"q": "kiểm tra", "has_text": "1"}).json()["total"] == 1
    assert api.get(URL, {"q": "kiểm tr", "as_you_type": "true"}).json()["total"] == 2
    paged = api.get(URL, {"q": "kiểm tra", "per_page": 1, "page": 2}).json()
    assert (paged["pages"], len(paged["results"])) == (2, 1)


def test_hidden_documents_never_appear(api, docs, hidden):  # type: ignore[no-untyped-def]
    for params in (
        {"q": "kiểm tra"},
        {"q": MARKER.lower()},
        {"q": ""},
        {"q": "kiểm", "as_you_type": "1"},
        {"level": "mat"},
    ):
        response = api.get(URL, params)
        assert response.status_code == 200
        data = response.json()
        assert MARKER not in response.content.decode()
        assert not {r["document_id"] for r in data["results"]} & {h.pk for h in hidden}
        assert data["total"] == len(data["results"]) <= 2
        assert sum(b["count"] for b in data["facets"].get("type", [])) == data["total"]
        assert {b["key"] for b in data["facets"].get("type", [])} <= {"CV", "QĐ"}
        assert {b["key"] for b in data["facets"].get("level", [])} <= {"none"}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date_from": "2024-13-45"}, "date_from"),
        ({"date_from": "2025-01-01", "date_to": "2024-01-01"}, "date_to"),
        ({"year_from": "abc"}, "year_from"),
        ({"page": "abc"}, "page"),
        ({"sort": "random"}, "sort"),
        ({"level": "secret"}, "level"),
        ({"unit": "999999"}, "unit"),
        ({"per_page": "0"}, "per_page"),
    ],
)
def test_invalid_parameters_are_a_400_with_field_errors(api, docs, params, field):  # type: ignore[no-untyped-def]
    response = api.get(URL, {"q": "kiểm tra", **params})
    assert response.status_code == 400
    assert field in response.json() and all(isinstance(m, str) and m for m in response.json()[field])


def test_unit_out_of_scope_is_refused_like_a_missing_one(api, province):  # type: ignore[no-untyped-def]
    outside = api.get(URL, {"unit": province["other"].pk}).json()
    missing = api.get(URL, {"unit": 987654}).json()
    assert outside == missing


@pytest.mark.parametrize("q", ["kiểm tra " * 1250, '"kiểm tra', "*", "Số: 15 [a TO b] IN \\", '"'])
def test_odd_queries_answer_200(api, docs, q):  # type: ignore[no-untyped-def]
    response = api.get(URL, {"q": q})
    assert response.status_code == 200
    data = response.json()
    assert data["message"] or data["total"] >= 0


def test_anonymous_is_refused():  # type: ignore[no-untyped-def]
    assert APIClient().get(URL, {"q": "x"}).status_code in (401, 403)


def test_documented_in_the_openapi_schema(api):  # type: ignore[no-untyped-def]
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/search/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "unit", "fonds", "type", "year_from", "year_to", "date_from", "date_to", "level"} <= names
    assert {"status", "has_text", "lang", "sort", "page", "per_page", "as_you_type"} <= names
    assert {"200", "400"} <= set(operation["responses"])
