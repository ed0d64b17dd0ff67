from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sohoa.core.admin import PolicyAdmin

from .models import Document, Fonds, Grant, Record, RegisterEntry, StorageLocation


@admin.register(Fonds)
class FondsAdmin(PolicyAdmin):
    list_display = ("code", "name", "creator_unit", "unit")
    search_fields = ("code", "name")


@admin.register(StorageLocation)
class LocationAdmin(PolicyAdmin):
    list_display = ("unit", "storage", "shelf", "box")


@admin.register(Record)
class RecordAdmin(PolicyAdmin):
    list_display = ("code", "title", "year", "unit", "confidentiality")
    list_filter = ("confidentiality", "year")
    search_fields = ("code", "title")


@admin.register(Document)
class DocumentAdmin(PolicyAdmin):
    list_display = ("notation", "issued_date", "subject", "unit", "confidentiality")
    list_filter = ("confidentiality", "doc_type")
    search_fields = ("notation", "subject", "issuer")


@admin.register(RegisterEntry)
class RegisterEntryAdmin(PolicyAdmin):
    list_display = ("direction", "year", "entry_number", "notation", "subject", "unit")
    list_filter = ("direction", "year")


@admin.register(Grant)
class GrantAdmin(PolicyAdmin):
    """Grants are read here; they are requested, approved, rejected and revoked on the grant pages
    (archive.grants services), which check the leader and write the audit rows."""

    list_display = ("user", "unit", "reference", "status", "valid_until", "approved_by")
    list_filter = ("status",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
