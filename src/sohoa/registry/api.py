"""REST API of the registry: units, read by every signed-in user, written by the roles the policy allows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from sohoa.core.api import ServiceSerializer, WriteViewSet, unit_code_field

from . import selectors, services
from .models import Unit, UnitKind


class UnitSerializer(ServiceSerializer):
    parent = unit_code_field(required=False, allow_null=True, help_text="Code of the parent unit.")  # type: ignore[assignment]
    depth = serializers.IntegerField(read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "depth"]
        validators: list[Any] = []

    def save_with(self, instance: Unit, actor: Any) -> Unit:
        return services.unit_save(actor=actor, unit=instance)


class UnitFilter(serializers.Serializer):  # type: ignore[type-arg]
    q = serializers.CharField(required=False, max_length=200, help_text="Words in code, name or short name.")
    kind = serializers.ChoiceField(required=False, choices=UnitKind.choices)


@extend_schema(tags=["registry"])
class UnitViewSet(WriteViewSet):
    """Party and State bodies. Every signed-in user reads them; administrators and the provincial office
    create and change them. Units are never deleted (they end with `valid_to` and successors)."""

    queryset = Unit.objects.none()
    serializer_class = UnitSerializer
    filter_serializer = UnitFilter

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[Unit]:
        return selectors.unit_list(user, **filters)

    def get_selector(self, user: Any, pk: Any) -> Unit:
        return selectors.unit_get(user, pk)

    @extend_schema(parameters=[UnitFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
