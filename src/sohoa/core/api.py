"""REST API of the core app: token login, the current user, the audit log, and the pieces every API shares.

The shared pieces keep the other apps' viewsets thin and uniform: confidentiality travels as its code
(none|mat|toi_mat|tuyet_mat), relations to archive objects accept only objects the caller may see, query
filters are validated by a serializer (bad values are a 400, never a 500), writes go through a service
whose Django errors become DRF errors, and the viewsets' querysets come from the selectors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.fields import get_error_detail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import audit, policy, ratelimit
from .middleware import client_ip
from .models import LEVEL_BY_VALUE, LEVEL_CODES, AuditEvent, User
from .selectors import audit_list
from .services import login_succeeded

# ---- shared fields -------------------------------------------------------------------------------


class LevelField(serializers.ChoiceField):
    """A confidentiality level or clearance as its code (none|mat|toi_mat|tuyet_mat), stored as an integer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", gettext_lazy("Confidentiality code: none, mat, toi_mat or tuyet_mat."))
        super().__init__(choices=list(LEVEL_CODES), **kwargs)

    def to_representation(self, value: Any) -> str:
        return LEVEL_BY_VALUE.get(int(value), str(value))

    def to_internal_value(self, data: Any) -> int:  # type: ignore[override]
        return int(LEVEL_CODES[super().to_internal_value(data)])


class LevelFieldSchema(OpenApiSerializerFieldExtension):
    """Every level in the schema is one `Level` enum component (not one enum per field name)."""

    target_class = LevelField

    def get_name(self) -> str:
        return "Level"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "enum": list(LEVEL_CODES),
            "description": "Confidentiality level or clearance: none < mat < toi_mat < tuyet_mat.",
        }


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A relation by id that accepts only objects the requesting user may see (the policy decides).

    A hidden object gets the same "does not exist" answer as a missing one, so ids do not leak.
    """

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        assert self.queryset is not None
        return policy.restrict(getattr(request, "user", None), self.queryset.model._default_manager.all())


def unit_code_field(**kwargs: Any) -> serializers.SlugRelatedField:
    """A unit referenced by its code. Any unit may be named; the services check it is in the actor's scope."""
    from sohoa.registry.models import Unit

    if not kwargs.get("read_only"):
        kwargs.setdefault("queryset", Unit.objects.all())
    return serializers.SlugRelatedField(slug_field="code", **kwargs)


# ---- errors --------------------------------------------------------------------------------------


def drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A Django ValidationError from a service as a DRF 400, messages (and codes) kept, `__all__` renamed."""
    detail = get_error_detail(exc)
    if isinstance(detail, dict):
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: detail})


@contextmanager
def service_errors() -> Iterator[None]:
    """Run a service call; its ValidationError becomes a 400 (DRF maps PermissionDenied and Http404)."""
    try:
        yield
    except DjangoValidationError as exc:
        raise drf_error(exc) from exc


# ---- permissions ---------------------------------------------------------------------------------


class CanWrite(permissions.BasePermission):
    """Reads for every signed-in user (rows are filtered by the selectors); writes only for roles the policy
    lets write this kind of object. Scope and clearance of the object itself are the services' checks."""

    message = gettext_lazy("Your role may not change these objects.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return policy.can_create(request.user, view.queryset.model)


class IsSohoaAdmin(permissions.BasePermission):
    message = gettext_lazy("Only administrators may do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return policy.is_admin(request.user)


# ---- base viewset --------------------------------------------------------------------------------


class SelectorViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """A viewset whose rows come only from a selector (which applies the access policy).

    Subclasses set `queryset = Model.objects.none()` (the model, for the schema and permissions; it is
    never queried), `filter_serializer` (the list's query parameters, named as the selector's keyword
    arguments), `list_selector(user, **filters)` and `get_selector(user, pk)` (404 for hidden rows).
    `audit_views` writes a "view" audit row on every retrieve.
    """

    filter_serializer: ClassVar[type[serializers.Serializer] | None] = None  # type: ignore[type-arg]
    audit_views: ClassVar[bool] = False
    lookup_value_regex = r"[0-9]+"

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[Any]:
        raise NotImplementedError

    def get_selector(self, user: Any, pk: Any) -> Any:
        raise NotImplementedError

    def list_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Extra joins the list's serializer needs (kept here so the list stays free of N+1 queries)."""
        return queryset

    def filters(self) -> dict[str, Any]:
        if self.filter_serializer is None:
            return {}
        params = self.filter_serializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return {k: v for k, v in params.validated_data.items() if v not in (None, "")}

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no rows
            return self.queryset.none()  # type: ignore[union-attr]
        return self.list_queryset(self.list_selector(self.request.user, **self.filters()))

    def get_object(self) -> Any:
        obj = self.get_selector(self.request.user, self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        self.check_object_permissions(self.request, obj)
        return obj

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        if self.audit_views:
            audit.record_access(request, instance, "api", always=True)
        return Response(self.get_serializer(instance).data)


class ReadViewSet(mixins.ListModelMixin, SelectorViewSet):
    """List and retrieve through selectors."""

    http_method_names = ["get", "head", "options"]


class WriteViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, SelectorViewSet):
    """List, retrieve, create and update; no delete (archives keep everything). Writes go through the
    serializer's `create`/`update`, which call one service inside `service_errors()`."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permission_classes = [permissions.IsAuthenticated, CanWrite]


class ServiceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A model serializer that saves through a service: subclasses implement `save_with(instance, actor)`.

    Model-level validation (uniqueness, constraints, scope, clearance) is the service's `full_clean`, so
    DRF's own model validators are switched off in subclasses' Meta (`validators = []`).
    """

    #: Fields accepted on create that may not change afterwards (provenance); the services keep them too.
    create_only: ClassVar[tuple[str, ...]] = ()

    def save_with(self, instance: Any, actor: Any) -> Any:
        raise NotImplementedError

    def _actor(self) -> Any:
        return self.context["request"].user

    def create(self, validated_data: dict[str, Any]) -> Any:
        instance = self.Meta.model(**validated_data)  # type: ignore[misc]
        with service_errors():
            return self.save_with(instance, self._actor())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            changed = [n for n in self.create_only if n in attrs and attrs[n] != getattr(self.instance, n)]
            if changed:
                raise exceptions.ValidationError(
                    {
                        n: [_("This is provenance: it is set when the object is created and never changes.")]
                        for n in changed
                    }
                )
        return attrs

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        with service_errors():
            return self.save_with(instance, self._actor())


# ---- token login ---------------------------------------------------------------------------------


class TokenLoginSerializer(serializers.Serializer):  # type: ignore[type-arg]
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, write_only=True)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        write_only=True,
        help_text=gettext_lazy("Code from the authenticator app: required for users with two-factor login."),
    )


