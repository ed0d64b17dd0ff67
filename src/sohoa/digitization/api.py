"""REST API of digitization: upload files (multipart) and poll their jobs."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from sohoa.archive.models import Record, RegisterEntry
from sohoa.core.api import CanWrite, LevelField, ReadViewSet, VisibleRelatedField, service_errors, unit_code_field

from . import selectors, services
from .models import Intake
from .templatetags.sohoa_i18n import intake_error


class IntakeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    unit = unit_code_field(read_only=True)
    confidentiality = LevelField(read_only=True)
    percent = serializers.IntegerField(read_only=True)
    error = serializers.SerializerMethodField()

    class Meta:
        model = Intake
        fields = [
            "id",
            "batch",
            "source",
            "original_name",
            "size",
            "sha256",
            "mime",
            "status",
            "step",
            "pages_total",
            "pages_done",
            "percent",
            "flags",
            "error",
            "unit",
            "record",
            "confidentiality",
            "document",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_error(self, intake: Intake) -> str | None:
        return intake_error(intake) if intake.error else None


class UploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    unit = unit_code_field()
    record = VisibleRelatedField(queryset=Record.objects.none(), required=False, allow_null=True)
    register_entry = VisibleRelatedField(queryset=RegisterEntry.objects.none(), required=False, allow_null=True)
    confidentiality = LevelField(required=False, default=0)
    force_ocr = serializers.BooleanField(required=False, default=False)


class IntakeFilter(serializers.Serializer):  # type: ignore[type-arg]
    batch = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=Intake.Status.choices, required=False)


@extend_schema(tags=["digitization"])
class IntakeViewSet(ReadViewSet):
    """Digitization jobs: POST multipart `files` (one or many) with `unit` (code), optional `record` (id)
    and `confidentiality`; then poll `GET /api/intakes/{id}/` for status, step and pages done."""

    queryset = Intake.objects.none()
    serializer_class = IntakeSerializer
    filter_serializer = IntakeFilter
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [permissions.IsAuthenticated, CanWrite]

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[Intake]:
        return selectors.intake_list(user, **filters)

    def get_selector(self, user: Any, pk: Any) -> Intake:
        return selectors.intake_get(user, pk)

    @extend_schema(parameters=[IntakeFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: IntakeSerializer(many=True)})
    def create(self, request: Request) -> Response:
        form = UploadSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data, batch, intakes = form.validated_data, uuid.uuid4(), []
        with service_errors():
            for file in data["files"]:
                intakes.append(
                    services.intake_create(
                        actor=request.user,
                        file=file,
                        name=file.name or _("upload"),
                        unit=data["unit"],
                        record=data.get("record"),
                        register_entry=data.get("register_entry"),
                        confidentiality=data["confidentiality"],
                        force_ocr=data["force_ocr"],
                        source=Intake.Source.API,
                        batch=batch,
                    )
                )
        for intake in intakes:
            intake.refresh_from_db()
        return Response(IntakeSerializer(intakes, many=True).data, status=status.HTTP_201_CREATED)
