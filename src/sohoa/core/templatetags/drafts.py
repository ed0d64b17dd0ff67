"""Template side of form drafts (decision 0031): `{% draft_form "name" %}` inside a <form> opts it in;
`{% drafts_meta %}` in the base template tells core/drafts.js whose browser copies it may touch."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from sohoa.core import drafts, selectors

register = template.Library()


def _login_url(next_url: str) -> str:
    """The login page coming back to `next_url`, written as Django's own redirect to it writes it."""
    query = QueryDict(mutable=True)
    query["next"] = next_url
    return reverse("login") + "?" + query.urlencode(safe="/")


@register.inclusion_tag("core/_draft_form.html", takes_context=True)
def draft_form(context: Any, name: str, level: Any = 0, level_field: str = "confidentiality") -> dict[str, Any]:
    """Keep drafts of the enclosing form as "name@<path>". `level`: the confidentiality the form already
    has (an edit of a classified object); `level_field`: the field where the user chooses one."""
    request = context["request"]
    user = request.user
    if not user.is_authenticated:
        return {"enabled": False}
    key = drafts.key_for(request, name)
    found = selectors.draft_values(user, key)
    try:
        level = int(level or 0)
    except (TypeError, ValueError):
        level = 0
    return {
        "enabled": True,
        "key": key,
        "user_id": user.pk,
        "level": level,
        "level_field": level_field,
        # A POST that comes back is a form with errors: it shows what was sent, not an older draft.
        "bound": request.method == "POST",
        "server": json.dumps(found[1], ensure_ascii=False) if found else "",
        "server_level": found[0].level if found else 0,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "login_url": _login_url(request.get_full_path()),
    }


@register.simple_tag(takes_context=True)
def drafts_meta(context: Any) -> SafeString:
    """<meta>s for core/drafts.js: the signed-in user, the drafts' age limit, and the forms just submitted
    (their browser copies are cleared on this page)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return format_html('<meta name="sohoa-drafts" data-days="{}">', settings.SOHOA_DRAFT_DAYS)
    return format_html(
        '<meta name="sohoa-drafts" data-user="{}" data-days="{}" data-cleared="{}">',
        user.pk,
        settings.SOHOA_DRAFT_DAYS,
        json.dumps(drafts.pop_cleared(request)),
    )
