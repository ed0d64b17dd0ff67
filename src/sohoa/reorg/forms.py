"""Forms of the reorganization pages: record a merger or split, reassign one item."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sohoa.registry.models import Unit

from .models import Reorganization


class ReorganizationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Reorganization.Kind.choices)
    dissolved = forms.CharField(
        label=_("Dissolved units"), help_text=_("Unit codes, separated by commas or spaces"), max_length=2000
    )
    successors = forms.CharField(
        label=_("Successor units"), help_text=_("Unit codes; for a split, the first is the default"), max_length=2000
    )
    effective_date = forms.DateField(label=_("Effective date"))
    decision_number = forms.CharField(label=_("Decision number"), max_length=100)
    decision_date = forms.DateField(label=_("Decision date"))
    decision_issuer = forms.CharField(label=_("Issued by"), max_length=255)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def _units(self, name: str) -> list[Unit]:
        codes = [c for c in self.cleaned_data.get(name, "").replace(",", " ").split() if c]
        found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(_("Unknown unit codes: %(codes)s") % {"codes": ", ".join(missing)})
        return [found[c] for c in codes]

    def clean_dissolved(self) -> list[Unit]:
        return self._units("dissolved")

    def clean_successors(self) -> list[Unit]:
        return self._units("successors")

    def clean(self) -> dict[str, Any]:
        return super().clean() or {}


class AssignForm(forms.Form):
    """The receiving unit of one item: a successor's id, or empty for “nobody” (user scopes only)."""

    to_unit = forms.IntegerField(label=_("Receiving unit"), required=False, min_value=1)
