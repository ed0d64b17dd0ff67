"""REST API of reorganizations: list and read the mergers and splits a user sees, record one, propose the
transfer, list and adjust its items, execute it, and download the hand-over minutes.

Every write calls the reorg services (which check the role, the scope and the state, and audit); the rows
come from the reorg selectors through the access policy. A hidden reorganization or item answers 404
whatever the role; a visible one that the caller's role may not run answers 403.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse as django_reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from sohoa.core import audit, policy
from sohoa.core.api import CanWrite, SelectorViewSet, service_errors, unit_code_field

from . import kinds, selectors, services
from .models import Reorganization, ReorganizationUnit, TransferItem

UNKNOWN_UNIT = gettext_lazy("Unknown unit code: {value}.")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _unit_code(**kwargs: Any) -> serializers.SlugRelatedField:
    """A unit by its code, with a clear message for a code the registry does not know."""
    return unit_code_field(error_messages={"does_not_exist": UNKNOWN_UNIT}, **kwargs)


class KindField(serializers.ChoiceField):
    """merge or split. One `ReorganizationKind` enum in the schema (other apps have a `kind` of their own)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Reorganization.Kind.choices, **kwargs)


class KindFieldSchema(OpenApiSerializerFieldExtension):
    target_class = KindField

    def get_name(self) -> str:
        return "ReorganizationKind"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "enum": list(Reorganization.Kind.values),
            "description": "merge: dissolved units into one successor; split: one dissolved unit among successors.",
        }


# ---- serializers -------------------------------------------------------------------------------------


class ReorganizationMinutesFileSerializer(serializers.Serializer):  # type: ignore[type-arg]
    url = serializers.URLField(help_text="Download through the API (token or session).")
    page_url = serializers.URLField(help_text="The same file from the web interface (session).")
    sha256 = serializers.CharField()


class ReorganizationMinutesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    docx = ReorganizationMinutesFileSerializer()
    pdf = ReorganizationMinutesFileSerializer()


class ReorganizationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    kind = KindField(read_only=True)
    dissolved = serializers.SerializerMethodField(help_text="Codes of the dissolved units, in order.")
    successors = serializers.SerializerMethodField(help_text="Codes of the successors; the first is the default.")
    decision = serializers.SerializerMethodField(help_text="The decision as written on the minutes.")
    created_by: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)
    executed_by: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)
    counts = serializers.SerializerMethodField(help_text="Proposed (or moved) items per kind, e.g. record: 12.")
    items_url = serializers.SerializerMethodField()
    minutes = serializers.SerializerMethodField(help_text="The hand-over minutes once executed, else null.")

    class Meta:
        model = Reorganization
        fields = ["id", "kind", "status", "dissolved", "successors", "effective_date", "decision_number"]
        fields += ["decision_date", "decision_issuer", "decision", "note", "counts", "created_by", "created_at"]
        fields += ["executed_by", "executed_at", "items_url", "minutes"]
        read_only_fields = fields

    def _codes(self, reorganization: Reorganization, role: str) -> list[str]:
        # `parties` is prefetched in order by the viewset (selectors.with_parties).
        return [p.unit.code for p in reorganization.parties.all() if p.role == role]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_dissolved(self, reorganization: Reorganization) -> list[str]:
        return self._codes(reorganization, ReorganizationUnit.Role.DISSOLVED)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_successors(self, reorganization: Reorganization) -> list[str]:
        return self._codes(reorganization, ReorganizationUnit.Role.SUCCESSOR)

    def get_decision(self, reorganization: Reorganization) -> str:
        return services.decision_text(reorganization)

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_counts(self, reorganization: Reorganization) -> dict[str, int]:
        counts = self.context.get("counts")
        if counts is None or reorganization.pk not in counts:
            counts = selectors.item_counts([reorganization.pk])
        return counts[reorganization.pk]

    def get_items_url(self, reorganization: Reorganization) -> str:
        return reverse("reorganization-items", args=[reorganization.pk], request=self.context.get("request"))

    @extend_schema_field(ReorganizationMinutesSerializer(allow_null=True))
    def get_minutes(self, reorganization: Reorganization) -> dict[str, Any] | None:
        if reorganization.status != Reorganization.Status.EXECUTED or not reorganization.minutes_pdf:
            return None
        request = self.context.get("request")
        result = {}
        for fmt, sha in (("docx", reorganization.minutes_docx_sha256), ("pdf", reorganization.minutes_pdf_sha256)):
            page = django_reverse("reorg_minutes", args=[reorganization.pk, fmt])
            result[fmt] = {
                "url": reverse(f"reorganization-minutes-{fmt}", args=[reorganization.pk], request=request),
                "page_url": request.build_absolute_uri(page) if request else page,
                "sha256": sha,
            }
        return result


class ReorganizationCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = KindField()
    dissolved = serializers.ListField(
        child=_unit_code(), min_length=1, help_text="Codes of the units that are dissolved."
    )
    successors = serializers.ListField(
        child=_unit_code(), min_length=1, help_text="Codes of the successors (a merger: one; a split: two or more)."
    )
    effective_date = serializers.DateField()
    decision_number = serializers.CharField(max_length=100, help_text="e.g. 1234-QĐ/TW")
    decision_date = serializers.DateField()
    decision_issuer = serializers.CharField(max_length=255)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReorganizationFilter(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(required=False, choices=Reorganization.Status.choices)
    kind = KindField(required=False)


class TransferItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    from_unit = unit_code_field(read_only=True)
    to_unit = unit_code_field(read_only=True, help_text="Code of the receiving successor; null: nobody.")
    optional_target = serializers.SerializerMethodField(help_text="Whether it may go to nobody (user scopes).")

    class Meta:
        model = TransferItem
        fields = ["id", "kind", "object_id", "code", "label", "parent", "from_unit", "to_unit", "documents"]
        fields += ["checksum", "moved", "optional_target"]
        read_only_fields = fields

    def get_optional_target(self, item: TransferItem) -> bool:
        return item.kind in kinds.KINDS and kinds.get(item.kind).optional_target


class ItemFilter(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(required=False, choices=[], help_text="fonds, record, document, plan, unit, user …")
    unassigned = serializers.BooleanField(
        required=False, default=None, allow_null=True, help_text="Only the items without (or with) a receiver."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(name, str(kind.label)) for name, kind in kinds.KINDS.items()]  # type: ignore[attr-defined]


class TransferItemAssignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    to_unit = _unit_code(allow_null=True, help_text="Code of a successor; null sends a user scope to nobody.")


class TransferItemAssignResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    changed = serializers.IntegerField(help_text="Items reassigned: the item and those that follow it.")
    item = TransferItemSerializer()


# ---- permissions and file answers ------------------------------------------------------------------------


class CanRunReorganizations(CanWrite):
    """Reads for every signed-in user (the selectors filter). Recording one needs a writer role (CanWrite);
    on one reorganization or item the object comes first (404 for a hidden one, whatever the role), then a
    role that may not run it is refused (403). Scope of the units is the services' check."""

    message = gettext_lazy("Your role may not record or run reorganizations.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(view, "detail", False) or getattr(view, "action", None) == "assign":
            return True
        return super().has_permission(request, view)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or policy.can_edit(request.user, obj)


class AnyAccept(BaseContentNegotiation):
    """The minutes are files: served whatever the client accepts; errors stay JSON."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0]

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


# ---- the viewset -----------------------------------------------------------------------------------------


@extend_schema(tags=["reorganizations"])
class ReorganizationViewSet(mixins.ListModelMixin, SelectorViewSet):
    """Mergers and splits of units (issue 8): record → propose → adjust → execute, then the minutes."""

    queryset = Reorganization.objects.none()
    serializer_class = ReorganizationSerializer
    filter_serializer = ReorganizationFilter
    http_method_names = ["get", "post", "head", "options"]
    permission_classes = [permissions.IsAuthenticated, CanRunReorganizations]

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[Reorganization]:
        return selectors.reorganization_list(user, **filters)

    def get_selector(self, user: Any, pk: Any) -> Reorganization:
        return selectors.reorganization_detail(user, pk)

    def list_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return selectors.with_parties(queryset)

    def _detail(self, reorganization: Reorganization, status: int = 200) -> Response:
        """The reorganization as it is after a step (read again: the services changed it)."""
        fresh = selectors.reorganization_detail(self.request.user, reorganization.pk)
        return Response(self.get_serializer(fresh).data, status=status)

    @extend_schema(parameters=[ReorganizationFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # pagination is on for every list (settings.REST_FRAMEWORK)
        counts = selectors.item_counts([r.pk for r in page])
        data = self.get_serializer(page, many=True, context={**self.get_serializer_context(), "counts": counts}).data
        return self.get_paginated_response(data)

    @extend_schema(request=ReorganizationCreateSerializer, responses={201: ReorganizationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ReorganizationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            reorganization = services.reorganization_create(actor=request.user, **body.validated_data)
        return self._detail(reorganization, status=201)

    @extend_schema(request=None, responses=ReorganizationSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """List every object the dissolved units hand over (again from scratch if proposed before)."""
        reorganization = self.get_object()
        with service_errors():
            services.reorganization_propose(actor=request.user, reorganization=reorganization)
        return self._detail(reorganization)

    @extend_schema(parameters=[ItemFilter], responses=TransferItemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def items(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """The proposed items, in order (a page at a time)."""
        reorganization = self.get_object()
        params = ItemFilter(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = {k: v for k, v in params.validated_data.items() if v not in (None, "")}
        page = self.paginate_queryset(selectors.items(reorganization, **filters))
        return self.get_paginated_response(TransferItemSerializer(page, many=True).data)

    @extend_schema(
        request=TransferItemAssignSerializer,
        responses=TransferItemAssignResultSerializer,
        parameters=[OpenApiParameter("item_id", int, OpenApiParameter.PATH, description="Id of a transfer item.")],
    )
    @action(detail=False, methods=["post"], url_path=r"items/(?P<item_id>[0-9]+)/assign")
    def assign(self, request: Request, item_id: Any = None, **kwargs: Any) -> Response:
        """The Office's adjustment: send one item (and those that follow it) to another successor."""
        item = selectors.item_get(request.user, item_id)
        self.check_object_permissions(request, item.reorganization)
        body = TransferItemAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            changed = services.transfer_item_assign(
                actor=request.user, item=item, to_unit=body.validated_data["to_unit"]
            )
        item = TransferItem.objects.select_related("from_unit", "to_unit").get(pk=item.pk)
        return Response(TransferItemAssignResultSerializer({"changed": changed, "item": item}).data)

    @extend_schema(request=None, responses=ReorganizationSerializer)
    @action(detail=True, methods=["post"])
    def execute(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Move everything as proposed and adjusted, in one audited step, and store the minutes."""
        reorganization = self.get_object()
        with service_errors():
            services.reorganization_execute(actor=request.user, reorganization=reorganization)
        return self._detail(reorganization)

    def _minutes(self, request: Request, fmt: str) -> FileResponse:
        reorganization = self.get_object()
        path = {"docx": reorganization.minutes_docx, "pdf": reorganization.minutes_pdf}[fmt]
        if not path:
            raise exceptions.NotFound(_("The minutes exist once the reorganization is executed."))
        audit.record(
            "export", actor=request.user, obj=reorganization, details={"what": "minutes", "format": fmt, "via": "api"}
        )
        return FileResponse(
            default_storage.open(path, "rb"),
            as_attachment=True,
            filename=f"bien-ban-giao-nhan-{reorganization.pk}.{fmt}",
            content_type=MEDIA_TYPES[fmt],
        )

    @extend_schema(responses={(200, MEDIA_TYPES["docx"]): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        url_path="minutes/docx",
        url_name="minutes-docx",
        content_negotiation_class=AnyAccept,
    )
    def minutes_docx(self, request: Request, pk: Any = None, **kwargs: Any) -> FileResponse:
        """The hand-over minutes (biên bản giao nhận) as DOCX; 404 until executed."""
        return self._minutes(request, "docx")

    @extend_schema(responses={(200, MEDIA_TYPES["pdf"]): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        url_path="minutes/pdf",
        url_name="minutes-pdf",
        content_negotiation_class=AnyAccept,
    )
    def minutes_pdf(self, request: Request, pk: Any = None, **kwargs: Any) -> FileResponse:
        """The hand-over minutes as PDF; 404 until executed."""
        return self._minutes(request, "pdf")
