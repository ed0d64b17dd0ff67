from django.contrib import admin

from sohoa.core.admin import PolicyAdmin

from .models import Succession, Unit


@admin.register(Unit)
class UnitAdmin(PolicyAdmin):
    list_display = ("code", "name", "short_name", "kind", "parent", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")
    readonly_fields = ("path",)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from .services import unit_save

        unit_save(actor=request.user, unit=obj)


@admin.register(Succession)
class SuccessionAdmin(PolicyAdmin):
    list_display = ("predecessor", "successor", "kind", "effective_date", "decision")
