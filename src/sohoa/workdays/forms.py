"""The form of one configured day (ISO dates from the date picker, dd/mm/yyyy when typed)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Holiday


class HolidayForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date, e.g. 2026-02-16 or 16/02/2026.")},
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Holiday.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
