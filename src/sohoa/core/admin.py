"""Django admin for administrators, with the same access policy as every other page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import audit, policy
from .models import AuditEvent, User


class PolicyAdmin(admin.ModelAdmin):
    """Admin pages list and open only what the policy lets the administrator see."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return policy.restrict(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Choice lists are reads too: a dropdown of records must not list the titles of secret ones.
        related = db_field.remote_field.model
        if related._meta.label_lower in policy.RULES:
            kwargs["queryset"] = policy.restrict(request.user, related._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.is_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.is_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # records are never deleted from an archive through the UI

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record("update" if change else "create", actor=request.user, obj=obj, details={"via": "admin"})


def _admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's own login form would skip the two-factor step: people go to sohoa's login instead.
    Someone already signed in without staff rights gets 403 (sending them to the login page would send
    them straight back here, in a loop)."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url=reverse("login"))


admin.site.login = _admin_login  # type: ignore[method-assign]
admin.site.site_header = _("sohoa administration")
admin.site.site_title = "sohoa"


@admin.register(User)
class SohoaUserAdmin(PolicyAdmin, UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("sohoa"), {"fields": ("role", "clearance", "units", "failed_logins", "locked_until")}),
    )
    list_display = ("username", "first_name", "last_name", "role", "clearance", "is_active", "locked_until")
    list_filter = ("role", "clearance", "is_active")
    filter_horizontal = ("units", "groups", "user_permissions")
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor login (lost phone)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        from sohoa.security.totp import totp_reset

        for user in queryset:
            totp_reset(actor=request.user, user=user)
        self.message_user(
            request,
            _("Two-factor login reset for %(count)d user(s); they set it up again at their next login.")
            % {"count": queryset.count()},
        )


@admin.register(AuditEvent)
class AuditEventAdmin(PolicyAdmin):
    list_display = ("seq", "at", "actor_username", "action", "object_type", "object_id", "ip")
    list_filter = ("action",)
    search_fields = ("actor_username", "object_repr", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
