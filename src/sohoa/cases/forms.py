"""Forms of the case pages: open/edit a case, add a subject, attach or upload a document, advance, close.
Choices are only what the user may use (units in scope, levels up to their clearance)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sohoa.archive.forms import DateInput
from sohoa.archive.models import Fonds, Retention
from sohoa.codes.forms import MentionForm
from sohoa.core import policy
from sohoa.core.models import Level
from sohoa.registry.selectors import units_in_scope

from .models import Case, CaseKind, DocumentRole, Outcome, Stage


def _levels(user: Any, top: int | None = None) -> list[tuple[int, Any]]:
    return [(v, label) for v, label in Level.choices if policy.level_allowed(user, v) and (top is None or v <= top)]


class CaseForm(forms.ModelForm):
    """Open a case (unit chosen among the user's) or edit an open one (the unit is not changed here)."""

    class Meta:
        model = Case
        fields = ["unit", "number", "title", "kind", "confidentiality", "opened_on", "deadline", "summary"]
        widgets = {"opened_on": DateInput(), "deadline": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False
        self.fields["confidentiality"].choices = _levels(user)
        if self.instance.pk is not None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units_in_scope(user)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["confidentiality"] = int(data["confidentiality"])
        return data

    def _post_clean(self) -> None:
        # The service validates and saves (code, uniqueness, levels): the model's own checks are skipped.
        pass


class SubjectForm(MentionForm):
    """A subject is a mention of the codes app: by code, or by name when the code is not known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Left empty, the name is taken from the registry by the code.")


class AttachForm(forms.Form):
    document = forms.TypedChoiceField(label=_("Document"), coerce=int)
    role = forms.ChoiceField(label=_("Role in the case"), choices=DocumentRole.choices)

    def __init__(self, *args: Any, documents: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", "—")] + [
            (d.pk, f"{d.notation or _('(no number)')} — {d.subject[:100]}") for d in documents
        ]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (scan, photo or PDF)"))
    role = forms.ChoiceField(label=_("Role in the case"), choices=DocumentRole.choices)
    confidentiality = forms.TypedChoiceField(label=_("Confidentiality of the document"), coerce=int)

    def __init__(self, *args: Any, user: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confidentiality"].choices = _levels(user, int(case.confidentiality))
        self.fields["confidentiality"].initial = case.confidentiality


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("Next stage"), choices=Stage.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class CloseForm(forms.Form):
    retention = forms.ChoiceField(label=_("Retention"), choices=Retention.choices, initial=Retention.PERMANENT)
    fonds = forms.ModelChoiceField(label=_("Fonds"), queryset=Fonds.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, user: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fonds"].queryset = policy.restrict(user, Fonds.objects.filter(unit_id=case.unit_id))


class FilterForm(forms.Form):
    """The list's filters; bad values are ignored (a list is never an error)."""

    q = forms.CharField(label=_("Words"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", "—"), *Stage.choices], required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *CaseKind.choices], required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(u.pk, f"{u.code} — {u.name}") for u in units_in_scope(user)]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}
