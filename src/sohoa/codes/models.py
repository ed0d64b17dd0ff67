"""Persons and organizations named in records, with their Party member / organization code (issue 8).

A mention belongs to one record. Each kind of record has its own concrete mention model on the shared
abstract base (documents now; petitions and case files add theirs), so each gets a plain access rule in
core/policy.py that follows its owner, and `owners.OWNERS` lists them for the services and the report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sohoa.archive.models import Document
from sohoa.registry.models import Unit


class MentionKind(models.TextChoices):
    PERSON = "person", _("Person (Party member)")
    ORGANIZATION = "organization", _("Party organization")


class CodeSource(models.TextChoices):
    TYPED = "typed", _("Typed")
    SUGGESTION = "suggestion", _("Accepted suggestion")
    AUTO = "auto", _("Applied automatically")


class BaseMention(models.Model):
    """A person or organization as a record names them; an empty `code` is a missing code."""

    kind = models.CharField(_("kind"), max_length=16, choices=MentionKind.choices, default=MentionKind.PERSON)
    name = models.CharField(_("name as written"), max_length=255)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    unit_hint = models.ForeignKey(
        Unit,
        verbose_name=_("organization named with it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The party organization the record places the person in, when it says so"),
    )
    code = models.CharField(_("code"), max_length=32, blank=True, db_index=True)
    code_source = models.CharField(_("how the code was set"), max_length=16, choices=CodeSource.choices, blank=True)
    code_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code_set_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} [{self.code or '—'}]"

    @property
    def missing(self) -> bool:
        return not self.code


class DocumentMention(BaseMention):
    """A person or organization named in a document (văn bản)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="mentions", verbose_name=_("document")
    )

    class Meta(BaseMention.Meta):
        verbose_name = _("mention in a document")
        verbose_name_plural = _("mentions in documents")
        indexes = [models.Index(fields=["document", "code"], name="codes_docmention_doc_code")]
