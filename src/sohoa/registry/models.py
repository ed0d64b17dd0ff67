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

    code = models.CharField(_("party member code"), max_length=32, unique=True)
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
