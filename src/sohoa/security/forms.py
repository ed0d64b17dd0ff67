from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from . import totp


def code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )


def code_error(result: str) -> forms.ValidationError:
    if result == totp.CodeResult.LIMITED:
        return forms.ValidationError(
            _("Too many wrong codes. Wait 15 minutes or ask an administrator."), code="limited"
        )
    return forms.ValidationError(_("The code is not correct or has already been used."), code="wrong")


class CodeForm(forms.Form):
    """The login's second step, or the first code that confirms an enrolment."""

    code = code_field()

    def __init__(self, *args: Any, user: Any, enrol: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.enrol = user, enrol

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if self.enrol:
            result = totp.totp_confirm(user=self.user, code=code)
        else:
            result = totp.check_code(self.user, code, purpose="login")
        if result != totp.CodeResult.OK:
            raise code_error(result)
        return code


class ReauthForm(forms.Form):
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, user: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request
        if totp.is_enrolled(user):  # enrolled users prove both factors again
            self.fields["code"] = code_field()
            self.fields["code"].widget.attrs.pop("autofocus", None)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if authenticate(self.request, username=self.user.get_username(), password=password) is None:
            raise forms.ValidationError(_("The password is not correct."))
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The code is checked only after a right password: a wrong password must not use up a code.
        if "code" in self.fields and "password" in cleaned and cleaned.get("code"):
            result = totp.check_code(self.user, cleaned["code"], purpose="reauth")
            if result != totp.CodeResult.OK:
                self.add_error("code", code_error(result))
        return cleaned
