from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SyncKind, SyncSource, Unit


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "parent", "valid_from", "valid_to"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Unit.objects.order_by("path")
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents


class SyncUploadForm(forms.Form):
    """An export of the central database to compare with the registry (nothing applied until confirmed)."""

    file = forms.FileField(label=_("Export file (.csv or .xlsx)"))
    kind = forms.ChoiceField(label=_("Contents"), choices=SyncKind.choices)
    source = forms.ModelChoiceField(
        label=_("Column mapping"),
        queryset=SyncSource.objects.none(),
        required=False,
        empty_label=_("Default headers (Vietnamese or English)"),
    )
    end_missing = forms.BooleanField(
        label=_("End organizations/members that the export no longer names (valid to = today)"), required=False
    )

    def __init__(self, *args: Any, sources: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sources is not None:
            self.fields["source"].queryset = sources

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Use a .csv or .xlsx file."))
        return upload


class SyncSourceForm(forms.Form):
    """A source's column mapping, one `our field = their header` per line."""

    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Contents"), choices=SyncKind.choices)
    mapping = forms.CharField(
        label=_("Column mapping"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One line per field: our field = the header in their file, e.g. full_name = Họ và tên"),
    )
    date_format = forms.CharField(label=_("Date format"), max_length=32, required=False, help_text="%d/%m/%Y")

    def clean_mapping(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for line in self.cleaned_data["mapping"].splitlines():
            if not line.strip():
                continue
            ours, sep, theirs = line.partition("=")
            if not sep:
                raise forms.ValidationError(_("“%(line)s” is not of the form field = header.") % {"line": line.strip()})
            mapping[ours.strip()] = theirs.strip()
        return mapping
