"""Fonds → records (hồ sơ) → documents (văn bản), physical locations, incoming/outgoing registers.

Field names follow the archival metadata of Circular 02/2019 (carried over by 05/2025) and the register
columns of Decree 30/2020. Every object keeps two units: `creator_unit` (provenance, never changes) and
`unit` (current custodian, changes when a body is merged into a successor). The access policy scopes by
custodian.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sohoa.core.models import Level
from sohoa.registry.models import Unit, code_validator

from . import notation as notation_rules

#: A record code names the record's files (code + "." + order), so: letters, digits, . _ - and no spaces.
RECORD_CODE_RE = re.compile(r"\w[\w.-]*")


class Urgency(models.TextChoices):
    NONE = "", _("Normal")
    KHAN = "khan", _("Khẩn (urgent)")
    THUONG_KHAN = "thuong_khan", _("Thượng khẩn (very urgent)")
    HOA_TOC = "hoa_toc", _("Hỏa tốc (immediate)")


class DocType(models.TextChoices):
    """Type abbreviations of Decree 30/2020 (State) and Guide 36-HD/VPTW (Party)."""

    CV = "CV", _("Official letter (công văn)")
    NQ = "NQ", _("Resolution (nghị quyết)")
    QD = "QĐ", _("Decision (quyết định)")
    CT = "CT", _("Directive (chỉ thị)")
    KL = "KL", _("Conclusion (kết luận)")
    QC = "QC", _("Regulation (quy chế)")
    QYD = "QyĐ", _("Regulation (quy định)")
    QDI = "QĐi", _("Regulation (quy định, Party)")
    TC = "TC", _("Announcement (thông cáo)")
    TB = "TB", _("Notice (thông báo)")
    HD = "HD", _("Guide (hướng dẫn)")
    CTR = "CTr", _("Programme (chương trình)")
    KH = "KH", _("Plan (kế hoạch)")
    PA = "PA", _("Scheme (phương án)")
    DA_ = "ĐA", _("Project (đề án)")
    DA = "DA", _("Project (dự án)")
    BC = "BC", _("Report (báo cáo)")
    BB = "BB", _("Minutes (biên bản)")
    TTR = "TTr", _("Submission (tờ trình)")
    HDG = "HĐ", _("Contract (hợp đồng)")
    CD = "CĐ", _("Dispatch (công điện)")
    GUQ = "GUQ", _("Authorization (giấy ủy quyền)")
    GM = "GM", _("Invitation (giấy mời)")
    GGT = "GGT", _("Introduction letter (giấy giới thiệu)")
    GNP = "GNP", _("Leave permit (giấy nghỉ phép)")
    PG = "PG", _("Dispatch note (phiếu gửi)")
    PC = "PC", _("Transfer note (phiếu chuyển)")
    PB = "PB", _("Notification note (phiếu báo)")
    ND = "NĐ", _("Decree (nghị định)")
    TT = "TT", _("Circular (thông tư)")
    OTHER = "KHAC", _("Other")


class Fonds(models.Model):
    """A phông: all records formed by one body over its lifetime."""

    code = models.CharField(_("fonds code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=255)
    creator_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("creating unit"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="fonds", verbose_name=_("custodian unit"))
    start_year = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("fonds")
        verbose_name_plural = _("fonds")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class StorageLocation(models.Model):
    """Where the paper sits: storage room, shelf, box."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="locations", verbose_name=_("unit"))
    storage = models.CharField(_("storage room"), max_length=100)
    shelf = models.CharField(_("shelf"), max_length=50, blank=True)
    box = models.CharField(_("box"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["storage", "shelf", "box"]
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")
        constraints = [models.UniqueConstraint(fields=["unit", "storage", "shelf", "box"], name="unique_location")]

    def __str__(self) -> str:
        return " / ".join(p for p in (self.storage, self.shelf, self.box) if p)


class Retention(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")
    Y70 = "70", _("70 years")
    Y50 = "50", _("50 years")
    Y20 = "20", _("20 years")
    Y10 = "10", _("10 years")
    Y5 = "5", _("5 years")


class AccessRegime(models.TextChoices):
    OPEN = "open", _("Open")
    LIMITED = "limited", _("Limited use")


class Record(models.Model):
    """A hồ sơ. Its code is agency code + year formed + record number/symbol (Decree 30/2020, Annex VI)."""

    code = models.CharField(_("record code"), max_length=100, unique=True)
    fonds = models.ForeignKey(
        Fonds, on_delete=models.PROTECT, null=True, blank=True, related_name="records", verbose_name=_("fonds")
    )
    number = models.CharField(_("record number/symbol"), max_length=50)
    catalogue = models.CharField(_("catalogue number"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=500)
    year = models.PositiveSmallIntegerField(_("year formed"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    retention = models.CharField(_("retention"), max_length=16, choices=Retention.choices, default=Retention.PERMANENT)
    access_regime = models.CharField(
        _("access regime"), max_length=16, choices=AccessRegime.choices, default=AccessRegime.OPEN
    )
    confidentiality = models.PositiveSmallIntegerField(_("confidentiality"), choices=Level.choices, default=Level.NONE)
    creator_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("creating unit"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="records", verbose_name=_("custodian unit"))
    location = models.ForeignKey(
        StorageLocation, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("location")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("record")
        verbose_name_plural = _("records")

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def clean(self) -> None:
        # Checked here rather than as a field validator: forms, the API and services all run it.
        if self.code and not RECORD_CODE_RE.fullmatch(self.code):
            raise ValidationError(
                {
                    "code": ValidationError(
                        _("A record code has letters, digits, dots, dashes or underscores, e.g. H12.2024.01-HS."),
                        code="invalid",
                    )
                }
            )


class Confidence(models.TextChoices):
    PAPER = "", _("Paper only")
    DIGITIZED = "digitized", _("Digitized")
    BORN_DIGITAL = "born_digital", _("Born digital")


class Document(models.Model):
    """A văn bản with its archival metadata. `notation` is the number and symbol as written (15/QĐ-UBND)."""

    record = models.ForeignKey(
        Record, on_delete=models.PROTECT, null=True, blank=True, related_name="documents", verbose_name=_("record")
    )
    order_in_record = models.PositiveIntegerField(_("order in record"), null=True, blank=True)
    identifier = models.CharField(_("document identifier"), max_length=150, unique=True, null=True, blank=True)
    number = models.CharField(_("number"), max_length=20, blank=True)
    symbol = models.CharField(_("symbol"), max_length=60, blank=True)
    notation = models.CharField(_("number and symbol"), max_length=100, blank=True, db_index=True)
    # Case-folded notation for duplicate checks: SQLite's LIKE folds ASCII letters only (not Đ, Ế …).
    notation_key = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    doc_type = models.CharField(_("type"), max_length=8, choices=DocType.choices, blank=True)
    type_name = models.CharField(_("type name"), max_length=100, blank=True)
    issued_date = models.DateField(_("date"), null=True, blank=True, db_index=True)
    issuer = models.CharField(_("issuing body"), max_length=255, blank=True)
    issuer_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issuing unit")
    )
    subject = models.TextField(_("subject"))
    language = models.CharField(_("language"), max_length=16, default="vi")
    page_count = models.PositiveIntegerField(_("page count"), null=True, blank=True)
    confidentiality = models.PositiveSmallIntegerField(_("confidentiality"), choices=Level.choices, default=Level.NONE)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    information_sign = models.CharField(_("information sign"), max_length=50, blank=True)
    access_regime = models.CharField(
        _("access regime"), max_length=16, choices=AccessRegime.choices, default=AccessRegime.OPEN
    )
    confidence = models.CharField(_("confidence level"), max_length=16, choices=Confidence.choices, blank=True)
    handwriting = models.CharField(_("handwritten notes"), max_length=500, blank=True)
    physical_condition = models.CharField(_("physical condition"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    creator_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("creating unit"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="documents", verbose_name=_("custodian unit"))
    location = models.ForeignKey(
        StorageLocation, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("location")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_date", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["unit", "confidentiality"]), models.Index(fields=["notation", "issuer"])]
        constraints = [
            models.UniqueConstraint(fields=["record", "order_in_record"], name="unique_order_in_record"),
        ]

    def __str__(self) -> str:
        return f"{self.notation or _('(no number)')} — {self.subject[:80]}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.notation_key = notation_rules.fold(notation_rules.clean(self.notation))
        super().save(*args, **kwargs)


class GrantStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


class Grant(models.Model):
    """A need-to-know grant: one user may see one document or a whole record until `valid_until`.

    It is requested (by the user, or by a leader for them) naming what they know from a paper register
    (`reference`) and the custodian `unit`, and counts only once a leader of that unit approves it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants", verbose_name=_("user")
    )
    document = models.ForeignKey(Document, on_delete=models.CASCADE, null=True, blank=True, related_name="grants")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, null=True, blank=True, related_name="grants")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("custodian unit")
    )
    reference = models.CharField(_("number and symbol or record code"), max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=16, choices=GrantStatus.choices, default=GrantStatus.REQUESTED, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("rejected or revoked at"), null=True, blank=True)
    close_note = models.CharField(_("note"), max_length=500, blank=True)
    valid_until = models.DateTimeField(_("valid until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("need-to-know grant")
        verbose_name_plural = _("need-to-know grants")
        constraints = [
            # A request may name nothing the archive holds; an approved grant always has a target.
            models.CheckConstraint(
                condition=models.Q(document__isnull=False)
                | models.Q(record__isnull=False)
                | models.Q(status__in=["requested", "rejected"]),
                name="grant_has_target",
            )
        ]

    def __str__(self) -> str:
        # No subject line here: this string lands in audit rows and admin lists.
        return f"#{self.pk} {self.user} ({self.status}, {self.valid_until:%Y-%m-%d})"


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


class RegisterEntry(models.Model):
    """One line of a unit's incoming or outgoing register (Decree 30/2020, Annex IV), one paper document."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="register_entries", verbose_name=_("unit"))
    direction = models.CharField(_("register"), max_length=16, choices=Direction.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    entry_number = models.PositiveIntegerField(
        _("entry number"), help_text=_("Arrival number (incoming) or order (outgoing)")
    )
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    author = models.CharField(_("author / sending body"), max_length=255, blank=True)
    notation = models.CharField(_("number and symbol"), max_length=100, blank=True, db_index=True)
    # Folded like Document.notation_key: a scan links to its row when unit + this key + date match.
    notation_key = models.CharField(max_length=100, blank=True, editable=False)
    doc_date = models.DateField(_("document date"), null=True, blank=True)
    doc_type = models.CharField(_("type"), max_length=8, choices=DocType.choices, blank=True)
    subject = models.TextField(_("type and subject"))
    signer = models.CharField(_("signer"), max_length=150, blank=True)
    receiver = models.CharField(_("receiving unit or person"), max_length=255, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    copy_keeper = models.CharField(_("unit keeping the copy"), max_length=255, blank=True)
    copies = models.PositiveIntegerField(_("copies"), null=True, blank=True)
    handover_date = models.DateField(_("hand-over date"), null=True, blank=True)
    confidentiality = models.PositiveSmallIntegerField(_("confidentiality"), choices=Level.choices, default=Level.NONE)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    document = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="register_entries",
        verbose_name=_("document"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-entry_number"]
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "direction", "year", "entry_number"], name="unique_register_number"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "direction", "year"]),
            models.Index(fields=["unit", "notation_key"], name="register_unit_notation_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.year}/{self.entry_number} {self.notation}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.notation_key = notation_rules.fold(notation_rules.clean(self.notation))
        super().save(*args, **kwargs)


class RegisterImport(models.Model):
    """A register file uploaded in the browser and loaded by the background worker, with its progress
    and report (the web twin of `sohoa register-import`)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    direction = models.CharField(_("register"), max_length=16, choices=Direction.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)  # RegisterImportReport.as_dict (500 rejections at most)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")

    def __str__(self) -> str:
        return f"{self.file_name} → {self.unit.code} {self.direction}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, round(100 * self.rows_done / self.rows_total)) if self.rows_total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
