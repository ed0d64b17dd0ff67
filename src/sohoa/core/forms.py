from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import ratelimit
from .middleware import client_ip


class LoginForm(AuthenticationForm):
    """Django's login form, telling a locked-out user why instead of "wrong password"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("This account is locked after too many failed logins. Try again later or ask an administrator."),
        "ip_blocked": _("Too many failed logins from this computer. Try again in 15 minutes."),
    }

    def clean(self) -> dict[str, Any]:
        if self.request is not None and ratelimit.ip_blocked(client_ip(self.request)):
            raise forms.ValidationError(self.error_messages["ip_blocked"], code="ip_blocked")
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "sohoa_locked", False):
                raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=32)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)


class AuditExportForm(forms.Form):
    """The period of a signed audit export (days, inclusive)."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data
