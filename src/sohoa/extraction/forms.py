"""The pre-filled registration form: every extracted field, editable, with its confidence beside it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sohoa.archive.models import DocType, Urgency
from sohoa.core.models import LEVEL_CODES, Level

FAMILY_CHOICES = [("", "—"), ("party", _("Party (Guide 36-HD/VPTW)")), ("state", _("State (Decree 30/2020)"))]
PREFIX_CHOICES = [("", "—"), ("TM.", "TM."), ("KT.", "KT."), ("TL.", "TL."), ("TUQ.", "TUQ.")]
LEVEL_CHOICES = [("", "—")] + [(code, Level(int(value)).label) for code, value in LEVEL_CODES.items() if value]


class SuggestionForm(forms.Form):
    family = forms.ChoiceField(label=_("Family"), choices=FAMILY_CHOICES, required=False)
    notation = forms.CharField(label=_("Number and symbol"), max_length=100, required=False)
    number = forms.CharField(label=_("Number"), max_length=20, required=False)
    symbol = forms.CharField(label=_("Symbol"), max_length=60, required=False)
    doc_type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *DocType.choices], required=False)
    type_name = forms.CharField(label=_("Type name"), max_length=100, required=False)
    issued_date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    issuer = forms.CharField(label=_("Issuing body"), max_length=255, required=False)
    parent_issuer = forms.CharField(label=_("Parent body"), max_length=255, required=False)
    subject = forms.CharField(label=_("Subject"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    signing_prefix = forms.ChoiceField(label=_("Signing on behalf"), choices=PREFIX_CHOICES, required=False)
    signer = forms.CharField(label=_("Signer"), max_length=150, required=False)
    confidentiality = forms.ChoiceField(label=_("Confidentiality"), choices=LEVEL_CHOICES, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, required=False)
    recipients = forms.CharField(
        label=_("Recipients (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm_duplicate = forms.BooleanField(label=_("Register even though it looks like a duplicate"), required=False)

    @classmethod
    def initial_from(cls, values: dict[str, Any]) -> dict[str, Any]:
        initial = {k: v for k, v in values.items() if v is not None}
        if isinstance(values.get("recipients"), list):
            initial["recipients"] = "\n".join(values["recipients"])
        return initial

    def values(self) -> dict[str, Any]:
        """Cleaned data in the suggestion's shape (ISO date, recipients as a list, None for empty)."""
        data = dict(self.cleaned_data)
        data.pop("confirm_duplicate", None)
        data["issued_date"] = data["issued_date"].isoformat() if data.get("issued_date") else None
        data["recipients"] = [r.strip() for r in (data.get("recipients") or "").splitlines() if r.strip()] or None
        return {k: (v if v not in ("", []) else None) for k, v in data.items()}
