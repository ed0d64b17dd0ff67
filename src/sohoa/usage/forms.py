"""Forms of the usage app: the effectiveness query, and the share, citation and paper-request acts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from sohoa.core import policy

from .selectors import DEFAULT_MONTHS


def default_cost_per_page() -> Decimal | None:
    """The cost of digitizing one page (VND) when the user enters none: settings.DIGITIZATION_COST_PER_PAGE."""
    value = getattr(settings, "DIGITIZATION_COST_PER_PAGE", None)
    return None if value in (None, "") else Decimal(str(value))


class EffectivenessForm(forms.Form):
    unit = forms.IntegerField(label=_("Unit"), required=False, min_value=1)
    year_from = forms.IntegerField(label=_("Digitized from year"), required=False, min_value=1900, max_value=2100)
    year_to = forms.IntegerField(label=_("Digitized to year"), required=False, min_value=1900, max_value=2100)
    months = forms.IntegerField(label=_("Used within (months)"), required=False, min_value=1, max_value=120)
    cost = forms.DecimalField(
        label=_("Cost per digitized page (VND)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(self, data: Any) -> None:
        # The query string says `from`/`to` like the progress report (Python keywords: mapped onto fields).
        names = {"unit": "unit", "year_from": "from", "year_to": "to", "months": "months", "cost": "cost"}
        super().__init__({field: data.get(param, "") for field, param in names.items()})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from and year_to and year_from > year_to:
            raise forms.ValidationError(_("The first year must not be after the last."))
        data["digitized_from"] = dt.date(year_from, 1, 1) if year_from else None
        data["digitized_to"] = dt.date(year_to, 12, 31) if year_to else None
        data["months"] = data.get("months") or DEFAULT_MONTHS
        if data.get("cost") is None:
            data["cost"] = default_cost_per_page()
        return data


class ColleagueField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.username})"


class ShareForm(forms.Form):
    """Share a document's link with a colleague (or just copy it). The recipient still needs the right to
    open it: the link leads to a 404 for anyone the policy does not let see the document."""

    recipient = ColleagueField(label=_("Send to"), queryset=get_user_model().objects.none(), required=False)
    note = forms.CharField(label=_("Message"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Colleagues in the sharer's scope only: the form must not list every account of the province.
        colleagues = get_user_model().objects.filter(is_active=True, units__in=policy.scope_units(user).values("pk"))
        self.fields["recipient"].queryset = colleagues.exclude(pk=user.pk).distinct().order_by("username")  # type: ignore[attr-defined]


class CiteForm(forms.Form):
    cited_in = forms.CharField(
        label=_("Cited in"),
        max_length=200,
        help_text=_("The report, decision or file that cites this document, e.g. Báo cáo số 12-BC/TU."),
    )
    note = forms.CharField(label=_("Note"), max_length=90, required=False)


class RequestForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        help_text=_("Why the paper is needed, e.g. to settle petition 15/2025."),
    )
