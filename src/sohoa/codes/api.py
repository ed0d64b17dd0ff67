"""REST API of mentions: list a document's persons and organizations, add one, ask for suggested codes,
set a code, accept suggestions in bulk, apply exact unique matches. Codes are checked by the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sohoa.archive.models import Document
from sohoa.core import policy
from sohoa.core.api import CanWrite, SelectorViewSet, VisibleRelatedField, service_errors, unit_code_field

from . import selectors, services
from .models import CodeSource, DocumentMention, MentionKind
from .owners import OWNERS

DOCUMENT = OWNERS["document"]


class MentionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    document = VisibleRelatedField(queryset=Document.objects.none())
    unit_hint = unit_code_field(required=False, allow_null=True, help_text="Code of the organization named with it.")
    code_set_by: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DocumentMention
        fields = ["id", "document", "kind", "name", "birth_date", "unit_hint", "code", "code_source"]
        fields += ["code_set_by", "code_set_at", "created_at"]
        read_only_fields = ["code_source", "code_set_at", "created_at"]


class MentionFilter(serializers.Serializer):  # type: ignore[type-arg]
    document = serializers.IntegerField(required=False, help_text="Only the mentions of this document.")
    missing = serializers.BooleanField(required=False, default=None, allow_null=True, help_text="Only without a code.")


class CandidateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    full_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Reason codes, e.g. same_birth_date.")
    reason_text = serializers.CharField()
    exact = serializers.BooleanField()
    ties = serializers.IntegerField(
        help_text="Other members scoring exactly as high: more than 0 means the hints cannot tell them apart."
    )


class CodeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(allow_blank=True, max_length=32, help_text="Empty clears the code.")
    source: Any = serializers.ChoiceField(choices=[CodeSource.TYPED, CodeSource.SUGGESTION], default=CodeSource.TYPED)


class ChoiceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    mention = serializers.IntegerField()
    code = serializers.CharField(max_length=32)


class AcceptSerializer(serializers.Serializer):  # type: ignore[type-arg]
    choices = ChoiceSerializer(many=True)


class AutoSerializer(serializers.Serializer):  # type: ignore[type-arg]
    document = serializers.IntegerField()
    allow_auto = serializers.BooleanField(help_text="Must be true: the caller allows automatic application.")


class MentionViewSet(mixins.ListModelMixin, SelectorViewSet):
    """Persons and organizations named in documents, with their Party member / organization codes."""

    queryset = DocumentMention.objects.none()
    serializer_class = MentionSerializer
    filter_serializer = MentionFilter
    http_method_names = ["get", "post", "head", "options"]
    permission_classes = [permissions.IsAuthenticated, CanWrite]

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[Any]:
        qs = policy.restrict(user, DocumentMention.objects.select_related("unit_hint", "code_set_by"))
        if "document" in filters:
            qs = qs.filter(document_id=filters["document"])
        if filters.get("missing") is not None:
            qs = qs.filter(code="") if filters["missing"] else qs.exclude(code="")
        return qs.order_by("pk")

    def get_selector(self, user: Any, pk: Any) -> Any:
        return selectors.mention_get(user, pk, DOCUMENT)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            mention = services.mention_add(
                actor=request.user,
                owner=DOCUMENT,
                record=data["document"],
                kind=data.get("kind", MentionKind.PERSON),
                name=data["name"],
                birth_date=data.get("birth_date"),
                unit_hint=data.get("unit_hint"),
                code=data.get("code", ""),
            )
        return Response(self.get_serializer(mention).data, status=201)

    @extend_schema(responses=CandidateSerializer(many=True))
    @action(detail=True, methods=["get"])
    def suggestions(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        mention = self.get_object()
        found = selectors.suggestions(request.user, [mention]).get(mention.pk, [])
        data = [
            {
                "code": c.code,
                "full_name": c.full_name,
                "birth_date": c.birth_date,
                "score": c.score,
                "reasons": c.reasons,
                "reason_text": selectors.reason_text(c),
                "exact": c.exact,
                "ties": c.ties,
            }
            for c in found
        ]
        return Response(CandidateSerializer(data, many=True).data)

    @extend_schema(request=CodeSerializer, responses=MentionSerializer)
    @action(detail=True, methods=["post"])
    def code(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        mention = self.get_object()
        body = CodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.mention_set_code(
                actor=request.user,
                mention=mention,
                code=body.validated_data["code"],
                source=body.validated_data["source"],
            )
        return Response(self.get_serializer(mention).data)

    @extend_schema(request=AcceptSerializer, responses=MentionSerializer(many=True))
    @action(detail=False, methods=["post"])
    def accept(self, request: Request, **kwargs: Any) -> Response:
        body = AcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        choices = []
        for item in body.validated_data["choices"]:
            try:
                mention = selectors.mention_get(request.user, item["mention"], DOCUMENT)
            except Http404 as exc:  # hidden and missing look the same
                raise exceptions.ValidationError(
                    {"choices": [_("Unknown mention: %(id)s.") % {"id": item["mention"]}]}
                ) from exc
            choices.append((mention, item["code"]))
        with service_errors():
            done = services.mentions_set_codes(actor=request.user, choices=choices, source=CodeSource.SUGGESTION)
        return Response(self.get_serializer(done, many=True).data)

    @extend_schema(request=AutoSerializer, responses=MentionSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="auto-apply")
    def auto_apply(self, request: Request, **kwargs: Any) -> Response:
        body = AutoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not body.validated_data["allow_auto"]:
            raise exceptions.ValidationError({"allow_auto": [_("Automatic application was not allowed.")]})
        from sohoa.archive import selectors as archive_selectors

        document = archive_selectors.document_get(request.user, body.validated_data["document"])
        mentions = list(selectors.mention_list(request.user, DOCUMENT, document))
        with service_errors():
            result = services.mentions_auto_apply(actor=request.user, mentions=mentions)
        return Response(self.get_serializer(result.applied, many=True).data)
