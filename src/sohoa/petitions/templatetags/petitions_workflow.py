"""Template side of the petition workflow: the action section a petition's page includes, and the badge
of unread notices in the menu."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("petitions/_workflow_body.html", takes_context=True)
def petition_workflow_section(context: Any, petition: Any = None) -> dict[str, Any]:
    """The action section of `petition` (or of the page's `petition`/`object`) for the signed-in user."""
    from sohoa.petitions.views_workflow import workflow_context

    petition = petition or context.get("petition") or context.get("object")
    request = context.get("request")
    if petition is None or request is None:
        return {"wf_ready": False}
    return {
        **workflow_context(request.user, petition),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("petitions/_badge.html", takes_context=True)
def petition_badge(context: Any) -> dict[str, Any]:
    """A link to the user's petition notices, with the number of unread ones."""
    request = context.get("request")
    user = getattr(request, "user", None)
    from sohoa.core import policy

    # Notices go to those who handle petitions only: other roles' pages cost no query for it.
    if user is None or not user.is_authenticated or policy.role_of(user) not in policy.PETITION_DECIDERS:
        return {"show": False}
    from sohoa.petitions.selectors import unread_count

    return {"show": True, "unread": unread_count(user)}