class TokenSerializer(serializers.Serializer):  # type: ignore[type-arg]
    token = serializers.CharField(read_only=True)


class TokenView(APIView):
    """Exchange a username and password for an API token (through Django's authenticate, so lock-out
    applies and failures are counted), auditing the login."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TokenLoginSerializer, responses={200: TokenSerializer}, auth=[], summary="Obtain an API token"
    )
    def post(self, request: Request) -> Response:
        form = TokenLoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        django_request = request._request
        if ratelimit.ip_blocked(client_ip(django_request)):
            message = _("Too many failed logins from this computer. Try again in 15 minutes.")
            raise exceptions.Throttled(detail=message)
        user = authenticate(
            django_request, username=form.validated_data["username"], password=form.validated_data["password"]
        )
        if user is None:
            if getattr(django_request, "sohoa_locked", False):
                message = _("This account is locked after repeated failed logins. Try again later.")
            else:
                message = _("Wrong username or password.")
            raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]}, code="authorization")
        self._second_factor(user, form.validated_data.get("otp", ""))
        update_last_login(User, user)
        login_succeeded(user=user, via="api")
        # A fresh token per login: the old one (and its age) is replaced, see ExpiringTokenAuthentication.
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        return Response({"token": token.key})

    @staticmethod
    def _second_factor(user: User, code: str) -> None:
        """Users with two-factor login also send `otp`; one who must have it and has none enrols first."""
        from sohoa.security import totp

        if not totp.needs_code(user):
            return
        if not totp.is_enrolled(user):
            message = _("Your account requires two-factor login: set it up in the web interface first.")
            raise exceptions.ValidationError({"otp": [message]}, code="authorization")
        if not code:
            raise exceptions.ValidationError({"otp": [_("Enter the code from your authenticator app.")]})
        result = totp.check_code(user, code, purpose="api")
        if result == totp.CodeResult.LIMITED:
            raise exceptions.ValidationError(
                {"otp": [_("Too many wrong codes. Wait 15 minutes or ask an administrator.")]}
            )
        if result != totp.CodeResult.OK:
            raise exceptions.ValidationError({"otp": [_("The code is not correct or has already been used.")]})


# ---- the current user ----------------------------------------------------------------------------


class MeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    clearance = LevelField(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    units: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    display_name = serializers.CharField(read_only=True)
    is_admin = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "role", "role_display", "clearance", "units", "is_admin"]
        read_only_fields = fields

    def get_is_admin(self, user: User) -> bool:
        return policy.is_admin(user)


class MeView(APIView):
    """Who the caller is: role, clearance code and unit codes."""

    @extend_schema(responses=MeSerializer, summary="The current user")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


# ---- audit log -----------------------------------------------------------------------------------


class AuditEventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "at",
            "actor_id",
            "actor_username",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "ip",
            "details",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class AuditFilter(serializers.Serializer):  # type: ignore[type-arg]
    action = serializers.CharField(required=False, max_length=32)
    actor = serializers.CharField(required=False, max_length=150, help_text="Username of the actor.")
    object_type = serializers.CharField(required=False, max_length=64, help_text="e.g. archive.document")


@extend_schema(tags=["audit"])
class AuditEventViewSet(ReadViewSet):
    """The audit log, newest first; administrators only."""

    queryset = AuditEvent.objects.none()
    serializer_class = AuditEventSerializer
    filter_serializer = AuditFilter
    permission_classes = [permissions.IsAuthenticated, IsSohoaAdmin]

    def list_selector(self, user: Any, **filters: Any) -> QuerySet[AuditEvent]:
        return audit_list(user, **filters)

    def get_selector(self, user: Any, pk: Any) -> AuditEvent:
        return policy.get_visible_or_404(user, audit_list(user), pk=pk)

    @extend_schema(parameters=[AuditFilter])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
