"""What the extractor read from a document's first page, and what the clerk did with it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sohoa.archive.models import Document
from sohoa.registry.models import Unit


class Suggestion(models.Model):
    """The pre-filled registration form of one document: values and confidences per field (header.FIELDS).

    `outcome` records, once the clerk decided, for every suggested field whether it was accepted
    unchanged — the product's own accuracy meter."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To check")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="suggestion")
    values = models.JSONField(default=dict)
    confidence = models.JSONField(default=dict)
    issuer_unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    accepted = models.JSONField(default=dict, blank=True)  # the values the clerk confirmed
    outcome = models.JSONField(default=dict, blank=True)  # field → True (accepted unchanged) / False
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("extracted metadata")
        verbose_name_plural = _("extracted metadata")

    def __str__(self) -> str:
        return f"{self.document_id}: {self.values.get('notation') or '—'}"
