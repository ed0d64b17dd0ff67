from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form, telling a locked-out user why instead of "wrong password"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("This account is locked after too many failed logins. Try again later or ask an administrator."),
    }

    def clean(self) -> dict[str, Any]:
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
