"""Need-to-know grants: request, approve, reject, revoke (services) and the lists of them (selectors).

Kept apart from archive/services.py (documents, records, registers) because the workflow is its own: a
user asks for something they cannot see, naming it as a paper register does (number and symbol, or a
record code) and the unit that keeps it; a leader of that unit decides. See decision 0021.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.core import audit, policy
from sohoa.core.models import User

from . import notation as notation_mod
from .models import Document, Grant, GrantStatus, Record


def max_days() -> int:
    return int(getattr(settings, "SOHOA_GRANT_MAX_DAYS", 90))


# ---- selectors -------------------------------------------------------------------------------------


def _rows(qs: QuerySet[Grant]) -> QuerySet[Grant]:
    return qs.select_related("user", "unit", "document", "record", "requested_by", "approved_by", "closed_by")


def grants_mine(user: Any) -> QuerySet[Grant]:
    """The user's own grants and the requests they made (for themselves or, as a leader, for others)."""
    if not getattr(user, "is_authenticated", False):
        return Grant.objects.none()
    return _rows(Grant.objects.filter(Q(user=user) | Q(requested_by=user)))


def grants_to_decide(user: Any) -> QuerySet[Grant]:
    """Requests waiting for this leader (or administrator): addressed to a unit in their scope."""
    if not policy.is_admin(user) and policy.role_of(user) != "unit_leader":
        return Grant.objects.none()
    qs = Grant.objects.filter(status=GrantStatus.REQUESTED)
    if not policy.is_admin(user):
        qs = qs.filter(unit__in=policy.scope_units(user).values("pk"))
    return _rows(qs)


def grant_list(user: Any, *, status: str = "") -> QuerySet[Grant]:
    """Every grant the user may see (policy.grant_q), newest first."""
    qs = Grant.objects.filter(policy.grant_q(user))
    if status:
        qs = qs.filter(status=status)
    return _rows(qs)


