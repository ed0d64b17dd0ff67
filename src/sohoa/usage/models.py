"""Every use of a document or of a paper register entry: the evidence for "digitize selectively".

A use of a digitized document (view, download, share, citation) shows the scan was worth making; a
look-up or a request for a paper register entry shows demand for paper not digitized yet, which the
plan's priority score reads. Rows are append-only and small; counts are GROUP BY on indexed columns.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sohoa.archive.models import Document, RegisterEntry
from sohoa.registry.models import Unit


class UseKind(models.TextChoices):
    VIEW = "view", _("Viewed")
    DOWNLOAD = "download", _("Downloaded")
    SHARE = "share", _("Shared")
    CITATION = "citation", _("Cited")
    LOOKUP = "lookup", _("Looked up in the register")
    REQUEST = "request", _("Paper requested")


class UseEvent(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=UseKind.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The unit that holds what was used (the custodian at the time), for counts per unit.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    document = models.ForeignKey(Document, on_delete=models.CASCADE, null=True, blank=True, related_name="uses")
    register_entry = models.ForeignKey(
        RegisterEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="uses"
    )
    # A share inside sohoa names who the link was sent to (optional: a link may also just be copied).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)  # e.g. where it was cited

    class Meta:
        verbose_name = _("use")
        verbose_name_plural = _("uses")
        indexes = [
            models.Index(fields=["document", "at"]),
            models.Index(fields=["register_entry", "at"]),
            models.Index(fields=["unit", "at"]),
            models.Index(fields=["actor", "kind", "at"]),  # the de-duplication look-up
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(document__isnull=False) | models.Q(register_entry__isnull=False),
                name="use_has_a_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
