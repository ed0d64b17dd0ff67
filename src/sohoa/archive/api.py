"""REST API of the archive: fonds, records, documents, register entries and storage locations.

Rows come from the selectors (the access policy), writes go through the services (scope, clearance,
validation, audit). Units are named by code, confidentiality by its code, other archive objects by id —
and only ids of objects the caller may see are accepted.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from sohoa.core.api import LevelField, ServiceSerializer, VisibleRelatedField, WriteViewSet, unit_code_field

from . import selectors, services
from .models import Direction, DocType, Document, Fonds, Record, RegisterEntry, StorageLocation

# ---- serializers ---------------------------------------------------------------------------------


class FondsSerializer(ServiceSerializer):
    unit = unit_code_field(help_text="Code of the custodian unit.")
    creator_unit = unit_code_field(
        required=False,
        help_text="Code of the creating unit (provenance); set once on create, the custodian by default.",
    )
    create_only = ("creator_unit",)

    class Meta:
        model = Fonds
        fields = ["id", "code", "name", "creator_unit", "unit", "start_year", "end_year", "description"]
        validators: list[Any] = []

    def save_with(self, instance: Fonds, actor: Any) -> Fonds:
        return services.fonds_save(actor=actor, fonds=instance)


class LocationSerializer(ServiceSerializer):
    unit = unit_code_field(help_text="Code of the unit that keeps the storage.")

    class Meta:
        model = StorageLocation
        fields = ["id", "unit", "storage", "shelf", "box", "note"]
        validators: list[Any] = []

    def save_with(self, instance: StorageLocation, actor: Any) -> StorageLocation:
        return services.location_save(actor=actor, location=instance)


class RecordSerializer(ServiceSerializer):
    unit = unit_code_field(help_text="Code of the custodian unit.")
    creator_unit = unit_code_field(
        required=False,
        help_text="Code of the creating unit (provenance); set once on create, the custodian by default.",
    )
    fonds = VisibleRelatedField(queryset=Fonds.objects.none(), required=False, allow_null=True)
    location = VisibleRelatedField(queryset=StorageLocation.objects.none(), required=False, allow_null=True)
    confidentiality = LevelField(required=False)
    create_only = ("creator_unit",)

    class Meta:
        model = Record
        fields = [
            "id",
            "code",
            "fonds",
            "number",
            "catalogue",
            "title",
            "year",
            "start_date",
            "end_date",
            "retention",
            "access_regime",
            "confidentiality",
            "creator_unit",
            "unit",
            "location",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []

    def save_with(self, instance: Record, actor: Any) -> Record:
        return services.record_save(actor=actor, record=instance)


class DocumentSerializer(ServiceSerializer):
    record = VisibleRelatedField(queryset=Record.objects.none(), required=False, allow_null=True)
    unit = unit_code_field(required=False, help_text="Code of the custodian unit; the record's by default.")
    creator_unit = unit_code_field(read_only=True, help_text="Code of the creating unit (provenance).")
    issuer_unit = unit_code_field(required=False, allow_null=True, help_text="Code of the issuing unit.")
    location = VisibleRelatedField(queryset=StorageLocation.objects.none(), required=False, allow_null=True)
    confidentiality = LevelField(required=False)
    created_by: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)
    allow_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Register even though a document with the same number, symbol and issuing body exists.",
    )
    legal_basis = serializers.CharField(
        write_only=True,
        required=False,
        default="",
        allow_blank=True,
        max_length=500,
        help_text="Legal basis of a change of the level of secrecy (e.g. the declassification decision number).",
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "record",
            "order_in_record",
            "identifier",
            "number",
            "symbol",
            "notation",
            "doc_type",
            "type_name",
            "issued_date",
            "issuer",
            "issuer_unit",
            "subject",
            "language",
            "page_count",
            "confidentiality",
            "urgency",
            "keywords",
            "information_sign",
            "access_regime",
            "confidence",
            "handwriting",
            "physical_condition",
            "notes",
            "creator_unit",
            "unit",
            "location",
            "created_by",
            "created_at",
            "updated_at",
            "allow_duplicate",
            "legal_basis",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if self.instance is None and not attrs.get("unit") and not attrs.get("record"):
            raise serializers.ValidationError({"unit": [_("Give the custodian unit or the record.")]})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Document:
        self._allow_duplicate = bool(validated_data.pop("allow_duplicate", False))
        self._legal_basis = str(validated_data.pop("legal_basis", ""))
        return super().create(validated_data)

    def update(self, instance: Document, validated_data: dict[str, Any]) -> Document:
        self._allow_duplicate = bool(validated_data.pop("allow_duplicate", False))
        self._legal_basis = str(validated_data.pop("legal_basis", ""))
        return super().update(instance, validated_data)

    def save_with(self, instance: Document, actor: Any) -> Document:
        return services.document_save(
            actor=actor,
            document=instance,
            allow_duplicate=self._allow_duplicate,
            legal_basis=getattr(self, "_legal_basis", ""),
        )


class RegisterEntrySerializer(ServiceSerializer):
    unit = unit_code_field(help_text="Code of the unit whose register this is.")
    document = VisibleRelatedField(queryset=Document.objects.none(), required=False, allow_null=True)
    confidentiality = LevelField(required=False)
    entry_number = serializers.IntegerField(
        required=False, min_value=1, help_text="The next free number of the register if omitted."
    )

    class Meta:
        model = RegisterEntry
        fields = [
            "id",
            "unit",
            "direction",
            "year",
            "entry_number",
            "arrival_date",
            "author",
            "notation",
            "doc_date",
            "doc_type",
            "subject",
            "signer",
            "receiver",
            "recipients",
            "copy_keeper",
            "copies",
            "handover_date",
            "confidentiality",
            "urgency",
            "note",
            "document",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        validators: list[Any] = []

    def save_with(self, instance: RegisterEntry, actor: Any) -> RegisterEntry:
        return services.register_entry_save(actor=actor, entry=instance)


# ---- list filters (named as the selectors' keyword arguments) ------------------------------------


def _year(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=9999, help_text=help_text)


class DocumentFilter(serializers.Serializer):  # type: ignore[type-arg]
    q = serializers.CharField(
        required=False, max_length=200, help_text="Words in notation, subject, issuer or keywords."
    )
    unit = serializers.IntegerField(required=False, min_value=1, help_text="Id of the custodian unit.")
    doc_type = serializers.ChoiceField(required=False, choices=DocType.choices)
    year = _year("Year of the document's date.")
    confidentiality = LevelField(required=False)
    record = serializers.IntegerField(required=False, min_value=1, help_text="Id of the record.")


class RecordFilter(serializers.Serializer):  # type: ignore[type-arg]
    q = serializers.CharField(required=False, max_length=200, help_text="Words in code, title or number.")
    unit = serializers.IntegerField(required=False, min_value=1, help_text="Id of the custodian unit.")
    fonds = serializers.IntegerField(required=False, min_value=1, help_text="Id of the fonds.")
    year = _year("Year the record was formed.")


class FondsFilter(serializers.Serializer):  # type: ignore[type-arg]
    q = serializers.CharField(required=False, max_length=200, help_text="Words in code or name.")
    unit = serializers.IntegerField(required=False, min_value=1, help_text="Id of the custodian unit.")


class RegisterFilter(serializers.Serializer):  # type: ignore[type-arg]
    direction = serializers.ChoiceField(required=False, choices=Direction.choices)
    q = serializers.CharField(required=False, max_length=200, help_text="Words in notation, subject, author or signer.")
    unit = serializers.IntegerField(required=False, min_value=1, help_text="Id of the unit.")
    year = _year("Register year.")


class LocationFilter(serializers.Serializer):  # type: ignore[type-arg]
    unit = serializers.IntegerField(required=False, min_value=1, help_text="Id of the unit.")


# ---- viewsets ------------------------------------------------------------------------------------


@extend_schema(tags=["archive"])
class FondsViewSet(WriteViewSet):
    """Fonds (phông) in the caller's scope."""

    queryset = Fonds.objects.none()
    serializer_class = FondsSerializer
    filter_serializer = FondsFilter
    audit_views = True

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[Fonds]:
        return selectors.fonds_list(user, **filters)

    def get_selector(self, user: Any, pk: Any) -> Fonds:
        return selectors.fonds_get(user, pk)

    @extend_schema(parameters=[FondsFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["archive"])
class RecordViewSet(WriteViewSet):
    """Records (hồ sơ) the caller may see: in scope and within clearance, or granted."""

    queryset = Record.objects.none()
    serializer_class = RecordSerializer
    filter_serializer = RecordFilter
    audit_views = True

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[Record]:
        return selectors.record_list(user, **filters)

    def list_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("creator_unit")

    def get_selector(self, user: Any, pk: Any) -> Record:
        return selectors.record_get(user, pk)

    @extend_schema(parameters=[RecordFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["archive"])
class DocumentViewSet(WriteViewSet):
    """Documents (văn bản) the caller may see. A duplicate number + symbol + issuing body is refused (400,
    code "duplicate" on `notation`) unless the body says `"allow_duplicate": true`."""

    queryset = Document.objects.none()
    serializer_class = DocumentSerializer
    filter_serializer = DocumentFilter
    audit_views = True

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[Document]:
        return selectors.document_list(user, **filters)

    def list_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("creator_unit", "issuer_unit", "created_by")

    def get_selector(self, user: Any, pk: Any) -> Document:
        return selectors.document_get(user, pk)

    @extend_schema(parameters=[DocumentFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["archive"])
class RegisterEntryViewSet(WriteViewSet):
    """Lines of the incoming and outgoing registers (sổ văn bản đến/đi) the caller may see."""

    queryset = RegisterEntry.objects.none()
    serializer_class = RegisterEntrySerializer
    filter_serializer = RegisterFilter
    audit_views = True

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[RegisterEntry]:
        return selectors.register_list(user, **filters)

    def get_selector(self, user: Any, pk: Any) -> RegisterEntry:
        return selectors.register_get(user, pk)

    @extend_schema(parameters=[RegisterFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["archive"])
class LocationViewSet(WriteViewSet):
    """Storage locations (storage room, shelf, box) of the caller's units."""

    queryset = StorageLocation.objects.none()
    serializer_class = LocationSerializer
    filter_serializer = LocationFilter

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[StorageLocation]:
        return selectors.location_list(user, **filters)

    def get_selector(self, user: Any, pk: Any) -> StorageLocation:
        return selectors.location_get(user, pk)

    @extend_schema(parameters=[LocationFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
