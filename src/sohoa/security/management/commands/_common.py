"""Shared bits of the security commands: the acting user named with --as."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def user_or_error(username: str | None) -> Any:
    """The user named by --as, or None when none was named; an unknown or inactive name is an error."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(_("Unknown user: %(username)s") % {"username": username}, returncode=2)
    return user
