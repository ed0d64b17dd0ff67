"""Keys: one data key per protected object, wrapped by the master key; the instance's own key pairs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """An AES-256 data key, stored only wrapped (AES-GCM) by the master key identified by `kid`.

    `owner` names what it protects: "document:12", "intake:5" (an intake's files before its document
    exists; the document then gets the same key under its own name).
    """

    owner = models.CharField(max_length=64, unique=True)
    wrapped = models.BinaryField()
    kid = models.CharField(_("master key id"), max_length=16, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")

    def __str__(self) -> str:
        return f"{self.owner} ({self.kid})"


class InstanceIdentity(models.Model):
    """This instance's signing (Ed25519) and receiving (X25519) key pairs; private halves wrapped."""

    sign_private = models.BinaryField()
    box_private = models.BinaryField()
    sign_public = models.CharField(max_length=64)  # hex
    box_public = models.CharField(max_length=64)  # hex
    kid = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("instance identity")
        verbose_name_plural = _("instance identities")

    def __str__(self) -> str:
        return self.sign_public[:16]


class TrustedInstance(models.Model):
    """Another sohoa instance this one accepts transfer packages from and may send packages to.

    Recorded by an administrator after checking the fingerprint with the other site (by phone or on
    paper): a package is imported only when its Ed25519 signer is one of these.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    sign_public = models.CharField(_("signing key"), max_length=64, unique=True)  # Ed25519, hex
    box_public = models.CharField(_("receiving key"), max_length=64)  # X25519, hex
    fingerprint = models.CharField(_("fingerprint"), max_length=32)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("trusted instance")
        verbose_name_plural = _("trusted instances")

    def __str__(self) -> str:
        return f"{self.name} ({self.fingerprint})"


class TOTPDevice(models.Model):
    """A user's TOTP authenticator: the shared secret only sealed (its own data key, "totp:<user id>").

    `confirmed_at` is empty until the user entered a first code; `last_step` is the 30-second step of the
    last accepted code, so a code (or an older one) is never accepted twice.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device", verbose_name=_("user")
    )
    secret = models.TextField()  # envelope.seal_text(...): "enc1:…"
    confirmed_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    last_step = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("two-factor authenticator")
        verbose_name_plural = _("two-factor authenticators")

    def __str__(self) -> str:
        return f"{self.user} ({'enrolled' if self.confirmed_at else 'pending'})"
