"""Users with roles and clearance, and the hash-chained audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """Confidentiality of a document and clearance of a user (state secrets law): higher is stricter."""

    NONE = 0, _("Not classified")
    MAT = 1, _("Mật (confidential)")
    TOI_MAT = 2, _("Tối mật (secret)")
    TUYET_MAT = 3, _("Tuyệt mật (top secret)")


#: Codes used on the command line and in the API, in order of the levels.
LEVEL_CODES = {"none": Level.NONE, "mat": Level.MAT, "toi_mat": Level.TOI_MAT, "tuyet_mat": Level.TUYET_MAT}
LEVEL_BY_VALUE = {int(v): k for k, v in LEVEL_CODES.items()}


class Role(models.TextChoices):
    CLERK = "clerk", _("Records clerk")
    ARCHIVIST = "archivist", _("Archivist")
    OPERATOR = "operator", _("Digitization operator")
    INSPECTOR = "inspector", _("Inspector")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    PROVINCIAL_OFFICE = "provincial_office", _("Provincial office")
    STANDING_COMMITTEE = "standing_committee", _("Standing committee reader")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A person who works in sohoa: belongs to units, holds one role and one clearance."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.CLERK)
    clearance = models.PositiveSmallIntegerField(_("clearance"), choices=Level.choices, default=Level.NONE)
    units = models.ManyToManyField("registry.Unit", verbose_name=_("units"), related_name="members", blank=True)
    failed_logins = models.PositiveIntegerField(_("failed logins in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AuditHead(models.Model):
    """The chain's last sequence number and hash; the single row every append locks."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditEvent(models.Model):
    """One append-only audit row; `hash` covers its content and the previous row's hash."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id} by {self.actor_username}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("audit events are append-only")


class Draft(models.Model):
    """What one user typed into one form and has not submitted yet (issue 9, decision 0031).

    `key` names the form: "<form name>@<URL path>". The field values are sealed (AES-GCM under a purpose
    key derived from the master key whose `kid` is kept), so a stolen backup shows no typed text.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="drafts")
    key = models.CharField(_("form"), max_length=255)
    sealed = models.BinaryField(_("sealed field values"))
    kid = models.CharField(max_length=16)
    #: The highest confidentiality chosen in the form when it was saved (classified drafts stay off the
    #: browser's storage).
    level = models.PositiveSmallIntegerField(_("confidentiality"), choices=Level.choices, default=Level.NONE)
    updated_at = models.DateTimeField(_("updated at"), db_index=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_draft_one_per_user_and_form")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
