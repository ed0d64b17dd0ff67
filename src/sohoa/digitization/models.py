"""Files handed in for digitization, their pages, and the stored copies of a digitized document."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sohoa.archive.models import Document, Record, RegisterEntry
from sohoa.core.models import Level
from sohoa.registry.models import Unit


class Intake(models.Model):
    """One file on its way from upload (web, folder, command line, API) to an archival copy."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed (kept in quarantine)")
        DUPLICATE = "duplicate", _("Duplicate")
        DISCARDED = "discarded", _("Discarded")

    class Source(models.TextChoices):
        WEB = "web", _("Web upload")
        FOLDER = "folder", _("Watched folder")
        CLI = "cli", _("Command line")
        API = "api", _("API")

    batch = models.UUIDField(_("batch"), db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64, db_index=True, blank=True)
    mime = models.CharField(_("type"), max_length=64, blank=True)
    original_path = models.CharField(max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    step = models.CharField(_("step"), max_length=32, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    pages_total = models.PositiveIntegerField(default=0)
    pages_done = models.PositiveIntegerField(default=0)
    force_ocr = models.BooleanField(default=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    record = models.ForeignKey(Record, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    register_entry = models.ForeignKey(
        RegisterEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confidentiality = models.PositiveSmallIntegerField(_("confidentiality"), choices=Level.choices, default=Level.NONE)
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="intakes")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.DUPLICATE, self.Status.DISCARDED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.pages_done / self.pages_total) if self.pages_total else 0


class Page(models.Model):
    """One page of an intake: its text (for search and extraction), size, resolution and thumbnail."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="pages")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, null=True, blank=True, related_name="pages")
    number = models.PositiveIntegerField()
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    dpi = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True)
    confidence = models.FloatField(null=True, blank=True)
    thumb_path = models.CharField(max_length=255, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["intake", "number"], name="unique_page_number")]

    def __str__(self) -> str:
        return f"{self.intake_id} p.{self.number}"


class DigitalCopy(models.Model):
    """The files of a digitized document: the original byte for byte, and its archival PDF/A."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="digital_copy")
    original_name = models.CharField(max_length=255)
    original_path = models.CharField(max_length=255)
    original_sha256 = models.CharField(max_length=64, db_index=True)
    original_size = models.BigIntegerField()
    original_mime = models.CharField(max_length=64)
    archival_path = models.CharField(max_length=255)
    archival_sha256 = models.CharField(max_length=64)
    archival_size = models.BigIntegerField()
    page_count = models.PositiveIntegerField()
    low_dpi = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("digital copy")
        verbose_name_plural = _("digital copies")

    def __str__(self) -> str:
        return self.archival_path


class FixityAlert(models.Model):
    """A stored file whose bytes no longer match their recorded SHA-256, or that is missing."""

    path = models.CharField(max_length=255)
    expected_sha256 = models.CharField(max_length=64)
    actual_sha256 = models.CharField(max_length=64, blank=True)
    problem = models.CharField(max_length=16)  # "mismatch" | "missing"
    copy = models.ForeignKey(DigitalCopy, on_delete=models.CASCADE, null=True, related_name="alerts")
    detected_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.problem}: {self.path}"
