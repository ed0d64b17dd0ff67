"""REST API of case files: list (filters as the web list), detail with subjects, documents and stages,
open, edit, add a subject, attach a document, advance a stage, close into a record, and the counts by
stage and outcome. Rows come from the selectors; writes go through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sohoa.archive.models import Document, Fonds, Retention
from sohoa.codes.models import MentionKind
from sohoa.core.api import CanWrite, LevelField, SelectorViewSet, VisibleRelatedField, service_errors, unit_code_field
from sohoa.registry.models import Unit

from . import selectors, services
from .models import Case, CaseDocument, CaseKind, CaseStage, CaseSubject, DocumentRole, Outcome, Stage


class SubjectSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    unit_hint = unit_code_field(required=False, allow_null=True, help_text="Code of the organization named with it.")

    class Meta:
        model = CaseSubject
        fields = ["id", "kind", "name", "birth_date", "unit_hint", "code", "code_source"]
        read_only_fields = ["code_source"]
        extra_kwargs = {"name": {"required": False, "allow_blank": True}}


class CaseDocumentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    notation = serializers.CharField(source="document.notation", read_only=True, default="")
    pending = serializers.BooleanField(read_only=True, help_text="An upload the pipeline has not made a document of.")

    class Meta:
        model = CaseDocument
        fields = ["id", "role", "document", "notation", "intake", "pending", "added_at"]
        read_only_fields = fields


class StageSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    by: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CaseStage
        fields = ["stage", "outcome", "note", "at", "by"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    unit = unit_code_field(help_text="Code of the handling unit (set when the case is opened).")
    creator_unit = unit_code_field(read_only=True)
    confidentiality = LevelField(required=False)
    record: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Case
        fields = ["id", "code", "number", "year", "title", "kind", "stage", "confidentiality", "opened_on"]
        fields += ["deadline", "outcome", "summary", "unit", "creator_unit", "record", "overdue", "closed_at"]
        read_only_fields = ["code", "year", "stage", "outcome", "creator_unit", "record", "closed_at"]
        extra_kwargs = {"number": {"required": False, "allow_blank": True}}
        validators: list[Any] = []


class CaseDetailSerializer(CaseSerializer):
    subjects = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "subjects", "documents", "stages"]

    def _user(self) -> Any:
        return self.context["request"].user

    @extend_schema(responses=SubjectSerializer(many=True))
    def get_subjects(self, case: Case) -> Any:
        return SubjectSerializer(selectors.case_subjects(self._user(), case), many=True).data

    @extend_schema(responses=CaseDocumentSerializer(many=True))
    def get_documents(self, case: Case) -> Any:
        return CaseDocumentSerializer(selectors.case_documents(self._user(), case), many=True).data

    @extend_schema(responses=StageSerializer(many=True))
    def get_stages(self, case: Case) -> Any:
        return StageSerializer(selectors.case_stages(self._user(), case), many=True).data


class CaseFilter(serializers.Serializer):  # type: ignore[type-arg]
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False)
    unit = serializers.CharField(required=False, max_length=32, help_text="Unit code: the unit and those under it.")
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2200)
    overdue = serializers.BooleanField(required=False, default=None, allow_null=True)
    q = serializers.CharField(required=False, max_length=200, help_text="Words of the code or title.")


class AttachSerializer(serializers.Serializer):  # type: ignore[type-arg]
    document = VisibleRelatedField(queryset=Document.objects.none())
    role = serializers.ChoiceField(choices=DocumentRole.choices)


class AdvanceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    stage = serializers.ChoiceField(choices=Stage.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class CloseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    retention = serializers.ChoiceField(choices=Retention.choices, default=Retention.PERMANENT)
    fonds = VisibleRelatedField(queryset=Fonds.objects.none(), required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class CountsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    total = serializers.IntegerField()
    by_stage = serializers.DictField(child=serializers.IntegerField())
    by_outcome = serializers.DictField(child=serializers.IntegerField())


class CanWriteCases(CanWrite):
    """CanWrite for opening a case; on one case the object comes first (404 for a hidden one, whatever the
    role), then the services refuse a role that may not write (403)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(getattr(view, "detail", False)) or super().has_permission(request, view)


class CaseViewSet(mixins.ListModelMixin, SelectorViewSet):
    """Inspection and supervision case files the caller may see (404 for the others)."""

    queryset = Case.objects.none()
    serializer_class = CaseSerializer
    filter_serializer = CaseFilter
    audit_views = True
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_classes = [permissions.IsAuthenticated, CanWriteCases]

    def get_serializer_class(self) -> Any:
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def filters(self) -> dict[str, Any]:
        found = super().filters()
        if "unit" in found:
            found["unit"] = Unit.objects.filter(code=found["unit"]).values_list("pk", flat=True).first() or -1
        return found

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[Any]:
        return selectors.case_list(user, **filters).select_related("creator_unit")

    def get_selector(self, user: Any, pk: Any) -> Any:
        return selectors.case_get(user, pk)

    @extend_schema(parameters=[CaseFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CaseSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items() if v is not None or k == "deadline"}
        with service_errors():
            case = services.case_open(actor=request.user, **data)
        return Response(CaseSerializer(case).data, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        body = CaseSerializer(case, data=request.data, partial=True, context={"request": request})
        body.is_valid(raise_exception=True)
        changes = {k: v for k, v in body.validated_data.items() if k in services.EDITABLE}
        with service_errors():
            case = services.case_update(actor=request.user, case=case, **changes)
        return Response(CaseSerializer(case).data)

    @extend_schema(request=SubjectSerializer, responses={201: SubjectSerializer})
    @action(detail=True, methods=["post"])
    def subjects(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        case = self.get_object()
        body = SubjectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with service_errors():
            subject = services.subject_add(
                actor=request.user,
                case=case,
                kind=data.get("kind", MentionKind.PERSON),
                name=data.get("name", ""),
                code=data.get("code", ""),
                birth_date=data.get("birth_date"),
                unit_hint=data.get("unit_hint"),
            )
        return Response(SubjectSerializer(subject).data, status=201)

    @extend_schema(request=AttachSerializer, responses={201: CaseDocumentSerializer})
    @action(detail=True, methods=["post"])
    def documents(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        case = self.get_object()
        body = AttachSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        with service_errors():
            row = services.document_attach(actor=request.user, case=case, **body.validated_data)
        return Response(CaseDocumentSerializer(row).data, status=201)

    @extend_schema(request=AdvanceSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        case = self.get_object()
        body = AdvanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            case = services.case_advance(actor=request.user, case=case, **body.validated_data)
        return Response(CaseSerializer(case).data)

    @extend_schema(request=CloseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        case = self.get_object()
        body = CloseSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        with service_errors():
            services.case_close(actor=request.user, case=case, **body.validated_data)
        return Response(CaseSerializer(selectors.case_get(request.user, case.pk)).data)

    @extend_schema(parameters=[CaseFilter], responses=CountsSerializer)
    @action(detail=False, methods=["get"])
    def counts(self, request: Request, **kwargs: Any) -> Response:
        return Response(CountsSerializer(selectors.case_counts(request.user, **self.filters())).data)
