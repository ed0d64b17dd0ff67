"""Difficulties and proposals that units file, and the status history the provincial Office keeps on them.

The meeting asked the provincial Party Committee Office to collect each unit's difficulties (no scanners,
no secure USB sticks, unstable software, no connection…) and report them to the Standing Committee; these
rows are that collection, aggregated by category and unit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sohoa.registry.models import Unit


class Category(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel")
    EQUIPMENT = "equipment", _("Equipment (scanners, secure storage…)")
    FINANCE = "finance", _("Finance")
    SOFTWARE = "software", _("Software")
    CONNECTIVITY = "connectivity", _("Connectivity")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPEN = "open", pgettext_lazy("difficulty status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")


#: Still waiting for an answer: what the Standing Committee is shown by default.
OUTSTANDING = (Status.OPEN, Status.IN_PROGRESS)


class Difficulty(models.Model):
    """One difficulty with its proposal: what the unit needs (category, how many) and why."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    quantity = models.PositiveIntegerField(
        _("quantity needed"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("E.g. 2 scanners, 3 staff; 1 when it is not countable."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description and proposal"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("filed by")
    )
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("difficulty or proposal")
        verbose_name_plural = _("difficulties and proposals")
        indexes = [models.Index(fields=["unit", "category", "status"])]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="difficulty_quantity_positive")]

    def __str__(self) -> str:
        return self.title


class StatusChange(models.Model):
    """One step of a difficulty's history: filed, taken up, resolved or rejected, by whom and why."""

    difficulty = models.ForeignKey(Difficulty, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    old_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    new_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.old_status or '∅'} → {self.new_status}"
