"""Translate stored pipeline messages at display time, in the reader's language."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def intake_error(intake) -> str:  # type: ignore[no-untyped-def]
    message = gettext(intake.error)
    try:
        return message % intake.error_params if intake.error_params else message
    except (KeyError, TypeError, ValueError):
        return message
