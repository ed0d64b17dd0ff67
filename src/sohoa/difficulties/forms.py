"""Forms: filing a difficulty (for one of the user's own units) and changing its status."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Category, Difficulty, Status
from .selectors import STATUS_ALL, STATUS_OUTSTANDING


class DifficultyForm(forms.ModelForm):
    class Meta:
        model = Difficulty
        fields = ["unit", "category", "quantity", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = services.filing_units(user).order_by("path")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if not self.initial.get("unit"):  # most people belong to one unit: it is the one they file for
            first = units.filter(pk__in=user.units.values("pk")).first() or units.first()
            self.initial["unit"] = first.pk if first else None
        self.fields["quantity"].widget.attrs["min"] = 1


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


def status_filter_choices() -> list[tuple[str, Any]]:
    return [(STATUS_OUTSTANDING, _("Open and in progress")), (STATUS_ALL, _("All")), *Status.choices]


class FilterForm(forms.Form):
    """List and summary filters; an unknown value is reported and the default used."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = status_filter_choices()
        self.fields["category"].choices = [("", _("All categories")), *Category.choices]

    def values(self) -> tuple[str, str]:
        if not self.is_valid():
            return STATUS_OUTSTANDING, ""
        return self.cleaned_data.get("status") or STATUS_OUTSTANDING, self.cleaned_data.get("category") or ""
