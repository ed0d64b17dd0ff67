"""Mergers and splits of units: what was decided, the proposed transfer item by item, and the minutes.

A Reorganization names the dissolved units and the successors (ReorganizationUnit), the decision that
ordered it and the effective date. Proposing it lists every object to hand over as a TransferItem (a
kind, an object id, from unit → to unit, a checksum for files); executing it moves them in one audited
transaction and stores the hand-over minutes (biên bản giao nhận). Provenance (`creator_unit`) never moves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sohoa.registry.models import Unit


class Reorganization(models.Model):
    """A merger (several units into one) or a split (one unit among several), by a decision."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Merger")
        SPLIT = "split", _("Split")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Transfer proposed")
        EXECUTED = "executed", _("Executed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MERGE)
    #: The first successor: who may see and run the reorganization (scope of the access policy).
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("successor unit"))
    effective_date = models.DateField(_("effective date"))
    decision_number = models.CharField(_("decision number"), max_length=100, help_text=_("e.g. 1234/QĐ-UBND"))
    decision_date = models.DateField(_("decision date"))
    decision_issuer = models.CharField(_("issued by"), max_length=255)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    minutes_docx = models.CharField(max_length=255, blank=True)
    minutes_docx_sha256 = models.CharField(max_length=64, blank=True)
    minutes_pdf = models.CharField(max_length=255, blank=True)
    minutes_pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = _("reorganization")
        verbose_name_plural = _("reorganizations")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decision_number} ({self.effective_date:%Y-%m-%d})"


class ReorganizationUnit(models.Model):
    """A unit taking part: dissolved (its custody passes on) or successor (in the order given)."""

    class Role(models.TextChoices):
        DISSOLVED = "dissolved", _("Dissolved")
        SUCCESSOR = "successor", _("Successor")

    reorganization = models.ForeignKey(Reorganization, on_delete=models.CASCADE, related_name="parties")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["role", "position"]
        verbose_name = _("unit of a reorganization")
        verbose_name_plural = _("units of reorganizations")
        constraints = [models.UniqueConstraint(fields=["reorganization", "unit"], name="reorg_unit_once")]

    def __str__(self) -> str:
        return f"{self.role} {self.unit_id}"


class TransferItem(models.Model):
    """One object to hand over. `kind` names a handler in reorg.kinds (other apps add kinds there)."""

    reorganization = models.ForeignKey(Reorganization, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=32)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(_("object"), max_length=500)
    code = models.CharField(_("code"), max_length=150, blank=True)
    #: The item this one follows when the Office reassigns it (a document its record, a record its fonds).
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("from unit"))
    #: None: nobody receives it (only for user scopes: the user loses the dissolved unit).
    to_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to unit")
    )
    documents = models.PositiveIntegerField(_("documents"), default=0)
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64, blank=True)
    moved = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("transfer item")
        verbose_name_plural = _("transfer items")
        constraints = [
            # A user may belong to two dissolved units: one item per unit they lose or keep.
            models.UniqueConstraint(fields=["reorganization", "kind", "object_id", "from_unit"], name="reorg_item_once")
        ]
        indexes = [models.Index(fields=["reorganization", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
