from typing import Any

from django.http import HttpRequest

from . import policy


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the menu needs to know about the user."""
    return {"is_admin": policy.is_admin(request.user)}
