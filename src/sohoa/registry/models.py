"""Party and State bodies as one tree, with validity dates and successors through reorganizations."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Agency codes (Decision 20/2020/QĐ-TTg: e.g. H12) and internal codes: letters, digits, . _ -
CODE_RE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
code_validator = RegexValidator(
    CODE_RE, _("A code has 1 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit.")
)


class UnitKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PARTY_CELL = "party_cell", _("Party cell")
    INSPECTION_COMMITTEE = "inspection_committee", _("Inspection committee")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's committee")
    PEOPLES_COUNCIL = "peoples_council", _("People's council")
    DEPARTMENT = "department", _("Department")
    OFFICE = "office", _("Office")
    COMMUNE = "commune", _("Commune")
    OTHER = "other", _("Other")


class Unit(models.Model):
    """A Party or State body. `path` (/id/id/…/) makes "this unit and everything under it" one index scan."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(
        _("short name"), max_length=64, blank=True, help_text=_("As used in document symbols, e.g. UBKTTU")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices, default=UnitKind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    path = models.CharField(max_length=512, db_index=True, editable=False, default="")

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)

    def is_active_on(self, day) -> bool:  # type: ignore[no-untyped-def]
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class Succession(models.Model):
    """On `effective_date` the predecessor's functions and records pass to the successor."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Merged into")
        SPLIT = "split", _("Split among")
        RENAME = "rename", _("Renamed to")

    predecessor = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="successions_out", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="successions_in", verbose_name=_("successor")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MERGE)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=255, blank=True, help_text=_("The decision that ordered it"))

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_succession")]

    def __str__(self) -> str:
        return f"{self.predecessor.code} → {self.successor.code}"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TRANSFERRED = "transferred", _("Transferred out")
    DECEASED = "deceased", _("Deceased")
    EXPELLED = "expelled", _("Expelled")
    REMOVED = "removed", _("Removed from the Party")
    OTHER = "other", _("Other")


class PartyMember(models.Model):
    """A Party member as the central database knows them: the member code is the key of every sync."""

    code = models.CharField(_("party member code"), max_length=32, unique=True, validators=[code_validator])
    full_name = models.CharField(_("full name"), max_length=150)
    #: Diacritics removed, lowercase (extraction.text.fold): what name matching compares.
    name_key = models.CharField(max_length=150, db_index=True, editable=False, default="")
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    organization = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="party_members", verbose_name=_("party organization")
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["name_key", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.full_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from sohoa.extraction.text import fold

        self.name_key = fold(self.full_name)
        super().save(*args, **kwargs)


# ---- sync with the central database's exports (issue 8, decision 0026) ---------------------------


class SyncKind(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Party organizations")
    MEMBERS = "members", _("Party members")


class SyncSource(models.Model):
    """How one province's export names its columns: {our field: their header}, and its date format."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SyncKind.choices)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    date_format = models.CharField(
        _("date format"), max_length=32, blank=True, help_text=_("e.g. %d/%m/%Y; empty: YYYY-MM-DD or DD/MM/YYYY")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sync source")
        verbose_name_plural = _("sync sources")

    def __str__(self) -> str:
        return self.name


class RegistrySync(models.Model):
    """One run of `registry-sync` (or of its web page): which file, by whom, the diff, what was applied."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        APPLIED = "applied", _("Applied")

    kind = models.CharField(_("kind"), max_length=16, choices=SyncKind.choices)
    source = models.ForeignKey(
        SyncSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs", verbose_name=_("source")
    )
    source_name = models.CharField(_("source"), max_length=100, blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    actor = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    actor_username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREVIEW)
    end_missing = models.BooleanField(_("end what is missing from the export"), default=False)
    #: new / changed / missing / conflicts / rejected / unchanged, as computed before applying.
    diff = models.JSONField(default=dict)
    diff_digest = models.CharField(max_length=64, blank=True)
    #: The file's rows, kept between a web preview and its confirmation only (emptied once applied).
    rows = models.JSONField(null=True, blank=True)
    header = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("registry sync")
        verbose_name_plural = _("registry syncs")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()})"


class RegistryChange(models.Model):
    """What one sync did to one unit or member: {field: [old, new]} — the object's history."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        END = "end", _("Ended (missing from the export)")

    sync = models.ForeignKey(RegistrySync, on_delete=models.PROTECT, related_name="changes", verbose_name=_("sync"))
    kind = models.CharField(_("kind"), max_length=16, choices=SyncKind.choices)
    code = models.CharField(_("code"), max_length=32, db_index=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-sync__created_at", "-pk"]
        verbose_name = _("registry change")
        verbose_name_plural = _("registry changes")
        indexes = [models.Index(fields=["kind", "object_id"], name="registrychange_object")]

    def __str__(self) -> str:
        return f"{self.code} {self.action}"
