"""The kinds of records that name persons and organizations, each with its concrete mention model.

Issue 9 (petitions, case files) adds its models here: services, suggestions and the missing-codes
report work through this table and need no other change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sohoa.petitions.models import PetitionParty

from .models import BaseMention, DocumentMention


@dataclass(frozen=True)
class Owner:
    """`field` is the mention's FK to its record; `unit_field` the record's custodian unit (for the report)."""

    kind: str
    label: str | Promise
    mention_model: type[BaseMention]
    field: str
    unit_field: str
    url_name: str

    def owner_of(self, mention: BaseMention) -> models.Model:
        return getattr(mention, self.field)  # type: ignore[no-any-return]

    def url(self, owner_pk: Any) -> str:
        return reverse(self.url_name, args=[owner_pk])


OWNERS: dict[str, Owner] = {
    "document": Owner(
        kind="document",
        label=_("Document"),
        mention_model=DocumentMention,
        field="document",
        unit_field="document__unit",
        url_name="document_detail",
    ),
    # Senders of petitions and the persons/organizations they concern (issue 9).
    "petition": Owner(
        kind="petition",
        label=_("Petition"),
        mention_model=PetitionParty,
        field="petition",
        unit_field="petition__unit",
        url_name="petition_detail",
    ),
}


def owner_for(mention: BaseMention) -> Owner:
    for owner in OWNERS.values():
        if isinstance(mention, owner.mention_model):
            return owner
    raise LookupError(f"no owner for {type(mention).__name__}")
