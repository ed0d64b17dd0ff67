from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohoa.archive.forms import ScopedForm

from .models import Intake, QcIssue


class UploadForm(ScopedForm):
    """Where the uploaded files go; the files themselves come from the multiple file input `files`."""

    force_ocr = forms.BooleanField(label=_("OCR born-digital PDFs too"), required=False)

    class Meta:
        model = Intake
        fields = ["unit", "record", "register_entry", "confidentiality"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].required = False
        self.fields["record"].label = _("Record (optional)")
        self.fields["register_entry"].required = False
        self.fields["register_entry"].label = _("Register entry of the paper document (optional)")


class RejectForm(forms.Form):
    """Why a page goes back to its operator; the reviewer's first choice is the page's first automatic issue."""

    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *QcIssue.choices])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == QcIssue.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Describe the problem when the reason is “other”."))
        return data


class RescanForm(forms.Form):
    file = forms.FileField(label=_("New scan of the page"))


class ThroughputForm(forms.Form):
    """The period (default: the last 30 days) and an optional team of the throughput page."""

    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1)

    MAX_DAYS = 366

    def __init__(self, data: Any) -> None:
        mapped = {"date_from": data.get("from", ""), "date_to": data.get("to", ""), "team": data.get("team", "")}
        super().__init__(mapped)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or date_to - dt.timedelta(days=29)
        if date_from > date_to:
            raise forms.ValidationError(_("The first day must not be after the last."))
        if (date_to - date_from).days >= self.MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most one year."))
        data["date_from"], data["date_to"] = date_from, date_to
        return data
