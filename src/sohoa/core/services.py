"""Writes to users: create with role, units and clearance."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .models import LEVEL_CODES, Role, User


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
