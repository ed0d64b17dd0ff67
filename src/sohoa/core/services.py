"""Writes to users (create with role, units and clearance) and to their form drafts."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, drafts, policy
from .models import LEVEL_CODES, Draft, Level, Role, User

log = logging.getLogger(__name__)


def generate_password() -> str:
    """A password that is easy to read aloud once: four groups of letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def login_succeeded(*, user: User, via: str) -> None:
    """What every successful login does, whatever the channel: reset lock-out, stamp, audit."""
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None
    audit.record("login", actor=user, obj=user, details={"via": via})


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    units: list[Any],
    role: str,
    clearance: str,
    password: str,
    full_name: str = "",
    email: str = "",
    validate: bool = True,
) -> User:
    """Create a user; every argument is checked and a clear, translated reason given when it is wrong."""
    if role not in Role.values:
        raise ValidationError(
            _("Unknown role “%(role)s”; use one of: %(roles)s") % {"role": role, "roles": ", ".join(Role.values)}
        )
    if clearance not in LEVEL_CODES:
        raise ValidationError(
            _("Unknown clearance “%(c)s”; use one of: %(all)s") % {"c": clearance, "all": ", ".join(LEVEL_CODES)}
        )
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("User “%(username)s” already exists.") % {"username": username})
    first, _sep, last = full_name.strip().rpartition(" ")
    user = User(
        username=username,
        role=role,
        clearance=LEVEL_CODES[clearance],
        email=email,
        first_name=first,
        last_name=last,
        is_staff=role == Role.ADMIN,
    )
    user.full_clean(exclude=["password"])
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    user.units.set(units)
    audit.record(
        "create",
        actor=actor,
        obj=user,
        details={"role": role, "clearance": clearance, "units": [u.code for u in units]},
    )
    return user


# --- form drafts (decision 0031) ---------------------------------------------------------------------


def _clean_draft(key: Any, data: Any, level: Any) -> tuple[str, dict[str, list[str]], int]:
    """The key, values and level of a draft as sent by a browser, or a translated reason why not."""
    if not isinstance(key, str) or not key.strip() or len(key) > drafts.MAX_KEY_LENGTH:
        raise ValidationError(_("This form cannot keep a draft: its name is missing or too long."))
    if not isinstance(data, dict) or len(data) > drafts.MAX_FIELDS:
        raise ValidationError(_("The draft is not a list of form fields."))
    values: dict[str, list[str]] = {}
    for name, items in data.items():
        if not isinstance(name, str) or not name or len(name) > 200:
            raise ValidationError(_("The draft is not a list of form fields."))
        items = items if isinstance(items, list) else [items]
        if len(items) > drafts.MAX_VALUES or not all(isinstance(v, str) for v in items):
            raise ValidationError(_("The draft is not a list of form fields."))
        if any(len(v) > drafts.MAX_VALUE_CHARS for v in items):
            raise ValidationError(_("A field of this form is too long to keep as a draft."))
        values[name] = items
    if len(json.dumps(values, ensure_ascii=False).encode()) > drafts.MAX_BYTES:
        raise ValidationError(
            _("The draft is too large to keep (over %(kb)d KB of text).") % {"kb": drafts.MAX_BYTES // 1024}
        )
    try:
        level = int(level or 0)
    except (TypeError, ValueError):
        level = 0
    return key, values, max(0, min(level, int(Level.TUYET_MAT)))


@transaction.atomic
def draft_save(*, actor: Any, key: Any, data: Any, level: Any = 0) -> Draft:
    """Keep what `actor` typed into the form `key` (replacing their earlier draft of it), sealed.

    A draft always belongs to the one who saves it; not audited (the submit is), since it is saved every
    few seconds while someone types.
    """
    if not policy.can_create(actor, Draft):
        raise PermissionDenied
    key, values, level = _clean_draft(key, data, level)
    sealed, kid = drafts.seal(actor.pk, key, values)
    draft, _created = Draft.objects.update_or_create(
        user=actor, key=key, defaults={"sealed": sealed, "kid": kid, "level": level, "updated_at": timezone.now()}
    )
    return draft


def draft_discard(*, actor: Any, key: str) -> bool:
    """Delete `actor`'s own draft of the form `key` (after a submit, or when they discard it)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    deleted, _detail = policy.restrict(actor, Draft.objects.filter(key=key)).delete()
    return bool(deleted)


def drafts_purge(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete every draft not saved for SOHOA_DRAFT_DAYS days; the number deleted."""
    days = settings.SOHOA_DRAFT_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _detail = Draft.objects.filter(updated_at__lt=cutoff).delete()
    if deleted:
        log.info("purged %d form drafts older than %d days", deleted, days)
    return deleted
