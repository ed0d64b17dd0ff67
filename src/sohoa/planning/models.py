"""Digitization plans: what to digitize (selection, exclusions, priority), who does it (teams) and in
which batches. The meeting's rule: select the time frame and the documents — do not digitize en masse.

A plan's candidates are the paper documents of the registers (`archive.RegisterEntry`) its criteria
select; each carries a priority score with the reasons that make it (docs/decisions/0014-…).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sohoa.archive.models import RegisterEntry
from sohoa.registry.models import Unit


class Recency(models.TextChoices):
    NEWER = "newer", _("Newer documents first")
    OLDER = "older", _("Older documents first")
    NONE = "none", _("Age does not matter")


class Plan(models.Model):
    """A digitization plan of one unit (its subtree is in scope), approved by a leader before work starts."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        CLOSED = "closed", _("Closed")

    #: Fields that make the selection: frozen once the plan is approved.
    SELECTION_FIELDS = (
        "unit_id",
        "series",
        "year_from",
        "year_to",
        "date_from",
        "date_to",
        "doc_types",
        "levels",
        "recency",
    )

    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("planning unit"))
    units = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="+",
        verbose_name=_("units"),
        help_text=_("Only these units (each with the units under it); none = the whole planning unit."),
    )
    # Lists of choice values; empty = no restriction. Kept as JSON: they are read whole, never joined on.
    series = models.JSONField(_("series"), default=list, blank=True)
    year_from = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    year_to = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    date_from = models.DateField(_("from date"), null=True, blank=True)
    date_to = models.DateField(_("to date"), null=True, blank=True)
    doc_types = models.JSONField(_("document types"), default=list, blank=True)
    levels = models.JSONField(_("confidentiality levels"), default=list, blank=True)
    recency = models.CharField(_("recency"), max_length=8, choices=Recency.choices, default=Recency.NEWER)
    deadline = models.DateField(_("deadline"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    materialized_at = models.DateTimeField(_("candidates selected at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("digitization plan")
        verbose_name_plural = _("digitization plans")

    def __str__(self) -> str:
        return self.name

    @property
    def selection_frozen(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.CLOSED)


class Exclusion(models.Model):
    """Something the plan deliberately leaves out, with the reason shown beside it."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("Register entry")
        YEAR = "year", _("Year")
        DOC_TYPE = "doc_type", _("Document type")
        SERIES = "series", _("Series")
        UNIT = "unit", _("Unit")
        LEVEL = "level", _("Confidentiality level")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="exclusions")
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=64, blank=True)
    entry = models.ForeignKey(
        RegisterEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("entry")
    )
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value", "id"]
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value or self.entry_id}: {self.reason}"


class Team(models.Model):
    """A digitization team of a unit: a lead, operators (scanning) and QC staff."""

    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A user's role in one team (helper apps read it for team throughput: keep the name and fields)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Team lead")
        OPERATOR = "operator", _("Operator")
        QC = "qc", _("Quality control")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role in the team"), max_length=16, choices=Role.choices, default=Role.OPERATOR)

    class Meta:
        ordering = ["team", "role", "user__username"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_team_member")]

    def __str__(self) -> str:
        return f"{self.team} — {self.user} ({self.get_role_display()})"


class BatchState(models.TextChoices):
    """A batch's way through the work, in order; each step only to the next one."""

    PLANNED = "planned", _("Planned")
    RETRIEVED = "retrieved", _("Retrieved from storage")
    SCANNED = "scanned", _("Scanned")
    QUALITY_CHECKED = "quality_checked", _("Quality checked")
    INDEXED = "indexed", _("Indexed")
    RETURNED = "returned", _("Returned to storage")


BATCH_ORDER: tuple[str, ...] = tuple(s.value for s in BatchState)


class Batch(models.Model):
    """A set of candidates a team member takes from storage, digitizes and returns by a due date."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="batches", verbose_name=_("plan"))
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="batches", verbose_name=_("team"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=16, choices=BatchState.choices, default=BatchState.PLANNED)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        indexes = [models.Index(fields=["plan", "state"])]

    def __str__(self) -> str:
        return _("Batch %(n)s") % {"n": self.pk}

    @property
    def next_state(self) -> str | None:
        i = BATCH_ORDER.index(self.state)
        return BATCH_ORDER[i + 1] if i + 1 < len(BATCH_ORDER) else None

    def is_overdue(self, today) -> bool:  # type: ignore[no-untyped-def]
        return self.state != BatchState.RETURNED and self.due_date < today


class BatchTransition(models.Model):
    """One step of a batch: when, by whom, from which state to which (the audit log holds it too)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=16, choices=BatchState.choices)
    to_state = models.CharField(max_length=16, choices=BatchState.choices)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("batch step")
        verbose_name_plural = _("batch steps")

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.from_state} → {self.to_state}"


class Candidate(models.Model):
    """One paper document (register entry) a plan selected, with its priority score and reasons.

    `score` is computed (see scoring.py); `override_score` is a person's decision with a reason;
    `effective_score` is the one the list sorts by (kept as a column so sorting uses an index).
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        IN_BATCH = "in_batch", _("In a batch")
        DIGITIZED = "digitized", pgettext_lazy("digitization state", "Digitized")
        EXCLUDED = "excluded", _("Excluded")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="candidates")
    entry = models.ForeignKey(RegisterEntry, on_delete=models.CASCADE, related_name="+", verbose_name=_("entry"))
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    override_score = models.FloatField(_("score set by hand"), null=True, blank=True)
    override_reason = models.CharField(_("why"), max_length=500, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    effective_score = models.FloatField(_("priority"), default=0)
    fragile = models.BooleanField(_("fragile"), default=False)
    condition = models.CharField(_("physical condition"), max_length=255, blank=True)
    legal_due = models.DateField(
        _("legal due date"), null=True, blank=True, help_text=_("E.g. a retention review or a case deadline.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    excluded_reason = models.CharField(_("why excluded"), max_length=500, blank=True)
    batch = models.ForeignKey(
        Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates", verbose_name=_("batch")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-effective_score", "id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [models.UniqueConstraint(fields=["plan", "entry"], name="unique_plan_candidate")]
        indexes = [models.Index(fields=["plan", "status", "effective_score"])]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.entry_id} ({self.effective_score:g})"
