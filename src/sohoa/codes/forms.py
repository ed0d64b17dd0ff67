"""Forms of the mentions section of a record page: add a mention, accept suggestions, type a code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sohoa.registry.models import Unit

from .models import MentionKind

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


class MentionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MentionKind.choices, initial=MentionKind.PERSON)
    name = forms.CharField(label=_("Name as written"), max_length=255)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    unit_hint = forms.CharField(label=_("Organization code (if the record names it)"), max_length=32, required=False)
    code = forms.CharField(label=_("Code (party member or organization), if known"), max_length=32, required=False)

    def clean_unit_hint(self) -> Unit | None:
        code = self.cleaned_data.get("unit_hint", "").strip()
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("Unknown unit code: %(code)s.") % {"code": code})
        return unit

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in ("kind", "name", "birth_date", "unit_hint", "code")}
