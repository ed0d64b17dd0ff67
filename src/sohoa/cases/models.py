"""Inspection and supervision case files (hồ sơ kiểm tra, giám sát; hồ sơ vụ việc), issue 9 §4.

A Case groups the documents of one inspection, supervision, inspection on signs of violation or
discipline matter (Party regulation 296-QĐ/TW): its subjects (Party members or organizations, by code
when known: `CaseSubject` is the case's concrete mention model of the codes app), its documents with
their role, and the history of its stages. Once concluded it is closed into an archival Record and
becomes read-only. Decision 0030 writes down the rules the issue left open.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohoa.archive.models import Document, Record
from sohoa.codes.models import BaseMention
from sohoa.core.models import Level
from sohoa.digitization.models import Intake
from sohoa.registry.models import Unit


class CaseKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection (kiểm tra)")
    SUPERVISION = "supervision", _("Supervision (giám sát)")
    VIOLATION = "violation", _("Inspection on signs of violation (vụ việc)")
    DISCIPLINE = "discipline", _("Discipline (thi hành kỷ luật)")


#: The symbol after the number of a case of each kind, e.g. 03-KT (used when the number is left empty).
KIND_SYMBOLS = {
    CaseKind.INSPECTION: "KT",
    CaseKind.SUPERVISION: "GS",
    CaseKind.VIOLATION: "VV",
    CaseKind.DISCIPLINE: "KL",
}


class Stage(models.TextChoices):
    OPENED = "opened", _("Opened")
    PLANNED = "planned", _("Planned")
    VERIFYING = "verifying", _("Verifying")
    CONCLUDED = "concluded", _("Concluded")
    DISCIPLINE = "discipline", _("Discipline")
    CLOSED = "closed", _("Closed into a record")


class Outcome(models.TextChoices):
    NONE = "", _("Not concluded yet")
    NO_VIOLATION = "no_violation", _("No violation")
    VIOLATION = "violation", _("Violation, no discipline")
    REPRIMAND = "reprimand", _("Discipline: reprimand (khiển trách)")
    WARNING = "warning", _("Discipline: warning (cảnh cáo)")
    DISMISSAL = "dismissal", _("Discipline: removal from office (cách chức)")
    EXPULSION = "expulsion", _("Discipline: expulsion (khai trừ)")
    DISSOLUTION = "dissolution", _("Discipline: dissolution of the organization (giải tán)")


#: Outcomes that are a discipline: the case passes through the discipline stage before it is closed.
DISCIPLINE_OUTCOMES = frozenset(
    {Outcome.REPRIMAND, Outcome.WARNING, Outcome.DISMISSAL, Outcome.EXPULSION, Outcome.DISSOLUTION}
)


class Case(models.Model):
    """One case file, handled by an inspection committee (or another unit); `code` names its record."""

    code = models.CharField(_("case code"), max_length=100, unique=True, editable=False)
    number = models.CharField(
        _("case number/symbol"), max_length=50, help_text=_("e.g. 03-KT; left empty, the next number is given")
    )
    year = models.PositiveSmallIntegerField(_("year opened"))
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices, default=CaseKind.INSPECTION)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.OPENED, db_index=True)
    confidentiality = models.PositiveSmallIntegerField(_("confidentiality"), choices=Level.choices, default=Level.NONE)
    opened_on = models.DateField(_("opened on"), default=dt.date.today)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True, db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    #: The unit that handles the case now (custodian; passes to a successor in a reorganization).
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("handling unit"))
    #: The unit that opened it (provenance: its code is in the case code and never changes).
    creator_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("opening unit"))
    record = models.OneToOneField(
        Record, on_delete=models.PROTECT, null=True, blank=True, related_name="case", verbose_name=_("record")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        indexes = [models.Index(fields=["unit", "stage"], name="cases_case_unit_stage")]

    def __str__(self) -> str:
        # No title for a classified case: this string lands in audit rows and admin lists.
        return self.code if self.confidentiality else f"{self.code} — {self.title[:120]}"

    @property
    def notation(self) -> str:
        """How lists of records of any kind name it (the missing-codes report shows documents' notation)."""
        return self.code

    @property
    def closed(self) -> bool:
        return self.stage == Stage.CLOSED

    @property
    def overdue(self) -> bool:
        return bool(self.deadline and not self.closed and self.deadline < timezone.localdate())


class CaseSubject(BaseMention):
    """A Party member or organization the case concerns: by code when known, otherwise by name (a
    mention whose code is missing, listed by the missing-codes report and given suggestions)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("case file"))

    class Meta(BaseMention.Meta):
        verbose_name = _("subject of a case")
        verbose_name_plural = _("subjects of cases")
        indexes = [models.Index(fields=["case", "code"], name="cases_subject_case_code")]


class DocumentRole(models.TextChoices):
    """In this order the documents are filed into the record."""

    DECISION = "decision", _("Decision")
    PLAN = "plan", _("Plan")
    EVIDENCE = "evidence", _("Evidence")
    MINUTES = "minutes", _("Minutes")
    REPORT = "report", _("Report or explanation")
    CONCLUSION = "conclusion", _("Conclusion")
    DISCIPLINE = "discipline_decision", _("Discipline decision")
    OTHER = "other", _("Other")


ROLE_ORDER = {role: n for n, role in enumerate(DocumentRole.values)}


class CaseDocument(models.Model):
    """A document of the case with its role. An uploaded file is an intake until the digitization
    pipeline makes its document; the document keeps its own confidentiality (at most the case's)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents", verbose_name=_("case file"))
    role = models.CharField(_("role"), max_length=24, choices=DocumentRole.choices, default=DocumentRole.EVIDENCE)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("document")
    )
    intake = models.ForeignKey(
        Intake, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("upload")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("document of a case")
        verbose_name_plural = _("documents of cases")
        constraints = [
            # A document belongs to one case file: closing files it into that case's record.
            models.UniqueConstraint(
                fields=["document"], condition=models.Q(document__isnull=False), name="cases_document_once"
            ),
            models.CheckConstraint(
                condition=models.Q(document__isnull=False) | models.Q(intake__isnull=False),
                name="cases_document_or_upload",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.role}:{self.document_id or f'intake {self.intake_id}'}"

    @property
    def pending(self) -> bool:
        """An upload whose document the pipeline has not made (yet, or ever: a failed intake)."""
        return self.document_id is None


class CaseStage(models.Model):
    """One step of a case's timeline: the stage it entered, when, by whom, with the outcome then."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stages", verbose_name=_("case file"))
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("stage of a case")
        verbose_name_plural = _("stages of cases")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.stage}"
