"""The period and unit of a progress report, from the query string."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: A report without a period covers the current year and the five before it (the meeting's 2020–2025).
DEFAULT_YEARS = 5


class ProgressForm(forms.Form):
    unit = forms.IntegerField(label=_("Unit"), required=False, min_value=1)
    year_from = forms.IntegerField(label=_("From year"), required=False, min_value=1900, max_value=2100)
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=1900, max_value=2100)
    basis = forms.ChoiceField(
        label=_("Count by"),
        required=False,
        choices=[("creator", _("Creating unit (provenance)")), ("custodian", _("Current custodian"))],
    )

    def __init__(self, data: Any) -> None:
        # The query string uses `from` and `to`, which are Python keywords: map them onto the fields.
        mapped = {
            "unit": data.get("unit", ""),
            "year_from": data.get("from", ""),
            "year_to": data.get("to", ""),
            "basis": data.get("by", ""),
        }
        super().__init__(mapped)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year_to = data.get("year_to") or timezone.localdate().year
        year_from = data.get("year_from") or year_to - DEFAULT_YEARS
        if year_from > year_to:
            raise forms.ValidationError(_("The first year must not be after the last."))
        data["year_from"], data["year_to"] = year_from, year_to
        data["basis"] = data.get("basis") or "creator"
        return data
