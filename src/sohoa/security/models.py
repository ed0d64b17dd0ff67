"""Keys: one data key per protected object, wrapped by the master key; the instance's own key pairs."""

from __future__ import annotations

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
