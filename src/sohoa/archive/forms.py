"""Forms for the archive. Choices offered are only what the user may use: units in scope, visible
records and locations, levels up to their clearance."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sohoa.core import policy
from sohoa.core.models import Level
from sohoa.registry.models import Unit
from sohoa.registry.selectors import units_in_scope

from .models import Direction, DocType, Document, Fonds, Record, RegisterEntry


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ScopedForm(forms.ModelForm):
    """Limits unit, record, fonds, location and level choices to what `user` may use."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                model = field.queryset.model
                if model is Unit and name != "issuer_unit":
                    field.queryset = units_in_scope(user)
                elif model is not Unit:  # a choice list is a read too: only what the policy shows
                    field.queryset = policy.restrict(user, model._default_manager.all())
            if name == "confidentiality":
                field.choices = [(v, label) for v, label in Level.choices if policy.level_allowed(user, v)]
            if isinstance(getattr(field, "widget", None), forms.DateInput):
                field.widget = DateInput()


class FondsForm(ScopedForm):
    class Meta:
        model = Fonds
        fields = ["code", "name", "unit", "start_year", "end_year", "description"]


class RecordForm(ScopedForm):
    class Meta:
        model = Record
        fields = [
            "code",
            "number",
            "title",
            "fonds",
            "unit",
            "year",
            "catalogue",
            "start_date",
            "end_date",
            "retention",
            "access_regime",
            "confidentiality",
            "location",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class DocumentForm(ScopedForm):
    allow_duplicate = forms.BooleanField(
        label=_("Register anyway: I checked that this is not the same document"),
        required=False,
        # Not kept in a draft: it answers the duplicate warning of this submit only (decision 0031).
        widget=forms.CheckboxInput(attrs={"data-draft-skip": ""}),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis of the change of secrecy level"),
        help_text=_("Required only when the level changes, e.g. the number of the declassification decision."),
        max_length=500,
        required=False,
    )

    class Meta:
        model = Document
        fields = [
            "notation",
            "number",
            "symbol",
            "doc_type",
            "type_name",
            "issued_date",
            "issuer",
            "issuer_unit",
            "subject",
            "record",
            "order_in_record",
            "identifier",
            "unit",
            "confidentiality",
            "urgency",
            "page_count",
            "language",
            "keywords",
            "information_sign",
            "access_regime",
            "confidence",
            "handwriting",
            "physical_condition",
            "location",
            "notes",
        ]
        widgets = {"subject": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "notation": _("As written on the document, e.g. 15/QĐ-UBND or 64-CV/TW"),
            "identifier": _("Left empty, it becomes record code + “.” + order in record"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = [("", "—")] + list(DocType.choices)
        self.fields["issuer_unit"].queryset = Unit.objects.order_by("path")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        level = data.get("confidentiality")
        if self.instance.pk is not None and level is not None and not (data.get("legal_basis") or "").strip():
            if int(level) != int(self.initial.get("confidentiality") or 0):
                self.add_error(
                    "legal_basis",
                    _("Changing the level of secrecy needs its legal basis (e.g. the decision number)."),
                )
        return data


class RegisterEntryForm(ScopedForm):
    class Meta:
        model = RegisterEntry
        fields = [
            "unit",
            "year",
            "entry_number",
            "arrival_date",
            "author",
            "notation",
            "doc_date",
            "doc_type",
            "subject",
            "signer",
            "receiver",
            "recipients",
            "copy_keeper",
            "copies",
            "handover_date",
            "confidentiality",
            "urgency",
            "note",
        ]
        widgets = {"subject": forms.Textarea(attrs={"rows": 2}), "recipients": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, direction: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.direction = direction
        self.fields["entry_number"].required = False
        self.fields["doc_type"].choices = [("", "—")] + list(DocType.choices)
        hidden = (
            ("arrival_date", "author", "receiver")
            if direction == "outgoing"
            else ("signer", "recipients", "copy_keeper", "copies")
        )
        for name in hidden:
            del self.fields[name]


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    doc_type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *DocType.choices], required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100)
    confidentiality = forms.TypedChoiceField(
        label=_("Confidentiality"), choices=[("", "—"), *Level.choices], coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_in_scope(user)

    def filters(self) -> dict[str, Any]:
        """Selector keyword arguments from the valid fields; invalid ones are shown and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        result = {k: v for k, v in data.items() if v not in (None, "")}
        if "unit" in result:
            result["unit"] = result["unit"].pk
        return result


class RegisterPickForm(forms.Form):
    """Filters of the register-row picker on a document page; invalid values are shown and ignored."""

    direction = forms.ChoiceField(label=_("Register"), choices=[("", "—"), *Direction.choices], required=False)
    number = forms.CharField(label=_("Number"), required=False, max_length=100)
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "")}


class RegisterImportForm(forms.Form):
    """Upload a unit's register file (Decree 30 columns, Vietnamese or English headers)."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    direction = forms.ChoiceField(label=_("Register"), choices=Direction.choices)
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_in_scope(user)
