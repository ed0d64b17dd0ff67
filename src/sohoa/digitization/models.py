"""Files handed in for digitization, their pages, and the stored copies of a digitized document."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


class QcIssue(models.TextChoices):
    """Why a page may need scanning again: found automatically by the pipeline, or given by a QC reviewer."""

    BLANK = "blank", _("Blank page")
    SKEW = "skew", _("Skewed page")
    LOW_DPI = "low_dpi", _("Below 200 dpi")
    LOW_CONFIDENCE = "low_confidence", _("Low OCR confidence")
    OTHER = "other", _("Other")


class Page(models.Model):
    """One page of an intake: its text (for search and extraction), size, resolution and thumbnail."""

    class QcStatus(models.TextChoices):
        PENDING = "pending", _("Awaiting QC")
        ACCEPTED = "accepted", pgettext_lazy("page QC status", "Accepted")
        REJECTED = "rejected", _("Sent back for rescanning")

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
    # When the page was (last) processed: throughput counts pages per operator and exact day.
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Automatic QC, measured in the page step from data it already has (see qc.py).
    ink = models.FloatField(null=True, blank=True)  # share of dark pixels on the thumbnail
    skew = models.FloatField(null=True, blank=True)  # residual skew (degrees) of the text lines OCR found
    qc_issues = models.JSONField(_("automatic QC issues"), default=list, blank=True)  # QcIssue codes
    # The latest QC decision (the history is in PageReview); rejected pages are on the rework list.
    qc_status = models.CharField(
        _("QC"), max_length=16, choices=QcStatus.choices, default=QcStatus.PENDING, db_index=True
    )
    qc_reason = models.CharField(_("reason"), max_length=16, choices=QcIssue.choices, blank=True)
    qc_note = models.CharField(_("note"), max_length=300, blank=True)
    qc_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    qc_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveSmallIntegerField(default=0)  # replacement scans applied so far

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["intake", "number"], name="unique_page_number")]

    def __str__(self) -> str:
        return f"{self.intake_id} p.{self.number}"

    @property
    def qc_issue_labels(self) -> list[str]:
        """The automatic issues in the reader's language."""
        return [str(QcIssue(code).label) for code in self.qc_issues if code in QcIssue.values]


class PageReview(models.Model):
    """One QC decision on a page (accept, or reject with a reason); its writers are the QC roles."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("Accepted")
        REJECT = "reject", _("Rejected")

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=QcIssue.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    revision = models.PositiveSmallIntegerField(default=0)  # which scan of the page was reviewed
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("QC decision")
        verbose_name_plural = _("QC decisions")

    def __str__(self) -> str:
        return f"{self.page} {self.decision}"


class PageReplacement(models.Model):
    """A rescan of one rejected page: its original (kept, content-addressed) and the archival copies
    before and after it was spliced in. Both files stay on disk and under fixity."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="replacements")
    revision = models.PositiveSmallIntegerField()
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(_("error"), max_length=200, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=QcIssue.choices, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    original_path = models.CharField(max_length=255)
    original_sha256 = models.CharField(max_length=64, db_index=True)
    original_size = models.BigIntegerField()
    original_mime = models.CharField(max_length=64)
    previous_archival_path = models.CharField(max_length=255, blank=True)
    previous_archival_sha256 = models.CharField(max_length=64, blank=True)
    archival_path = models.CharField(max_length=255, blank=True)
    archival_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("page replacement")
        verbose_name_plural = _("page replacements")

    def __str__(self) -> str:
        return f"{self.page} r{self.revision}"


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