def grant_get_to_decide(user: Any, pk: Any) -> Grant:
    """A grant this user may decide on, or 404 (the same answer for a missing and a foreign one)."""
    try:
        return Grant.objects.filter(policy.grant_q(user)).select_related("unit").get(pk=pk)
    except (Grant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def target_visible_to(user: Any, grant: Grant) -> bool:
    """Whether the decider may read what the grant is for (subject line and so on)."""
    target = grant.document or grant.record
    return target is not None and policy.can_see(user, target)


# ---- services --------------------------------------------------------------------------------------


def _resolve(unit: Any, reference: str) -> Document | Record | None:
    """The one document or record of `unit` that `reference` names, or None (no match or several)."""
    reference = reference.strip()
    records = list(Record.objects.filter(unit=unit, code__iexact=reference)[:2])
    if len(records) == 1:
        return records[0]
    key = notation_mod.fold(notation_mod.clean(reference))
    documents = list(Document.objects.filter(Q(notation_key=key) | Q(identifier=reference), unit=unit)[:2])
    return documents[0] if len(documents) == 1 else None


def _check_until(valid_until: dt.datetime) -> None:
    now = timezone.now()
    if valid_until <= now:
        raise ValidationError({"valid_until": _("The end of the grant must be in the future.")})
    if valid_until > now + dt.timedelta(days=max_days()):
        raise ValidationError({"valid_until": _("A grant may last at most %(days)d days.") % {"days": max_days()}})


@transaction.atomic
def grant_request(
    *, actor: Any, unit: Any, reference: str, reason: str, valid_until: dt.datetime, user: Any = None
) -> Grant:
    """Ask for access to what `unit` keeps under `reference`, for `user` (default: the actor).

    The answer never says whether the reference exists: an unmatched request is stored the same way and
    its unit's leaders see that nothing matched. A leader who may decide for the unit asking for someone
    else approves at once (they are the approver); a user cannot request for others unless they lead them.
    """
    user = user or actor
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason why this access is needed.")})
    if not reference.strip():
        raise ValidationError({"reference": _("Give the number and symbol or the record code.")})
    _check_until(valid_until)
    if user.pk != actor.pk:
        leads_user = policy.is_admin(actor) or (
            policy.role_of(actor) == "unit_leader"
            and policy.scope_units(actor).filter(pk__in=user.units.values("pk")).exists()
        )
        if not leads_user:
            raise PermissionDenied(_("Only a leader of the user's unit may ask for access on their behalf."))
    target = _resolve(unit, reference)
    grant = Grant(
        user=user,
        unit=unit,
        reference=reference.strip()[:150],
        reason=reason.strip()[:500],
        valid_until=valid_until,
        requested_by=actor,
        document=target if isinstance(target, Document) else None,
        record=target if isinstance(target, Record) else None,
    )
    grant.save()
    audit.record(
        "grant_request",
        actor=actor,
        obj=grant,
        details={"user": user.username, "unit": unit.code, "reference": grant.reference, "matched": bool(target)},
    )
    if user.pk != actor.pk and target is not None and _may_approve(actor, grant):
        grant = grant_approve(actor=actor, grant=grant)
    return grant


def _may_approve(actor: Any, grant: Grant) -> bool:
    target = grant.document or grant.record
    return (
        target is not None
        and actor.pk != grant.user_id
        and policy.can_decide_grants(actor, grant.unit)
        and policy.level_allowed(actor, target.confidentiality)
    )


@transaction.atomic
def grant_approve(*, actor: Any, grant: Grant, valid_until: dt.datetime | None = None) -> Grant:
    """Approve a request: from now on (until `valid_until`) the user sees its document or record."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("document", "record", "unit").get(pk=grant.pk)
    if not policy.can_decide_grants(actor, grant.unit):
        raise PermissionDenied(_("Only a leader of the unit that keeps it may decide on this request."))
    if grant.status != GrantStatus.REQUESTED:
        raise ValidationError(_("This request has already been decided."))
    if actor.pk == grant.user_id:
        raise PermissionDenied(_("Nobody may approve access for themselves."))
    target = grant.document or grant.record
    if target is None:
        raise ValidationError(_("Nothing kept by this unit matches the request: reject it with a note."))
    if not policy.level_allowed(actor, target.confidentiality):
        raise PermissionDenied(_("Your clearance is below this document's: a leader with that clearance must decide."))
    if valid_until is not None:
        grant.valid_until = valid_until
    _check_until(grant.valid_until)
    grant.status = GrantStatus.APPROVED
    grant.approved_by, grant.approved_at = actor, timezone.now()
    grant.save(update_fields=["status", "approved_by", "approved_at", "valid_until"])
    audit.record(
        "grant_approve",
        actor=actor,
        obj=grant,
        details={
            "user": grant.user.username,
            "document": grant.document_id,
            "record": grant.record_id,
            "valid_until": grant.valid_until.isoformat(),
        },
    )
    return grant


def _close(*, actor: Any, grant: Grant, note: str, from_status: str, to_status: str, action: str) -> Grant:
    grant = Grant.objects.select_for_update(of=("self",)).select_related("unit", "user").get(pk=grant.pk)
    if not policy.can_decide_grants(actor, grant.unit):
        raise PermissionDenied(_("Only a leader of the unit that keeps it may decide on this request."))
    if grant.status != from_status:
        raise ValidationError(_("This grant is not in a state that allows this."))
    grant.status = to_status
    grant.closed_by, grant.closed_at, grant.close_note = actor, timezone.now(), note.strip()[:500]
    grant.save(update_fields=["status", "closed_by", "closed_at", "close_note"])
    audit.record(action, actor=actor, obj=grant, details={"user": grant.user.username, "note": grant.close_note})
    return grant


@transaction.atomic
def grant_reject(*, actor: Any, grant: Grant, note: str = "") -> Grant:
    """Refuse a request (with a note the requester reads)."""
    return _close(
        actor=actor,
        grant=grant,
        note=note,
        from_status=GrantStatus.REQUESTED,
        to_status=GrantStatus.REJECTED,
        action="grant_reject",
    )


@transaction.atomic
def grant_revoke(*, actor: Any, grant: Grant, note: str = "") -> Grant:
    """End an approved grant before its time."""
    return _close(
        actor=actor,
        grant=grant,
        note=note,
        from_status=GrantStatus.APPROVED,
        to_status=GrantStatus.REVOKED,
        action="grant_revoke",
    )


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()
