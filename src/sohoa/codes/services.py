"""Writes: add a mention to a record, set its code (typed, accepted suggestion, automatic), in bulk.

Every code is checked here against the registry (a member the actor may see, or a party organization),
whatever the caller: the form's as-you-type check is a convenience, this is the rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.core import audit, policy
from sohoa.registry.models import Unit

from . import selectors
from .models import BaseMention, CodeSource, MentionKind
from .owners import Owner, owner_for


def _check_writer(actor: Any, record: models.Model) -> None:
    if not policy.can_edit(actor, record):
        raise PermissionDenied(_("You may not change this record."))


def validate_code(*, actor: Any, kind: str, code: str) -> str:
    """The code, stripped, if the registry knows it (for this actor); a clear refusal otherwise."""
    code = (code or "").strip()
    if not code:
        return ""
    if selectors.code_lookup(actor, kind, code) is None:
        if kind == MentionKind.ORGANIZATION:
            message = _("Unknown party organization code: %(code)s.")
        else:
            message = _("Unknown party member code: %(code)s.")
        raise ValidationError({"code": message % {"code": code}})
    return code


def mention_add(
    *,
    actor: Any,
    owner: Owner,
    record: models.Model,
    kind: str,
    name: str,
    birth_date: dt.date | None = None,
    unit_hint: Unit | None = None,
    code: str = "",
) -> BaseMention:
    """Name a person or organization in a record, with its code when the clerk knows it."""
    _check_writer(actor, record)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Write the name as the record gives it.")})
    if kind not in MentionKind.values:
        raise ValidationError({"kind": _("Choose a person or an organization.")})
    code = validate_code(actor=actor, kind=kind, code=code)
    now = timezone.now()
    mention = owner.mention_model(
        kind=kind,
        name=name,
        birth_date=birth_date if kind == MentionKind.PERSON else None,
        unit_hint=unit_hint,
        code=code,
        code_source=CodeSource.TYPED if code else "",
        code_set_by=actor if code else None,
        code_set_at=now if code else None,
        created_by=actor,
        **{owner.field: record},
    )
    with transaction.atomic():
        mention.save()
        audit.record(
            "mention_add", actor=actor, obj=record, details={"mention": mention.pk, "kind": kind, "code": code}
        )
    return mention


def mention_set_code(*, actor: Any, mention: BaseMention, code: str, source: str = CodeSource.TYPED) -> BaseMention:
    """Set (or, with "", clear) the code of one mention."""
    return mentions_set_codes(actor=actor, choices=[(mention, code)], source=source)[0]


def mentions_set_codes(
    *, actor: Any, choices: list[tuple[BaseMention, str]], source: str = CodeSource.SUGGESTION
) -> list[BaseMention]:
    """Set the codes of several mentions at once (a clerk's bulk accept): all or nothing."""
    if source not in CodeSource.values:
        raise ValueError(source)
    checked = []
    allowed: set[tuple[str, Any]] = set()  # records already checked (a bulk accept is mostly one record)
    for mention, code in choices:
        owner = owner_for(mention)
        key = (owner.kind, getattr(mention, f"{owner.field}_id"))
        if key not in allowed:
            _check_writer(actor, owner.owner_of(mention))
            allowed.add(key)
        checked.append((mention, validate_code(actor=actor, kind=mention.kind, code=code)))
    now = timezone.now()
    with transaction.atomic():
        for mention, code in checked:
            owner = owner_for(mention)
            previous = mention.code
            mention.code = code
            mention.code_source = source if code else ""
            mention.code_set_by, mention.code_set_at = (actor, now) if code else (None, None)
            mention.save(update_fields=["code", "code_source", "code_set_by", "code_set_at"])
            audit.record(
                "mention_code",
                actor=actor,
                obj=owner.owner_of(mention),
                details={"mention": mention.pk, "code": code, "previous": previous, "source": source},
            )
    return [m for m, _c in checked]


@dataclass
class AutoResult:
    applied: list[BaseMention]
    left: int  # mentions still without a code


def mentions_auto_apply(*, actor: Any, mentions: list[BaseMention]) -> AutoResult:
    """Give every mention without a code the code of its exact unique match (and only those)."""
    choices = []
    for mention in mentions:
        code = selectors.exact_match(actor, mention)
        if code:
            choices.append((mention, code))
    applied = mentions_set_codes(actor=actor, choices=choices, source=CodeSource.AUTO) if choices else []
    return AutoResult(applied, sum(1 for m in mentions if not m.code))


def mention_delete(*, actor: Any, mention: BaseMention) -> None:
    owner = owner_for(mention)
    record = owner.owner_of(mention)
    _check_writer(actor, record)
    with transaction.atomic():
        audit.record("mention_delete", actor=actor, obj=record, details={"mention": mention.pk, "code": mention.code})
        mention.delete()


def missing_export(*, actor: Any, report: selectors.MissingReport) -> bytes:
    """The missing-codes report as XLSX, audited as an export."""
    from . import exports

    content = exports.render_xlsx(report)
    audit.record(
        "export",
        actor=actor,
        object_type="codes.missing",
        details={"format": "xlsx", "records": report.total_records, "mentions": report.total_mentions},
    )
    return content
