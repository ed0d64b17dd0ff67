"""The secret-document register of copies: every file of a classified document that left the server."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohoa.core.models import Level


class SecretCopy(models.Model):
    """One stamped copy: numbered per document without gaps, with who made it, why, and its mark.

    `user_name` and `unit_name` are what the band printed (they stay right when the user or the unit is
    renamed later); `mark` is the keyed part of the invisible mark (decision 0022).
    """

    class Purpose(models.TextChoices):
        DOWNLOAD = "download", _("Download")
        PRINT = "print", _("Print")
        VIEW = "view", _("View in the browser")

    document = models.ForeignKey(
        "archive.Document", on_delete=models.PROTECT, related_name="secret_copies", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("copy number"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    user_name = models.CharField(_("user name"), max_length=300)
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    unit_name = models.CharField(_("unit name"), max_length=500, blank=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    level = models.PositiveSmallIntegerField(_("confidentiality"), choices=Level.choices)
    created_at = models.DateTimeField(_("made at"), default=timezone.now, db_index=True)
    sha256 = models.CharField(_("SHA-256 of the copy"), max_length=64, blank=True)
    mark = models.CharField(_("invisible mark"), max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("copy of a classified document")
        verbose_name_plural = _("copies of classified documents")
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="copies_one_number_per_document")]

    def __str__(self) -> str:
        return f"{self.document_id} #{self.number}"
