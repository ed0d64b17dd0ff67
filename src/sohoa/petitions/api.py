"""REST API of petitions: list and read the petitions a user sees; register one, as JSON without files or
as multipart with the scanned `letter` and any number of `attachments` (each is digitized; the letter
pre-fills the empty fields once read)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from sohoa.codes.models import MentionKind
from sohoa.core.api import CanWrite, LevelField, ReadViewSet, service_errors, unit_code_field
from sohoa.digitization.models import Intake

from . import intake, listing, selectors
from .models import Channel, Kind, Petition, PetitionFile, PetitionParty, State


class PartySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = PetitionParty
        fields = ["id", "role", "kind", "name", "birth_year", "address", "position", "workplace", "code", "code_source"]
        read_only_fields = fields


class FileSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    status = serializers.SerializerMethodField()

    class Meta:
        model = PetitionFile
        fields = ["id", "role", "name", "intake", "document", "status"]
        read_only_fields = fields

    def get_status(self, file: PetitionFile) -> str:
        if file.document_id:
            return "done"
        return file.intake.status if file.intake else ""


class PetitionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    unit = unit_code_field(read_only=True)
    confidentiality = LevelField(read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    files = FileSerializer(many=True, read_only=True)

    class Meta:
        model = Petition
        fields = [
            "id",
            "number",
            "unit",
            "received_on",
            "letter_date",
            "channel",
            "kind",
            "anonymous",
            "state",
            "deadline",
            "summary",
            "confidentiality",
            "parties",
            "files",
            "created_at",
        ]
        read_only_fields = fields


class PartyInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    role = serializers.ChoiceField(choices=PetitionParty.Role.choices)
    kind = serializers.ChoiceField(choices=MentionKind.choices, required=False, default=MentionKind.PERSON)
    name = serializers.CharField(max_length=255)
    birth_year = serializers.IntegerField(required=False, allow_null=True, min_value=1900)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    position = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    workplace = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class RegisterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    unit = unit_code_field()
    received_on = serializers.DateField(required=False)
    letter_date = serializers.DateField(required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.POST)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    content = serializers.CharField(required=False, allow_blank=True, default="")
    confidentiality = LevelField(required=False, default=0)
    letter = serializers.FileField(required=False)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    parties = PartyInputSerializer(many=True, required=False, default=list)


class PetitionFilter(serializers.Serializer):  # type: ignore[type-arg]
    state = serializers.ChoiceField(choices=State.choices, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    overdue = serializers.BooleanField(required=False)
    q = serializers.CharField(required=False, max_length=200)


@extend_schema(tags=["petitions"])
class PetitionViewSet(ReadViewSet):
    """Petitions (đơn thư). POST registers one: JSON without files, or multipart with `letter` and
    `attachments`; `parties` (JSON only) are senders and persons concerned. Poll GET for the pre-fill."""

    queryset = Petition.objects.none()
    serializer_class = PetitionSerializer
    filter_serializer = PetitionFilter
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    permission_classes = [permissions.IsAuthenticated, CanWrite]

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[Petition]:
        return listing.petition_list(user, **filters)

    def get_selector(self, user: Any, pk: Any) -> Petition:
        return selectors.petition_get(user, pk)

    def list_queryset(self, queryset: QuerySet[Petition]) -> QuerySet[Petition]:
        return queryset.prefetch_related("parties", "files__intake")

    @extend_schema(parameters=[PetitionFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RegisterSerializer, responses={201: PetitionSerializer})
    def create(self, request: Request) -> Response:
        form = RegisterSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        letter = data.get("letter")
        with service_errors():
            petition = intake.petition_register(
                actor=request.user,
                unit=data["unit"],
                received_on=data.get("received_on"),
                channel=data["channel"],
                letter=intake.Upload(letter, letter.name or "letter") if letter else None,
                attachments=[intake.Upload(f, f.name or "attachment") for f in data["attachments"]],
                kind=data["kind"],
                letter_date=data.get("letter_date"),
                anonymous=data["anonymous"],
                summary=data["summary"],
                content=data["content"],
                confidentiality=data["confidentiality"],
                parties=[intake.PartyInput(**p) for p in data["parties"]],
                source=Intake.Source.API,
            )
        petition = selectors.petition_get(request.user, petition.pk)
        return Response(PetitionSerializer(petition).data, status=status.HTTP_201_CREATED)
