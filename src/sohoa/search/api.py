"""GET /api/search/: the search page's results as JSON, from the same form (validation) and selector."""

from __future__ import annotations

from typing import Any, NoReturn

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sohoa.core.models import LEVEL_BY_VALUE
from sohoa.core.throttle import SearchThrottle, too_many_message

from .facets import groups, params_of
from .forms import SearchForm, run_search


class SearchHitSerializer(serializers.Serializer):  # type: ignore[type-arg]
    document_id = serializers.IntegerField()
    notation = serializers.CharField()
    title = serializers.CharField(help_text="The document's subject (trích yếu), plain text.")
    score = serializers.FloatField(help_text="Relevance; 0 when sorted by date.")
    snippet = serializers.CharField(help_text="Escaped HTML: a passage of the text with the matches in <b>.")
    page = serializers.IntegerField(allow_null=True, help_text="Page of the snippet (1-based), if known.")
    url = serializers.CharField(help_text="The document's web page (with #page-N when the page is known).")


class SearchBucketSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.JSONField(help_text="The value to pass back as the filter parameter of the same name.")
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    count = serializers.IntegerField(help_text="Documents among the results (units: their whole subtree).")
    depth = serializers.IntegerField(required=False, help_text="Units only: depth in the unit tree shown.")


class SearchResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    message = serializers.CharField(help_text="A notice for the user (query shortened …), or empty.")
    fuzzy = serializers.BooleanField(help_text="True when no exact match was found and similar words were used.")
    results = SearchHitSerializer(many=True)
    facets = serializers.DictField(
        child=SearchBucketSerializer(many=True),
        help_text="Per filter parameter (unit, fonds, type, year, level, status, has_text, lang): values with counts.",
    )


def _param(name: str, kind: Any, description: str, **kwargs: Any) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=False, description=description, **kwargs)


PARAMETERS = [
    _param(
        "q", str, 'Words (with or without diacritics), "a phrase", a number such as 15/QĐ-UBND, word* for a prefix.'
    ),
    _param(
        "by",
        str,
        "Whose units `unit` and the unit facet mean: empty = the current custodian; `creator` = the creating unit "
        "(provenance, unchanged by mergers).",
        enum=["", "creator"],
    ),
    _param(
        "unit",
        int,
        "Unit id: documents of this unit and the units under it (custodians: only units in your scope).",
    ),
    _param("fonds", int, "Fonds id."),
    _param("type", str, "Document type code (CV, NQ, QĐ, …)."),
    _param("year_from", int, "First year of issue."),
    _param("year_to", int, "Last year of issue."),
    _param("date_from", OpenApiTypes.DATE, "First date of issue (YYYY-MM-DD or DD/MM/YYYY)."),
    _param("date_to", OpenApiTypes.DATE, "Last date of issue (YYYY-MM-DD or DD/MM/YYYY)."),
    _param(
        "level", str, "Confidentiality: none, mat, toi_mat, tuyet_mat (or 0–3).", enum=list(LEVEL_BY_VALUE.values())
    ),
    _param("status", str, "Digitization status.", enum=["registered", "digitizing", "digitized"]),
    _param("has_text", str, "1: documents with page text, 0: without.", enum=["1", "0"]),
    _param("lang", str, "Language code (vi, en, …)."),
    _param("sort", str, "Order of the results.", enum=["relevance", "newest", "oldest"]),
    _param("page", int, "Page number (from 1)."),
    _param("per_page", int, "Results per page (1–100, default 20)."),
    _param("as_you_type", bool, "Treat the last word as the beginning of a word (search as you type)."),
]


def _facets(user: Any, form: SearchForm, result: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for group in groups(user, result, form.filters, params_of(form)):
        buckets = []
        for item in group.items:
            key: Any = item.key
            if group.name == "level":
                key = LEVEL_BY_VALUE.get(int(key), key)
            elif group.name == "has_text":
                key = key == "1"
            bucket = {"key": key, "label": item.label, "count": item.count}
            if group.name == "unit":
                bucket["depth"] = item.depth
            buckets.append(bucket)
        out[group.name] = buckets
    return out


class SearchView(APIView):
    """Full-text search over the documents the caller may see (the same policy as every other endpoint)."""

    throttle_classes = [SearchThrottle]

    def throttled(self, request: Request, wait: float) -> NoReturn:
        raise exceptions.Throttled(wait, detail=too_many_message())

    @extend_schema(
        operation_id="search",
        summary="Search documents",
        parameters=PARAMETERS,
        responses={
            200: SearchResultSerializer,
            400: inline_serializer(
                "SearchErrors",
                {"field": serializers.ListField(child=serializers.CharField())},
            ),
        },
    )
    def get(self, request: Request) -> Response:
        form = SearchForm(request.query_params, user=request.user)
        if not form.is_valid():
            return Response({name: [str(e) for e in errors] for name, errors in form.errors.items()}, status=400)
        result = run_search(request.user, form)
        results = []
        for hit in result.hits:
            url = reverse("document_detail", args=[hit.document_id]) + (f"#page-{hit.page}" if hit.page else "")
            results.append(
                {
                    "document_id": hit.document_id,
                    "notation": hit.notation,
                    "title": hit.title,
                    "score": hit.score,
                    "snippet": hit.snippet,
                    "page": hit.page,
                    "url": request.build_absolute_uri(url),
                }
            )
        data = {
            "total": result.total,
            "page": result.page,
            "pages": result.pages,
            "message": result.message,
            "fuzzy": result.fuzzy,
            "results": results,
            "facets": _facets(request.user, form, result),
        }
        return Response(SearchResultSerializer(data).data)
