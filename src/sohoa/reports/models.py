"""The paper inventory where only counts exist, and the series that progress is reported by."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sohoa.registry.models import Unit


class Series(models.TextChoices):
    """Kinds of paper a unit holds; `incoming` and `outgoing` are counted from the registers."""

    INCOMING = "incoming", _("Incoming documents")
    OUTGOING = "outgoing", _("Outgoing documents")
    INSPECTION_FILES = "inspection_files", _("Inspection and supervision files")
    PETITIONS = "petitions", _("Petitions")
    CASE_FILES = "case_files", _("Case files")
    RECORDS = "records", _("Records")
    OTHER = "other", _("Other")


#: Series whose paper documents are the lines of a register (RegisterEntry.direction).
REGISTER_SERIES = (Series.INCOMING, Series.OUTGOING)


class InventoryCount(models.Model):
    """How many paper documents (and pages) a unit holds in one series and year, as the unit counted them.

    Used where no register was imported; `digitized` is what the unit reports as done by hand.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="inventory_counts", verbose_name=_("unit"))
    series = models.CharField(_("series"), max_length=32, choices=Series.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    documents = models.PositiveIntegerField(_("documents"))
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    digitized = models.PositiveIntegerField(_("digitized documents"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "series", "year"]
        verbose_name = _("inventory count")
        verbose_name_plural = _("inventory counts")
        constraints = [
            models.UniqueConstraint(fields=["unit", "series", "year"], name="unique_inventory_count"),
            models.CheckConstraint(
                condition=models.Q(digitized__lte=models.F("documents")), name="inventory_digitized_le_documents"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.series} {self.year}: {self.documents}"


class ProgressCounter(models.Model):
    """Register entries per unit, series (= register direction) and year, and how many are digitized.

    Maintained by database triggers (migration 0002) on every insert, update and delete of register
    entries and digital copies — bulk imports, cascades and the admin included — so the province report
    reads a few thousand rows instead of grouping a million. `sohoa progress-rebuild` recomputes it;
    docs/decisions/0017-register-links-and-progress-counters.md says why triggers.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=32)
    year = models.IntegerField()
    # Plain integers (no CHECK >= 0): a trigger subtracts before it adds when a row moves.
    total = models.IntegerField(default=0)
    digitized = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("progress counter")
        verbose_name_plural = _("progress counters")
        constraints = [models.UniqueConstraint(fields=["unit", "series", "year"], name="unique_progress_counter")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.series} {self.year}: {self.digitized}/{self.total}"
