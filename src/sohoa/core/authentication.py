"""API token authentication with expiry (kept apart from core/api.py: DRF imports it while loading)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .auth import is_locked


class ExpiringTokenAuthentication(TokenAuthentication):
    """Tokens live API_TOKEN_HOURS from the login that issued them, like a session; a locked account's
    token stops working at once."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - timedelta(hours=settings.API_TOKEN_HOURS):
            raise exceptions.AuthenticationFailed(_("The token has expired; obtain a new one at /api/token/."))
        if is_locked(user):
            raise exceptions.AuthenticationFailed(_("This account is locked."))
        return user, token
